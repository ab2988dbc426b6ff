/**
 * What the shipped generator was measured to do against recognizers it never trained against: one line per external
 * attacker, set and budget, taken from an external report (`npm run eval -- --parts external`) by
 * `npm run eval:claims`, shipped as public/models/aclipse/claims.json and shown on Protect labelled as a measurement
 * on a named set, not on the user's clip. Plain TS.
 */
import { sameBand } from './bands';
import { LIVE_DEFAULTS } from './live';

export interface ExternalClaim {
  /** Attacker label as the report names it ("Whisper tiny.en"). */
  attacker: string;
  /** 'real' (human speech) or the synthetic split the report read ('test'). */
  set: string;
  clips: number;
  budgetDb: number;
  /** WER on the untouched clips, on the protected clips, and on white noise at the same SNR as each protected clip. */
  cleanWer: number;
  protectedWer: number;
  noiseWer: number;
  /** The command that produced the report, and when. */
  command: string;
  date: string | null;
  /**
   * Measured on Live protection's output (the stream, hop by hop, budget on the running energy) rather than on
   * whole-clip protection. Absent in files written before live streams were measured: those are whole-clip.
   */
  live?: boolean;
  /** The stream's settings when `live` (LIVE_DEFAULTS then): a claim made with other settings says nothing now. */
  liveSettings?: LiveSettings;
}

export type LiveSettings = { readonly [K in keyof typeof LIVE_DEFAULTS]: number };

/** Whether a live claim was measured with the settings the app streams with now. */
export function sameLiveSettings(s: LiveSettings | undefined): boolean {
  if (!s || typeof s !== 'object') return false;
  return (Object.keys(LIVE_DEFAULTS) as (keyof LiveSettings)[]).every((k) => s[k] === LIVE_DEFAULTS[k]);
}

export interface ClaimsFile {
  format: 'aclipse-claims/1';
  /** SHA-256 (hex) of the generator's weights.bin the claims were made for: other weights get no claims. */
  weightsSha256: string;
  claims: ExternalClaim[];
}

/** The subset of an external report.json that claims are made from. */
export interface ExternalReportLike {
  command: string;
  date?: string;
  /** The report read the live stream's output (`npm run eval -- --external-live`). */
  live?: boolean;
  /** With `live`: the stream's settings. */
  liveSettings?: LiveSettings;
  attackers: { id: string; label: string }[];
  sets: {
    name: string;
    clips: number;
    summaries: {
      method: string;
      budgetDb: number | null;
      /** Aclipse rows: the SHA-256 of the weights that protected them (reports since 2026-12-07). */
      weightsSha256?: string;
      external?: Record<string, { wer: { rate: number }; werNoise?: { rate: number } | null } | undefined> | null;
    }[];
  }[];
}

/** One claim per attacker × set × Aclipse budget of the report; sets without an original row are skipped. */
export function claimsFromReport(
  report: ExternalReportLike,
  date: string | null = report.date ?? null,
): ExternalClaim[] {
  const out: ExternalClaim[] = [];
  for (const set of report.sets) {
    const original = set.summaries.find((s) => s.method === 'original');
    for (const s of set.summaries) {
      if (s.method !== 'aclipse' || s.budgetDb === null) continue;
      for (const a of report.attackers) {
        const clean = original?.external?.[a.id];
        const prot = s.external?.[a.id];
        if (!clean || !prot?.werNoise) continue;
        out.push({
          attacker: a.label,
          set: set.name,
          clips: set.clips,
          budgetDb: s.budgetDb,
          cleanWer: clean.wer.rate,
          protectedWer: prot.wer.rate,
          noiseWer: prot.werNoise.rate,
          command: report.command,
          date,
          ...(report.live ? { live: true, ...(report.liveSettings ? { liveSettings: report.liveSettings } : {}) } : {}),
        });
      }
    }
  }
  return out;
}

/**
 * Reads a claims.json for generator weights with the given SHA-256; anything malformed, or claims made for other
 * weights, reads as no claims (the app then claims nothing).
 */
export function parseClaims(json: unknown, weightsSha256: string): ExternalClaim[] {
  if (!json || typeof json !== 'object' || (json as ClaimsFile).format !== 'aclipse-claims/1') return [];
  if ((json as ClaimsFile).weightsSha256 !== weightsSha256) return [];
  const claims = (json as ClaimsFile).claims;
  if (!Array.isArray(claims)) return [];
  const num = (v: unknown) => typeof v === 'number' && Number.isFinite(v);
  return claims.filter(
    (c) =>
      c &&
      typeof c.attacker === 'string' &&
      typeof c.set === 'string' &&
      num(c.clips) &&
      num(c.budgetDb) &&
      num(c.cleanWer) &&
      num(c.protectedWer) &&
      num(c.noiseWer) &&
      typeof c.command === 'string' &&
      (c.live === undefined || typeof c.live === 'boolean') &&
      (c.liveSettings === undefined || (typeof c.liveSettings === 'object' && c.liveSettings !== null)),
  );
}

/**
 * The claims a screen may show for the chosen budget: measured the way that screen protects (on the live stream with
 * the settings it streams with now, or on whole clips) and with the weights that serve the budget.
 */
export function claimsShown(
  claims: readonly ExternalClaim[],
  bands: readonly { fromDb: number }[],
  budgetDb: number,
  live: boolean,
): ExternalClaim[] {
  return sameBand(
    claims.filter((c) => (c.live === true) === live && (!live || sameLiveSettings(c.liveSettings))),
    bands,
    budgetDb,
  );
}
