/**
 * Every setting the training core supports, grouped as a teacher thinks of
 * them. A change that is valid replaces the runs (never mixing two
 * configurations in one chart); one that is not says what is allowed.
 * Groups a teacher's link locked are shown read-only, "set by your teacher";
 * the summary is written from the settings themselves, so it never goes stale.
 */
import type { ReactNode } from 'react';
import { isRecurrent, type ExperimentConfig, type ModelKind } from '../experiment/config.ts';
import { PRESETS, PRESET_IDS, type PresetId } from '../experiment/presets.ts';
import { FIELD_SPECS, checkBudget } from '../experiment/schema.ts';
import type { LockGroup } from '../experiment/urlCodec.ts';
import { describeExperiment, sameExperiment } from '../present/experiment.ts';
import { useLab } from '../store/labStore.ts';
import { applyExperiment, forgetKnobs, knobsAreLive, turnKnob, type KnobTurnRequest } from '../store/session.ts';
import { configAt, formatSchedule, parseSchedule } from '../experiment/schedule.ts';
import { ClipEditor } from './ClipEditor.tsx';
import { RaceClipEditors, RunsChoice } from './RaceControls.tsx';
import { resetLab, teacherSettings } from './linkSync.ts';
import { TeacherTag } from './TeacherTag.tsx';
import { NumberField, SelectField } from '../widgets/NumberField.tsx';
import { RangeField } from '../widgets/RangeField.tsx';

/** A group of settings; read-only, and labelled so, when the teacher's link locked it. */
function Group({ group, legend, children }: { group: LockGroup; legend: string; children: ReactNode }) {
  const locked = useLab((s) => s.view.locked.includes(group));
  return (
    <fieldset disabled={locked} className={locked ? 'teacher-locked' : undefined} data-group={group}>
      <legend>
        {legend}
        {locked && <TeacherTag />}
      </legend>
      {children}
    </fieldset>
  );
}

/** The preset menu (or, on a locked page, the experiment's name) and the experiment in words. */
function ExperimentHeading({ config, preset }: { config: ExperimentConfig; preset: PresetId }) {
  const locked = useLab((s) => s.view.locked);
  const { title, summary } = PRESETS[preset];
  const custom = !sameExperiment(config, PRESETS[preset].config);
  const teacher = locked.length > 0 ? teacherSettings() : null;
  const awayFromTeacher = teacher !== null && !sameExperiment(config, teacher.config);
  return (
    <>
      {locked.length > 0 && (
        <p className="teacher-note" data-testid="teacher-note">
          Your teacher set up this experiment.
          {locked.some((g) => g !== 'presets' && g !== 'tour' && g !== 'pages') &&
            ' Settings marked "set by your teacher" are shown but cannot be changed.'}
          {awayFromTeacher && (
            <>
              {' '}
              <button type="button" className="small" onClick={resetLab}>
                Back to your teacher&apos;s settings
              </button>
            </>
          )}
        </p>
      )}
      {locked.includes('presets') ? (
        <p className="experiment-summary" data-testid="experiment-name">
          <strong>Experiment:</strong> {custom ? `custom, from ${title}` : title}
        </p>
      ) : (
        <SelectField<PresetId | 'custom'>
          label="Preset"
          value={custom ? 'custom' : preset}
          options={[
            ...(custom ? [{ value: 'custom' as const, label: `Custom, from ${title}` }] : []),
            ...PRESET_IDS.map((id) => ({ value: id, label: PRESETS[id].title })),
          ]}
          onChange={(id) => {
            if (id !== 'custom') applyExperiment(structuredClone(PRESETS[id].config), id);
          }}
        />
      )}
      <p className="hint" data-testid="experiment-summary">
        {custom ? describeExperiment(config) : summary}
      </p>
      <p className="hint keys-hint">
        Keys: <kbd>Space</kbd> play or pause, <kbd>→</kbd> one step, <kbd>R</kbd> reset.
      </p>
    </>
  );
}

/** Applies a change if the whole config stays valid; returns the refusal otherwise. */
export function commitChange(patch: Partial<ExperimentConfig>): string | null {
  const { config, preset } = useLab.getState();
  const next = { ...config, ...patch };
  const problem = checkBudget(next);
  if (problem) return `Not applied: ${problem}.`;
  // Knobs turned before stay where they still apply (fewer steps, or a run gone from the race, drop theirs).
  next.schedule = parseSchedule(formatSchedule(next.schedule), next).schedule;
  applyExperiment(next, preset);
  return null;
}

