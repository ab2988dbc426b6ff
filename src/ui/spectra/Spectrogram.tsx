/**
 * Spectrogram panels on our own canvas: the engine sends dB values on one shared scale; this draws them with one
 * colour map, a frequency axis in Hz with the 2 kHz line, and a cursor that follows playback (click to seek).
 * Pitch (F0) contours can be laid over a panel on their own logarithmic axis on the right.
 */
import { useEffect, useMemo, useRef, type KeyboardEvent } from 'react';
import { clock } from '../format';
import {
  colorAt,
  F0_VIEW,
  f0Polylines,
  f0Ticks,
  freqTicks,
  freqY,
  legendTicks,
  spectrogramPixels,
  type DbRange,
} from '../view/spectrogram';
import { usePlayhead } from '../shared/ComparePlayer';
import { useWidth } from '../shared/Charts';

/** One pitch contour to draw over a panel: Hz per point, 0 where unvoiced. */
export interface F0Series {
  kind: 'original' | 'protected';
  f0: Float32Array;
}

/** Contours on a shared time grid and the F0 axis they are drawn on. */
export interface F0Overlay {
  series: F0Series[];
  /** Seconds between points. */
  hopS: number;
  minHz: number;
  maxHz: number;
}

export const F0_SERIES_LABEL: Record<F0Series['kind'], string> = {
  original: 'pitch of the original',
  protected: 'pitch of the protected clip',
};

export interface SpectrogramPanelProps {
  title: string;
  /** dB, row-major [frames][bins]. */
  db: Float32Array;
  frames: number;
  bins: number;
  range: DbRange;
  maxHz: number;
  durationSeconds: number;
  splitHz?: number;
  height?: number;
  testId?: string;
  description?: string;
  /** Pitch contours to overlay (with a right-hand F0 axis). */
  f0?: F0Overlay;
  /** Parts that were protected (seconds), outlined on the panel: outside them the clip is the original. */
  spans?: readonly { start: number; end: number }[];
}

