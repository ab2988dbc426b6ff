/**
 * The small charts, drawn as SVG/HTML of our own (no chart library): line plot (training curves, attention over
 * frequency), confusion-matrix heat map, band-energy bars and emotion probabilities. Each is a figure with a
 * caption and text values, so it reads without the picture too.
 */
import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import {
  bandBars,
  extent,
  formatTick,
  heatCells,
  highShare,
  linePath,
  linearScale,
  niceDomain,
  niceStep,
  parseHex,
  type BandPair,
  type Point,
} from '../view/charts';
import { useResolvedTheme } from '../theme';
import { pct } from '../format';

/** Width of an element, following resizes (a fixed fallback where ResizeObserver is missing, e.g. jsdom). */
export function useWidth<T extends HTMLElement>(fallback = 480): [React.RefObject<T | null>, number] {
  const ref = useRef<T>(null);
  const [width, setWidth] = useState(fallback);
  useEffect(() => {
    const el = ref.current;
    if (!el || typeof ResizeObserver === 'undefined') return;
    const ro = new ResizeObserver(([entry]) => {
      const w = Math.round(entry?.contentRect.width ?? 0);
      if (w > 0) setWidth(w);
    });
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  return [ref, width];
}

// ---------------------------------------------------------------------------------------------------------------
// Line plot
// ---------------------------------------------------------------------------------------------------------------

export interface Series {
  name: string;
  points: readonly Point[];
  /** A CSS colour; defaults to the palette by index. */
  color?: string;
  dashed?: boolean;
}

export interface LinePlotProps {
  title: string;
  series: readonly Series[];
  xLabel: string;
  yLabel?: string;
  /** Fixed axes; otherwise from the data (nice-rounded). */
  xDomain?: [number, number];
  yDomain?: [number, number];
  /** Vertical reference lines, e.g. the 2 kHz split or a stage boundary. */
  markers?: readonly { x: number; label: string }[];
  formatX?: (v: number) => string;
  height?: number;
  /** Text for people who cannot see the plot; defaults to the last value of each series. */
  summary?: string;
  /** Only whole-number ticks on the x axis (epochs, steps). */
  integerX?: boolean;
  testId?: string;
}

const PALETTE = ['var(--series-1)', 'var(--series-2)', 'var(--series-3)', 'var(--series-4)'];

function lastFinite(points: readonly Point[]): Point | null {
  for (let i = points.length - 1; i >= 0; i--) if (Number.isFinite(points[i]!.y)) return points[i]!;
  return null;
}

export function LinePlot(props: LinePlotProps) {
  const { title, series, xLabel, yLabel, markers = [], height = 200, formatX, testId } = props;
  const [ref, width] = useWidth<HTMLDivElement>();
  const titleId = useId();
  const all = series.flatMap((s) => s.points);
  const xs = props.xDomain ?? extent(all.map((p) => p.x)) ?? [0, 1];
  const ysRaw = props.yDomain ?? extent(all.map((p) => p.y)) ?? [0, 1];
  const yNice = props.yDomain
    ? { domain: props.yDomain, ticks: niceDomain(...props.yDomain, 4).ticks }
    : niceDomain(ysRaw[0], ysRaw[1], 4);
  const yTicks = yNice.ticks.filter((t) => t >= yNice.domain[0] - 1e-9 && t <= yNice.domain[1] + 1e-9);
  const rawXStep = niceStep(xs[1] - xs[0], Math.max(2, Math.floor(width / 90)));
  const xStep = props.integerX ? Math.max(1, Math.round(rawXStep)) : rawXStep;
  const xTicks: number[] = [];
  for (let v = Math.ceil(xs[0] / xStep) * xStep; v <= xs[1] + 1e-9; v += xStep) xTicks.push(Number(v.toPrecision(12)));
  const yStep = yTicks.length > 1 ? yTicks[1]! - yTicks[0]! : 1;
  const m = { left: 46, right: 12, top: 10, bottom: 34 };
  const x = linearScale(xs, [m.left, Math.max(m.left + 10, width - m.right)]);
  const y = linearScale(yNice.domain, [height - m.bottom, m.top]);
  const summary =
    props.summary ??
    series
      .map((s) => {
        const p = lastFinite(s.points);
        const short = (v: number) => String(Number(v.toPrecision(3)));
        return p ? `${s.name}: ${short(p.y)} at ${formatX ? formatX(p.x) : short(p.x)}` : `${s.name}: no data yet`;
      })
      .join('; ');

  return (
    <figure className="plot" data-testid={testId} data-points={all.length}>
      <figcaption className="plot-title" id={titleId}>
        {title}
        {series.length > 1 && (
          <span className="legend" aria-hidden="true">
            {series.map((s, i) => (
              <span key={s.name} className="legend-item">
                <span
                  className={`legend-swatch${s.dashed ? ' dashed' : ''}`}
                  style={{ borderColor: s.color ?? PALETTE[i % PALETTE.length] }}
                />
                {s.name}
              </span>
            ))}
          </span>
        )}
      </figcaption>
      <div ref={ref} className="plot-box">
        <svg width={width} height={height} role="img" aria-labelledby={titleId} aria-describedby={`${titleId}-sum`}>
          {yTicks.map((t) => (
            <g key={`y${t}`}>
              <line className="grid" x1={m.left} x2={width - m.right} y1={y(t)} y2={y(t)} />
              <text className="tick" x={m.left - 6} y={y(t)} dy="0.32em" textAnchor="end">
                {formatTick(t, yStep)}
              </text>
            </g>
          ))}
          {xTicks.map((t) => (
            <text key={`x${t}`} className="tick" x={x(t)} y={height - m.bottom + 16} textAnchor="middle">
              {formatX ? formatX(t) : formatTick(t, xStep)}
            </text>
          ))}
          <line className="axis" x1={m.left} x2={width - m.right} y1={height - m.bottom} y2={height - m.bottom} />
          {markers.map((mk) => (
            <g key={mk.label} className="marker">
              <line x1={x(mk.x)} x2={x(mk.x)} y1={m.top} y2={height - m.bottom} />
              <text x={x(mk.x) + 4} y={m.top + 10} className="marker-label">
                {mk.label}
              </text>
            </g>
          ))}
          {series.map((s, i) => {
            const color = s.color ?? PALETTE[i % PALETTE.length];
            const pts = s.points.filter((p) => Number.isFinite(p.y));
            return (
              <g key={s.name}>
                <path
                  d={linePath(s.points, x, y)}
                  fill="none"
                  stroke={color}
                  strokeWidth={2}
                  strokeDasharray={s.dashed ? '5 4' : undefined}
                />
                {pts.length <= 40 && pts.map((p, k) => <circle key={k} cx={x(p.x)} cy={y(p.y)} r={2.5} fill={color} />)}
              </g>
            );
          })}
          <text className="axis-label" x={(m.left + width - m.right) / 2} y={height - 4} textAnchor="middle">
            {xLabel}
          </text>
          {yLabel && (
            <text
              className="axis-label"
              transform={`translate(11 ${(height - m.bottom + m.top) / 2}) rotate(-90)`}
              textAnchor="middle"
            >
              {yLabel}
            </text>
          )}
        </svg>
      </div>
      <p className="sr-only" id={`${titleId}-sum`}>
        {summary}
      </p>
    </figure>
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Confusion matrix heat map
// ---------------------------------------------------------------------------------------------------------------

const HEAT = {
  light: { low: parseHex('#ffffff'), high: parseHex('#3b5bdb') },
  dark: { low: parseHex('#171b25'), high: parseHex('#7c95ff') },
};

export function ConfusionHeatMap(props: {
  title: string;
  labels: readonly string[];
  matrix: readonly (readonly number[])[];
  testId?: string;
  footer?: ReactNode;
}) {
  const { title, labels, matrix, testId, footer } = props;
  const theme = useResolvedTheme();
  const cells = heatCells(matrix, HEAT[theme].low, HEAT[theme].high);
  const total = matrix.reduce((a, r) => a + r.reduce((x, v) => x + v, 0), 0);
  return (
    <figure className="heatmap" data-testid={testId} data-total={total}>
      <figcaption className="plot-title">{title}</figcaption>
      <div
        className="heatmap-scroll"
        tabIndex={0}
        role="region"
        aria-label={`${title} (scrolls sideways on small screens)`}
      >
        <table className="heatmap-table">
          <caption className="sr-only">
            {title}: rows are the true emotion, columns the predicted one; each cell gives the count and the share of
            its row.
          </caption>
          <thead>
            <tr>
              <th scope="col" className="heatmap-corner">
                <span>true ↓ / predicted →</span>
              </th>
              {labels.map((l) => (
                <th key={l} scope="col">
                  {l}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {cells.map((row, i) => (
              <tr key={labels[i]}>
                <th scope="row">{labels[i]}</th>
                {row.map((c, j) => (
                  <td
                    key={labels[j]}
                    style={{ background: c.background, color: c.color }}
                    className={i === j ? 'diag' : undefined}
                    data-count={c.count}
                    data-percent={Number.isFinite(c.percent) ? c.percent.toFixed(1) : ''}
                  >
                    <span className="heat-count">{c.count}</span>
                    <span className="heat-pct">{Number.isFinite(c.percent) ? `${c.percent.toFixed(0)} %` : '—'}</span>
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {footer}
    </figure>
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Band energies
// ---------------------------------------------------------------------------------------------------------------

const SERIES_LABEL = {
  original: 'Original',
  protected: 'Protected',
  perturbation: 'Perturbation (protected − original)',
};

export function BandEnergyBars(props: {
  original: BandPair;
  protected: BandPair;
  perturbation?: BandPair;
  splitHz?: number;
  testId?: string;
}) {
  const split = props.splitHz ?? 2000;
  const splitLabel = split % 1000 === 0 ? `${split / 1000} kHz` : `${split} Hz`;
  const { bars, topDb, bottomDb } = bandBars(props);
  const groups = [
    { band: 'low' as const, label: `Below ${splitLabel}` },
    { band: 'high' as const, label: `Above ${splitLabel}` },
  ];
  const pertShare = props.perturbation ? highShare(props.perturbation) : NaN;
  return (
    <figure className="bands" data-testid={props.testId}>
      <figcaption className="plot-title">
        Energy below and above {splitLabel}
        <span className="legend" aria-hidden="true">
          {(['original', 'protected', 'perturbation'] as const)
            .filter((s) => s !== 'perturbation' || props.perturbation)
            .map((s) => (
              <span key={s} className="legend-item">
                <span className={`legend-block bar-${s}`} />
                {s === 'perturbation' ? 'Perturbation' : SERIES_LABEL[s]}
              </span>
            ))}
        </span>
      </figcaption>
      {groups.map((g) => (
        <div key={g.band} className="band-group" role="group" aria-label={g.label}>
          <div className="band-label">{g.label}</div>
          {bars
            .filter((b) => b.band === g.band)
            .map((b) => (
              <div
                key={b.series}
                className="band-row"
                data-series={b.series}
                data-band={b.band}
                data-db={b.db.toFixed(2)}
              >
                <span className="band-name" title={SERIES_LABEL[b.series]}>
                  {b.series === 'perturbation' ? 'Perturbation' : SERIES_LABEL[b.series]}
                </span>
                <span className="band-track" aria-hidden="true">
                  <span
                    className={`band-fill bar-${b.series}`}
                    style={{ width: `${(b.fraction * 100).toFixed(1)}%` }}
                  />
                </span>
                <span className="band-value num">{b.db <= -119 ? '−∞' : b.db.toFixed(1).replace('-', '−')} dB</span>
              </div>
            ))}
        </div>
      ))}
      <p className="hint">
        dB relative to the original clip's total energy; the axis spans {topDb - bottomDb} dB from {topDb} dB.
        {Number.isFinite(pertShare) && (
          <>
            {' '}
            <strong data-testid="perturbation-high-share">{(pertShare * 100).toFixed(0)} %</strong> of the
            perturbation's energy lies above {splitLabel} (the original has{' '}
            {(highShare(props.original) * 100).toFixed(0)} % of its energy there).
          </>
        )}
      </p>
    </figure>
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Emotion probabilities
// ---------------------------------------------------------------------------------------------------------------

export function ProbabilityBars(props: {
  labels: readonly string[];
  probabilities: ArrayLike<number>;
  title?: string;
  testId?: string;
  reference?: string | null;
}) {
  const { labels, probabilities, title, testId, reference } = props;
  let best = 0;
  for (let i = 1; i < probabilities.length; i++) if (probabilities[i]! > probabilities[best]!) best = i;
  return (
    <div className="probs" data-testid={testId} data-predicted={labels[best]}>
      {title && <div className="probs-title">{title}</div>}
      <ul>
        {labels.map((l, i) => {
          const p = probabilities[i] ?? NaN;
          return (
            <li
              key={l}
              className={i === best ? 'top' : undefined}
              data-emotion={l}
              data-probability={Number.isFinite(p) ? p.toFixed(4) : ''}
            >
              <span className="prob-label">
                {l}
                {reference === l && (
                  <span className="prob-ref" title="The clip's label">
                    {' '}
                    (label)
                  </span>
                )}
              </span>
              <span className="prob-track" aria-hidden="true">
                <span className="prob-fill" style={{ width: `${Math.max(0, Math.min(1, p)) * 100}%` }} />
              </span>
              <span className="prob-value num">{pct(p)}</span>
            </li>
          );
        })}
      </ul>
    </div>
  );
}
