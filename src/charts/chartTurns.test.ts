import { describe, expect, it } from 'vitest';
import { ChartTurns } from './chartTurns.ts';

/** A next-task queue run by hand: each `tick` runs the tasks queued so far, as the browser would one by one. */
function manualTasks() {
  const tasks: (() => void)[] = [];
  return {
    nextTask: (run: () => void) => void tasks.push(run),
    tick() {
      const run = tasks.shift();
      run?.();
      return run !== undefined;
    },
    get pending() {
      return tasks.length;
    },
  };
}

describe('ChartTurns', () => {
  it('starts the first chart at once and each next one in a later task, in the order they asked', () => {
    const tasks = manualTasks();
    const turns = new ChartTurns(tasks.nextTask);
    const started: string[] = [];
    turns.take(() => started.push('loss'));
    turns.take(() => started.push('norms'));
    turns.take(() => started.push('global'));
    expect(started).toEqual(['loss']);
    tasks.tick();
    expect(started).toEqual(['loss', 'norms']);
    tasks.tick();
    expect(started).toEqual(['loss', 'norms', 'global']);
    // The last turn passes to nobody: the queue is idle, and a new chart starts at once again.
    tasks.tick();
    expect(tasks.pending).toBe(0);
    turns.take(() => started.push('accuracy'));
    expect(started).toEqual(['loss', 'norms', 'global', 'accuracy']);
  });

  it('skips a chart that gave its place up (unmounted before its turn), without spending a task on it', () => {
    const tasks = manualTasks();
    const turns = new ChartTurns(tasks.nextTask);
    const started: string[] = [];
    turns.take(() => started.push('a'));
    const giveUp = turns.take(() => started.push('b'));
    turns.take(() => started.push('c'));
    giveUp();
    tasks.tick();
    expect(started).toEqual(['a', 'c']);
    expect(turns.queued).toBe(0);
  });

  it('a chart that asks while another draws waits for the turn', () => {
    const tasks = manualTasks();
    const turns = new ChartTurns(tasks.nextTask);
    const started: string[] = [];
    turns.take(() => {
      started.push('a');
      // Asked from inside a drawing chart: not in the same task.
      turns.take(() => started.push('b'));
    });
    expect(started).toEqual(['a']);
    tasks.tick();
    expect(started).toEqual(['a', 'b']);
  });
});
