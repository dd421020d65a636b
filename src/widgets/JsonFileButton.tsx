/** A button that asks for one JSON file: the file input itself stays hidden, named for screen readers by `label`. */
import { useRef } from 'react';

export function JsonFileButton({
  label,
  testId,
  disabled = false,
  onFile,
}: {
  label: string;
  testId: string;
  disabled?: boolean;
  onFile: (file: File) => void;
}) {
  const fileRef = useRef<HTMLInputElement>(null);
  return (
    <>
      <button type="button" className="small" disabled={disabled} onClick={() => fileRef.current?.click()}>
        Import JSON
      </button>
      <label hidden>
        {label}
        <input
          ref={fileRef}
          type="file"
          accept="application/json,.json"
          data-testid={testId}
          onChange={(e) => {
            const file = e.target.files?.[0];
            if (file) onFile(file);
            // The same file chosen again is a new import.
            e.target.value = '';
          }}
        />
      </label>
    </>
  );
}
