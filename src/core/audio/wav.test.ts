import { describe, expect, it } from 'vitest';
import { decodeWav, encodeWav, WavError } from './wav';

const LSB = 1 / 32768;

/** Builds a WAV file by hand so the decoder is tested against layouts our encoder never writes. */
function buildWav(opts: {
  format: number;
  channels: number;
  sampleRate: number;
  bits: number;
  data: Uint8Array;
  extensibleSubFormat?: number;
  extraChunks?: { id: string; body: Uint8Array }[];
  dataSizeField?: number;
  dataFirst?: boolean;
}): Uint8Array {
  const chunks: Uint8Array[] = [];
  const chunk = (id: string, body: Uint8Array, sizeField = body.length) => {
    const padded = body.length + (body.length & 1);
    const c = new Uint8Array(8 + padded);
    for (let i = 0; i < 4; i++) c[i] = id.charCodeAt(i);
    new DataView(c.buffer).setUint32(4, sizeField, true);
    c.set(body, 8);
    return c;
  };
  const ext = opts.extensibleSubFormat !== undefined;
  const fmt = new Uint8Array(ext ? 40 : 16);
  const v = new DataView(fmt.buffer);
  const blockAlign = (opts.channels * opts.bits) / 8;
  v.setUint16(0, ext ? 0xfffe : opts.format, true);
  v.setUint16(2, opts.channels, true);
  v.setUint32(4, opts.sampleRate, true);
  v.setUint32(8, opts.sampleRate * blockAlign, true);
  v.setUint16(12, blockAlign, true);
  v.setUint16(14, opts.bits, true);
  if (ext) {
    v.setUint16(16, 22, true);
    v.setUint16(18, opts.bits, true);
    v.setUint32(20, opts.channels === 2 ? 3 : 4, true);
    v.setUint16(24, opts.extensibleSubFormat!, true);
    // rest of the KSDATAFORMAT GUID
    fmt.set([0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71], 26);
  }
  const fmtChunk = chunk('fmt ', fmt);
  const dataChunk = chunk('data', opts.data, opts.dataSizeField ?? opts.data.length);
  for (const e of opts.extraChunks ?? []) chunks.push(chunk(e.id, e.body));
  if (opts.dataFirst) chunks.push(dataChunk, fmtChunk);
  else chunks.push(fmtChunk, dataChunk);
  const total = 12 + chunks.reduce((a, c) => a + c.length, 0);
  const out = new Uint8Array(total);
  out.set([0x52, 0x49, 0x46, 0x46], 0);
  new DataView(out.buffer).setUint32(4, total - 8, true);
  out.set([0x57, 0x41, 0x56, 0x45], 8);
  let pos = 12;
  for (const c of chunks) {
    out.set(c, pos);
    pos += c.length;
  }
  return out;
}

function randomSignal(n: number, seed = 1): Float32Array {
  let s = seed;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (s * 1664525 + 1013904223) >>> 0;
    out[i] = (s / 0xffffffff) * 2 - 1;
  }
  return out;
}

describe('encodeWav', () => {
  it('writes a canonical 44-byte-header mono 16-bit PCM file', () => {
    const bytes = encodeWav(new Float32Array([0, 0.5, -0.5, 1]), 16000);
    const v = new DataView(bytes.buffer);
    const str = (o: number) => String.fromCharCode(...bytes.slice(o, o + 4));
    expect(bytes.length).toBe(44 + 8);
    expect(str(0)).toBe('RIFF');
    expect(v.getUint32(4, true)).toBe(bytes.length - 8);
    expect(str(8)).toBe('WAVE');
    expect(str(12)).toBe('fmt ');
    expect(v.getUint32(16, true)).toBe(16);
    expect(v.getUint16(20, true)).toBe(1);
    expect(v.getUint16(22, true)).toBe(1);
    expect(v.getUint32(24, true)).toBe(16000);
    expect(v.getUint32(28, true)).toBe(32000);
    expect(v.getUint16(32, true)).toBe(2);
    expect(v.getUint16(34, true)).toBe(16);
    expect(str(36)).toBe('data');
    expect(v.getUint32(40, true)).toBe(8);
    expect([0, 1, 2, 3].map((i) => v.getInt16(44 + 2 * i, true))).toEqual([0, 16384, -16384, 32767]);
  });

  it('clips out-of-range values and maps NaN to 0', () => {
    const bytes = encodeWav(new Float32Array([2, -3, NaN, Infinity, -Infinity]), 8000);
    const v = new DataView(bytes.buffer);
    expect([0, 1, 2, 3, 4].map((i) => v.getInt16(44 + 2 * i, true))).toEqual([32767, -32768, 0, 32767, -32768]);
  });

  it('rejects a bad sample rate', () => {
    expect(() => encodeWav(new Float32Array(4), 0)).toThrow(WavError);
    expect(() => encodeWav(new Float32Array(4), 44100.5)).toThrow(WavError);
  });
});

