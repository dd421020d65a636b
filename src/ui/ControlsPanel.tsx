/**
 * Every setting the training core supports, grouped as a teacher thinks of
 * them. A change that is valid replaces the runs (never mixing two
 * configurations in one chart); one that is not says what is allowed.
 */
import { isRecurrent, type ExperimentConfig, type ModelKind } from '../experiment/config.ts';
import { PRESETS, PRESET_IDS, type PresetId } from '../experiment/presets.ts';
import { FIELD_SPECS, checkBudget } from '../experiment/schema.ts';
import type { LockGroup } from '../experiment/urlCodec.ts';
import { useLab } from '../store/labStore.ts';
import { applyExperiment } from '../store/session.ts';
import { ClipEditor } from './ClipEditor.tsx';
import { NumberField, SelectField } from '../widgets/NumberField.tsx';
import { RangeField } from '../widgets/RangeField.tsx';

/** Applies a change if the whole config stays valid; returns the refusal otherwise. */
export function commitChange(patch: Partial<ExperimentConfig>): string | null {
  const { config, preset } = useLab.getState();
  const next = { ...config, ...patch };
  const problem = checkBudget(next);
  if (problem) return `Not applied: ${problem}.`;
  applyExperiment(next, preset);
  return null;
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
  const config = useLab((s) => s.config);
  const preset = useLab((s) => s.preset);
  const locked = useLab((s) => s.view.locked);
  const hidden = (group: LockGroup) => locked.includes(group);
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
      <SelectField
        label="Preset"
        value={preset}
        options={PRESET_IDS.map((id) => ({ value: id, label: PRESETS[id].title }))}
        onChange={(id) => applyExperiment(structuredClone(PRESETS[id].config), id)}
      />
      <p className="hint">{PRESETS[preset].summary}</p>

      {!hidden('model') && (
        <fieldset>
          <legend>Model</legend>
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
          {recurrent && config.model !== 'rnn' && (
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
        </fieldset>
      )}

      {!hidden('data') && (
        <fieldset>
          <legend>Data</legend>
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
              {num('trainSize', 'Training digits')}
              {num('testSize', 'Test digits')}
              {num('evalEvery', 'Test every N steps')}
            </>
          )}
        </fieldset>
      )}

      {!hidden('optimizer') && (
        <fieldset>
          <legend>Optimiser</legend>
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
          {num('lr', 'Learning rate')}
          {(config.optimizer === 'sgd' || config.optimizer === 'rmsprop') && num('momentum', 'Momentum')}
          {(config.optimizer === 'adam' || config.optimizer === 'adam-keras') && (
            <>
              {num('beta1', 'beta1')}
              {num('beta2', 'beta2')}
            </>
          )}
          {config.optimizer === 'rmsprop' && num('alpha', 'alpha (smoothing)')}
          {config.optimizer !== 'sgd' && num('eps', 'eps')}
        </fieldset>
      )}

      {!hidden('training') && (
        <fieldset>
          <legend>Training</legend>
          {num('batch', 'Batch size')}
          {num('steps', 'Steps')}
          {num('seed', 'Seed', 'Same seed, same weights, data and batch order.')}
          {recurrent && num('hiddenGradEvery', 'Measure dL/dh_t every N steps', '0 turns it off.')}
          <SelectField
            label="Runs"
            value={config.pair ? '1' : '0'}
            options={[
              { value: '1', label: 'A pair: baseline and clipped' },
              { value: '0', label: 'The clipped run only' },
            ]}
            onChange={(v) => void commitChange({ pair: v === '1' })}
          />
        </fieldset>
      )}

      {!hidden('clip') && (
        <ClipEditor
          legend="Clipped run"
          clip={config.clip}
          disabled={false}
          onChange={(clip) => commitChange({ clip })}
        />
      )}
      {config.pair && !hidden('baseClip') && (
        <ClipEditor
          legend="Baseline run"
          clip={config.baseClip}
          disabled={false}
          onChange={(baseClip) => commitChange({ baseClip })}
        />
      )}
    </form>
  );
}
