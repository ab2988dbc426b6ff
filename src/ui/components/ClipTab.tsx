import { useMemo } from 'react';
import { clipStats, formatDuration } from '../../core/audio';
import { downloadClip } from '../audio/download';
import { dbfs } from '../format';
import { selectedClip, useAppStore, type Clip } from '../store';
import { ClipInput } from './ClipInput';
import { Waveform } from './Waveform';

const SOURCE_LABEL: Record<Clip['source'], string> = { file: 'File', microphone: 'Microphone', derived: 'Derived' };

function ClipLibrary() {
  const clips = useAppStore((s) => s.clips);
  const selectedId = useAppStore((s) => s.selectedClipId);
  const select = useAppStore((s) => s.selectClip);
  if (clips.length === 0) return null;
  return (
    <div className="card">
      <h2 className="card-title">
        Clips <span className="count">{clips.length}</span>
      </h2>
      <ul className="clip-list" data-testid="clip-list">
        {clips.map((c) => (
          <li key={c.id}>
            <button
              type="button"
              className="clip-item"
              aria-current={c.id === selectedId ? 'true' : undefined}
              onClick={() => select(c.id)}
            >
              <span className="clip-item-name">{c.name}</span>
              <span className="clip-item-meta">
                {SOURCE_LABEL[c.source]} · {formatDuration(c.duration)}
              </span>
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}

function ClipCard({ clip }: { clip: Clip }) {
  const remove = useAppStore((s) => s.removeClip);
  const stats = useMemo(() => clipStats(clip.samples, clip.sampleRate), [clip]);
  return (
    <article className="card clip-card" data-testid="clip-card" aria-labelledby="clip-title">
      <header className="clip-header">
        <div>
          <h2 className="clip-title" id="clip-title" data-testid="clip-name">
            {clip.name}
          </h2>
          <p className="clip-detail">{clip.detail}</p>
        </div>
        <div className="clip-actions">
          <button type="button" className="button button-primary" onClick={() => downloadClip(clip)} data-testid="download">
            <svg viewBox="0 0 24 24" aria-hidden="true" className="button-icon">
              <path d="M11 4h2v9l3-3 1.4 1.4L12 16.8 6.6 11.4 8 10l3 3zM5 18h14v2H5z" fill="currentColor" />
            </svg>
            Download WAV
          </button>
          <button type="button" className="button button-ghost" onClick={() => remove(clip.id)} aria-label={`Remove ${clip.name}`}>
            Remove
          </button>
        </div>
      </header>
      <dl className="facts">
        <div>
          <dt>Duration</dt>
          <dd data-testid="clip-duration">{formatDuration(clip.duration)}</dd>
        </div>
        <div>
          <dt>Format</dt>
          <dd>16 kHz mono</dd>
        </div>
        <div>
          <dt>Peak</dt>
          <dd>{dbfs(stats.peak)}</dd>
        </div>
        <div>
          <dt>Source</dt>
          <dd>{SOURCE_LABEL[clip.source]}</dd>
        </div>
      </dl>
      <Waveform clip={clip} />
    </article>
  );
}

export function ClipTab() {
  const clip = useAppStore(selectedClip);
  return (
    <div className="clip-layout">
      <div className="clip-side">
        <ClipInput />
        <ClipLibrary />
      </div>
      <div className="clip-main">
        {clip ? (
          <ClipCard clip={clip} />
        ) : (
          <div className="card empty" data-testid="empty-state">
            <h2>No clip yet</h2>
            <p>
              Load or record a voice clip to start. It stays in this tab: nothing is uploaded, and you can download it
              again as a 16-bit WAV at any time.
            </p>
          </div>
        )}
      </div>
    </div>
  );
}
