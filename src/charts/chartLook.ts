/**
 * How the charts draw in the page's current look: the theme (light or dark: their colours, palette.ts) and
 * presenter mode (`present=1`: text and lines big enough for the back of a lecture room). The page sets it once
 * (ui/App.tsx); every chart below reads it. Four constant objects, so a chart's memos keep their inputs' identity.
 */
import { createContext, useContext } from 'react';
import { themeColor, themeTextColor, type Theme } from './palette.ts';

/** Presenter mode's floor for chart text (tick labels, axis names, legend, marker labels): readable from afar. */
export const PRESENT_FONT_PX = 20;
/** Presenter mode's line width: a 1.6 px line all but vanishes on a washed-out projector. */
export const PRESENT_LINE_PX = 3;

/** The size scales.ts spaces log-axis labels for (the tick labels' size outside presenter mode). */
export const AXIS_LABEL_PX = 12;

export interface ChartLook {
  theme: Theme;
  present: boolean;
  /** Tick labels, axis names and the legend; null: the normal sizes (12 px ticks, the page's own text). */
  fontPx: number | null;
  /** Reference-line labels (an event's number, a threshold's name). */
  labelPx: number;
  lineWidthPx: number;
  /** The y axis's width: its labels must fit at `fontPx`. */
  yAxisPx: number;
  /** Threshold lines and their labels; the axis break's label. */
  ink: string;
  faint: string;
  /** What a marker's rim and a hollow marker's inside are filled with: the chart's background. */
  surface: string;
}

function look(theme: Theme, present: boolean): ChartLook {
  const dark = theme === 'dark';
  return {
    theme,
    present,
    fontPx: present ? PRESENT_FONT_PX : null,
    labelPx: present ? PRESENT_FONT_PX : 11,
    lineWidthPx: present ? PRESENT_LINE_PX : 1.6,
    yAxisPx: present ? 86 : 58,
    ink: dark ? '#c3cad3' : '#444444',
    faint: dark ? '#a9b2bd' : '#5b6572',
    surface: dark ? '#1b1f25' : '#ffffff',
  };
}

const LOOKS: Record<Theme, Record<'normal' | 'present', ChartLook>> = {
  light: { normal: look('light', false), present: look('light', true) },
  dark: { normal: look('dark', false), present: look('dark', true) },
};

/** The one look for a theme and mode (the same object each time). */
export function chartLook(theme: Theme, present: boolean): ChartLook {
  return LOOKS[theme][present ? 'present' : 'normal'];
}

export const NORMAL_LOOK = chartLook('light', false);

export const ChartLookContext = createContext<ChartLook>(NORMAL_LOOK);

export function useChartLook(): ChartLook {
  return useContext(ChartLookContext);
}

/** A line's colour in this look (palette.ts's dark twins in the dark theme). */
export function lookColor(chart: ChartLook, hex: string): string {
  return themeColor(hex, chart.theme);
}

/** A colour as text in this look: 4.5:1 against the theme's lightest background behind text. */
export function lookTextColor(chart: ChartLook, hex: string): string {
  return themeTextColor(hex, chart.theme);
}
