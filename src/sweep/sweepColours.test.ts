import { describe, expect, it } from 'vitest';
import type { CellOutcome } from '../train/sweep/cellOutcome.ts';
import {
  cellColour,
  colourScale,
  divergedColour,
  divergedFraction,
  fractionColour,
  scalePosition,
  textOn,
} from './sweepColours.ts';

const cell = (
  finalLoss: number,
  divergedAt: number | null = null,
  testAccuracy: number | null = null,
): CellOutcome => ({
  lr: 0.1,
  clip: 1,
  divergedAt,
  finalLoss,
  minLoss: finalLoss,
  testAccuracy,
  steps: 10,
});

describe('sweep colours', () => {
  it('span the finished cells’ losses on a log scale, diverged cells left out', () => {
    const scale = colourScale([cell(1), cell(100), cell(NaN, 3), null], 'loss', 10);
    expect(scale).toEqual({ by: 'loss', low: 1, high: 100, steps: 10 });
    // 10 is half way from 1 to 100 on a log scale.
    expect(scalePosition(scale, 10)).toBeCloseTo(0.5, 12);
    expect(scalePosition(scale, 1000)).toBe(1);
    const accuracy = colourScale([cell(1, null, 0.2), cell(1, null, 0.6)], 'accuracy', 10);
    expect(scalePosition(accuracy, 0.4)).toBeCloseTo(0.5, 12);
  });

  it('make good bright: the lowest loss and the highest accuracy get the same (yellow) end', () => {
    const loss = colourScale([cell(1), cell(100)], 'loss', 10);
    const accuracy = colourScale([cell(1, null, 0.1), cell(1, null, 0.9)], 'accuracy', 10);
    expect(cellColour(cell(1), loss)).toBe(cellColour(cell(1, null, 0.9), accuracy));
    expect(textOn(cellColour(cell(1), loss))).toBe('#111');
    expect(textOn(cellColour(cell(100), loss))).toBe('#fff');
  });

  it('shade a divergence darker the sooner it came', () => {
    const brightness = (fill: string) =>
      (fill.match(/\d+/g) ?? [])
        .slice(0, 3)
        .map(Number)
        .reduce((a, b) => a + b);
    expect(brightness(divergedColour(1, 400))).toBeLessThan(brightness(divergedColour(200, 400)));
    expect(brightness(divergedColour(200, 400))).toBeLessThan(brightness(divergedColour(400, 400)));
    expect(cellColour(cell(NaN, 1), colourScale([], 'loss', 400))).toBe(divergedColour(1, 400));
  });

  it('colour a cell over seeds by the fraction of them that diverged, a diverged cell too', () => {
    const overSeeds = (seedsDiverged: number): CellOutcome => ({
      ...cell(5, seedsDiverged > 0 ? 4 : null),
      seeds: 10,
      seedsDiverged,
    });
    const scale = colourScale([overSeeds(0), overSeeds(3), overSeeds(10)], 'diverged', 10);
    expect(divergedFraction(overSeeds(3))).toBe(0.3);
    expect(divergedFraction(cell(5))).toBeNull();
    expect(cellColour(overSeeds(3), scale)).toBe(fractionColour(0.3));
    // Not the red of the step it diverged at: the fraction is what the map shows.
    expect(cellColour(overSeeds(10), scale)).toBe(fractionColour(1));
    const red = (fill: string) => Number((fill.match(/\d+/g) ?? [])[1]);
    // More seeds diverged, deeper red (less green).
    expect(red(fractionColour(1))).toBeLessThan(red(fractionColour(0.3)));
    expect(red(fractionColour(0.3))).toBeLessThan(red(fractionColour(0)));
  });
});
