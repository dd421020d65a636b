/**
 * How many runs train side by side: one, the pair, or a race of up to four, each with its own clipping, from
 * the same weights and batches. A new race starts as the four modes a student compares first: none, by value,
 * per-tensor norm and global norm, at the thresholds the pair already uses.
 */
import { MAX_RACE_RUNS, NO_CLIP, type ClipConfig, type ExperimentConfig } from '../experiment/config.ts';
import { SelectField } from '../widgets/NumberField.tsx';
import { ClipEditor } from './ClipEditor.tsx';

type Change = (patch: Partial<ExperimentConfig>) => string | null;

type RunCount = 'one' | 'pair' | 'race3' | 'race4';

function runCount(config: ExperimentConfig): RunCount {
  if (!config.pair) return 'one';
  return config.race.length === 0 ? 'pair' : config.race.length === 1 ? 'race3' : 'race4';
}

/** The default race: no clipping, by value, per-tensor norm, global norm; thresholds taken from the pair. */
export function raceOfFour(config: ExperimentConfig): Pick<ExperimentConfig, 'pair' | 'baseClip' | 'clip' | 'race'> {
  const clips = [config.clip, config.baseClip];
  const value = clips.find((c) => c.mode === 'value') ?? { ...NO_CLIP, mode: 'value' as const };
  const threshold = clips.find((c) => c.mode !== 'none' && c.mode !== 'value')?.threshold ?? 1;
  return {
    pair: true,
    baseClip: NO_CLIP,
    clip: value,
    race: [
      { ...NO_CLIP, mode: 'norm', threshold },
      { ...NO_CLIP, mode: 'global', threshold },
    ],
  };
}

export function RunsChoice({ config, onChange }: { config: ExperimentConfig; onChange: Change }) {
  const choose = (count: RunCount) => {
    if (count === 'one') return onChange({ pair: false, race: [] });
    if (count === 'pair') return onChange({ pair: true, race: [] });
    const length = count === 'race3' ? 1 : 2;
    // From a pair: the four modes a student compares first. From a race: keep its runs, add or drop the fourth.
    if (config.race.length === 0) {
      const full = raceOfFour(config);
      return onChange({ ...full, race: full.race.slice(0, length) });
    }
    const [third, fourth] = config.race;
    const race = [third, fourth ?? { ...NO_CLIP, mode: 'global' as const, threshold: third?.threshold ?? 1 }];
    return onChange({ pair: true, race: race.slice(0, length).filter((c): c is ClipConfig => c !== undefined) });
  };
  return (
    <SelectField
      label="Runs"
      value={runCount(config)}
      options={[
        { value: 'pair', label: 'A pair: baseline and clipped' },
        // Its clipping may be none (lesson 1's lone unclipped run): not "the clipped run".
        { value: 'one', label: 'One run alone' },
        { value: 'race4', label: `A race of ${MAX_RACE_RUNS}: none, value, norm, global norm` },
        { value: 'race3', label: 'A race of 3' },
      ]}
      onChange={(v) => void choose(v as RunCount)}
    />
  );
}

/** The clipping of a race's third and fourth runs. */
export function RaceClipEditors({
  config,
  disabled,
  onChange,
  onRunClip,
}: {
  config: ExperimentConfig;
  disabled: boolean;
  onChange: Change;
  /** A run's clipping turned while the race trains (a knob), in place of a new experiment. */
  onRunClip?: ((i: number, clip: ClipConfig) => string | null) | undefined;
}) {
  if (!config.pair) return null;
  const setRun = (i: number, clip: ClipConfig) =>
    onRunClip ? onRunClip(i, clip) : onChange({ race: config.race.map((c, k) => (k === i ? clip : c)) });
  return (
    <>
      {config.race.map((clip, i) => (
        <ClipEditor
          key={i}
          legend={`Run ${i + 3} of the race`}
          clip={clip}
          disabled={disabled}
          onChange={(next) => setRun(i, next)}
        />
      ))}
    </>
  );
}
