/**
 * Reads a WAV header from the first bytes of a file to learn format and duration without decoding the audio: the
 * loaders check thousands of clips this way before any of them is decoded (full decoding is src/core/audio's decodeWav).
 */

export interface WavHeader {
  sampleRate: number;
  channels: number;
  bitsPerSample: number;
  /** Seconds, or null when the data chunk lies beyond the probed bytes or declares no size (streamed files). */
  duration: number | null;
}

export type ProbeResult = { ok: true; header: WavHeader } | { ok: false; reason: string };

export function probeWavHeader(head: ArrayBuffer, fileSize?: number): ProbeResult {
  const b = new Uint8Array(head);
  if (b.length === 0) return { ok: false, reason: 'empty file' };
  const tag = (o: number) => String.fromCharCode(b[o]!, b[o + 1]!, b[o + 2]!, b[o + 3]!);
  if (b.length < 12 || tag(0) !== 'RIFF' || tag(8) !== 'WAVE') return { ok: false, reason: 'not a WAV file' };
  const v = new DataView(head);
  let pos = 12;
  let fmt: { sampleRate: number; channels: number; bits: number; byteRate: number } | null = null;
  while (pos + 8 <= b.length) {
    const id = tag(pos);
    const size = v.getUint32(pos + 4, true);
    if (id === 'fmt ') {
      if (pos + 24 > b.length) return { ok: false, reason: 'truncated fmt chunk' };
      fmt = {
        channels: v.getUint16(pos + 10, true),
        sampleRate: v.getUint32(pos + 12, true),
        byteRate: v.getUint32(pos + 16, true),
        bits: v.getUint16(pos + 22, true),
      };
      if (fmt.channels < 1 || fmt.sampleRate < 1 || fmt.bits < 8) return { ok: false, reason: 'corrupt fmt chunk' };
    } else if (id === 'data') {
      if (!fmt) return { ok: false, reason: 'data chunk before fmt chunk' };
      let bytes = size;
      if (fileSize !== undefined) {
        const available = fileSize - (pos + 8);
        if (available <= 0) return { ok: false, reason: 'no audio data' };
        if (size === 0 || size === 0xffffffff || size > available) bytes = available;
      } else if (size === 0 || size === 0xffffffff) {
        return { ok: true, header: { ...hdr(fmt), duration: null } };
      }
      if (bytes === 0) return { ok: false, reason: 'no audio data' };
      return { ok: true, header: { ...hdr(fmt), duration: fmt.byteRate > 0 ? bytes / fmt.byteRate : null } };
    }
    const next = pos + 8 + size + (size & 1);
    if (next <= pos) break;
    pos = next;
  }
  if (!fmt) return { ok: false, reason: pos + 8 > b.length ? 'header larger than probe' : 'no fmt chunk' };
  return { ok: true, header: { ...hdr(fmt), duration: null } };
}

function hdr(f: { sampleRate: number; channels: number; bits: number }): Omit<WavHeader, 'duration'> {
  return { sampleRate: f.sampleRate, channels: f.channels, bitsPerSample: f.bits };
}
