/** One zoom for every step chart, so the pair's charts stay aligned step for step. */
import { useLab, type StepZoom } from '../store/labStore.ts';

const CHOICES: { id: string; label: string; zoom: StepZoom }[] = [
  { id: 'all', label: 'All steps', zoom: { kind: 'all' } },
  { id: 'first10', label: 'First 10', zoom: { kind: 'first', steps: 10 } },
  { id: 'first50', label: 'First 50', zoom: { kind: 'first', steps: 50 } },
  { id: 'last100', label: 'Last 100', zoom: { kind: 'last', steps: 100 } },
];

function idOf(zoom: StepZoom): string {
  return zoom.kind === 'all' ? 'all' : `${zoom.kind}${zoom.steps}`;
}

export function ZoomControl() {
  const zoom = useLab((s) => s.zoom);
  return (
    <label className="inline zoom">
      Charts show{' '}
      <select
        value={idOf(zoom)}
        onChange={(e) =>
          useLab.setState({ zoom: CHOICES.find((c) => c.id === e.target.value)?.zoom ?? { kind: 'all' } })
        }
      >
        {CHOICES.map((c) => (
          <option key={c.id} value={c.id}>
            {c.label}
          </option>
        ))}
      </select>
    </label>
  );
}
