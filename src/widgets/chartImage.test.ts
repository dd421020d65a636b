/** A saved chart's paper: the frame's colour unless it lets the page show through. */
import { describe, expect, it } from 'vitest';
import { opaqueColour } from './chartImage.ts';

describe('opaqueColour', () => {
  it('keeps an opaque colour, whatever its components (black included)', () => {
    expect(opaqueColour('rgb(0, 0, 0)')).toBe('rgb(0, 0, 0)');
    expect(opaqueColour('rgb(28, 33, 40)')).toBe('rgb(28, 33, 40)');
    expect(opaqueColour('rgba(28, 33, 40, 1)')).toBe('rgba(28, 33, 40, 1)');
    expect(opaqueColour('rgb(28 33 40 / 100%)')).toBe('rgb(28 33 40 / 100%)');
    expect(opaqueColour('#fff')).toBe('#fff');
  });

  it('refuses what shows the page through: transparent, or an alpha under 1', () => {
    expect(opaqueColour('rgba(0, 0, 0, 0)')).toBeNull();
    expect(opaqueColour('transparent')).toBeNull();
    expect(opaqueColour('rgba(255, 255, 255, 0.5)')).toBeNull();
    expect(opaqueColour('rgb(255 255 255 / 40%)')).toBeNull();
  });
});
