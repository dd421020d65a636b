/**
 * `items.at(index)` for a test that needs the element to be there (a negative index counts from the end):
 * a missing one fails the test here, saying which, rather than as a TypeError further on.
 */
export function at<T>(items: readonly T[], index: number, what = 'element'): T {
  const item = items.at(index);
  if (item === undefined) throw new Error(`expected a ${what} at index ${index}, but there are only ${items.length}`);
  return item;
}
