/**
 * One clipping in one link parameter, for a race's third and fourth runs (`run3=norm:1&run4=global:1`):
 *   none | value:MIN:MAX | value:C (= [-C, C]) | norm:C | global:C | global:C:inf | global-tf:C
 * The pair's two clippings keep their long form (`clip=value&clipMax=1`), which older links use.
 */
import { CLIP_MODES, NO_CLIP, type ClipConfig, type ClipMode } from './config.ts';
import { CLIP_FIELD_SPECS, checkClip, parseDecimal } from './schema.ts';

export const CLIP_TEXT_FORMS = 'none, value:MIN:MAX, value:C, norm:C, global:C, global:C:inf or global-tf:C';

export function formatClipText(clip: ClipConfig): string {
  switch (clip.mode) {
    case 'none':
      return 'none';
    case 'value':
      return `value:${clip.min}:${clip.max}`;
    case 'global':
      return clip.normType === 'inf' ? `global:${clip.threshold}:inf` : `global:${clip.threshold}`;
    case 'norm':
    case 'global-tf':
      return `${clip.mode}:${clip.threshold}`;
  }
}

/** The clipping a parameter names, or why it cannot be read (in words naming the limit). */
export function parseClipText(text: string): { ok: true; clip: ClipConfig } | { ok: false; message: string } {
  const [modeText = '', ...rest] = text.split(':');
  const refuse = (why: string) => ({ ok: false as const, message: `${why}; write one of ${CLIP_TEXT_FORMS}` });
  if (!(CLIP_MODES as readonly string[]).includes(modeText)) return refuse(`'${modeText}' is not a clipping mode`);
  const mode = modeText as ClipMode;
  if (mode === 'none') return rest.length === 0 ? { ok: true, clip: NO_CLIP } : refuse('none takes no number');
  const numbers = rest.map(parseDecimal);
  if (mode === 'value') {
    if (rest.length < 1 || rest.length > 2 || numbers.some((n) => n === null))
      return refuse('value clipping takes one bound C or two bounds MIN:MAX');
    const [a, b] = numbers as number[];
    const [min, max] = b === undefined ? [-Math.abs(a!), Math.abs(a!)] : [a!, b];
    const bounds = CLIP_FIELD_SPECS.min;
    if (!bounds.schema.safeParse(min).success || !bounds.schema.safeParse(max).success)
      return refuse(`value bounds must be ${bounds.allowed}`);
    const clip: ClipConfig = { ...NO_CLIP, mode, min, max };
    const problem = checkClip(clip);
    return problem ? refuse(problem) : { ok: true, clip };
  }
  const normTypeText = mode === 'global' ? rest[1] : undefined;
  const extra = mode === 'global' ? 2 : 1;
  if (rest.length < 1 || rest.length > extra || numbers[0] === null || numbers[0] === undefined)
    return refuse(`${mode} clipping takes one threshold C`);
  if (normTypeText !== undefined && normTypeText !== 'inf' && normTypeText !== '2')
    return refuse(`the norm type must be 2 or inf, not '${normTypeText}'`);
  const threshold = numbers[0];
  if (!CLIP_FIELD_SPECS.threshold.schema.safeParse(threshold).success)
    return refuse(`the threshold must be ${CLIP_FIELD_SPECS.threshold.allowed}`);
  return { ok: true, clip: { ...NO_CLIP, mode, threshold, normType: normTypeText === 'inf' ? 'inf' : '2' } };
}
