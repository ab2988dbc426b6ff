/**
 * "Protect only what you choose": the parts of a clip to hide, marked by dragging regions on its waveform
 * (wavesurfer.js Regions) or by clicking words of its transcript (their times come from the recognizer's CTC
 * alignment). The store's span list is the one truth; regions and word chips are two views of it.
 */
import { useEffect, useRef } from 'react';
import WaveSurfer from 'wavesurfer.js';
import RegionsPlugin from 'wavesurfer.js/dist/plugins/regions.esm.js';
import { encodeWav } from '../../core/audio';
import type { Span } from '../../core/spans';
import { findWords } from './jobs';
import { EMPTY_SELECTION, useAppStore, type Clip } from '../store';
import { regionsToSpans, spanLabel, toggleWord } from '../view/spans';
import { peaks } from '../shared/ComparePlayer';
import { readingsReliable } from './DomainNotice';

function cssVar(name: string, fallback: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}

/** The original's waveform with one region per span; drawing, moving or resizing a region edits the spans. */
function SpanWaveform({ clip, spans, onChange }: { clip: Clip; spans: Span[]; onChange: (spans: Span[]) => void }) {
  const box = useRef<HTMLDivElement>(null);
  const regionsRef = useRef<RegionsPlugin | null>(null);
  const readyRef = useRef(false);
  /** Set while the regions are redrawn from the store, so those events are not taken as the user's edits. */
  const syncing = useRef(false);
  const onChangeRef = useRef(onChange);
  onChangeRef.current = onChange;
  const spansRef = useRef(spans);
  spansRef.current = spans;

  const draw = (list: Span[]) => {
    const regions = regionsRef.current;
    if (!regions || !readyRef.current) return;
    syncing.current = true;
    regions.clearRegions();
    const color = cssVar('--span', 'rgba(224, 49, 49, 0.22)');
    for (const s of list) regions.addRegion({ start: s.start, end: s.end, color, drag: true, resize: true });
    syncing.current = false;
  };

  useEffect(() => {
    if (!box.current) return;
    const regions = RegionsPlugin.create();
    const ws = WaveSurfer.create({
      container: box.current,
      height: 72,
      barWidth: 2,
      barGap: 1,
      normalize: true,
      interact: false,
      waveColor: cssVar('--wave', '#9aa7c7'),
      progressColor: cssVar('--wave', '#9aa7c7'),
      cursorWidth: 0,
      plugins: [regions],
    });
    regionsRef.current = regions;
    readyRef.current = false;
    const blob = new Blob([encodeWav(clip.samples, clip.sampleRate) as BlobPart], { type: 'audio/wav' });
    void ws.loadBlob(blob, [peaks(clip.samples)], clip.duration).catch(() => undefined);
    regions.enableDragSelection({ color: cssVar('--span', 'rgba(224, 49, 49, 0.22)') });
    const commit = () => {
      if (syncing.current) return;
      onChangeRef.current(
        regionsToSpans(
          regions.getRegions().map((r) => ({ start: r.start, end: r.end })),
          clip.duration,
        ),
      );
    };
    const offs = [
      ws.on('ready', () => {
        readyRef.current = true;
        box.current?.setAttribute('data-ready', 'true');
        draw(spansRef.current);
      }),
      regions.on('region-created', commit),
      regions.on('region-updated', commit),
      regions.on('region-removed', commit),
      // A double click on a region removes it.
      regions.on('region-double-clicked', (r) => r.remove()),
    ];
    return () => {
      for (const off of offs) off();
      regionsRef.current = null;
      ws.destroy();
    };
  }, [clip]);

  // Redraw only when the spans differ from what the regions already show (the user's own drag comes back here).
  useEffect(() => {
    const regions = regionsRef.current;
    if (!regions) return;
    const shown = regionsToSpans(
      regions.getRegions().map((r) => ({ start: r.start, end: r.end })),
      clip.duration,
    );
    const same =
      shown.length === spans.length &&
      shown.every((s, i) => Math.abs(s.start - spans[i]!.start) < 1e-6 && Math.abs(s.end - spans[i]!.end) < 1e-6);
    if (!same || regions.getRegions().length !== spans.length) draw(spans);
  }, [spans, clip.duration]);

  return (
    <div
      ref={box}
      className="waveform span-waveform"
      data-testid="span-waveform"
      data-ready="false"
      aria-label="Original waveform: drag across it to mark a part to protect; drag a mark's edges to adjust it; double-click a mark to remove it"
      role="img"
    />
  );
}

