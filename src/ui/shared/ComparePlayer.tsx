/**
 * Original and protected side by side: two wavesurfer.js views on one time line. Only the selected side (A/B)
 * plays; the other follows, so switching is seamless and the two never drift. A loop region can be dragged on
 * either waveform (or set from the cursor with the keyboard) and applies to both.
 */
import { useEffect, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import WaveSurfer from 'wavesurfer.js';
import RegionsPlugin, { type Region } from 'wavesurfer.js/dist/plugins/regions.esm.js';
import { create } from 'zustand';
import { isAbortError } from '../../core/abort';
import { encodeWav } from '../../core/audio';
import { clock } from '../format';

/** Shared playhead, so other views (spectrogram cursors) follow playback and can seek it. */
export const usePlayhead = create<{
  time: number;
  duration: number;
  playing: boolean;
  seek: ((t: number) => void) | null;
}>()(() => ({
  time: 0,
  duration: 0,
  playing: false,
  seek: null,
}));

/** Signed max-magnitude per bucket: enough points for any screen, cheap for a 10-minute clip. */
export function peaks(samples: Float32Array, buckets = 6000): Float32Array {
  if (samples.length <= buckets) return samples;
  const out = new Float32Array(buckets);
  const step = samples.length / buckets;
  for (let b = 0; b < buckets; b++) {
    let best = 0;
    const end = Math.min(samples.length, Math.floor((b + 1) * step));
    for (let i = Math.floor(b * step); i < end; i++) if (Math.abs(samples[i]!) > Math.abs(best)) best = samples[i]!;
    out[b] = best;
  }
  return out;
}

function absMax(x: Float32Array): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) {
    const v = Math.abs(x[i]!);
    if (v > m) m = v;
  }
  return m;
}

function cssVar(name: string, fallback: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}

type Side = 'a' | 'b';

interface Track {
  ws: WaveSurfer;
  regions: RegionsPlugin;
}

export interface ComparePlayerProps {
  original: Float32Array;
  protectedWave: Float32Array | null;
  sampleRate: number;
  /** Rendered under each waveform (transcript, emotion, SNR). */
  belowOriginal?: ReactNode;
  belowProtected?: ReactNode;
  protectedLabel?: string;
  /** Placeholder where the protected view goes while there is none. */
  protectedPlaceholder?: ReactNode;
  height?: number;
  compact?: boolean;
}

