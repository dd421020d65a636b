/**
 * A chart as a picture file: its main SVG with the title above and the legend drawn in, as SVG text
 * or as a PNG at twice the size it has on screen.
 */

export interface LegendEntry {
  text: string;
  color: string;
  dashed: boolean;
  /** The run's marker as the legend icon draws it: an SVG path in the icon's 64 x 32 units, and its paint. */
  marker?: { d: string; fill: string; stroke: string; strokeWidth: string };
}

/** A raster layer of the chart (its lines, painted on a canvas), placed in the chart's SVG coordinates. */
export interface ChartImageLayer {
  x: number;
  y: number;
  width: number;
  height: number;
  /** A data URL. */
  href: string;
}

export interface ChartPicture {
  svg: string;
  width: number;
  height: number;
  /** The paper behind it. */
  background: string;
}

/**
 * The picture's paper and the ink of its title and legend. The chart frame's own, so that a chart saved in the dark
 * theme is the dark chart seen (its lines and axes are drawn for a dark background); white and near-black otherwise.
 */
export interface PictureColours {
  background: string;
  text: string;
}

export const LIGHT_PICTURE: PictureColours = { background: '#ffffff', text: '#1d232b' };

/** A computed CSS colour, or null where it lets the page show through: transparent, or an alpha under 1. */
export function opaqueColour(css: string): string | null {
  const text = css.trim();
  if (text === 'transparent') return null;
  const parts = /^rgba?\(([^)]*)\)$/
    .exec(text)?.[1]
    ?.split(/[\s,/]+/)
    .filter(Boolean);
  const alpha = parts?.length === 4 ? parts[3] : undefined;
  if (alpha === undefined) return text;
  return parseFloat(alpha) / (alpha.endsWith('%') ? 100 : 1) < 1 ? null : text;
}

const SVG_NS = 'http://www.w3.org/2000/svg';
const PAD = 10;
const TITLE_PX = 15;
const LEGEND_PX = 12;
const FONT = 'system-ui, -apple-system, Segoe UI, Roboto, DejaVu Sans, sans-serif';

function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** About how wide `text` is at `px` (for laying out the legend; the picture need not be exact). */
function textWidth(text: string, px: number): number {
  return text.length * px * 0.58;
}

/** A chart's legend as it is on screen (LineLegend's or recharts'): each item's text and the colour of its icon. */
export function legendEntries(root: Element): LegendEntry[] {
  return [...root.querySelectorAll('.legend-item, .recharts-legend-item')].map((item) => {
    const shape = item.querySelector('svg path, svg line, svg rect');
    const color =
      shape?.getAttribute('stroke') && shape.getAttribute('stroke') !== 'none'
        ? (shape.getAttribute('stroke') ?? '#333')
        : (shape?.getAttribute('fill') ?? '#333');
    const dashed = Boolean(shape?.getAttribute('stroke-dasharray'));
    const marker = item.querySelector('svg path.legend-marker');
    return {
      text: item.querySelector('.legend-item-text, .recharts-legend-item-text')?.textContent ?? item.textContent ?? '',
      color,
      dashed,
      ...(marker
        ? {
            marker: {
              d: marker.getAttribute('d') ?? '',
              fill: marker.getAttribute('fill') ?? color,
              stroke: marker.getAttribute('stroke') ?? 'none',
              strokeWidth: marker.getAttribute('stroke-width') ?? '1',
            },
          }
        : {}),
    };
  });
}

/** The chart's own drawing: a step chart's plot, or a recharts chart's (recharts 3 draws each legend icon as an
 * `svg.recharts-surface` too). */
export function mainSurface(root: Element): SVGSVGElement | null {
  const svg = root.querySelector('.plot-wrapper > svg.plot-surface, .recharts-wrapper > svg.recharts-surface');
  return svg instanceof SVGSVGElement ? svg : null;
}

/**
 * One SVG document: the title, the legend (wrapped to the chart's width), then the chart, with `layers`
 * (the lines, drawn on a canvas on screen) as images over it where they are on screen.
 */