describe('round trip', () => {
  it('encode → decode is within 1 LSB for random audio (within 0.5 LSB below full scale)', () => {
    const x = randomSignal(48000);
    const { sampleRate, channels } = decodeWav(encodeWav(x, 16000));
    expect(sampleRate).toBe(16000);
    expect(channels).toHaveLength(1);
    expect(channels[0]!.length).toBe(x.length);
    let maxErr = 0;
    let maxErrBelowTop = 0;
    for (let i = 0; i < x.length; i++) {
      const e = Math.abs(channels[0]![i]! - x[i]!);
      maxErr = Math.max(maxErr, e);
      if (x[i]! < 32767 / 32768) maxErrBelowTop = Math.max(maxErrBelowTop, e);
    }
    expect(maxErr).toBeLessThanOrEqual(LSB);
    expect(maxErrBelowTop).toBeLessThanOrEqual(LSB / 2 + 1e-9);
  });

  it('decode → encode is bit-exact on 16-bit data', () => {
    const ints = new Int16Array([-32768, -32767, -1, 0, 1, 12345, 32767]);
    const first = encodeWav(
      Float32Array.from(ints, (i) => i / 32768),
      22050,
    );
    const second = encodeWav(decodeWav(first).channels[0]!, 22050);
    expect(Array.from(second)).toEqual(Array.from(first));
    expect(Array.from(new Int16Array(first.buffer.slice(44)))).toEqual(Array.from(ints));
  });

  it('accepts an ArrayBuffer and a Uint8Array view with an offset', () => {
    const wav = encodeWav(new Float32Array([0.25, -0.25]), 16000);
    const padded = new Uint8Array(wav.length + 3);
    padded.set(wav, 3);
    expect(Array.from(decodeWav(padded.subarray(3)).channels[0]!)).toEqual([0.25, -0.25]);
    expect(Array.from(decodeWav(wav.buffer.slice(0) as ArrayBuffer).channels[0]!)).toEqual([0.25, -0.25]);
  });
});