export function ComparePlayer(props: ComparePlayerProps) {
  const { original, protectedWave, sampleRate, height = 96 } = props;
  const boxA = useRef<HTMLDivElement>(null);
  const boxB = useRef<HTMLDivElement>(null);
  const tracks = useRef<Partial<Record<Side, Track>>>({});
  const activeRef = useRef<Side>('a');
  const loopRef = useRef<{ start: number; end: number } | null>(null);
  const loopOnRef = useRef(false);
  const [active, setActive] = useState<Side>('a');
  const [ready, setReady] = useState<Record<Side, boolean>>({ a: false, b: false });
  const [playing, setPlaying] = useState(false);
  const [time, setTime] = useState(0);
  const [loop, setLoop] = useState<{ start: number; end: number } | null>(null);
  const [loopOn, setLoopOn] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const duration = original.length / sampleRate;

  loopRef.current = loop;
  loopOnRef.current = loopOn;

  const other = (s: Side): Side => (s === 'a' ? 'b' : 'a');

  useEffect(() => {
    const scale = 1 / Math.max(1e-6, absMax(original), protectedWave ? absMax(protectedWave) : 0);
    const sides: [Side, HTMLDivElement | null, Float32Array | null][] = [
      ['a', boxA.current, original],
      ['b', boxB.current, protectedWave],
    ];
    const cleanups: (() => void)[] = [];
    setReady({ a: false, b: false });
    setPlaying(false);
    setError(null);
    setActive('a');
    activeRef.current = 'a';
    let mirroring = false;

    for (const [side, box, wave] of sides) {
      if (!box || !wave) continue;
      const regions = RegionsPlugin.create();
      const ws = WaveSurfer.create({
        container: box,
        height,
        barWidth: 2,
        barGap: 1,
        barRadius: 2,
        normalize: false,
        cursorWidth: 2,
        waveColor: cssVar(side === 'a' ? '--wave' : '--wave-b', '#9aa7c7'),
        progressColor: cssVar(side === 'a' ? '--wave-progress' : '--wave-b-progress', '#3b5bdb'),
        cursorColor: cssVar('--text', '#1b1f2a'),
        plugins: [regions],
      });
      tracks.current[side] = { ws, regions };
      // One shared scale, so a quieter protected clip looks quieter.
      const p = peaks(wave);
      const scaled = Float32Array.from(p, (v) => v * scale);
      const blob = new Blob([encodeWav(wave, sampleRate) as BlobPart], { type: 'audio/wav' });
      ws.loadBlob(blob, [scaled], wave.length / sampleRate).catch((e: unknown) => {
        if (!isAbortError(e)) setError(e instanceof Error ? e.message : String(e));
      });
      const loopColor = cssVar('--loop', 'rgba(59, 91, 219, 0.18)');
      regions.enableDragSelection({ color: loopColor, id: 'loop' });

      const mirror = (r: Region) => {
        if (mirroring) return;
        mirroring = true;
        for (const s of ['a', 'b'] as Side[]) {
          const t = tracks.current[s];
          if (!t) continue;
          for (const existing of t.regions.getRegions()) if (existing !== r) existing.remove();
          if (s !== side) t.regions.addRegion({ id: 'loop', start: r.start, end: r.end, color: loopColor });
        }
        mirroring = false;
        setLoop({ start: r.start, end: r.end });
        setLoopOn(true);
      };

      const follow = (t: number) => {
        const o = tracks.current[other(side)];
        if (o && Math.abs(o.ws.getCurrentTime() - t) > 0.03) o.ws.setTime(t);
      };

      cleanups.push(
        ws.on('ready', () => setReady((r) => ({ ...r, [side]: true }))),
        ws.on('play', () => {
          if (activeRef.current === side) {
            setPlaying(true);
            usePlayhead.setState({ playing: true });
          }
        }),
        ws.on('pause', () => {
          if (activeRef.current === side) {
            setPlaying(false);
            usePlayhead.setState({ playing: false });
          }
        }),
        ws.on('finish', () => {
          if (activeRef.current !== side) return;
          const l = loopRef.current;
          if (loopOnRef.current && l) {
            ws.setTime(l.start);
            void ws.play();
          } else {
            setPlaying(false);
            usePlayhead.setState({ playing: false });
          }
        }),
        ws.on('timeupdate', (t) => {
          if (activeRef.current !== side) return;
          const l = loopRef.current;
          if (loopOnRef.current && l && ws.isPlaying() && (t >= l.end || t < l.start - 0.05)) {
            ws.setTime(l.start);
            follow(l.start);
            return;
          }
          setTime(t);
          usePlayhead.setState({ time: t });
          follow(t);
        }),
        // Clicking either waveform moves both; it does not switch which one you hear.
        ws.on('interaction', (t) => {
          const a = tracks.current[activeRef.current];
          if (a && a.ws !== ws) a.ws.setTime(t);
          follow(t);
          setTime(t);
          usePlayhead.setState({ time: t });
        }),
        ws.on('error', (e) => setError(e.message)),
        regions.on('region-created', mirror),
        regions.on('region-updated', mirror),
        () => ws.destroy(),
      );
    }
    usePlayhead.setState({
      time: 0,
      duration,
      playing: false,
      seek: (t: number) => {
        for (const tr of Object.values(tracks.current)) tr?.ws.setTime(Math.min(duration, Math.max(0, t)));
        setTime(t);
        usePlayhead.setState({ time: t });
      },
    });
    setTime(0);
    setLoop(null);
    setLoopOn(false);
    const scheme = matchMedia('(prefers-color-scheme: dark)');
    const recolor = () => {
      for (const [side] of sides) {
        tracks.current[side]?.ws.setOptions({
          waveColor: cssVar(side === 'a' ? '--wave' : '--wave-b', '#9aa7c7'),
          progressColor: cssVar(side === 'a' ? '--wave-progress' : '--wave-b-progress', '#3b5bdb'),
          cursorColor: cssVar('--text', '#1b1f2a'),
        });
      }
    };
    scheme.addEventListener('change', recolor);
    const themeObserver = new MutationObserver(recolor);
    themeObserver.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
    return () => {
      scheme.removeEventListener('change', recolor);
      themeObserver.disconnect();
      for (const c of cleanups) c();
      tracks.current = {};
      usePlayhead.setState({ seek: null, playing: false });
    };
  }, [original, protectedWave, sampleRate, height, duration]);

  const activeTrack = () => tracks.current[activeRef.current];

  const playPause = () => {
    const t = activeTrack();
    if (!t) return;
    if (!t.ws.isPlaying() && loopOn && loop) {
      const now = t.ws.getCurrentTime();
      if (now < loop.start || now >= loop.end) t.ws.setTime(loop.start);
    }
    void t.ws.playPause();
  };

  const choose = (side: Side) => {
    if (side === activeRef.current || !tracks.current[side]) return;
    const from = activeTrack();
    const to = tracks.current[side]!;
    const wasPlaying = from?.ws.isPlaying() ?? false;
    const t = from?.ws.getCurrentTime() ?? 0;
    from?.ws.pause();
    activeRef.current = side;
    setActive(side);
    to.ws.setTime(t);
    if (wasPlaying) void to.ws.play();
  };

  const seekTo = (t: number) => usePlayhead.getState().seek?.(Math.min(duration, Math.max(0, t)));

  const setLoopFromCursor = (edge: 'start' | 'end') => {
    const now = activeTrack()?.ws.getCurrentTime() ?? 0;
    const cur = loop ?? { start: 0, end: duration };
    let next =
      edge === 'start'
        ? { start: now, end: Math.max(cur.end, now + 0.1) }
        : { start: Math.min(cur.start, now - 0.1), end: now };
    next = { start: Math.max(0, next.start), end: Math.min(duration, next.end) };
    const color = cssVar('--loop', 'rgba(59, 91, 219, 0.18)');
    for (const tr of Object.values(tracks.current)) {
      tr?.regions.clearRegions();
    }
    // Adding to one track mirrors it to the other through the region-created handler.
    const first = tracks.current.a ?? tracks.current.b;
    first?.regions.addRegion({ id: 'loop', start: next.start, end: next.end, color });
    setLoop(next);
    setLoopOn(true);
  };

  const clearLoop = () => {
    for (const tr of Object.values(tracks.current)) tr?.regions.clearRegions();
    setLoop(null);
    setLoopOn(false);
  };

  const onKey = (e: KeyboardEvent) => {
    const actions: Record<string, () => void> = {
      ArrowLeft: () => seekTo(time - 1),
      ArrowRight: () => seekTo(time + 1),
      Home: () => seekTo(0),
      End: () => seekTo(duration),
      ' ': playPause,
    };
    const act = actions[e.key];
    if (act) {
      e.preventDefault();
      act();
    }
  };

  const isReady = ready.a && (!protectedWave || ready.b);
  const slider = (side: Side, label: string) => ({
    role: 'slider' as const,
    tabIndex: 0,
    'aria-label': `${label}: playback position (click or use arrow keys to seek, space to play)`,
    'aria-valuemin': 0,
    'aria-valuemax': Math.round(duration * 10) / 10,
    'aria-valuenow': Math.round(time * 10) / 10,
    'aria-valuetext': `${clock(time)} of ${clock(duration)}`,
    'data-active': active === side,
    onKeyDown: onKey,
  });

  return (
    <div className={`compare${props.compact ? ' compact' : ''}`}>
      <div className="compare-grid">
        <div className={`compare-col${active === 'a' ? ' audible' : ''}`}>
          <div className="compare-label">
            <span className="tag tag-a">A</span> Original
          </div>
          <div
            ref={boxA}
            className="waveform"
            data-testid="waveform"
            data-ready={ready.a}
            {...slider('a', 'Original')}
          />
          {props.belowOriginal}
        </div>
        <div className={`compare-col${active === 'b' ? ' audible' : ''}`}>
          <div className="compare-label">
            <span className="tag tag-b">B</span> {props.protectedLabel ?? 'Protected'}
          </div>
          {protectedWave ? (
            <div
              ref={boxB}
              className="waveform waveform-b"
              data-testid="waveform-protected"
              data-ready={ready.b}
              {...slider('b', props.protectedLabel ?? 'Protected')}
            />
          ) : (
            <div className="waveform waveform-empty" data-testid="waveform-protected-empty">
              {props.protectedPlaceholder}
            </div>
          )}
          {props.belowProtected}
        </div>
      </div>
      <div className="player-controls">
        <button
          type="button"
          className="button button-primary play"
          disabled={!ready.a}
          onClick={playPause}
          aria-label={playing ? 'Pause' : 'Play'}
          data-testid="play"
        >
          {playing ? (
            <svg viewBox="0 0 24 24" aria-hidden="true">
              <path d="M7 5h3v14H7zM14 5h3v14h-3z" fill="currentColor" />
            </svg>
          ) : (
            <svg viewBox="0 0 24 24" aria-hidden="true">
              <path d="M8 5v14l11-7z" fill="currentColor" />
            </svg>
          )}
        </button>
        <div className="segmented" role="group" aria-label="Listen to">
          <button type="button" aria-pressed={active === 'a'} onClick={() => choose('a')} data-testid="ab-original">
            A · Original
          </button>
          <button
            type="button"
            aria-pressed={active === 'b'}
            onClick={() => choose('b')}
            disabled={!protectedWave || !ready.b}
            data-testid="ab-protected"
          >
            B · {props.protectedLabel ?? 'Protected'}
          </button>
        </div>
        <div className="loop-controls" role="group" aria-label="Loop">
          <label className="check">
            <input
              type="checkbox"
              checked={loopOn}
              disabled={!loop}
              onChange={(e) => setLoopOn(e.currentTarget.checked)}
              data-testid="loop-toggle"
            />
            Loop {loop ? `${clock(loop.start)}–${clock(loop.end)}` : 'region'}
          </label>
          <button
            type="button"
            className="button button-small"
            disabled={!isReady}
            onClick={() => setLoopFromCursor('start')}
          >
            Start here
          </button>
          <button
            type="button"
            className="button button-small"
            disabled={!isReady}
            onClick={() => setLoopFromCursor('end')}
          >
            End here
          </button>
          {loop && (
            <button type="button" className="button button-small button-ghost" onClick={clearLoop}>
              Clear
            </button>
          )}
        </div>
        <span className="time" data-testid="player-time">
          {clock(time)} / {clock(duration)}
        </span>
      </div>
      {!loop && isReady && (
        <p className="hint">
          Tip: drag across a waveform to loop a region; A/B switches what you hear without losing the place.
        </p>
      )}
      {error && (
        <p className="inline-error" role="alert">
          Playback problem: {error}
        </p>
      )}
    </div>
  );
}