export function composeChartSvg(
  surface: SVGSVGElement,
  title: string,
  legend: LegendEntry[],
  layers: readonly ChartImageLayer[] = [],
  colours: PictureColours = LIGHT_PICTURE,
): ChartPicture {
  const ink = escapeXml(colours.text);
  const { width: chartW, height: chartH } = surface.getBoundingClientRect();
  const width = Math.ceil(chartW + 2 * PAD);
  const parts: string[] = [];
  let y = PAD + TITLE_PX;
  parts.push(
    `<text x="${PAD}" y="${y}" font-size="${TITLE_PX}" font-weight="700" fill="${ink}">${escapeXml(title)}</text>`,
  );
  y += 8;
  let x = PAD;
  let rowTop = y;
  for (const entry of legend) {
    const itemW = 22 + textWidth(entry.text, LEGEND_PX) + 14;
    if (x + itemW > width - PAD && x > PAD) {
      x = PAD;
      rowTop += LEGEND_PX + 8;
    }
    const mid = rowTop + LEGEND_PX / 2 + 2;
    parts.push(
      `<line x1="${x}" y1="${mid}" x2="${x + 16}" y2="${mid}" stroke="${escapeXml(entry.color)}" stroke-width="2.5"${entry.dashed ? ' stroke-dasharray="4 2"' : ''}/>`,
      `<text x="${x + 22}" y="${rowTop + LEGEND_PX}" font-size="${LEGEND_PX}" fill="${ink}">${escapeXml(entry.text)}</text>`,
    );
    // The icon's 64 x 32 units onto the 16 px line: its middle (32, 16) at (x + 8, mid).
    if (entry.marker)
      parts.push(
        `<path transform="translate(${x},${mid - 4}) scale(0.25)" d="${escapeXml(entry.marker.d)}" fill="${escapeXml(entry.marker.fill)}" stroke="${escapeXml(entry.marker.stroke)}" stroke-width="${escapeXml(entry.marker.strokeWidth)}"/>`,
      );
    x += itemW;
  }
  const chartTop = Math.ceil(legend.length > 0 ? rowTop + LEGEND_PX + 10 : y);
  const clone = surface.cloneNode(true) as SVGSVGElement;
  // The legend is drawn above; the chart's own copy of it is HTML outside this SVG anyway.
  clone.setAttribute('x', String(PAD));
  clone.setAttribute('y', String(chartTop));
  clone.setAttribute('width', String(chartW));
  clone.setAttribute('height', String(chartH));
  clone.removeAttribute('style');
  clone.removeAttribute('tabindex');
  for (const layer of layers) {
    const image = document.createElementNS(SVG_NS, 'image');
    image.setAttribute('class', 'chart-lines');
    image.setAttribute('x', String(layer.x));
    image.setAttribute('y', String(layer.y));
    image.setAttribute('width', String(layer.width));
    image.setAttribute('height', String(layer.height));
    image.setAttribute('preserveAspectRatio', 'none');
    image.setAttribute('href', layer.href);
    clone.appendChild(image);
  }
  const inner = new XMLSerializer().serializeToString(clone);
  const height = Math.ceil(chartTop + chartH + PAD);
  const svg =
    `<svg xmlns="${SVG_NS}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${FONT}">` +
    `<rect width="100%" height="100%" fill="${escapeXml(colours.background)}"/>${parts.join('')}${inner}</svg>`;
  return { svg, width, height, background: colours.background };
}

/** The picture as a PNG, `scale` times its size (2: sharp on high-density screens and in slides). */
export async function pictureToPng(picture: ChartPicture, scale = 2): Promise<Blob> {
  const url = URL.createObjectURL(new Blob([picture.svg], { type: 'image/svg+xml' }));
  try {
    const image = new Image();
    await new Promise<void>((resolve, reject) => {
      image.onload = () => resolve();
      image.onerror = () => reject(new Error('the chart could not be drawn as an image'));
      image.src = url;
    });
    const canvas = document.createElement('canvas');
    canvas.width = Math.ceil(picture.width * scale);
    canvas.height = Math.ceil(picture.height * scale);
    const context = canvas.getContext('2d');
    if (!context) throw new Error('no 2D canvas');
    context.fillStyle = picture.background;
    context.fillRect(0, 0, canvas.width, canvas.height);
    context.scale(scale, scale);
    context.drawImage(image, 0, 0, picture.width, picture.height);
    return await new Promise<Blob>((resolve, reject) =>
      canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('PNG encoding failed'))), 'image/png'),
    );
  } finally {
    URL.revokeObjectURL(url);
  }
}
