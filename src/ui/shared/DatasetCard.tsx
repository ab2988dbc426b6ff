/**
 * The dataset picker, shared by the Evaluate and Train tabs: open the demo set or a folder (IEMOCAP or a manifest),
 * pick among the open ones, and see what is in it.
 */
import { useEffect, useRef, useState } from 'react';
import { isAbortError } from '../../core/abort';
import { formatDuration } from '../../core/audio';
import type { DatasetInfo } from '../../engine/api';
import { filesSourceFromInput } from '../../engine/files';
import { openDataset, selectDataset } from './jobs';
import { activeDataset, useAppStore } from '../store';
import { InlineMessages } from './Messages';

type Format = 'auto' | 'iemocap' | 'manifest';

function Counts({ title, counts }: { title: string; counts: Record<string, number> }) {
  const entries = Object.entries(counts);
  if (!entries.length) return null;
  return (
    <div className="counts">
      <span className="counts-title">{title}</span>
      {entries.map(([k, v]) => (
        <span key={k} className="pill-static">
          {k} <strong>{v}</strong>
        </span>
      ))}
    </div>
  );
}

export function DatasetSummary({ d }: { d: DatasetInfo }) {
  return (
    <div className="dataset-summary" data-testid="dataset-summary" data-clips={d.clips}>
      <p className="lead-sm">
        <strong>{d.name}</strong> · {d.format === 'iemocap' ? 'IEMOCAP' : 'manifest'} · {d.clips} clips
        {d.hours !== null ? ` · ${formatDuration(d.hours * 3600)}` : ''} · {d.withText} with transcripts
      </p>
      <Counts title="Emotion" counts={d.byEmotion} />
      <Counts title="Split" counts={d.bySplit} />
      {Object.keys(d.byFold).length > 0 && <Counts title="Fold" counts={d.byFold} />}
      {d.reportText && (
        <details className="details">
          <summary>Load report</summary>
          <pre className="report">{d.reportText}</pre>
        </details>
      )}
    </div>
  );
}

export function DatasetCard({ purpose }: { purpose: 'evaluate' | 'train' }) {
  const datasets = useAppStore((s) => s.datasets);
  const active = useAppStore(activeDataset);
  const busy = useAppStore((s) => s.datasetBusy);
  const engineReady = useAppStore((s) => s.engine?.phase === 'ready');
  const [format, setFormat] = useState<Format>('auto');
  const folderInput = useRef<HTMLInputElement>(null);
  const canPickDirectory = typeof window !== 'undefined' && 'showDirectoryPicker' in window;

  // React does not know the non-standard attribute; set it on the element.
  useEffect(() => {
    folderInput.current?.setAttribute('webkitdirectory', '');
  }, []);

  return (
    <section className="card" aria-labelledby={`ds-title-${purpose}`} data-testid="dataset-card">
      <h2 className="card-title" id={`ds-title-${purpose}`}>
        Dataset
      </h2>
      <div className="row">
        <button
          type="button"
          className="button"
          disabled={!engineReady || !!busy}
          onClick={() => void openDataset({ kind: 'demo' }, 'manifest', 'the demo set')}
          data-testid="open-demo"
        >
          Demo set
        </button>
        <button
          type="button"
          className="button"
          disabled={!engineReady || !!busy}
          onClick={() => folderInput.current?.click()}
          data-testid="open-folder"
        >
          Load a folder…
        </button>
        {canPickDirectory && (
          <button
            type="button"
            className="button button-ghost"
            title="Reads the files straight from the folder as they are needed (Chromium)"
            disabled={!engineReady || !!busy}
            onClick={async () => {
              try {
                const handle = await (
                  window as unknown as { showDirectoryPicker(): Promise<FileSystemDirectoryHandle> }
                ).showDirectoryPicker();
                await openDataset({ kind: 'directory', handle }, format, `“${handle.name}”`);
              } catch (err) {
                if (!isAbortError(err)) throw err;
              }
            }}
          >
            Open a folder in place…
          </button>
        )}
        <input
          ref={folderInput}
          type="file"
          multiple
          hidden
          aria-label="Choose a dataset folder"
          data-testid="folder-input"
          onChange={(e) => {
            const files = [...(e.currentTarget.files ?? [])];
            e.currentTarget.value = '';
            if (!files.length) return;
            const top = files[0]!.webkitRelativePath.split('/')[0] || undefined;
            void openDataset(filesSourceFromInput(files, top), format, top ? `“${top}”` : 'the folder');
          }}
        />
      </div>
      <div className="row">
        <label className="inline-field">
          Format{' '}
          <select
            value={format}
            onChange={(e) => setFormat(e.currentTarget.value as Format)}
            data-testid="dataset-format"
          >
            <option value="auto">detect</option>
            <option value="iemocap">IEMOCAP (IEMOCAP_full_release)</option>
            <option value="manifest">manifest (manifest.jsonl / .csv)</option>
          </select>
        </label>
      </div>
      <p className="hint">
        A folder can be IEMOCAP (its sessions and EmoEvaluation files) or any folder with a manifest.jsonl/.csv (path,
        text, emotion, split). You can also drop a folder on this page. Files are read here, never uploaded.
      </p>
      {busy && (
        <p className="busy" role="status">
          <span className="spinner" aria-hidden="true" /> {busy}
        </p>
      )}
      <InlineMessages prefixes={['dataset:']} />
      {datasets.length > 1 && (
        <label className="inline-field">
          Use{' '}
          <select
            value={active?.id ?? ''}
            onChange={(e) => selectDataset(e.currentTarget.value)}
            data-testid="dataset-select"
          >
            {datasets.map((d) => (
              <option key={d.id} value={d.id}>
                {d.name} ({d.clips} clips)
              </option>
            ))}
          </select>
        </label>
      )}
      {active ? <DatasetSummary d={active} /> : !busy && <p className="muted">No dataset open yet.</p>}
    </section>
  );
}

/** Split choices of a dataset: its splits, its folds, and "all". */
export function splitOptions(d: DatasetInfo | null): { value: string; label: string }[] {
  if (!d) return [];
  return [
    ...Object.entries(d.bySplit).map(([k, n]) => ({ value: k, label: `${k} (${n})` })),
    ...Object.entries(d.byFold).map(([k, n]) => ({ value: `fold${k}`, label: `fold ${k} (${n})` })),
    { value: '', label: `all clips (${d.clips})` },
  ];
}
