/**
 * Plain words for what happened when a run diverged, worked out from its
 * own history: how fast the gradient grew before the first non-finite step.
 */
import type { Divergence, StepMetrics } from '../train/metrics.ts';

function short(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const magnitude = Math.abs(value);
  if (magnitude >= 1e5 || (magnitude < 1e-3 && magnitude > 0)) {
    const [mantissa = '', exponent] = value.toExponential(1).split('e');
    return `${mantissa.replace(/\.0$/, '')}e${Number(exponent)}`;
  }
  return Number(value.toPrecision(3)).toString();
}

export function explainDivergence(divergence: Divergence, history: StepMetrics[]): string {
  const finite = history.filter(
    (m) => m.step < divergence.step && Number.isFinite(m.globalNormPre) && m.globalNormPre > 0,
  );
  const what =
    divergence.what === 'loss' ? `the loss became ${divergence.value}` : `a gradient became ${divergence.value}`;
  const [first] = finite;
  if (!first || finite.length < 2) {
    return `At step ${divergence.step} ${what}: the very first updates were already too large for float32.`;
  }
  // The climb: from the smallest gradient norm to the largest finite one before the blow-up.
  let low = first;
  for (const m of finite) if (m.globalNormPre < low.globalNormPre) low = m;
  const peak = finite.filter((m) => m.step >= low.step).reduce((a, b) => (b.globalNormPre > a.globalNormPre ? b : a));
  const growth = peak.globalNormPre / low.globalNormPre;
  const steps = peak.step - low.step;
  const climb =
    growth >= 10 && steps > 0
      ? `The gradient norm grew ${short(growth)}-fold in ${steps} step${steps === 1 ? '' : 's'} (from ${short(low.globalNormPre)} at step ${low.step} to ${short(peak.globalNormPre)} at step ${peak.step}). `
      : `The gradient norm reached ${short(peak.globalNormPre)} at step ${peak.step}. `;
  return `${climb}Each update, learning rate x gradient, threw the weights further off the cliff, until at step ${divergence.step} ${what} (float32 overflows past about 3.4e38). The run stopped there; its history is kept.`;
}
