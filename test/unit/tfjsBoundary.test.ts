/**
 * The lint boundary that keeps TensorFlow.js off the page (eslint.config.js, TFJS_FREE): a page folder may not
 * import tfjs, nor a module of train/ or worker/ that is not on the tfjs-free list; types may come from anywhere;
 * and a listed file may not reach past the list itself.
 */
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint();

async function refused(filePath: string, code: string): Promise<boolean> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).some((m) => m.ruleId === '@typescript-eslint/no-restricted-imports');
}

describe('tfjs stays in the workers (lint)', () => {
  it('refuses tfjs and tfjs-bearing modules in page folders', async () => {
    expect(await refused('src/ui/X.tsx', "import * as tf from '@tensorflow/tfjs-core';\nvoid tf;\n")).toBe(true);
    expect(await refused('src/store/x.ts', "import { Run } from '../train/trainer.ts';\nvoid Run;\n")).toBe(true);
    expect(
      await refused(
        'src/sweep/x.ts',
        "import { runGridSweep } from '../train/sweep/gridSweep.ts';\nvoid runGridSweep;\n",
      ),
    ).toBe(true);
    expect(
      await refused('src/charts/x.ts', "import { startBackend } from '../worker/backends.ts';\nvoid startBackend;\n"),
    ).toBe(true);
  });

  it('allows the tfjs-free files, and types from anywhere', async () => {
    expect(
      await refused(
        'src/sweep/x.ts',
        "import { sweepMethod } from '../train/sweep/sweepMethod.ts';\nvoid sweepMethod;\n",
      ),
    ).toBe(false);
    expect(await refused('src/store/x.ts', "import { RunClient } from '../worker/client.ts';\nvoid RunClient;\n")).toBe(
      false,
    );
    expect(
      await refused('src/ui/x.ts', "import type { Run } from '../train/trainer.ts';\nexport type R = Run;\n"),
    ).toBe(false);
  });

  it('keeps the listed files tfjs-free too', async () => {
    const file = 'src/train/sweep/sweepMethod.ts';
    expect(await refused(file, "import { DenseSweep } from './denseSweep.ts';\nvoid DenseSweep;\n")).toBe(true);
    expect(await refused(file, "import { Run } from '../trainer.ts';\nvoid Run;\n")).toBe(true);
    expect(await refused(file, "import { EpochLossTracker } from '../epochLoss.ts';\nvoid EpochLossTracker;\n")).toBe(
      false,
    );
  });
});
