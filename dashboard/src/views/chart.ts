// A time-series line chart (uPlot): x is wall-clock seconds, one line per named series, each on
// the scale of its unit (a second unit gets an axis on the right). The plot is created once per
// set of series and fed new data in place as it arrives.
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import { formatBytes, formatNumber } from '../format.ts';
import { html } from '../html.ts';

const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];

/** Props of TimeChart: `times` in epoch seconds, one value array per series (null: no value then). */
export interface TimeChartProps {
  readonly series: readonly string[];
  /** The unit of each series (same length as series), or one unit for all. */
  readonly units: readonly string[] | string;
  readonly times: readonly number[];
  readonly values: readonly (readonly (number | null)[])[];
  readonly testid: string;
  /** Draw points only (events such as checkpoints), not lines. */
  readonly points?: boolean;
}

/** The chart. */
export function TimeChart({ series, units, times, values, testid, points }: TimeChartProps) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | undefined>(undefined);
  const unitOf = (i: number): string => (typeof units === 'string' ? units : units[i]);
  const scales = [...new Set(series.map((_, i) => unitOf(i)))].slice(0, 2);
  const key = `${series.join('\n')}|${scales.join('\n')}|${points ? 1 : 0}`;
  useEffect(() => {
    const el = host.current!;
    const opts: uPlot.Options = {
      width: Math.max(320, el.clientWidth || 640), height: 220,
      scales: Object.fromEntries([['x', { time: true }], ...scales.map((u) => [u, {}])]),
      axes: [{}, ...scales.map((u, i) => ({
        scale: u, label: u, size: 70, side: i === 0 ? 3 : 1, grid: { show: i === 0 },
        values: (_: uPlot, splits: number[]) => splits.map((v) => (u === 'bytes' ? formatBytes(v) : formatNumber(v))),
      }))],
      series: [{}, ...series.map((name, i) => ({
        label: name, scale: unitOf(i), stroke: COLOURS[i % COLOURS.length], width: points ? 0 : 1.5,
        points: points ? { show: true, size: 7, fill: COLOURS[i % COLOURS.length] } : undefined,
      }))],
    };
    plot.current = new uPlot(opts, [[...times], ...values.map((v) => [...v])] as uPlot.AlignedData, el);
    const resize = (): void => plot.current?.setSize({ width: Math.max(320, el.clientWidth), height: 220 });
    addEventListener('resize', resize);
    return () => { removeEventListener('resize', resize); plot.current?.destroy(); plot.current = undefined; };
  }, [key]);
  useEffect(() => {
    plot.current?.setData([[...times], ...values.map((v) => [...v])] as uPlot.AlignedData);
  }, [times, values]);
  return html`<div class="chart" data-testid=${testid} ref=${host}></div>`;
}
