/**
 * The sweep's map: a row per learning rate (smallest at the top), a column per clipping threshold, and the
 * unclipped column set apart on the right. Cells fill in as they finish. Hovering or focusing a cell shows its
 * figures; clicking it (or Enter) opens that pair on the training page. The map is one tab stop: the arrow keys
 * move the focused cell.
 */
import { useId, useState, type KeyboardEvent } from 'react';
import type { ClipMode } from '../experiment/config.ts';
import type { SweepCell } from '../experiment/sweep.ts';
import { formatNumber } from '../present/describe.ts';
import type { CellOutcome } from '../train/sweep/cellOutcome.ts';
import { cellColour, textOn, type ColourScale } from './sweepColours.ts';

export interface SweepMapProps {
  lr: readonly number[];
  clip: readonly number[];
  outcomes: readonly (CellOutcome | null)[];
  clipMode: ClipMode;
  scale: ColourScale;
  /** Regression data: the last epoch's loss; sequence tasks: the mean of the last 50 steps. */
  lossWords: string;
  onOpen: (cell: SweepCell) => void;
}

const CELL = 40;
const LEFT = 58;
const TOP = 6;
const GAP = 12;
const BOTTOM = 46;
const RIGHT = 6;

/** The threshold as the clipping mode reads it. */
export function thresholdWords(mode: ClipMode, clip: number | null): string {
  if (clip === null) return 'no clipping';
  const c = formatNumber(clip, 3);
  return mode === 'value'
    ? `clip by value to [-${c}, ${c}]`
    : `clip ${mode === 'norm' ? 'each norm' : 'the global norm'} to ${c}`;
}

function cellText(o: CellOutcome | null, scale: ColourScale): string {
  if (!o) return '';
  if (scale.by === 'diverged') return o.seeds !== undefined ? `${o.seedsDiverged ?? 0}/${o.seeds}` : '';
  if (o.divergedAt !== null) return `×${o.divergedAt}`;
  if (scale.by === 'accuracy') return o.testAccuracy === null ? '' : `${Math.round(o.testAccuracy * 100)}%`;
  return Number.isFinite(o.finalLoss) ? formatNumber(o.finalLoss, 2) : '';
}

function Figures({
  o,
  cell,
  mode,
  lossWords,
}: {
  o: CellOutcome | null;
  cell: SweepCell;
  mode: ClipMode;
  lossWords: string;
}) {
  return (
    <>
      <strong>
        lr {formatNumber(cell.lr, 3)}, {thresholdWords(mode, cell.clip)}
      </strong>
      <br />
      {!o ? (
        'Not finished yet'
      ) : o.divergedAt !== null ? (
        <>
          Diverged at step {o.divergedAt}
          {Number.isFinite(o.finalLoss) && <> (loss before: {formatNumber(o.finalLoss, 3)})</>}
        </>
      ) : (
        <>
          Final loss {formatNumber(o.finalLoss, 4)} ({lossWords})
          <br />
          Lowest {formatNumber(o.minLoss, 4)}
          {o.testAccuracy !== null && (
            <>
              <br />
              Test accuracy {formatNumber(o.testAccuracy * 100, 3)}%
            </>
          )}
        </>
      )}
      <br />
      <span className="hint">Click (or Enter) to open this pair on the training page</span>
    </>
  );
}