/**
 * A knob (the learning rate, a run's clipping): while the runs train it is turned in them, from their current
 * weights, and goes into the link's schedule; otherwise it is a new experiment, as any setting.
 */
function commitKnob(request: KnobTurnRequest, patch: Partial<ExperimentConfig>): string | null {
  if (!knobsAreLive()) return commitChange(patch);
  return turnKnob(request) === null ? 'Not applied: the runs are at their last step.' : null;
}

/** Whether the runs are training (or paused part-way), so a knob acts on them. */
function useKnobsLive(): boolean {
  return useLab((s) =>
    Object.values(s.runs).some(
      (r) => r && (r.phase === 'ready' || r.phase === 'running' || r.phase === 'paused') && (s.playing || r.step > 0),
    ),
  );
}

/** The knobs turned so far, as the link carries them, and a way to forget them. */
function KnobSchedule({ config }: { config: ExperimentConfig }) {
  if (config.schedule.length === 0) return null;
  return (
    <p className="hint" data-testid="knob-schedule">
      Knobs turned (the link replays them):{' '}
      {config.schedule.map((c) => `after step ${c.step}, ${formatSchedule([{ ...c, step: 0 }]).slice(2)}`).join('; ')}.{' '}
      <button type="button" className="small" onClick={forgetKnobs}>
        Forget them
      </button>
    </p>
  );
}

const PRESET_FOR_MODEL: Record<ModelKind, PresetId> = {
  dense: 'dense-explode',
  lstm: 'lstm-tf',
  gru: 'lstm-tf',
  rnn: 'rnn-scale',
};

function changeModel(model: ModelKind): void {
  const { config } = useLab.getState();
  if (model === config.model) return;
  if (isRecurrent(model) && isRecurrent(config.model)) {
    void commitChange({ model });
    return;
  }
  // Switching between regression and MNIST: start from that family's preset, keep seed and clipping.
  const preset = PRESET_FOR_MODEL[model];
  applyExperiment(
    { ...PRESETS[preset].config, model, seed: config.seed, clip: config.clip, baseClip: config.baseClip },
    preset,
  );
}

