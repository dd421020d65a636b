/** The clipping of one side of the pair, with its formula in words; read-only when the teacher locked it. */
import type { ClipConfig, ClipMode } from '../experiment/config.ts';
import { CLIP_FIELD_SPECS, checkClip } from '../experiment/schema.ts';
import { CLIP_FORMULAS } from '../present/describe.ts';
import { NumberField, SelectField } from '../widgets/NumberField.tsx';
import { TeacherTag } from './TeacherTag.tsx';

const MODE_LABELS: Record<ClipMode, string> = {
  none: 'None',
  value: 'By value (clip_by_value, clip_grad_value_)',
  norm: 'By norm, per tensor (clip_by_norm, clipnorm)',
  global: 'By global norm (torch clip_grad_norm_)',
  'global-tf': 'By global norm (tf.clip_by_global_norm)',
};

export function ClipEditor({
  legend,
  clip,
  onChange,
  disabled,
}: {
  legend: string;
  clip: ClipConfig;
  onChange: (clip: ClipConfig) => string | null;
  /** Locked by the teacher's link: shown read-only, "set by your teacher". */
  disabled: boolean;
}) {
  const set = (patch: Partial<ClipConfig>): string | null => {
    const next = { ...clip, ...patch };
    return checkClip(next) ?? onChange(next);
  };
  return (
    <fieldset disabled={disabled} className={disabled ? 'teacher-locked' : undefined}>
      <legend>
        {legend}
        {disabled && <TeacherTag />}
      </legend>
      <SelectField
        label="Clipping"
        value={clip.mode}
        options={(Object.keys(MODE_LABELS) as ClipMode[]).map((m) => ({ value: m, label: MODE_LABELS[m] }))}
        onChange={(mode) => void set({ mode })}
      />
      {clip.mode === 'value' && (
        <div className="row">
          <NumberField label="min" value={clip.min} spec={CLIP_FIELD_SPECS.min} onCommit={(min) => set({ min })} />
          <NumberField label="max" value={clip.max} spec={CLIP_FIELD_SPECS.max} onCommit={(max) => set({ max })} />
        </div>
      )}
      {(clip.mode === 'norm' || clip.mode === 'global' || clip.mode === 'global-tf') && (
        <div className="row">
          <NumberField
            label="threshold c"
            value={clip.threshold}
            spec={CLIP_FIELD_SPECS.threshold}
            onCommit={(threshold) => set({ threshold })}
          />
          {clip.mode === 'global' && (
            <SelectField
              label="norm type"
              value={clip.normType}
              options={[
                { value: '2', label: 'L2' },
                { value: 'inf', label: 'max (inf)' },
              ]}
              onChange={(normType) => void set({ normType })}
            />
          )}
        </div>
      )}
      <p className="formula">
        <code>{CLIP_FORMULAS[clip.mode]}</code>
      </p>
    </fieldset>
  );
}