describe('decodeWav formats', () => {
  it('8-bit unsigned PCM', () => {
    const data = new Uint8Array([0, 128, 255, 64]);
    const { channels } = decodeWav(buildWav({ format: 1, channels: 1, sampleRate: 8000, bits: 8, data }));
    expect(Array.from(channels[0]!)).toEqual([-1, 0, 127 / 128, -0.5]);
  });

  it('24-bit PCM stereo, de-interleaved, with sign extension', () => {
    const vals = [8388607, -8388608, -1, 4194304]; // L R L R
    const data = new Uint8Array(vals.length * 3);
    vals.forEach((v, i) => {
      data[i * 3] = v & 0xff;
      data[i * 3 + 1] = (v >> 8) & 0xff;
      data[i * 3 + 2] = (v >> 16) & 0xff;
    });
    const { channels, sampleRate } = decodeWav(buildWav({ format: 1, channels: 2, sampleRate: 48000, bits: 24, data }));
    expect(sampleRate).toBe(48000);
    expect(channels).toHaveLength(2);
    expect(Array.from(channels[0]!)).toEqual([8388607 / 8388608, -1 / 8388608]);
    expect(Array.from(channels[1]!)).toEqual([-1, 0.5]);
  });

  it('32-bit integer PCM', () => {
    const data = new Uint8Array(new Int32Array([-2147483648, 1073741824]).buffer);
    const { channels } = decodeWav(buildWav({ format: 1, channels: 1, sampleRate: 44100, bits: 32, data }));
    expect(Array.from(channels[0]!)).toEqual([-1, 0.5]);
  });

  it('32-bit and 64-bit IEEE float', () => {
    const f32 = new Float32Array([0.1, -0.75, 1.5]);
    const a = decodeWav(
      buildWav({ format: 3, channels: 1, sampleRate: 16000, bits: 32, data: new Uint8Array(f32.buffer) }),
    );
    expect(Array.from(a.channels[0]!)).toEqual(Array.from(f32));
    const f64 = new Float64Array([0.5, -0.25]);
    const b = decodeWav(
      buildWav({ format: 3, channels: 1, sampleRate: 16000, bits: 64, data: new Uint8Array(f64.buffer) }),
    );
    expect(Array.from(b.channels[0]!)).toEqual([0.5, -0.25]);
  });

  it('WAVE_FORMAT_EXTENSIBLE with PCM and float sub-formats', () => {
    const pcm = new Uint8Array(new Int16Array([16384, -16384]).buffer);
    const a = decodeWav(
      buildWav({ format: 1, extensibleSubFormat: 1, channels: 2, sampleRate: 44100, bits: 16, data: pcm }),
    );
    expect(a.channels.map((c) => c[0])).toEqual([0.5, -0.5]);
    const flt = new Uint8Array(new Float32Array([0.25]).buffer);
    const b = decodeWav(
      buildWav({ format: 3, extensibleSubFormat: 3, channels: 1, sampleRate: 96000, bits: 32, data: flt }),
    );
    expect(b.channels[0]![0]).toBe(0.25);
    expect(b.sampleRate).toBe(96000);
  });

  it('skips odd-sized chunks and their pad byte, in any order', () => {
    const data = new Uint8Array(new Int16Array([1000, -1000, 3]).buffer);
    const extraChunks = [
      { id: 'LIST', body: new Uint8Array([1, 2, 3, 4, 5]) }, // odd size → pad byte follows
      { id: 'fact', body: new Uint8Array([3, 0, 0, 0]) },
    ];
    const { channels } = decodeWav(
      buildWav({ format: 1, channels: 1, sampleRate: 16000, bits: 16, data, extraChunks }),
    );
    expect(Array.from(channels[0]!)).toEqual([1000 / 32768, -1000 / 32768, 3 / 32768]);
    const later = decodeWav(buildWav({ format: 1, channels: 1, sampleRate: 16000, bits: 16, data, dataFirst: true }));
    expect(later.channels[0]!.length).toBe(3);
  });

  it('reads what exists when the data size is 0, 0xFFFFFFFF or larger than the file', () => {
    const data = new Uint8Array(new Int16Array([100, 200, 300]).buffer);
    for (const dataSizeField of [0, 0xffffffff, 1000]) {
      const { channels } = decodeWav(
        buildWav({ format: 1, channels: 1, sampleRate: 16000, bits: 16, data, dataSizeField }),
      );
      expect(channels[0]!.length).toBe(3);
    }
  });

  it('drops a trailing partial frame', () => {
    const data = new Uint8Array([0, 64, 0, 0, 7]); // two 16-bit frames + one stray byte
    const { channels } = decodeWav(buildWav({ format: 1, channels: 1, sampleRate: 16000, bits: 16, data }));
    expect(channels[0]!.length).toBe(2);
  });
});

describe('decodeWav errors', () => {
  const ok = () => buildWav({ format: 1, channels: 1, sampleRate: 16000, bits: 16, data: new Uint8Array(4) });
  it.each([
    ['empty input', new Uint8Array(0), /empty/],
    ['random bytes', new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]), /Not a WAV/],
    ['an MP3 header', new Uint8Array([0x49, 0x44, 0x33, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), /Not a WAV/],
    [
      'ADPCM',
      buildWav({ format: 2, channels: 1, sampleRate: 8000, bits: 4, data: new Uint8Array(4) }),
      /Unsupported WAV encoding/,
    ],
    ['12-bit PCM', buildWav({ format: 1, channels: 1, sampleRate: 8000, bits: 12, data: new Uint8Array(4) }), /12-bit/],
    [
      'zero channels',
      buildWav({ format: 1, channels: 0, sampleRate: 8000, bits: 16, data: new Uint8Array(4) }),
      /zero channels/,
    ],
    ['no data chunk', ok().slice(0, 36), /no data chunk/],
    [
      'no fmt chunk',
      (() => {
        const b = ok();
        b.set([0x6a, 0x75, 0x6e, 0x6b], 12);
        return b;
      })(),
      /no fmt chunk/,
    ],
    ['a truncated fmt chunk', ok().slice(0, 26), /truncated/],
  ])('rejects %s with a readable WavError', (_name, bytes, message) => {
    expect(() => decodeWav(bytes)).toThrow(WavError);
    expect(() => decodeWav(bytes)).toThrow(message);
  });
});
