/**
 * WAV (RIFF/WAVE) encoding and decoding. Pure TypeScript, no DOM, no tfjs: used by the UI, the worker and Node scripts.
 *
 * Encoding always writes mono 16-bit PCM, the app's interchange format. Decoding accepts what real-world tools write:
 * PCM 8/16/24/32-bit, IEEE float 32/64-bit, WAVE_FORMAT_EXTENSIBLE, extra chunks (LIST, fact, bext, ...) including
 * odd-sized ones with their pad byte, and streaming writers that leave the data size at 0 or 0xFFFFFFFF.
 */

export class WavError extends Error {
  override name = 'WavError';
}

const WAVE_FORMAT_PCM = 0x0001;
const WAVE_FORMAT_IEEE_FLOAT = 0x0003;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;

/**
 * Float sample in [-1, 1] to int16. Scaling by 32768 (not 32767) makes decode→encode bit-exact on the int16 grid and
 * keeps a round trip within 0.5 LSB everywhere except the clipped top code (within 1 LSB).
 */
function floatToInt16(x: number): number {
  if (!(x === x)) return 0; // NaN: silence rather than garbage
  const v = Math.round(x * 32768);
  return v > 32767 ? 32767 : v < -32768 ? -32768 : v;
}

/** Encodes mono samples (nominally in [-1, 1]; values outside are clipped) as a 16-bit PCM WAV file. */
export function encodeWav(samples: Float32Array, sampleRate: number): Uint8Array {
  if (!Number.isFinite(sampleRate) || sampleRate <= 0 || Math.round(sampleRate) !== sampleRate) {
    throw new WavError(`Invalid sample rate: ${sampleRate}`);
  }
  const dataBytes = samples.length * 2;
  if (dataBytes > 0xffffffff - 36) throw new WavError('Clip too long for a WAV file (over 4 GB)');
  const out = new Uint8Array(44 + dataBytes);
  const view = new DataView(out.buffer);
  const ascii = (offset: number, s: string) => {
    for (let i = 0; i < s.length; i++) out[offset + i] = s.charCodeAt(i);
  };
  ascii(0, 'RIFF');
  view.setUint32(4, 36 + dataBytes, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, WAVE_FORMAT_PCM, true);
  view.setUint16(22, 1, true); // channels
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * 2, true); // byte rate
  view.setUint16(32, 2, true); // block align
  view.setUint16(34, 16, true); // bits per sample
  ascii(36, 'data');
  view.setUint32(40, dataBytes, true);
  for (let i = 0; i < samples.length; i++) view.setInt16(44 + i * 2, floatToInt16(samples[i]!), true);
  return out;
}

export interface DecodedWav {
  sampleRate: number;
  /** One Float32Array per channel, samples in [-1, 1] (float files may exceed it; they are passed through). */
  channels: Float32Array[];
}

interface FmtChunk {
  format: number;
  channels: number;
  sampleRate: number;
  blockAlign: number;
  bitsPerSample: number;
}

function readFourCC(bytes: Uint8Array, offset: number): string {
  return String.fromCharCode(bytes[offset]!, bytes[offset + 1]!, bytes[offset + 2]!, bytes[offset + 3]!);
}

function parseFmt(view: DataView, offset: number, size: number): FmtChunk {
  if (size < 16) throw new WavError('Corrupt WAV: fmt chunk is too short');
  let format = view.getUint16(offset, true);
  const channels = view.getUint16(offset + 2, true);
  const sampleRate = view.getUint32(offset + 4, true);
  const blockAlign = view.getUint16(offset + 12, true);
  const bitsPerSample = view.getUint16(offset + 14, true);
  if (format === WAVE_FORMAT_EXTENSIBLE) {
    // cbSize(2) validBits(2) channelMask(4) then the SubFormat GUID, whose first two bytes are the real format tag.
    if (size < 40) throw new WavError('Corrupt WAV: WAVE_FORMAT_EXTENSIBLE fmt chunk is too short');
    format = view.getUint16(offset + 24, true);
  }
  return { format, channels, sampleRate, blockAlign, bitsPerSample };
}

