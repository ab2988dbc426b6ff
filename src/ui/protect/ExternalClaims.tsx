import type { ExternalClaim } from '../../engine/api';
import { pct } from '../format';

function setLabel(c: ExternalClaim): string {
  return c.set === 'real'
    ? `${c.clips} real sentences (human voices)`
    : `${c.clips} held-out synthetic sentences (${c.set})`;
}

/** Whose speech a claim was measured on, in words a user can weigh. */
function voices(c: ExternalClaim): string {
  return c.set === 'real' ? 'real human voice' : `synthetic voices, ${c.set}`;
}

/** A measured budget this far from the user's still says something about theirs. */
const NEAR_DB = 5;
/** Protected WER within this of same-energy noise's: the protection earned nothing over noise there. */
const NO_GAIN = 0.05;

/** The measured budget closest to `budgetDb`, when one is within NEAR_DB. */
function nearestBudget(claims: ExternalClaim[], budgetDb: number | undefined): number | null {
  if (budgetDb === undefined) return null;
  let best: number | null = null;
  for (const c of claims)
    if (best === null || Math.abs(c.budgetDb - budgetDb) < Math.abs(best - budgetDb)) best = c.budgetDb;
  return best !== null && Math.abs(best - budgetDb) <= NEAR_DB ? best : null;
}

/**
 * What the shipped weights were measured to do against recognizers they never trained against, from the external
 * report. Labelled as a measurement on named sets: it says nothing certain about the user's own clip. Where the
 * measurement closest to the chosen budget found no gain over noise, that is said outside the fold, because it is
 * the one thing the user must not miss.
 */
export function ExternalClaims({
  claims,
  budgetDb,
  live = false,
}: {
  claims: ExternalClaim[];
  budgetDb?: number;
  /** The claims were measured on the live stream (shown on the Live card). */
  live?: boolean;
}) {
  if (!claims.length) return null;
  const near = nearestBudget(claims, budgetDb);
  const weak = claims.filter((c) => c.budgetDb === near && c.protectedWer - c.noiseWer < NO_GAIN);
  const ordered = [...claims.filter((c) => c.budgetDb === near), ...claims.filter((c) => c.budgetDb !== near)];
  const commands = [...new Set(claims.map((c) => c.command))];
  return (
    <>
      {weak.length > 0 && (
        <p className="hint warn-text" role="status" data-testid="claims-no-gain">
          Measured at {near} dB{near === budgetDb ? '' : ', the closest measured budget to yours'}
          {live ? ' on the live stream' : ''}: these weights hid no more words than white noise of the same energy from{' '}
          {weak
            .map((c) => `${c.attacker} (${voices(c)}: ${pct(c.protectedWer)} against ${pct(c.noiseWer)})`)
            .join(', ')}
          . A lower budget changes the clip more and protects it.
        </p>
      )}
      <details className="external-claims" data-testid={live ? 'live-claims' : 'external-claims'}>
        <summary>
          {live
            ? 'Live stream, measured against recognizers these weights never trained against'
            : 'Measured against recognizers these weights never trained against'}
        </summary>
        <ul>
          {ordered.map((c, i) => (
            <li key={i}>
              <strong>{c.attacker}</strong>, {setLabel(c)}, {c.budgetDb} dB budget: word error rate {pct(c.cleanWer)} on
              the originals, <strong>{pct(c.protectedWer)}</strong> after protection, {pct(c.noiseWer)} with white noise
              of the same energy.
            </li>
          ))}
        </ul>
        <p className="hint small">
          A measurement on these sets (
          {commands.map((cmd, i) => (
            <span key={cmd}>
              {i > 0 ? '; ' : ''}
              <code>{cmd}</code>
            </span>
          ))}
          {live ? ', each clip streamed as this card streams your voice' : ''}), not on your {live ? 'voice' : 'clip'}:
          another voice, microphone or recognizer can do better or worse.
        </p>
      </details>
    </>
  );
}
