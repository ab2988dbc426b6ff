/**
 * Spectra (for educators): what the protection did to the sound. Spectrograms of original, protected and their
 * difference on one colour scale with the pitch (F0) contours of both clips laid over them, band energies below/above
 * 2 kHz (the paper's Fig. 6 claim), and where SO and ER put their attention over frequency.
 */
import { useEffect, useState } from 'react';
import { SPECTRA_MAX_FRAMES, type ProtectResult, type Spectra } from '../../engine/api';
import { getEngine } from '../../engine/useEngine';
import { db, pct } from '../format';
import { errorText } from '../shared/jobs';
import { useAppStore, type Clip } from '../store';
import { binHz, shareAbove } from '../view/charts';
import { BandEnergyBars, LinePlot } from '../shared/Charts';
import { ComparePlayer } from '../shared/ComparePlayer';
import { METHOD_LABEL } from '../shared/methods';
import { ColorLegend, F0Legend, SpectrogramPanel, type F0Overlay } from './Spectrogram';

/** Spectra computed on demand (when a result came without them) are kept per result. */
const spectraCache = new WeakMap<ProtectResult, Spectra>();

function useSpectra(clip: Clip, result: ProtectResult): { spectra: Spectra | null; error: string | null } {
  const [state, setState] = useState<{ spectra: Spectra | null; error: string | null }>(() => ({
    spectra: result.spectra ?? spectraCache.get(result) ?? null,
    error: null,
  }));
  useEffect(() => {
    const have = result.spectra ?? spectraCache.get(result) ?? null;
    setState({ spectra: have, error: null });
    if (have) return;
    const controller = new AbortController();
    getEngine()
      .run(
        'spectra',
        { original: clip.samples, protected: result.wave, maxFrames: SPECTRA_MAX_FRAMES },
        { signal: controller.signal },
      )
      .then(
        (s) => {
          spectraCache.set(result, s);
          setState({ spectra: s, error: null });
        },
        (err: unknown) => {
          if (!controller.signal.aborted) setState({ spectra: null, error: errorText(err) });
        },
      );
    return () => controller.abort();
  }, [clip, result]);
  return state;
}

function Spectrograms({ clip, result }: { clip: Clip; result: ProtectResult }) {
  const { spectra, error } = useSpectra(clip, result);
  if (error) {
    return (
      <p className="inline-error" role="alert" data-testid="spectra-error">
        Could not compute the spectrograms: {error}
      </p>
    );
  }
  if (!spectra) {
    return (
      <p className="busy" role="status">
        <span className="spinner" aria-hidden="true" /> Computing spectrograms…
      </p>
    );
  }
  const range = { min: spectra.minDb, max: spectra.maxDb };
  const common = {
    frames: spectra.frames,
    bins: spectra.bins,
    range,
    maxHz: spectra.maxHz,
    durationSeconds: spectra.durationSeconds,
    spans: result.spans,
  };
  const f0 = spectra.f0;
  const axis = { hopS: f0.hopS, minHz: f0.minHz, maxHz: f0.maxHz };
  // The original's pitch on its own panel; both on the protected and difference panels, where a moved or broken
  // contour is what to look for.
  const originalOnly: F0Overlay = { ...axis, series: [{ kind: 'original', f0: f0.original }] };
  const both: F0Overlay = {
    ...axis,
    series: [
      { kind: 'original', f0: f0.original },
      { kind: 'protected', f0: f0.protected },
    ],
  };
  return (
    <div className="spectro-stack" data-testid="spectrograms">
      <SpectrogramPanel
        title="Original"
        db={spectra.original}
        {...common}
        f0={originalOnly}
        testId="spectro-original"
      />
      <SpectrogramPanel title="Protected" db={spectra.protected} {...common} f0={both} testId="spectro-protected" />
      <SpectrogramPanel
        title="Difference"
        description="the perturbation: protected − original"
        db={spectra.difference}
        {...common}
        f0={both}
        testId="spectro-difference"
      />
      <ColorLegend range={range} />
      <F0Legend kinds={['original', 'protected']} minHz={f0.minHz} maxHz={f0.maxHz} />
      <p className="hint">
        {spectra.nFft}-point STFT, {spectra.binHz.toFixed(2)} Hz per bin
        {spectra.framesPerColumn > 1 ? `, ${spectra.framesPerColumn} frames averaged per column` : ''}. The dashed line
        marks 2 kHz.
      </p>
    </div>
  );
}

