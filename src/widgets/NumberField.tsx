/**
 * A labelled number input that applies only valid values: the same zod
 * schema as the link decoder checks it, and a refusal says what is allowed.
 */
import { useId, useState } from 'react';
import type { FieldSpec } from '../experiment/schema.ts';

interface Props {
  label: string;
  value: number;
  spec: FieldSpec;
  onCommit: (value: number) => string | null;
  hint?: string | undefined;
  step?: number | 'any';
  disabled?: boolean;
}

export function NumberField({ label, value, spec, onCommit, hint, step = 'any', disabled }: Props) {
  const id = useId();
  const [text, setText] = useState(String(value));
  const [error, setError] = useState<string | null>(null);
  // A new value from outside (a preset, a link) replaces what was typed; adjusted while rendering, not in an effect.
  const [shownValue, setShownValue] = useState(value);
  if (!Object.is(value, shownValue)) {
    setShownValue(value);
    setText(String(value));
    setError(null);
  }
  const commit = () => {
    const trimmed = text.trim();
    const parsed = trimmed === '' ? NaN : Number(trimmed);
    const result = spec.schema.safeParse(parsed);
    if (!Number.isFinite(parsed) || !result.success) {
      setError(
        `${label}: ${trimmed === '' ? 'empty' : `'${trimmed.slice(0, 20)}'`} is not allowed; allowed: ${spec.allowed}. Kept ${value}.`,
      );
      setText(String(value));
      return;
    }
    if (parsed === value) return;
    const refusal = onCommit(parsed);
    if (refusal) {
      setError(refusal);
      setText(String(value));
    } else setError(null);
  };
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="number"
        inputMode="decimal"
        value={text}
        step={step}
        min={spec.min}
        max={spec.max}
        disabled={disabled}
        aria-invalid={error !== null}
        aria-describedby={error ? `${id}-error` : hint ? `${id}-hint` : undefined}
        onChange={(e) => setText(e.target.value)}
        onBlur={commit}
        onKeyDown={(e) => {
          if (e.key === 'Enter') commit();
        }}
      />
      {hint && !error && (
        <small id={`${id}-hint`} className="hint">
          {hint}
        </small>
      )}
      {error && (
        <small id={`${id}-error`} className="error" role="alert">
          {error}
        </small>
      )}
    </div>
  );
}

export function SelectField<T extends string>({
  label,
  value,
  options,
  onChange,
  disabled,
}: {
  label: string;
  value: T;
  options: { value: T; label: string }[];
  onChange: (value: T) => void;
  disabled?: boolean;
}) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} disabled={disabled} onChange={(e) => onChange(e.target.value as T)}>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}
