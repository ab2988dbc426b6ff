import type { ExternalClaim } from '../../engine/api';
import { pct } from '../format';

function setLabel(c: ExternalClaim): string {
  return c.set === 'real'
    ? `${c.clips} real sentences (human voices)`
    : `${c.clips} held-out synthetic sentences (${c.set})`;
}

/**
 * What the shipped weights were measured to do against recognizers they never trained against, from the external
 * report. Labelled as a measurement on named sets: it says nothing certain about the user's own clip.
 */
export function ExternalClaims({ claims }: { claims: ExternalClaim[] }) {
  if (!claims.length) return null;
  return (
    <details className="external-claims" data-testid="external-claims">
      <summary>Measured against recognizers these weights never trained against</summary>
      <ul>
        {claims.map((c, i) => (
          <li key={i}>
            <strong>{c.attacker}</strong>, {setLabel(c)}, {c.budgetDb} dB budget: word error rate {pct(c.cleanWer)} on
            the originals, <strong>{pct(c.protectedWer)}</strong> after protection, {pct(c.noiseWer)} with white noise
            of the same energy.
          </li>
        ))}
      </ul>
      <p className="hint small">
        A measurement on these sets (<code>{claims[0]!.command}</code>), not on your clip: another voice, microphone or
        recognizer can do better or worse.
      </p>
    </details>
  );
}