export function SpanEditor({ clip }: { clip: Clip }) {
  const sel = useAppStore((s) => s.spanSelections[clip.id] ?? EMPTY_SELECTION);
  const patch = useAppStore((s) => s.patchSpans);
  const busy = useAppStore((s) => s.busy);
  // The analysis itself, not an object made from it: a selector that builds a new object each call never settles.
  const analyzed = useAppStore((s) => s.protections[clip.id]?.result?.original ?? null);
  const known = sel.words ?? (analyzed?.words ? { words: analyzed.words, domain: analyzed.domain } : null);
  const reliable = known ? readingsReliable(known.domain) : true;
  const setSpans = (spans: Span[]) => patch(clip.id, { spans });
  const reading = busy === 'Reading the words…';

  return (
    <section className="span-editor" aria-labelledby="span-title" data-testid="span-editor">
      <div className="row">
        <h3 className="probs-title" id="span-title">
          What to protect
        </h3>
        <div className="segmented" role="group" aria-label="What to protect">
          <button
            type="button"
            aria-pressed={!sel.enabled}
            onClick={() => patch(clip.id, { enabled: false })}
            data-testid="scope-whole"
          >
            The whole clip
          </button>
          <button
            type="button"
            aria-pressed={sel.enabled}
            onClick={() => patch(clip.id, { enabled: true })}
            data-testid="scope-spans"
          >
            Only the parts I mark
          </button>
        </div>
      </div>
      {sel.enabled && (
        <>
          <p className="hint">
            Drag across the waveform to mark a part (drag its edges to adjust, double-click to remove)
            {reliable ? ', or click words below' : ''}. Only the marked parts change; every other sample stays exactly
            the original.
          </p>
          <SpanWaveform clip={clip} spans={sel.spans} onChange={setSpans} />
          {known && !reliable && (
            <p className="inline-warning" role="status" data-testid="span-words-unreliable">
              The recognizer does not know this voice, so its word timings may be wrong: mark the parts on the waveform
              instead.
            </p>
          )}
          {known && reliable && known.words.length > 0 && (
            <div
              className="word-picker"
              role="group"
              aria-label="Words: click to mark or unmark"
              data-testid="word-picker"
            >
              {known.words.map((w, i) => {
                const mid = (w.start + w.end) / 2;
                const on = sel.spans.some((s) => mid >= s.start && mid < s.end);
                return (
                  <button
                    key={`${i}-${w.start}`}
                    type="button"
                    className={`word-chip${on ? ' on' : ''}`}
                    aria-pressed={on}
                    title={`${w.start.toFixed(2)}–${w.end.toFixed(2)} s`}
                    onClick={() => setSpans(toggleWord(sel.spans, known.words, i, clip.duration))}
                    data-testid="word-chip"
                  >
                    {w.word}
                  </button>
                );
              })}
            </div>
          )}
          {known && reliable && known.words.length === 0 && (
            <p className="muted small">The recognizer found no words; mark the parts on the waveform.</p>
          )}
          {!known && (
            <p className="hint">
              <button
                type="button"
                className="button button-small"
                disabled={reading}
                onClick={() => void findWords(clip.id)}
                data-testid="find-words"
              >
                {reading ? 'Reading the words…' : 'Show the words to pick from'}
              </button>{' '}
              (the speech recognizer reads the clip; nothing leaves the browser)
            </p>
          )}
          <ul className="span-list" data-testid="span-list">
            {sel.spans.map((s, i) => (
              <li key={`${s.start}-${s.end}`} data-testid="span-row">
                {spanLabel(s)}
                <button
                  type="button"
                  className="button button-small button-ghost"
                  onClick={() => setSpans(sel.spans.filter((_, k) => k !== i))}
                  aria-label={`Unmark ${spanLabel(s)}`}
                >
                  Unmark
                </button>
              </li>
            ))}
          </ul>
          {sel.spans.length === 0 ? (
            <p className="inline-warning" role="status" data-testid="spans-empty">
              Nothing is marked yet: Protect needs at least one part.
            </p>
          ) : (
            <button type="button" className="button button-small button-ghost" onClick={() => setSpans([])}>
              Unmark all
            </button>
          )}
        </>
      )}
    </section>
  );
}
