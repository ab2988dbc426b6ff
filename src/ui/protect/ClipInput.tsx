import { useEffect, useRef, useState } from 'react';
import { MAX_DURATION_S, MIN_DURATION_S, formatDuration } from '../../core/audio';
import { addClipFromFile, addClipsFromFiles, reportInputError } from '../actions';
import { startRecording, type RecorderHandle } from '../audio/record';
import { clock } from '../format';
import { demoClips, loadDemoClip, type DemoClip } from './jobs';
import { useAppStore } from '../store';
import { InlineMessages } from '../shared/Messages';

const ACCEPT = 'audio/*,video/webm,video/mp4,.wav,.mp3,.ogg,.oga,.opus,.flac,.webm,.m4a,.mp4,.aac';

let recordingCount = 0;

function Recorder() {
  const [handle, setHandle] = useState<RecorderHandle | null>(null);
  const [starting, setStarting] = useState(false);
  const [elapsed, setElapsed] = useState(0);
  const [level, setLevel] = useState(0);
  const stopRef = useRef<() => void>(() => undefined);

  useEffect(() => {
    if (!handle) return;
    let raf = 0;
    const tick = () => {
      setElapsed((performance.now() - handle.startedAt) / 1000);
      setLevel(handle.level());
      raf = requestAnimationFrame(tick);
    };
    raf = requestAnimationFrame(tick);
    return () => cancelAnimationFrame(raf);
  }, [handle]);

  // Leaving the tab mid-recording releases the microphone.
  useEffect(() => () => handle?.cancel(), [handle]);

  const stop = async () => {
    if (!handle) return;
    const h = handle;
    setHandle(null);
    try {
      const blob = await h.stop();
      const name = `Recording ${++recordingCount}`;
      const ext = blob.type.includes('ogg') ? 'ogg' : blob.type.includes('mp4') ? 'm4a' : 'webm';
      await addClipFromFile(new File([blob], `${name}.${ext}`, { type: blob.type }), 'microphone', name);
    } catch (err) {
      reportInputError(err, 'recording-failed');
    }
  };
  stopRef.current = () => void stop();

  const start = async () => {
    setStarting(true);
    try {
      const h = await startRecording(() => {
        useAppStore
          .getState()
          .notify(
            'warning',
            `Recording stopped at the ${formatDuration(MAX_DURATION_S)} limit.`,
            'input:recording-limit',
          );
        stopRef.current();
      });
      setElapsed(0);
      setHandle(h);
    } catch (err) {
      reportInputError(err, 'mic-failed');
    } finally {
      setStarting(false);
    }
  };

  if (handle) {
    return (
      <div className="recorder recording" data-testid="recorder">
        <span className="rec-dot" aria-hidden="true" />
        <span className="rec-time" aria-live="off">
          {clock(elapsed)}
        </span>
        <meter className="rec-level" min={0} max={0.5} value={Math.min(0.5, level)} aria-label="Input level" />
        <button type="button" className="button button-danger" onClick={() => void stop()} data-testid="record-stop">
          Stop
        </button>
        <button type="button" className="button button-ghost" onClick={() => (handle.cancel(), setHandle(null))}>
          Discard
        </button>
      </div>
    );
  }
  return (
    <button type="button" className="button" onClick={() => void start()} disabled={starting} data-testid="record">
      <svg viewBox="0 0 24 24" aria-hidden="true" className="button-icon">
        <path
          d="M12 14a3 3 0 0 0 3-3V5a3 3 0 0 0-6 0v6a3 3 0 0 0 3 3zm5-3a5 5 0 0 1-10 0H5a7 7 0 0 0 6 6.9V21h2v-3.1A7 7 0 0 0 19 11z"
          fill="currentColor"
        />
      </svg>
      {starting ? 'Opening microphone…' : 'Record'}
    </button>
  );
}

/** A short list of the demo set's clips (served from this app), to try the app without any audio of one's own. */
function DemoPicker() {
  const [list, setList] = useState<DemoClip[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [choice, setChoice] = useState('');
  const [loading, setLoading] = useState(false);
  useEffect(() => {
    let live = true;
    demoClips().then(
      (l) => {
        if (!live) return;
        setList(l);
        setChoice(l[0]?.id ?? '');
      },
      (e: unknown) => live && setError(e instanceof Error ? e.message : String(e)),
    );
    return () => {
      live = false;
    };
  }, []);
  if (error) return <p className="hint">Demo clips unavailable: {error}</p>;
  if (!list?.length) return null;
  return (
    <div className="demo-picker">
      <label htmlFor="demo-clip" className="field-label">
        Or try a demo clip
      </label>
      <div className="row">
        <select
          id="demo-clip"
          value={choice}
          onChange={(e) => setChoice(e.currentTarget.value)}
          data-testid="demo-select"
        >
          {list.map((d) => (
            <option key={d.id} value={d.id}>
              {d.emotion} · “{d.text}”
            </option>
          ))}
        </select>
        <button
          type="button"
          className="button"
          disabled={loading}
          data-testid="demo-load"
          onClick={async () => {
            const d = list.find((x) => x.id === choice);
            if (!d) return;
            setLoading(true);
            await loadDemoClip(d);
            setLoading(false);
          }}
        >
          Load
        </button>
      </div>
    </div>
  );
}

export function ClipInput() {
  const input = useRef<HTMLInputElement>(null);
  const busy = useAppStore((s) => s.busy);
  return (
    <div className="card input-card">
      <h2 className="card-title">Add audio</h2>
      <div
        className="dropzone"
        onClick={(e) => {
          if (e.target === e.currentTarget) input.current?.click();
        }}
      >
        <svg viewBox="0 0 24 24" aria-hidden="true" className="dropzone-icon">
          <path d="M12 3l5 5h-3v6h-4V8H7zM5 17h14v3H5z" fill="currentColor" />
        </svg>
        <p>
          Drop a voice clip here, or{' '}
          <button
            type="button"
            className="link-button"
            onClick={() => input.current?.click()}
            data-testid="choose-file"
          >
            choose a file
          </button>
        </p>
        <p className="hint">
          WAV, MP3, OGG/Opus, FLAC, WebM, M4A · {MIN_DURATION_S} s to {formatDuration(MAX_DURATION_S)} · converted to 16
          kHz mono
        </p>
        <input
          ref={input}
          type="file"
          accept={ACCEPT}
          multiple
          hidden
          data-testid="file-input"
          aria-label="Choose audio files"
          onChange={(e) => {
            const files = Array.from(e.currentTarget.files ?? []);
            e.currentTarget.value = ''; // picking the same file again must fire change again
            void addClipsFromFiles(files);
          }}
        />
      </div>
      <div className="input-actions">
        <Recorder />
        <span className="busy" role="status" aria-live="polite" data-testid="busy">
          {busy && (
            <>
              <span className="spinner" aria-hidden="true" />
              {busy}
            </>
          )}
        </span>
      </div>
      <DemoPicker />
      <InlineMessages prefixes={['input:']} />
    </div>
  );
}