/** Decodes a WAV file into per-channel Float32Arrays. Throws WavError with a readable message on bad input. */
export function decodeWav(input: ArrayBuffer | Uint8Array): DecodedWav {
  const bytes = input instanceof Uint8Array ? input : new Uint8Array(input);
  if (bytes.length === 0) throw new WavError('The file is empty');
  if (bytes.length < 12 || readFourCC(bytes, 0) !== 'RIFF' || readFourCC(bytes, 8) !== 'WAVE') {
    throw new WavError('Not a WAV file (no RIFF/WAVE header)');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);

  let fmt: FmtChunk | null = null;
  let dataOffset = -1;
  let dataSize = 0;
  let pos = 12;
  while (pos + 8 <= bytes.length) {
    const id = readFourCC(bytes, pos);
    const size = view.getUint32(pos + 4, true);
    const body = pos + 8;
    if (id === 'fmt ') {
      if (body + 16 > bytes.length) {
        throw new WavError('Corrupt WAV: fmt chunk is truncated');
      }
      fmt = parseFmt(view, body, Math.min(size, bytes.length - body));
    } else if (id === 'data') {
      dataOffset = body;
      // Streaming writers leave 0 or 0xFFFFFFFF here; a truncated file claims more than it has. Take what exists.
      const available = bytes.length - body;
      dataSize = size === 0 || size > available ? available : size;
      if (fmt) break; // everything needed is known; trailing chunks are irrelevant
    }
    // Chunks are word-aligned: an odd-sized chunk is followed by one pad byte.
    const next = body + size + (size & 1);
    if (next <= pos) break;
    pos = next;
  }

  if (!fmt) throw new WavError('Corrupt WAV: no fmt chunk');
  if (dataOffset < 0) throw new WavError('Corrupt WAV: no data chunk');
  const { format, channels: nch, sampleRate, bitsPerSample } = fmt;
  if (nch < 1) throw new WavError('Corrupt WAV: zero channels');
  if (sampleRate < 1) throw new WavError('Corrupt WAV: sample rate is zero');
  const bytesPerSample = bitsPerSample / 8;
  if (format === WAVE_FORMAT_PCM) {
    if (![8, 16, 24, 32].includes(bitsPerSample)) {
      throw new WavError(`Unsupported WAV: ${bitsPerSample}-bit PCM (8, 16, 24 and 32-bit are supported)`);
    }
  } else if (format === WAVE_FORMAT_IEEE_FLOAT) {
    if (bitsPerSample !== 32 && bitsPerSample !== 64) {
      throw new WavError(`Unsupported WAV: ${bitsPerSample}-bit float`);
    }
  } else {
    throw new WavError(
      `Unsupported WAV encoding (format tag 0x${format.toString(16)}); only PCM and IEEE float are supported`,
    );
  }
  // Some writers put nonsense in blockAlign; the frame size follows from channels × container size.
  const frameBytes = nch * bytesPerSample;
  const frames = Math.floor(dataSize / frameBytes);
  const channels: Float32Array[] = [];
  for (let c = 0; c < nch; c++) channels.push(new Float32Array(frames));

  for (let f = 0; f < frames; f++) {
    const frameStart = dataOffset + f * frameBytes;
    for (let c = 0; c < nch; c++) {
      const o = frameStart + c * bytesPerSample;
      let v: number;
      if (format === WAVE_FORMAT_IEEE_FLOAT) {
        v = bitsPerSample === 32 ? view.getFloat32(o, true) : view.getFloat64(o, true);
      } else if (bitsPerSample === 16) {
        v = view.getInt16(o, true) / 32768;
      } else if (bitsPerSample === 8) {
        v = (bytes[o]! - 128) / 128; // 8-bit WAV is unsigned
      } else if (bitsPerSample === 24) {
        const u = bytes[o]! | (bytes[o + 1]! << 8) | (bytes[o + 2]! << 16);
        v = ((u << 8) >> 8) / 8388608; // sign-extend 24 → 32 bits
      } else {
        v = view.getInt32(o, true) / 2147483648;
      }
      channels[c]![f] = v;
    }
  }
  return { sampleRate, channels };
}
