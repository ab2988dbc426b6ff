/**
 * "Emotion cues kept": how much of the original's pitch melody, voicing, loudness pattern and speaking rate survive in
 * the protected clip. Measured from the sound alone (src/core/cues), so unlike the emotion classifier's verdict these
 * numbers mean the same on any voice.
 */
import { CUE_METRICS, type CueMetric, type CueRetention } from '../../core/cues';

/** How each metric reads: correlations with two decimals, shares and changes in percent, the pitch gap in semitones. */
export function formatCue(metric: CueMetric, value: number): string {
  if (!Number.isFinite(value)) return '—';
  switch (metric) {
    case 'f0Correlation':
    case 'loudnessCorrelation':
      return value.toFixed(2).replace('-', '−');
    case 'f0RmseSemitones':
      return `${value.toFixed(1)} st`;
    case 'voicingAgreement':
      return `${Math.round(value * 100)} %`;
    case 'syllableRateChange': {
      const p = Math.round(value * 100);
      return p === 0 ? '0 %' : `${p > 0 ? '+' : '−'}${Math.abs(p)} %`;
    }
  }
}

/** The extra context a number needs in its tooltip (what it was computed over). */
function detail(metric: CueMetric, c: CueRetention): string {
  switch (metric) {
    case 'f0Correlation':
    case 'f0RmseSemitones':
      return `Compared over ${c.f0Frames} moments (10 ms each) where both clips are voiced.`;
    case 'voicingAgreement':
      return `Over ${c.voicingFrames} moments (10 ms each) where the original makes a sound.`;
    case 'loudnessCorrelation':
      return `Over ${c.loudnessFrames} moments (10 ms each) within 40 dB of the original's loudest.`;
    case 'syllableRateChange':
      return `${Number.isFinite(c.syllableRateOriginal) ? c.syllableRateOriginal.toFixed(1) : '—'} → ${
        Number.isFinite(c.syllableRateProcessed) ? c.syllableRateProcessed.toFixed(1) : '—'
      } syllables per second of speech.`;
  }
}

export function CueRetentionBlock({ cues, testId = 'cue-retention' }: { cues: CueRetention; testId?: string }) {
  return (
    <section className="cues-block" aria-labelledby={`${testId}-title`} data-testid={testId}>
      <h3 className="probs-title" id={`${testId}-title`}>
        Emotion cues kept
      </h3>
      <p className="hint">Measured from the sound itself, no model involved, so these hold for any voice.</p>
      <dl className="facts facts-tight cues-facts">
        {CUE_METRICS.map((m) => {
          const value = cues[m.key];
          const why = cues.reasons[m.key];
          const tip = `${m.explain} ${why ?? detail(m.key, cues)}`;
          return (
            <div
              key={m.key}
              title={tip}
              data-testid={`cue-${m.key}`}
              data-value={Number.isFinite(value) ? value.toFixed(4) : 'NaN'}
            >
              <dt>{m.label}</dt>
              <dd>
                {formatCue(m.key, value)}
                {why && <span className="cues-sr-only"> ({why})</span>}
              </dd>
            </div>
          );
        })}
      </dl>
      <details className="cues-legend">
        <summary>What do these numbers mean?</summary>
        <ul>
          {CUE_METRICS.map((m) => (
            <li key={m.key}>
              <strong>{m.label}</strong> (fully kept: {formatCue(m.key, m.ideal)}). {m.explain}
              {cues.reasons[m.key] ? <em className="cue-why"> Not measured here: {cues.reasons[m.key]}</em> : null}
            </li>
          ))}
        </ul>
      </details>
    </section>
  );
}
