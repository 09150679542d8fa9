// A time-series line chart (uPlot): x is wall-clock seconds, one line per named series. The plot
// is created once per set of series and fed new data in place as it arrives.
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import { html } from '../html.ts';

const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];

/** Props of TimeChart: `times` in epoch seconds, one value array per series (null: no value then). */
export interface TimeChartProps {
  readonly series: readonly string[];
  readonly times: readonly number[];
  readonly values: readonly (readonly (number | null)[])[];
  readonly unit: string;
  readonly testid: string;
}

/** The chart. */
export function TimeChart({ series, times, values, unit, testid }: TimeChartProps) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | undefined>(undefined);
  const key = series.join('\n');
  useEffect(() => {
    const el = host.current!;
    const opts: uPlot.Options = {
      width: Math.max(320, el.clientWidth || 640), height: 220,
      scales: { x: { time: true } },
      axes: [{}, { label: unit, size: 60 }],
      series: [{}, ...series.map((name, i) => ({ label: name, stroke: COLOURS[i % COLOURS.length], width: 1.5 }))],
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
