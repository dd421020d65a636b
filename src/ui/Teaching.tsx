/** Short explanations beside the charts: what is measured, what each clipping mode does, and why. */
import { isRecurrent, sequenceSteps } from '../experiment/config.ts';
import { useLab } from '../store/labStore.ts';
import { CLIP_FORMULAS } from '../present/describe.ts';
import { recurrentExplanation, regimeChartsSentence } from '../present/pageWords.ts';

export function Teaching() {
  const config = useLab((s) => s.config);
  const steps = sequenceSteps(config);
  return (
    <aside className="teaching" aria-label="Explanations">
      <h2>What you are looking at</h2>
      <p>
        The <strong>gradient</strong> says how the loss changes with every weight. Its <strong>norm</strong>, ||g||, is
        its length: when it is huge, one update moves the weights far, and the loss can leap instead of falling. That is
        an <em>exploding gradient</em>; the loss becomes Infinity or NaN when the numbers overflow float32.
      </p>
      <h3>Gradient clipping</h3>
      <ul className="formulas">
        <li>
          <strong>By value</strong>: <code>{CLIP_FORMULAS.value}</code>. Each element on its own; the direction of the
          step can change.
        </li>
        <li>
          <strong>By norm</strong>: <code>{CLIP_FORMULAS.norm}</code>. Keeps each tensor's direction, caps its length.
        </li>
        <li>
          <strong>By global norm</strong>: <code>{CLIP_FORMULAS.global}</code>; TensorFlow:{' '}
          <code>{CLIP_FORMULAS['global-tf']}</code>. Keeps the direction of the whole step.
        </li>
      </ul>
      {isRecurrent(config.model) ? (
        <>
          <h3>Why recurrent nets explode</h3>
          <p>{recurrentExplanation(config.model, steps)}</p>
          <h3>When clipping saves a run, and when it hurts</h3>
          <p>
            Clipping caps the step, not its cause. When the learning rate is too large for the gradients the net meets
            (the adding problem at learning rate 0.1), every unclipped step throws the weights further until the numbers
            overflow; clipped, the steps stay small enough to learn. But an unclipped RNN whose gradient explodes
            through time can also take a few large steps that push many of its tanh units into saturation (|h| close to
            1, where tanh&apos; is nearly 0): the Jacobians shrink and the run leaves the exploding regime. Clipped,
            that run takes steps many times shorter, stays unsaturated and keeps exploding, so it learns far more slowly
            (the vanilla RNN on digits, lesson 4). {regimeChartsSentence(config.model)}
          </p>
        </>
      ) : (
        <>
          <h3>The tutorial&apos;s broadcast-loss bug</h3>
          <p>
            The tutorial passes predictions of shape [B, 1] and labels of shape [B] to MSELoss, which broadcasts to a
            [B, B] matrix. That loss equals mean((p - mean(y))^2) + var(y): the best the net can do is predict the batch
            mean, so it never learns, clipped or not. Choose &quot;The tutorial&apos;s broadcast MSE&quot; under Data to
            see it stall at var(y), about 23,300.
          </p>
        </>
      )}
    </aside>
  );
}
