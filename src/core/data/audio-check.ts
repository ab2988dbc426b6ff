import { isOtherAudioPath, isWavPath, PROBE_BYTES, type ReportBuilder } from './dataset';
import { probeWavHeader } from './probe';
import type { FileRef } from './source';

export interface AudioCheck {
  ok: boolean;
  duration: number | null;
}

/**
 * Checks audio files by their headers (a few KB each), with bounded concurrency, and records unreadable ones in the
 * report. Non-WAV audio is accepted only when the caller can decode it (browser), otherwise reported as unsupported.
 */
export async function checkAudio(
  refs: FileRef[],
  report: ReportBuilder,
  opts: { probe: boolean; allowOtherAudio: boolean },
): Promise<AudioCheck[]> {
  const out: AudioCheck[] = new Array(refs.length);
  let next = 0;
  const worker = async () => {
    while (next < refs.length) {
      const i = next++;
      const ref = refs[i]!;
      if (!isWavPath(ref.path)) {
        if (opts.allowOtherAudio && isOtherAudioPath(ref.path)) out[i] = { ok: true, duration: null };
        else {
          report.skip(isOtherAudioPath(ref.path) ? 'unsupported_audio' : 'unreadable_audio', ref.path);
          out[i] = { ok: false, duration: null };
        }
        continue;
      }
      if (!opts.probe) {
        out[i] = { ok: true, duration: null };
        continue;
      }
      try {
        const head = ref.readHead ? await ref.readHead(PROBE_BYTES) : await ref.read();
        const p = probeWavHeader(head, ref.size);
        if (p.ok) out[i] = { ok: true, duration: p.header.duration };
        else {
          report.skip('unreadable_audio', `${ref.path} (${p.reason})`);
          out[i] = { ok: false, duration: null };
        }
      } catch (e) {
        report.skip('unreadable_audio', `${ref.path} (${e instanceof Error ? e.message : String(e)})`);
        out[i] = { ok: false, duration: null };
      }
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  return out;
}
