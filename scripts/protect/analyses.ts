/**
 * What `npm run protect -- --report/--json` adds to each file beyond the shipped evaluators: the external
 * recognizers' transcripts of the original and the protected clip (when their environment is installed).
 */
import { CUE_METRICS, compareCues, type CueRetention } from '../../src/core/cues';
import { wer } from '../../src/core/metrics/scores';
import { normalizeText, spellNumbers } from '../../src/core/text/normalize';
import {
  ATTACKERS_SETUP_COMMAND,
  attackersInstalled,
  startAttackers,
  type AttackerKind,
  type AttackerOptions,
} from '../../src/core/node/attackers';
import type { ProtectReportRecord, RecordAnalysis } from './report';

export interface ExternalReading {
  /** Normalised transcripts (digits spelled out), as scored. */
  original: string;
  protected: string;
  /** WER of the protected transcript against the original's: how much of what the recognizer heard is gone. */
  werVsOriginal: number;
}

declare module './report' {
  interface ProtectReportExtensions {
    /** Label-free emotion-cue retention of the protected clip against the original (holds on any voice). */
    cues?: CueRetention;
    /** External recognizers (Whisper tiny.en, PocketSphinx), by attacker id. */
    attackers?: Partial<Record<AttackerKind, ExternalReading>>;
  }
}

/** The attackers' analysis, or null with the reason when their environment is missing. */
export async function attackersAnalysis(
  root = process.cwd(),
  opts: AttackerOptions = {},
): Promise<{ analysis: RecordAnalysis | null; note: string | null }> {
  if (!opts.command && !attackersInstalled(root)) {
    return {
      analysis: null,
      note: `external recognizers skipped: their environment is not installed (${ATTACKERS_SETUP_COMMAND})`,
    };
  }
  const attackers = await startAttackers(undefined, { root, ...opts });
  const read = async (wave: Float32Array) =>
    Object.fromEntries(
      await Promise.all(
        attackers.map(async (a) => [a.kind, normalizeText(spellNumbers((await a.transcribe(wave)).text))] as const),
      ),
    );
  return {
    note: null,
    analysis: {
      id: 'attackers',
      async analyze(original, protectedWave) {
        const [before, after] = await Promise.all([read(original), read(protectedWave)]);
        const out: Partial<Record<AttackerKind, ExternalReading>> = {};
        for (const a of attackers) {
          const o = before[a.kind] ?? '';
          const p = after[a.kind] ?? '';
          out[a.kind] = { original: o, protected: p, werVsOriginal: o ? wer([o], [p]).rate : NaN };
        }
        return { attackers: out };
      },
      lines(r: ProtectReportRecord) {
        return Object.entries(r.attackers ?? {}).flatMap(([id, v]) => [
          `  ${attackers.find((a) => a.kind === id)?.label ?? id}  original:  “${v.original}”`,
          `  ${' '.repeat((attackers.find((a) => a.kind === id)?.label ?? id).length)}  protected: “${v.protected}” (WER vs original ${Number.isFinite(v.werVsOriginal) ? (v.werVsOriginal * 100).toFixed(0) : '–'} %)`,
        ]);
      },
      dispose() {
        void Promise.all(attackers.map((a) => a.close()));
      },
    },
  };
}

/** Emotion cues kept (F0, voicing, loudness, rate): no model, so the numbers hold on any voice. */
export function cuesAnalysis(): RecordAnalysis {
  return {
    id: 'cues',
    async analyze(_original, _protectedWave, _record, shared) {
      const c = shared.cues();
      return { cues: compareCues(c.original, c.protected) };
    },
    lines(r: ProtectReportRecord) {
      const c = r.cues;
      if (!c) return [];
      const f = (x: number, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : '–');
      return [
        `cues kept   F0 correlation ${f(c.f0Correlation)}, F0 RMSE ${f(c.f0RmseSemitones)} st, voicing agreement ${f(c.voicingAgreement)}, ` +
          `loudness correlation ${f(c.loudnessCorrelation)}, speaking rate ${Number.isFinite(c.syllableRateChange) ? `${c.syllableRateChange >= 0 ? '+' : ''}${(c.syllableRateChange * 100).toFixed(0)} %` : '–'}`,
        ...Object.entries(c.reasons).map(
          ([k, why]) => `            ${CUE_METRICS.find((m) => m.key === k)?.label ?? k}: ${why}`,
        ),
      ];
    },
  };
}
