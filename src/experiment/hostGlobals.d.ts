/**
 * The few host APIs the core uses that every runtime it runs in provides (browsers, workers, Node 20),
 * but that ES2023's own lib leaves out. Declared here, only as far as the core uses them, so that the
 * core project can go on compiling without the DOM's or Node's types.
 */
declare function structuredClone<T>(value: T): T;

declare class URLSearchParams {
  constructor(init?: string | Record<string, string>);
  get(name: string): string | null;
  set(name: string, value: string): void;
  has(name: string): boolean;
  toString(): string;
  [Symbol.iterator](): IterableIterator<[string, string]>;
}
