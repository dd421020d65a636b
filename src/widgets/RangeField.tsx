/** A slider that shows its value as it moves and applies it when released (every change restarts the runs). */
import { useId, useState } from 'react';

interface Props {
  label: string;
  value: number;
  min: number;
  max: number;
  step: number;
  onCommit: (value: number) => void;
  hint?: string;
  disabled?: boolean;
}

export function RangeField({ label, value, min, max, step, onCommit, hint, disabled }: Props) {
  const id = useId();
  const [current, setCurrent] = useState(value);
  // A new value from outside replaces the slider's position; adjusted while rendering, not in an effect.
  const [shownValue, setShownValue] = useState(value);
  if (!Object.is(value, shownValue)) {
    setShownValue(value);
    setCurrent(value);
  }
  const commit = () => {
    if (current !== value) onCommit(current);
  };
  return (
    <div className="field">
      <label htmlFor={id}>
        {label}: <output htmlFor={id}>{current}</output>
      </label>
      <input
        id={id}
        type="range"
        min={min}
        max={max}
        step={step}
        value={current}
        disabled={disabled}
        onChange={(e) => setCurrent(Number(e.target.value))}
        onPointerUp={commit}
        onKeyUp={commit}
        onBlur={commit}
      />
      {hint && <small className="hint">{hint}</small>}
    </div>
  );
}
