/**
 * The page's standing words about the experiment on it: what to watch for on a preset's first screen, why a
 * recurrent net of this cell explodes, and the speed readout. Each is a function of the experiment, so what
 * is said of a vanilla RNN is never said of an LSTM, and one figure never carries two meanings.
 */
import type { ModelKind } from '../experiment/config.ts';
import type { PresetId } from '../experiment/presets.ts';
import { formatNumber } from './describe.ts';

/**
 * What a student should look for once they press Play, per preset: one or two sentences, each checked against
 * the preset's runs (test/unit/lessons.test.ts and the CLI: `gradlab run 'v=1&preset=...' --narrate`).
 */
export const WATCH_FOR: Record<PresetId, string> = {
  'dense-explode':
    'Press Play. The red run has no clipping: its loss and gradients grow by orders of magnitude at every step until the loss overflows to Infinity at step 5. The blue run starts from the same weights and clips every gradient element to [-1, 1]: its loss falls a hundredfold within some 50 steps, then levels off, noisy, mostly between 50 and 200.',
  'lstm-pytorch':
    'Press Play. Both LSTMs learn to read the digits row by row. Watch the gradient-norm charts: clipping barely acts, because an LSTM rarely lets its gradients explode.',
  'lstm-tf':
    'Press Play. A small LSTM learns the digits with and without clipping; the runs stay close, because clipping only acts when a gradient is large.',
  'rnn-scale':
    'Press Play. A plain RNN whose gradient explodes through time (the per-time-step chart grows toward t = 1). Here clipping hurts: the unclipped run saturates its units, leaves the exploding regime and learns; the clipped one keeps exploding and learns far more slowly.',
  'literal-loss':
    "Press Play. With the tutorial's broadcast loss the clipped run stalls at about 23,300 however long it trains, and the unclipped one still explodes.",
  adding:
    'Press Play. The unclipped RNN takes steps far too large for this learning rate: its gradient norm grows a thousandfold and it overflows within 60 steps. The clipped one survives, hovers at the dashed line (MSE 0.167, always answering 1) for some 500 steps, then learns to add the marked values: test MSE 0.02-0.04 by step 2,000.',
};

/** "Why recurrent nets explode", for the cell the experiment trains; null for the dense net. */
export function recurrentExplanation(model: ModelKind, timeSteps: number): string | null {
  switch (model) {
    case 'dense':
      return null;
    case 'rnn':
      return `The loss at the last step reaches the first step through ${timeSteps} multiplications by the recurrent Jacobian, dh_t/dh_(t-1) = diag(tanh'(a_t)) W_hh. A product of ${timeSteps} factors larger than one grows exponentially; smaller than one, it vanishes. Since tanh' is at most 1, ||W_hh|| below 1 means it can only shrink. The per-time-step chart shows that product directly.`;
    case 'lstm':
      return `The loss at the last step reaches the first step through ${timeSteps} steps back in time. An LSTM's cell state, c_t = f_t * c_(t-1) + i_t * g_t, passes the gradient back multiplied by its forget gate f_t rather than by W_hh, so where f_t stays near 1 the gradient is carried a long way without exploding or vanishing on that path; its other paths go through W_hh and the gates. ||W_hh|| alone therefore does not tell whether it explodes. The per-time-step chart shows what reaches each step.`;
    case 'gru':
      return `The loss at the last step reaches the first step through ${timeSteps} steps back in time. A GRU's new state, h_t = n_t + z_t (h_(t-1) - n_t), keeps a share z_t of the last state directly, so part of the gradient goes back multiplied by the update gate, the rest through W_hh and the gates. ||W_hh|| alone therefore does not tell whether it explodes: a GRU can amplify the gradient through time with ||W_hh|| below 1. The per-time-step chart shows what reaches each step.`;
  }
}

/** Which charts tell a run's regime, for the cell: the ||W_hh|| line at 1 means something only for the vanilla RNN. */
export function regimeChartsSentence(model: ModelKind): string | null {
  if (model === 'rnn')
    return 'The ||W_hh|| and saturation charts show which regime each run is in; "What happened" says it in words.';
  if (model === 'dense') return null;
  return 'The per-time-step chart shows which regime each run is in; "What happened" says it in words.';
}

