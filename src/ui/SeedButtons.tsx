/**
 * A lesson's two ways to see whether what it shows is the seed's doing: "Try another seed" trains the lesson again
 * from the next seed not yet shown (the link's seed plus its seeds count), and "Run 10 seeds" trains it over ten
 * seeds at once, with the median and band on the charts (train/seedBands.ts). Both change the experiment, so the
 * link says what was trained, and both start the runs.
 */
import { MAX_SEEDS, seedOf } from '../experiment/config.ts';
import { applyExperiment, play } from '../store/session.ts';
import { useLab } from '../store/labStore.ts';

/** `where`: a class that places them (the tour shows them beside its title, or on a phone in its folded text). */
export function SeedButtons({ where = '' }: { where?: string }) {
  const config = useLab((s) => s.config);
  const preset = useLab((s) => s.preset);
  const page = useLab((s) => s.view.page);
  if (page !== 'runs') return null;
  const next = seedOf(config, config.seeds);
  return (
    <div className={`buttons seed-buttons ${where}`.trim()}>
      <button
        type="button"
        className="small"
        title={`Train this lesson again from seed ${next}: other starting weights and another batch order`}
        onClick={() => {
          applyExperiment({ ...config, seed: next }, preset);
          play();
        }}
      >
        Try another seed
      </button>
      {config.seeds < MAX_SEEDS && (
        <button
          type="button"
          className="small"
          title={`Train every run over seeds ${config.seed} to ${seedOf(config, MAX_SEEDS - 1)}: the median and the range on the charts`}
          onClick={() => {
            applyExperiment({ ...config, seeds: MAX_SEEDS }, preset);
            play();
          }}
        >
          Run {MAX_SEEDS} seeds
        </button>
      )}
    </div>
  );
}