export function ControlsPanel() {
  const startConfig = useLab((s) => s.config);
  const live = useKnobsLive();
  // While the runs train, the knobs show what they train with now: the start, with every change turned since.
  const config = live ? configAt(startConfig, startConfig.schedule, Infinity) : startConfig;
  const preset = useLab((s) => s.preset);
  const locked = useLab((s) => s.view.locked);
  const recurrent = isRecurrent(config.model);
  const num = (field: keyof typeof FIELD_SPECS, label: string, hint?: string) => (
    <NumberField
      label={label}
      value={config[field] as number}
      spec={FIELD_SPECS[field]}
      hint={hint}
      onCommit={(v) => commitChange({ [field]: v })}
    />
  );
  return (
    <form className="controls" aria-label="Experiment settings" onSubmit={(e) => e.preventDefault()}>
      <ExperimentHeading config={config} preset={preset} />

      <Group group="model" legend="Model">
        <SelectField
          label="Network"
          value={config.model}
          options={[
            { value: 'dense', label: 'Dense 20-H-1 regression' },
            { value: 'rnn', label: 'Vanilla RNN (tanh)' },
            { value: 'lstm', label: 'LSTM' },
            { value: 'gru', label: 'GRU' },
          ]}
          onChange={changeModel}
        />
        {num('hidden', recurrent ? 'Hidden units per layer' : 'Hidden units')}
        {recurrent && num('layers', 'Layers')}
        {recurrent && (
          <SelectField
            label="Initialisation"
            value={config.init}
            options={[
              { value: 'torch', label: 'PyTorch (uniform)' },
              { value: 'keras', label: 'Keras (Glorot, orthogonal)' },
            ]}
            onChange={(init) => void commitChange({ init })}
          />
        )}
        {config.model === 'rnn' && (
          <p className="hint">
            The initialisation sets W_ih, the biases and the output layer; W_hh always starts orthogonal x the recurrent
            scale.
          </p>
        )}
        {config.model === 'rnn' && (
          <RangeField
            label="Recurrent scale"
            value={config.recScale}
            min={0}
            max={5}
            step={0.05}
            hint="W_hh starts orthogonal x this scale. Below 1 the gradient vanishes toward t = 1; above 1 it explodes."
            onCommit={(recScale) => void commitChange({ recScale })}
          />
        )}
      </Group>

      <Group group="data" legend="Data">
        {!recurrent && (
          <>
            <SelectField
              label="Data set"
              value={config.data}
              options={[
                { value: 'rs1', label: "The tutorial's (make_regression, random_state=1)" },
                { value: 'generated', label: 'Generated from the seed' },
              ]}
              onChange={(data) => void commitChange({ data })}
            />
            {config.data === 'generated' && num('samples', 'Rows')}
            <SelectField
              label="Loss"
              value={config.loss}
              options={[
                { value: 'corrected', label: 'MSE (corrected)' },
                { value: 'literal', label: "The tutorial's broadcast MSE (a bug)" },
              ]}
              onChange={(loss) => void commitChange({ loss })}
            />
          </>
        )}
        {recurrent && (
          <>
            <SelectField
              label="Task"
              value={config.task}
              options={[
                { value: 'mnist', label: 'MNIST digits, read row by row (28 steps)' },
                { value: 'adding', label: 'The adding problem (sum of two marked values)' },
              ]}
              onChange={(task) => void commitChange({ task })}
            />
            {config.task === 'adding' &&
              num(
                'seqLen',
                'Sequence length T',
                'Time steps per sequence; one marker in each half, so the first can be T - 1 steps from the answer.',
              )}
            {num('trainSize', config.task === 'adding' ? 'Training sequences' : 'Training digits')}
            {num('testSize', config.task === 'adding' ? 'Test sequences' : 'Test digits')}
            {num('evalEvery', 'Test every N steps')}
          </>
        )}
      </Group>

      <Group group="optimizer" legend="Optimiser">
        <SelectField
          label="Optimiser"
          value={config.optimizer}
          options={[
            { value: 'sgd', label: 'SGD with momentum' },
            { value: 'adam', label: 'Adam (PyTorch)' },
            { value: 'adam-keras', label: 'Adam (Keras: eps on the uncorrected root)' },
            { value: 'rmsprop', label: 'RMSprop' },
          ]}
          onChange={(optimizer) => void commitChange({ optimizer })}
        />
        <NumberField
          label="Learning rate"
          value={config.lr}
          spec={FIELD_SPECS.lr}
          hint={live ? 'Turn it while it trains: the runs go on from where they are.' : undefined}
          onCommit={(lr) => commitKnob({ knob: 'lr', lr }, { lr })}
        />
        {(config.optimizer === 'sgd' || config.optimizer === 'rmsprop') && num('momentum', 'Momentum')}
        {(config.optimizer === 'adam' || config.optimizer === 'adam-keras') && (
          <>
            {num('beta1', 'beta1')}
            {num('beta2', 'beta2')}
          </>
        )}
        {config.optimizer === 'rmsprop' && num('alpha', 'alpha (smoothing)')}
        {config.optimizer !== 'sgd' && num('eps', 'eps')}
      </Group>

      <Group group="training" legend="Training">
        {num('batch', 'Batch size')}
        {num('steps', 'Steps')}
        {num('seed', 'Seed', 'Same seed, same weights, data and batch order.')}
        {num(
          'seeds',
          'Seeds',
          'Train each run from this many seeds (seed, seed + 1, ...): the median and range on the charts.',
        )}
        {recurrent && num('hiddenGradEvery', 'Measure dL/dh_t every N steps', '0 turns it off.')}
        <RunsChoice config={config} onChange={commitChange} />
      </Group>

      {config.pair && (
        <ClipEditor
          legend={config.race.length > 0 ? 'Run 1 of the race' : 'Baseline run'}
          clip={config.baseClip}
          disabled={locked.includes('baseClip')}
          onChange={(baseClip) => commitKnob({ knob: 'baseClip', clip: baseClip }, { baseClip })}
        />
      )}
      <ClipEditor
        legend={config.race.length > 0 ? 'Run 2 of the race' : config.pair ? 'Clipped run' : 'The run'}
        clip={config.clip}
        disabled={locked.includes('clip')}
        onChange={(clip) => commitKnob({ knob: 'clip', clip }, { clip })}
      />
      <RaceClipEditors
        config={config}
        disabled={locked.includes('clip')}
        onChange={commitChange}
        onRunClip={(i, clip) =>
          commitKnob(
            { knob: i === 0 ? 'run3' : 'run4', clip },
            { race: startConfig.race.map((c, k) => (k === i ? clip : c)) },
          )
        }
      />
      <KnobSchedule config={startConfig} />
    </form>
  );
}
