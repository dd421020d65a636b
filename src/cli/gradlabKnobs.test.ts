/** `gradlab run` replays a link's schedule of knobs through the same driver as the page, and narrates what followed. */
import { describe, expect, it } from 'vitest';
import { runCli } from './gradlab.ts';

describe('gradlab run with knobs turned', () => {
  it('takes the threshold change after step 30 and says what followed, as the page does', async () => {
    const lines: string[] = [];
    const link = 'v=1&preset=dense-explode&clip=norm&clipNorm=1&steps=60&knobs=30:clip=norm:0.1';
    expect(await runCli(['run', link, '--narrate', '--backend', 'cpu'], (l) => lines.push(l))).toBe(0);
    expect(lines).toContain("knob: the clipped run's clipping becomes norm:0.1 after step 30");
    const told = lines.filter((l) => l.includes('After the clip threshold'));
    expect(told).toHaveLength(1);
    expect(told[0]).toMatch(
      /^clipped {2}> Step 30: After the clip threshold went from 1 to 0\.1 at step 30, the steps got [\d.]+x shorter \(median step length [\d.e-]+ over the 10 steps before, [\d.e-]+ over the 10 after\)\.$/,
    );
  });

  it('refuses a schedule it cannot replay, naming the change (exit 2)', async () => {
    const errors: string[] = [];
    const code = await runCli(['run', 'v=1&preset=dense-explode&steps=60&knobs=90:lr=0.01'], () => undefined, {
      error: (l) => errors.push(l),
    });
    expect(code).toBe(2);
    expect(errors.join('\n')).toContain('knobs=90:lr=0.01: step 90 is not before the last step (60)');
  });
});
