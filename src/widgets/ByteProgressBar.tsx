/**
 * A download's bar: a labelled <progress> whose value and max are the bytes received and expected (no value while
 * the total is not known: an indeterminate bar). The words come from the caller (present/dataLoad.ts says them).
 */
import { useId } from 'react';
import './byteProgress.css';

export function ByteProgressBar({
  label,
  loadedBytes,
  totalBytes,
}: {
  label: string;
  loadedBytes: number;
  totalBytes: number | null;
}) {
  const id = useId();
  return (
    <div className="data-load" data-testid="data-load">
      <label htmlFor={id}>{label}</label>
      {totalBytes === null ? (
        <progress id={id} />
      ) : (
        <progress id={id} max={totalBytes} value={Math.min(loadedBytes, totalBytes)} />
      )}
    </div>
  );
}