function BandsCard({ result }: { result: ProtectResult }) {
  const r = result.perturbation;
  return (
    <section className="card" aria-labelledby="bands-title" data-testid="bands-card">
      <h2 className="card-title" id="bands-title">
        Where the energy is
      </h2>
      <p className="muted small">
        The paper's claim (Fig. 6): Aclipse moves energy above 2 kHz, where the formant detail that carries words lives,
        and leaves the low band, where pitch and loudness carry much of the emotion, largely alone.
      </p>
      <BandEnergyBars
        original={r.original}
        protected={r.protected}
        perturbation={r.perturbation}
        testId="band-energy"
      />
      <dl className="facts facts-tight">
        <div>
          <dt>Below 2 kHz</dt>
          <dd data-testid="low-change">{db(r.lowChangeDb)} change</dd>
        </div>
        <div>
          <dt>Above 2 kHz</dt>
          <dd data-testid="high-change">{db(r.highChangeDb)} change</dd>
        </div>
        <div>
          <dt>SNR</dt>
          <dd>{db(r.snrDb)}</dd>
        </div>
      </dl>
    </section>
  );
}

function AttentionCard({ result }: { result: ProtectResult }) {
  const att = result.attention;
  if (!att) {
    return (
      <section className="card" aria-labelledby="att-title" data-testid="attention-card">
        <h2 className="card-title" id="att-title">
          Attention over frequency
        </h2>
        <p className="muted">
          {METHOD_LABEL[result.method]} has no attention to show: only Aclipse's SO and ER modules learn where to look.
          Protect the clip with Aclipse to see it.
        </p>
      </section>
    );
  }
  const nFft = Math.round(16000 / att.binHz);
  const toPoints = (a: Float32Array) => Array.from(a, (y, k) => ({ x: binHz(k, nFft, 16000), y }));
  const soHigh = shareAbove(att.so, nFft, 16000);
  const erHigh = shareAbove(att.er, nFft, 16000);
  return (
    <section className="card" aria-labelledby="att-title" data-testid="attention-card">
      <h2 className="card-title" id="att-title">
        Attention over frequency
      </h2>
      <p className="muted small">
        Each module's channel attention, averaged over the clip, for each of the {att.so.length} STFT bins. SO
        (semantics-obfuscating) should lean on the bands that carry words; ER (emotion-retaining) on those that carry
        emotion.
      </p>
      <LinePlot
        title="SO and ER attention"
        series={[
          { name: 'SO', points: toPoints(att.so) },
          { name: 'ER', points: toPoints(att.er), dashed: true },
        ]}
        xLabel="Frequency (Hz)"
        yLabel="Attention"
        xDomain={[0, 8000]}
        markers={[{ x: 2000, label: '2 kHz' }]}
        formatX={(v) => (v >= 1000 ? `${v / 1000}k` : String(v))}
        testId="attention-plot"
        summary={`SO puts ${pct(soHigh, 0)} of its attention above 2 kHz, ER ${pct(erHigh, 0)}.`}
      />
      <dl className="facts facts-tight">
        <div>
          <dt>SO above 2 kHz</dt>
          <dd data-testid="so-high">{pct(soHigh, 0)}</dd>
        </div>
        <div>
          <dt>ER above 2 kHz</dt>
          <dd data-testid="er-high">{pct(erHigh, 0)}</dd>
        </div>
      </dl>
    </section>
  );
}

export function SpectraTab() {
  const clips = useAppStore((s) => s.clips);
  const protections = useAppStore((s) => s.protections);
  const selectedId = useAppStore((s) => s.selectedClipId);
  const select = useAppStore((s) => s.selectClip);
  const setTab = useAppStore((s) => s.setTab);
  const done = clips.filter((c) => protections[c.id]?.result);
  const clip = done.find((c) => c.id === selectedId) ?? done[0] ?? null;
  const result = clip ? protections[clip.id]!.result! : null;

  if (!clip || !result) {
    return (
      <div className="card empty" data-testid="spectra-empty">
        <h2>Nothing to compare yet</h2>
        <p>Protect a clip first; this tab then shows what changed in its spectrum, and where.</p>
        <p>
          <button
            type="button"
            className="button button-primary"
            onClick={() => {
              setTab('protect');
              history.replaceState(null, '', `${location.pathname}${location.search}#protect`);
            }}
          >
            Go to Protect
          </button>
        </p>
      </div>
    );
  }

  return (
    <div className="spectra-layout">
      <section className="card spectra-main" aria-labelledby="spectra-title">
        <header className="clip-header">
          <h2 className="card-title" id="spectra-title">
            Spectrograms
          </h2>
          {done.length > 1 && (
            <label className="inline-field">
              Clip{' '}
              <select value={clip.id} onChange={(e) => select(e.currentTarget.value)} data-testid="spectra-clip">
                {done.map((c) => (
                  <option key={c.id} value={c.id}>
                    {c.name}
                  </option>
                ))}
              </select>
            </label>
          )}
        </header>
        <p className="muted small">
          {clip.name} · {METHOD_LABEL[result.method]} at ≥ {result.budgetDb} dB. Play to follow along; click a
          spectrogram to jump there.
        </p>
        <ComparePlayer
          key={clip.id}
          original={clip.samples}
          protectedWave={result.wave}
          sampleRate={clip.sampleRate}
          height={48}
          compact
        />
        <Spectrograms clip={clip} result={result} />
      </section>
      <div className="spectra-side">
        <BandsCard result={result} />
        <AttentionCard result={result} />
      </div>
    </div>
  );
}
