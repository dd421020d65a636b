/**
 * A step chart's legend, under its plot: icons that show each line as the canvas paints it (its colour, its dash,
 * its run's marker), and a block for marks that are not lines (where clipping acted).
 */
import { createContext } from 'react';
import { DASH, markerSvgPath } from './lineCanvas.ts';
import { useChartLook } from './chartLook.ts';
import { textColor, textBackground, type LineMarker } from './palette.ts';

/** Whether a step chart draws its own legend: the embedded view draws one under both charts instead. */
export const OwnLegendContext = createContext(true);

/** How a line looks, for its legend entry. */
export interface LegendLook {
  color: string;
  dashed?: boolean | undefined;
  marker?: LineMarker | undefined;
}

/** The icon's drawing units: 64 x 32, shown at 28 x 14 px. */
const ICON_W = 64;
const ICON_H = 32;
const ICON_PX_W = 28;
const ICON_PX_H = 14;
const PX_PER_UNIT = ICON_PX_H / ICON_H;
/** The canvas's dash and marker, in icon units: an entry shows the same dash as its line on the chart. */
const ICON_DASH = DASH.map((v) => v / PX_PER_UNIT).join(' ');
const ICON_MARKER = 16;

const LIST_STYLE = { padding: 0, margin: 0, textAlign: 'center' } as const;
const ITEM_STYLE = { display: 'inline-block', marginRight: 10, whiteSpace: 'nowrap' } as const;
const ICON_STYLE = { display: 'inline-block', verticalAlign: 'middle', marginRight: 4 } as const;

/** A line's icon: the stroke (dashed as on the chart) with the run's marker in the middle. */
export function LineIcon({ look }: { look: LegendLook }) {
  const mid = ICON_H / 2;
  const rim = useChartLook().surface;
  const { marker } = look;
  return (
    <svg
      className="legend-icon"
      width={ICON_PX_W}
      height={ICON_PX_H}
      viewBox={`0 0 ${ICON_W} ${ICON_H}`}
      style={ICON_STYLE}
      data-marker={marker ? `${marker.hollow ? 'hollow ' : ''}${marker.shape}` : undefined}
      aria-hidden="true"
    >
      <line
        x1={0}
        y1={mid}
        x2={ICON_W}
        y2={mid}
        stroke={look.color}
        strokeWidth={4}
        {...(look.dashed ? { strokeDasharray: ICON_DASH } : {})}
      />
      {marker && (
        <path
          className="legend-marker"
          d={markerSvgPath(marker.shape, ICON_W / 2, mid, ICON_MARKER)}
          fill={marker.hollow ? rim : look.color}
          stroke={marker.hollow ? look.color : rim}
          strokeWidth={marker.hollow ? 3.5 : 2}
        />
      )}
    </svg>
  );
}

/** A block, for entries that are not lines (the clip ticks). */
function RectIcon({ color }: { color: string }) {
  return (
    <svg className="legend-icon" width={ICON_PX_H} height={ICON_PX_H} viewBox="0 0 32 32" style={ICON_STYLE}>
      <path stroke="none" fill={color} d="M0,4h32v24h-32z" />
    </svg>
  );
}

/** One entry: a line (its look) or a block of colour (marks that are not lines). */
export type LegendEntry = { name: string; line: LegendLook } | { name: string; block: string };

/** The legend's entries, in the order given. */
export function LineLegend({ entries }: { entries: readonly LegendEntry[] }) {
  // The entries' colours are already the theme's (StepChart); as text they stand 4.5:1 on its background.
  const theme = useChartLook().theme;
  if (entries.length === 0) return null;
  return (
    <ul className="legend-list" style={LIST_STYLE}>
      {entries.map((entry, i) => {
        const color = 'line' in entry ? entry.line.color : entry.block;
        return (
          <li key={`${i}-${entry.name}`} className="legend-item" style={ITEM_STYLE}>
            {'line' in entry ? <LineIcon look={entry.line} /> : <RectIcon color={color} />}
            <span className="legend-item-text" style={{ color: textColor(color, textBackground(theme)) }}>
              {entry.name}
            </span>
          </li>
        );
      })}
    </ul>
  );
}
