/**
 * A step chart's legend: recharts' own layout and class names, with icons that show each line as the canvas
 * paints it (its colour, its dash, its run's marker), which recharts' built-in icons cannot: its `plainline`
 * has the dash but no marker, its `line` a fixed circle and no dash.
 */
import type { LegendPayload } from 'recharts';
import { DASH, markerSvgPath } from './lineCanvas.ts';
import { useChartLook } from './chartLook.ts';
import { textColor, textBackground, type LineMarker } from './palette.ts';

/** How a line looks, for its legend entry. */
export interface LegendLook {
  color: string;
  dashed?: boolean | undefined;
  marker?: LineMarker | undefined;
}

/** The icon's drawing units: 64 x 32, shown at 28 x 14 px (recharts' icons are 14 px tall too). */
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
      className="recharts-surface"
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

/** recharts' `rect` icon, for entries that are not lines (the clip ticks). */
function RectIcon({ color }: { color: string }) {
  return (
    <svg className="recharts-surface" width={ICON_PX_H} height={ICON_PX_H} viewBox="0 0 32 32" style={ICON_STYLE}>
      <path stroke="none" fill={color} d="M0,4h32v24h-32z" />
    </svg>
  );
}

/** The legend's entries, in recharts' order; `looks` by entry name (a step chart's line names are unique). */
export function LineLegend({
  payload,
  looks,
}: {
  payload?: readonly LegendPayload[] | undefined;
  looks: ReadonlyMap<string, LegendLook>;
}) {
  // The entries' colours are already the theme's (StepChart); as text they stand 4.5:1 on its background.
  const theme = useChartLook().theme;
  if (!payload || payload.length === 0) return null;
  return (
    <ul className="recharts-default-legend" style={LIST_STYLE}>
      {payload.map((entry, i) => {
        if (entry.type === 'none') return null;
        const name = String(entry.value ?? '');
        const look = looks.get(name);
        const color = look?.color ?? entry.color ?? '#333';
        return (
          <li key={`${i}-${name}`} className={`recharts-legend-item legend-item-${i}`} style={ITEM_STYLE}>
            {look ? <LineIcon look={look} /> : <RectIcon color={color} />}
            <span className="recharts-legend-item-text" style={{ color: textColor(color, textBackground(theme)) }}>
              {name}
            </span>
          </li>
        );
      })}
    </ul>
  );
}
