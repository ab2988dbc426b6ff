/**
 * Says when the evaluators' readings of a clip cannot be trusted: the SER and ASR know only the seven synthetic
 * voices they were trained on, and on other voices their transcript and emotion are guesses that look as confident
 * as real readings. The verdict comes from the worker (ClipAnalysis.domain, calibrated by `npm run eval:domain`).
 */
import type { DomainVerdict } from '../../engine/api';

/** True when the transcript and emotion of a clip with this verdict should be shown as readings (or when unknown). */
export function readingsReliable(domain: DomainVerdict | null | undefined): boolean {
  return !domain || domain.verdict === 'in-domain';
}

function capitalise(s: string): string {
  return s ? s[0]!.toUpperCase() + s.slice(1) : s;
}

/**
 * The notice for the ORIGINAL clip's verdict. A protected clip is judged by its original: the protection is made to
 * confuse the recognizer, so its own verdict says nothing about the voice.
 */
export function DomainNotice({
  domain,
  testId = 'domain-notice',
}: {
  domain: DomainVerdict | null | undefined;
  testId?: string;
}) {
  if (!domain || domain.verdict === 'in-domain') return null;
  if (domain.verdict === 'no-speech') {
    return (
      <div className="domain-notice" role="note" data-testid={testId} data-verdict="no-speech">
        <p className="domain-notice-title">No speech found in this clip</p>
        <p>
          {domain.reasons.map(capitalise).join('. ')}. There are no words or emotion to read, so the transcript and
          emotion are left out.
        </p>
      </div>
    );
  }
  return (
    <div
      className="domain-notice"
      role="note"
      data-testid={testId}
      data-verdict="out-of-domain"
      data-score={domain.score.toFixed(3)}
    >
      <p className="domain-notice-title">The transcript and emotion are unreliable for this voice</p>
      <p>
        The speech and emotion models here were trained on seven synthetic voices, and this voice does not look like
        them:
      </p>
      <ul className="domain-notice-reasons">
        {domain.reasons.map((r) => (
          <li key={r}>{capitalise(r)}.</li>
        ))}
      </ul>
      <p>
        Read the transcript, the word changes and word timings, and the emotion below as guesses. The protected audio
        still stays within the budget, but these models cannot tell how well it hides the words.
      </p>
    </div>
  );
}