export function SpectrogramPanel(props: SpectrogramPanelProps) {
  const {
    title,
    db,
    frames,
    bins,
    range,
    maxHz,
    durationSeconds,
    splitHz = 2000,
    height = 170,
    testId,
    f0,
    spans,
  } = props;
  const canvas = useRef<HTMLCanvasElement>(null);
  const [boxRef, width] = useWidth<HTMLDivElement>(600);
  const time = usePlayhead((s) => s.time);
  const seek = usePlayhead((s) => s.seek);
  const playheadDuration = usePlayhead((s) => s.duration);

  // The full-resolution image is built once per data set; resizing only rescales it.
  const image = useMemo(() => {
    if (typeof document === 'undefined') return null;
    const off = document.createElement('canvas');
    off.width = frames;
    off.height = bins;
    const ctx = off.getContext('2d');
    if (!ctx) return null;
    ctx.putImageData(
      new ImageData(spectrogramPixels(db, frames, bins, range) as Uint8ClampedArray<ArrayBuffer>, frames, bins),
      0,
      0,
    );
    return off;
  }, [db, frames, bins, range]);

  useEffect(() => {
    const c = canvas.current;
    if (!c || !image) return;
    const dpr = Math.min(2, window.devicePixelRatio || 1);
    c.width = Math.max(1, Math.round(width * dpr));
    c.height = Math.round(height * dpr);
    const ctx = c.getContext('2d');
    if (!ctx) return;
    ctx.imageSmoothingEnabled = frames < c.width;
    ctx.drawImage(image, 0, 0, c.width, c.height);
  }, [image, width, height, frames]);

  const cursor = durationSeconds > 0 && playheadDuration > 0 ? Math.min(1, time / durationSeconds) : 0;
  const splitY = freqY(splitHz, maxHz);
  const ticks = freqTicks(maxHz, maxHz > 10000 ? 2000 : 1000);
  const f0Lines = useMemo(
    () =>
      f0?.series.map((s) => ({
        kind: s.kind,
        lines: f0Polylines(s.f0, f0.hopS, durationSeconds, f0.minHz, f0.maxHz),
      })) ?? [],
    [f0, durationSeconds],
  );

  const onClick = (e: React.MouseEvent<HTMLDivElement>) => {
    if (!seek) return;
    const rect = e.currentTarget.getBoundingClientRect();
    seek(((e.clientX - rect.left) / rect.width) * durationSeconds);
  };
  const onKey = (e: KeyboardEvent) => {
    if (!seek) return;
    const step = e.key === 'ArrowRight' ? 0.5 : e.key === 'ArrowLeft' ? -0.5 : 0;
    if (step) {
      e.preventDefault();
      seek(Math.max(0, Math.min(durationSeconds, time + step)));
    }
  };

  return (
    <figure className="spectro" data-testid={testId} data-frames={frames} data-bins={bins}>
      <figcaption className="plot-title">
        {title}
        {props.description && <span className="plot-sub">{props.description}</span>}
      </figcaption>
      <div className={`spectro-body${f0 ? ' with-f0' : ''}`}>
        <div className="spectro-axis" aria-hidden="true" style={{ height }}>
          {ticks.map((t) => (
            <span
              key={t.hz}
              className={`spectro-tick${t.hz === splitHz ? ' split' : ''}`}
              style={{ top: `${t.y * 100}%` }}
            >
              {t.label}
            </span>
          ))}
        </div>
        <div
          ref={boxRef}
          className="spectro-plot"
          style={{ height }}
          onClick={onClick}
          onKeyDown={onKey}
          role={seek ? 'slider' : 'img'}
          tabIndex={seek ? 0 : undefined}
          aria-label={`${title}: spectrogram, 0 to ${Math.round(maxHz)} Hz, ${clock(durationSeconds)} long${
            f0
              ? `, with the ${f0.series.map((s) => F0_SERIES_LABEL[s.kind]).join(' and the ')} drawn on a ${f0.minHz}–${f0.maxHz} Hz axis`
              : ''
          }${seek ? '. Arrow keys or click to seek' : ''}`}
          aria-valuemin={seek ? 0 : undefined}
          aria-valuemax={seek ? Math.round(durationSeconds * 10) / 10 : undefined}
          aria-valuenow={seek ? Math.round(time * 10) / 10 : undefined}
          aria-valuetext={seek ? `${clock(time)} of ${clock(durationSeconds)}` : undefined}
        >
          <canvas
            ref={canvas}
            style={{ width: '100%', height: '100%' }}
            data-testid={testId ? `${testId}-canvas` : undefined}
          />
          <div className="spectro-split" style={{ top: `${splitY * 100}%` }} aria-hidden="true">
            <span>{splitHz / 1000} kHz</span>
          </div>
          {f0 && (
            <svg
              className="spectro-f0"
              viewBox={`0 0 ${F0_VIEW} ${F0_VIEW}`}
              preserveAspectRatio="none"
              aria-hidden="true"
              data-testid={testId ? `${testId}-f0` : undefined}
            >
              {f0Lines.map((s) =>
                s.lines.map((points, i) => (
                  <polyline key={`${s.kind}-${i}`} className={`f0-${s.kind}`} points={points} />
                )),
              )}
            </svg>
          )}
          {spans?.map((s) => (
            <div
              key={s.start}
              className="spectro-span"
              style={{
                left: `${(s.start / durationSeconds) * 100}%`,
                width: `${((s.end - s.start) / durationSeconds) * 100}%`,
              }}
              aria-hidden="true"
              data-testid={testId ? `${testId}-span` : undefined}
            />
          ))}
          <div className="spectro-cursor" style={{ left: `${cursor * 100}%` }} aria-hidden="true" />
        </div>
        {f0 && (
          <div className="spectro-f0-axis" aria-hidden="true" style={{ height }}>
            {f0Ticks(f0.minHz, f0.maxHz).map((t) => (
              <span key={t.hz} style={{ top: `${t.y * 100}%` }}>
                {t.label}
              </span>
            ))}
          </div>
        )}
      </div>
    </figure>
  );
}

/** The shared colour scale as a horizontal bar with dB ticks. */
export function ColorLegend({ range }: { range: DbRange }) {
  const stops = Array.from({ length: 11 }, (_, i) => {
    const [r, g, b] = colorAt(i / 10);
    return `rgb(${r} ${g} ${b}) ${i * 10}%`;
  }).join(', ');
  const ticks = legendTicks(range, range.max - range.min > 60 ? 20 : 10);
  const span = range.max - range.min || 1;
  return (
    <div className="legend-bar" data-testid="spectro-legend">
      <div
        className="legend-gradient"
        style={{ background: `linear-gradient(to right, ${stops})` }}
        aria-hidden="true"
      />
      <div className="legend-ticks" aria-hidden="true">
        {ticks.map((t) => (
          <span key={t} style={{ left: `${((t - range.min) / span) * 100}%` }}>
            {t === 0 ? '0 dB' : t}
          </span>
        ))}
      </div>
      <p className="hint">
        One colour scale for all three panels: {Math.round(range.min)} dB (dark) to {Math.round(range.max)} dB (bright),
        relative to full scale.
      </p>
    </div>
  );
}

/** Which line is which, and how to read the pitch axis. */
export function F0Legend({ kinds, minHz, maxHz }: { kinds: F0Series['kind'][]; minHz: number; maxHz: number }) {
  return (
    <p className="f0-legend" data-testid="f0-legend">
      {kinds.map((k) => (
        <span key={k}>
          <span className={`f0-swatch ${k}`} aria-hidden="true" />
          {k === 'original' ? 'Pitch (F0) of the original' : 'Pitch (F0) of the protected clip'}
        </span>
      ))}
      <span>
        Right-hand axis: pitch from {minHz} to {maxHz} Hz, each step an octave; gaps are where the voice is not humming.
      </span>
    </p>
  );
}
