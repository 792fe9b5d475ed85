/**
 * A time series drawn with uPlot (bundled at build time), with what a chart cannot give
 * everyone: a one-line summary as its accessible name and the same figures as a table. Colours
 * come from the page's CSS variables, so the chart follows the light or dark theme.
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { useEffect, useRef } from 'preact/hooks';
import { formatTime } from '../format';

export interface ChartSeries {
  label: string;
  /** One value per time; null where there is none. */
  values: Array<number | null>;
  /** A CSS variable holding the colour, e.g. `--chart-1`. */
  colorVar: string;
  /** Which y axis: `left` (default) or `right`. */
  axis?: 'left' | 'right';
  format: (value: number) => string;
  /** Step lines for states (health verdicts), straight lines for quantities. */
  stepped?: boolean;
  /** Dots only (few points). */
  points?: boolean;
}

export interface TimeChartProps {
  /** Accessible name: what the chart shows and its headline figure. */
  summary: string;
  /** Seconds since the epoch, ascending. */
  times: number[];
  series: ChartSeries[];
  /** Tick labels of the left axis (for states: 0 → "unhealthy" ...). */
  leftTicks?: (value: number) => string;
  leftRange?: [number, number];
  height?: number;
}

function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';
}

export function TimeChart({ summary, times, series, leftTicks, leftRange, height = 220 }: TimeChartProps) {
  const holder = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const element = holder.current;
    if (!element || times.length === 0) return;
    let chart: uPlot | undefined;
    const draw = (): void => {
      chart?.destroy();
      const text = cssVar('--text');
      const grid = cssVar('--border');
      const hasRight = series.some((s) => s.axis === 'right');
      const rightSeries = series.find((s) => s.axis === 'right');
      const leftSeries = series.find((s) => s.axis !== 'right');
      const options: uPlot.Options = {
        width: Math.max(260, element.clientWidth),
        height,
        legend: { show: true },
        cursor: { drag: { x: false, y: false } },
        scales: { x: { time: true }, y: leftRange ? { range: leftRange } : {}, ...(hasRight ? { r: {} } : {}) },
        axes: [
          { stroke: text, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid } },
          {
            stroke: text,
            grid: { stroke: grid, width: 1 },
            ticks: { stroke: grid },
            size: leftTicks ? 90 : 60,
            values: (_u, splits) => splits.map((v) => (leftTicks ? leftTicks(v) : leftSeries ? leftSeries.format(v) : String(v))),
            ...(leftTicks ? { splits: () => [0, 1, 2] } : {}),
          },
          ...(hasRight && rightSeries ? [{ scale: 'r', side: 1, stroke: text, grid: { show: false }, size: 70, values: (_u: uPlot, splits: number[]) => splits.map((v) => rightSeries.format(v)) }] : []),
        ],
        series: [
          { label: 'time', value: (_u, v) => (v == null ? '—' : formatTime(new Date(v * 1000).toISOString())) },
          ...series.map((s) => ({
            label: s.label,
            scale: s.axis === 'right' ? 'r' : 'y',
            stroke: cssVar(s.colorVar),
            width: 2,
            value: (_u: uPlot, v: number | null) => (v == null ? '—' : s.format(v)),
            ...(s.stepped ? { paths: uPlot.paths.stepped?.({ align: 1 }) } : {}),
            ...(s.points ? { points: { show: true, size: 7 } } : {}),
          })),
        ],
      };
      chart = new uPlot(options, [times, ...series.map((s) => s.values)] as uPlot.AlignedData, element);
    };
    draw();
    const resize = new ResizeObserver(() => chart?.setSize({ width: Math.max(260, element.clientWidth), height }));
    resize.observe(element);
    const scheme = matchMedia('(prefers-color-scheme: dark)');
    scheme.addEventListener('change', draw);
    return () => {
      resize.disconnect();
      scheme.removeEventListener('change', draw);
      chart?.destroy();
    };
  }, [times, series, leftTicks, leftRange, height]);

  if (times.length === 0) return <p class="muted">Nothing to chart yet.</p>;
  return (
    <figure class="chart">
      <div ref={holder} role="img" aria-label={summary} />
      <figcaption>
        <details>
          <summary>{summary} — the figures as a table</summary>
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Time</th>
                  {series.map((s) => (
                    <th scope="col" key={s.label}>
                      {s.label}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {times.map((t, i) => (
                  <tr key={i}>
                    <td>{formatTime(new Date(t * 1000).toISOString())}</td>
                    {series.map((s) => {
                      const v = s.values[i];
                      return <td key={s.label}>{v == null ? '—' : s.format(v)}</td>;
                    })}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </details>
      </figcaption>
    </figure>
  );
}