/** A backend's speed as timed by Auto before training: one run alone, a few steps. */
export interface TimedBackend {
  backend: string;
  stepsPerSecond: number | null;
}

/**
 * The speed readout: how fast the runs are training now (the slowest, since the runs of a pair or a race
 * advance together), short enough to stay on one line, with the rest in `title`; and, apart, what Auto timed
 * before training with one run alone, so that two speeds are never read as one.
 */
export function speedWords(
  stepsPerSecond: number,
  backends: readonly string[],
  runs: number,
): { speed: string; after: string; title: string } {
  const on = backends.map((b) => b.toUpperCase()).join(' + ');
  return {
    speed: formatNumber(stepsPerSecond),
    after: ` steps/s${runs > 1 ? ' per run' : ''} on ${on}`,
    title:
      runs > 1
        ? `Measured while training: the ${runs} runs train at once, in step, each as fast as the slowest.`
        : 'Measured while training.',
  };
}

/** The hover text of Auto's note while a model size is not timed yet (train/backendTrial.ts says the rest). */
export const UNTIMED_CHOICE_TITLE =
  'Auto times each model size once; the faster then trains the next run of this size.';

/** Auto's choice in words, marked as a timing of one run alone before training. */
export function backendChoiceSentence(sentences: readonly string[]): string | null {
  if (sentences.length === 0) return null;
  return `Auto's trial, one run alone: ${sentences.join('; ')}`;
}

/** What a run's worker says of Auto's choice (worker/protocol.ts's BackendChoiceView, as far as words need it). */
export type AutoChoice =
  { state: 'timing' } | { state: 'chosen'; sentence: string; timings: readonly unknown[]; cached: boolean };

/**
 * Auto's note beside the speed, from every run's choice: timing, not timed yet ("WASM for now ..."), or timed.
 * Once one run's worker has timed the model size (a run of the pair ended first, say), its measured choice is what
 * the note says: a run still on "WASM for now" trains on what was chosen anyway, and "not timed yet" would
 * contradict the measurement beside it.
 */
export function autoChoiceNote(choices: readonly AutoChoice[]): { text: string; title: string } | null {
  if (choices.length === 0) return null;
  if (choices.some((c) => c.state === 'timing'))
    return { text: 'Timing WASM and WebGL on this model to train it on the faster\u2026', title: UNTIMED_CHOICE_TITLE };
  const chosen = choices.filter((c) => c.state === 'chosen');
  const timed = chosen.filter((c) => c.timings.length > 0);
  const sentences = [...new Set((timed.length > 0 ? timed : chosen).map((c) => c.sentence).filter((t) => t))];
  if (sentences.length === 0) return null;
  // Nothing timed yet: no trial to call one of a run alone; the note says what Auto does for now.
  if (timed.length === 0) return { text: `Auto: ${sentences.join('; ')}`, title: UNTIMED_CHOICE_TITLE };
  return {
    text: backendChoiceSentence(sentences) ?? '',
    title: timed.every((c) => c.cached)
      ? 'Measured on an earlier run of a model this size in this browser (Auto times each model size once)'
      : 'Measured just now on this model (Auto times each model size once)',
  };
}

/** Where one sentence ends and the next begins: after . ! or ? and a space, before a capital, digit or quote. */
const SENTENCE_BREAK = /(?<=[.!?])\s+(?=["'(A-Z0-9])/g;
/** Abbreviations whose full stop ends no sentence. */
const ABBREVIATION = /\b(?:e\.g|i\.e|vs|etc|Fig|cf)\.$/;

/**
 * A text's first `count` sentences, shown above the charts, and the rest, folded away: so a lesson says at most
 * two sentences before its charts, whatever its length. Both parts together are the text, word for word.
 */
export function leadSentences(text: string, count = 2): { lead: string; rest: string } {
  let found = 0;
  for (const match of text.matchAll(SENTENCE_BREAK)) {
    const end = match.index;
    if (ABBREVIATION.test(text.slice(0, end))) continue;
    found += 1;
    if (found === count) return { lead: text.slice(0, end), rest: text.slice(end + match[0].length) };
  }
  return { lead: text, rest: '' };
}
