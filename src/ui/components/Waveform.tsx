import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import WaveSurfer from 'wavesurfer.js';
import { encodeWav } from '../../core/audio';
import { clock } from '../format';
import type { Clip } from '../store';

/** Signed max-magnitude per bucket: enough points for any screen, cheap for a 10-minute clip. */
function peaks(samples: Float32Array, buckets = 6000): Float32Array {
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

function colors() {
  const s = getComputedStyle(document.documentElement);
  const v = (name: string, fallback: string) => s.getPropertyValue(name).trim() || fallback;
  return { waveColor: v('--wave', '#9aa7c7'), progressColor: v('--wave-progress', '#3b5bdb'), cursorColor: v('--accent', '#3b5bdb') };
}

export function Waveform({ clip }: { clip: Clip }) {
  const container = useRef<HTMLDivElement>(null);
  const ws = useRef<WaveSurfer | null>(null);
  const [ready, setReady] = useState(false);
  const [playing, setPlaying] = useState(false);
  const [time, setTime] = useState(0);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!container.current) return;
    setReady(false);
    setPlaying(false);
    setTime(0);
    setError(null);
    const w = WaveSurfer.create({
      container: container.current,
      height: 120,
      barWidth: 2,
      barGap: 1,
      barRadius: 2,
      normalize: true,
      dragToSeek: true,
      ...colors(),
    });
    ws.current = w;
    const unsubscribe = [
      w.on('ready', () => setReady(true)),
      w.on('play', () => setPlaying(true)),
      w.on('pause', () => setPlaying(false)),
      w.on('finish', () => setPlaying(false)),
      w.on('timeupdate', (t) => setTime(t)),
      w.on('error', (e) => setError(e.message)),
    ];
    // Playback uses the 16-bit WAV of the clip (what a download gives); the waveform comes from the float samples.
    const blob = new Blob([encodeWav(clip.samples, clip.sampleRate) as BlobPart], { type: 'audio/wav' });
    w.loadBlob(blob, [peaks(clip.samples)], clip.duration).catch((e: unknown) => {
      if (!(e instanceof DOMException && e.name === 'AbortError')) setError(e instanceof Error ? e.message : String(e));
    });
    const scheme = matchMedia('(prefers-color-scheme: dark)');
    const recolor = () => w.setOptions(colors());
    scheme.addEventListener('change', recolor);
    return () => {
      scheme.removeEventListener('change', recolor);
      for (const u of unsubscribe) u();
      ws.current = null;
      w.destroy();
    };
  }, [clip]);

  const seekBy = (delta: number) => {
    const w = ws.current;
    if (w) w.setTime(Math.min(clip.duration, Math.max(0, w.getCurrentTime() + delta)));
  };
  const onKey = (e: KeyboardEvent) => {
    const w = ws.current;
    if (!w) return;
    const actions: Record<string, () => void> = {
      ArrowLeft: () => seekBy(-1),
      ArrowRight: () => seekBy(1),
      Home: () => w.setTime(0),
      End: () => w.setTime(clip.duration),
      ' ': () => void w.playPause(),
    };
    const act = actions[e.key];
    if (act) {
      e.preventDefault();
      act();
    }
  };

  return (
    <div className="player">
      <div
        ref={container}
        className="waveform"
        data-testid="waveform"
        data-ready={ready}
        role="slider"
        tabIndex={0}
        aria-label="Playback position (click or use arrow keys to seek, space to play)"
        aria-valuemin={0}
        aria-valuemax={Math.round(clip.duration * 10) / 10}
        aria-valuenow={Math.round(time * 10) / 10}
        aria-valuetext={`${clock(time)} of ${clock(clip.duration)}`}
        onKeyDown={onKey}
      />
      <div className="player-controls">
        <button
          type="button"
          className="button button-primary play"
          disabled={!ready}
          onClick={() => void ws.current?.playPause()}
          aria-label={playing ? 'Pause' : 'Play'}
          data-testid="play"
        >
          {playing ? (
            <svg viewBox="0 0 24 24" aria-hidden="true"><path d="M7 5h3v14H7zM14 5h3v14h-3z" fill="currentColor" /></svg>
          ) : (
            <svg viewBox="0 0 24 24" aria-hidden="true"><path d="M8 5v14l11-7z" fill="currentColor" /></svg>
          )}
        </button>
        <button type="button" className="button" disabled={!ready} onClick={() => seekBy(-5)} aria-label="Back 5 seconds">
          −5 s
        </button>
        <button type="button" className="button" disabled={!ready} onClick={() => seekBy(5)} aria-label="Forward 5 seconds">
          +5 s
        </button>
        <span className="time" data-testid="player-time">
          {clock(time)} / {clock(clip.duration)}
        </span>
      </div>
      {error && (
        <p className="inline-error" role="alert">
          Playback problem: {error}
        </p>
      )}
    </div>
  );
}