export function SweepMap({ lr, clip, outcomes, clipMode, scale, lossWords, onOpen }: SweepMapProps) {
  const columns = clip.length + 1;
  const width = LEFT + columns * CELL + GAP + RIGHT;
  const height = TOP + lr.length * CELL + BOTTOM;
  const [hover, setHover] = useState<number | null>(null);
  const [focus, setFocus] = useState<number | null>(null);
  const [focused, setFocused] = useState(false);
  const describedBy = useId();
  const showText = columns <= 9;
  // At most this many px a unit: a small grid is drawn larger, a 13-column one fits a laptop's width. Text keeps
  // about the page's size at full width, whatever the scale.
  const unitPx = columns <= 6 ? 1.9 : 1.3;
  const font = (px: number) => ({ fontSize: `${px / unitPx}px` });
  const x = (col: number) => LEFT + col * CELL + (col === clip.length ? GAP : 0);
  const y = (row: number) => TOP + row * CELL;
  const shown = hover ?? (focused ? focus : null);
  const cellAt = (k: number): SweepCell => {
    const row = Math.floor(k / columns);
    const col = k % columns;
    return { lr: lr[row] ?? NaN, clip: col === clip.length ? null : (clip[col] ?? NaN) };
  };
  const onKey = (e: KeyboardEvent<HTMLDivElement>) => {
    const k = focus ?? 0;
    const row = Math.floor(k / columns);
    const col = k % columns;
    const moves: Record<string, [number, number]> = {
      ArrowUp: [row - 1, col],
      ArrowDown: [row + 1, col],
      ArrowLeft: [row, col - 1],
      ArrowRight: [row, col + 1],
      Home: [row, 0],
      End: [row, columns - 1],
    };
    const move = moves[e.key];
    if (move) {
      e.preventDefault();
      const [r, c] = move;
      setFocus(Math.min(lr.length - 1, Math.max(0, r)) * columns + Math.min(columns - 1, Math.max(0, c)));
    } else if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      onOpen(cellAt(k));
    }
  };
  const tipCell = shown === null ? null : cellAt(shown);
  const tipRow = shown === null ? 0 : Math.floor(shown / columns);
  const tipCol = shown === null ? 0 : shown % columns;
  // Above the cell in the lower half, below it in the upper half; toward the middle horizontally.
  const tipStyle =
    shown === null
      ? {}
      : {
          left: `${((x(tipCol) + CELL / 2) / width) * 100}%`,
          ...(tipRow >= lr.length / 2
            ? { bottom: `${((height - y(tipRow)) / height) * 100}%` }
            : { top: `${((y(tipRow) + CELL) / height) * 100}%` }),
          transform: `translateX(${tipCol >= columns / 2 ? '-90%' : '-10%'})`,
        };
  return (
    <div
      className="sweep-map"
      tabIndex={0}
      role="group"
      aria-label={`Sweep map: ${lr.length} learning rates by ${clip.length} thresholds and no clipping. Arrow keys move, Enter opens a cell.`}
      aria-describedby={describedBy}
      data-testid="sweep-map"
      style={{ maxWidth: `${width * unitPx}px` }}
      onKeyDown={onKey}
      onFocus={() => {
        setFocused(true);
        setFocus((f) => f ?? 0);
      }}
      onBlur={() => setFocused(false)}
      onMouseLeave={() => setHover(null)}
    >
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-hidden="true">
        {lr.map((value, row) => (
          <text
            key={`lr${row}`}
            className="tick"
            style={font(12)}
            x={LEFT - 4}
            y={y(row) + CELL / 2}
            textAnchor="end"
            dominantBaseline="middle"
          >
            {formatNumber(value, 2)}
          </text>
        ))}
        <text
          className="axis"
          style={font(13)}
          transform={`translate(10 ${TOP + (lr.length * CELL) / 2}) rotate(-90)`}
          textAnchor="middle"
          dominantBaseline="middle"
        >
          learning rate
        </text>
        {clip.map((value, col) => (
          <text
            key={`c${col}`}
            className="tick"
            style={font(12)}
            x={x(col) + CELL / 2}
            y={y(lr.length) + 12}
            textAnchor="middle"
          >
            {formatNumber(value, 2)}
          </text>
        ))}
        <text
          className="tick none"
          style={font(13)}
          x={x(clip.length) + CELL / 2}
          y={y(lr.length) + 12}
          textAnchor="middle"
        >
          none
        </text>
        <text
          className="axis"
          style={font(13)}
          x={LEFT + (clip.length * CELL) / 2}
          y={y(lr.length) + 32}
          textAnchor="middle"
        >
          {clipMode === 'value' ? 'threshold c' : 'max norm'}
        </text>
        <line
          className="separator"
          x1={x(clip.length) - GAP / 2}
          x2={x(clip.length) - GAP / 2}
          y1={TOP - 4}
          y2={y(lr.length) + 4}
        />
        {outcomes.map((o, k) => {
          const row = Math.floor(k / columns);
          const col = k % columns;
          const fill = cellColour(o, scale);
          const cell = cellAt(k);
          const state = !o ? 'pending' : o.divergedAt !== null ? 'diverged' : 'finished';
          return (
            <g
              key={k}
              data-testid="sweep-cell"
              data-lr={cell.lr}
              data-clip={cell.clip ?? 'none'}
              data-state={state}
              data-diverged-at={o?.divergedAt ?? ''}
              data-final-loss={o && Number.isFinite(o.finalLoss) ? o.finalLoss : ''}
              data-min-loss={o && Number.isFinite(o.minLoss) ? o.minLoss : ''}
              data-test-accuracy={o?.testAccuracy ?? ''}
              data-seeds-diverged={o?.seedsDiverged ?? ''}
              className={`cell ${state}${shown === k ? ' shown' : ''}${focused && focus === k ? ' focused' : ''}`}
              onMouseEnter={() => setHover(k)}
              onClick={() => onOpen(cell)}
            >
              <rect x={x(col) + 1} y={y(row) + 1} width={CELL - 2} height={CELL - 2} rx={3} fill={fill} />
              {showText && (
                <text
                  style={font(13)}
                  x={x(col) + CELL / 2}
                  y={y(row) + CELL / 2}
                  textAnchor="middle"
                  dominantBaseline="middle"
                  fill={textOn(fill)}
                >
                  {cellText(o, scale)}
                </text>
              )}
            </g>
          );
        })}
      </svg>
      {tipCell && shown !== null && (
        <div className="sweep-tooltip" role="tooltip" data-testid="sweep-tooltip" style={tipStyle}>
          <Figures o={outcomes[shown] ?? null} cell={tipCell} mode={clipMode} lossWords={lossWords} />
        </div>
      )}
      <p id={describedBy} className="visually-hidden" aria-live="polite">
        {focused && tipCell && shown !== null
          ? `lr ${formatNumber(tipCell.lr, 3)}, ${thresholdWords(clipMode, tipCell.clip)}: ${(() => {
              const o = outcomes[shown];
              if (!o) return 'not finished';
              if (o.divergedAt !== null) return `diverged at step ${o.divergedAt}`;
              return `final loss ${formatNumber(o.finalLoss, 3)}${o.testAccuracy !== null ? `, test accuracy ${formatNumber(o.testAccuracy * 100, 3)}%` : ''}`;
            })()}`
          : ''}
      </p>
    </div>
  );
}
