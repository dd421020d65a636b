import { describe, expect, it } from 'vitest';
import { EpochLossTracker } from './epochLoss.ts';

describe('epoch loss, as the tutorial reports it', () => {
  it('weighs each batch by its size: 10 rows in batches of 4 are 4, 4 and 2', () => {
    const tracker = new EpochLossTracker(10, 4);
    tracker.add(1, 1, 1);
    tracker.add(2, 1, 2);
    expect(tracker.current()).toEqual({ epoch: 1, loss: (4 * 1 + 4 * 2) / 8, complete: false });
    expect(tracker.lastCompleteEpoch()).toBeNull();
    tracker.add(3, 1, 6);
    // (4 x 1 + 4 x 2 + 2 x 6) / 10 = 2.4; a plain mean of the batch losses would say 3.
    expect(tracker.current()).toEqual({ epoch: 1, loss: 2.4, complete: true });
    tracker.add(4, 2, 5);
    expect(tracker.current()).toEqual({ epoch: 2, loss: 5, complete: false });
    expect(tracker.lastCompleteEpoch()).toEqual({ epoch: 1, loss: 2.4, complete: true });
  });

  it('refuses an empty data set', () => {
    expect(() => new EpochLossTracker(0, 4)).toThrow(/above 0/);
  });
});
