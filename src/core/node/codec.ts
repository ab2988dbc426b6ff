/**
 * The upload path, simulated: a 16 kHz mono clip re-encoded through ffmpeg with a lossy codec a platform would apply
 * (MP3, Opus, AAC, G.711 telephone μ-law) and decoded back to 16 kHz mono float, aligned sample for sample with the
 * input so per-sample measures (SNR, cue contours) compare the same instants.
 *
 *   const heard = await reencode(protectedWave, 'opus-24');
 *
 * Node only: both legs are ffmpeg processes fed and read through pipes, no temp files.
 */
import { spawn } from 'node:child_process';
import { SAMPLE_RATE } from '../audio';

export const CODECS = ['mp3-64', 'opus-24', 'aac-64', 'mulaw-8k'] as const;
export type CodecId = (typeof CODECS)[number];

export const CODEC_LABELS: Record<CodecId, string> = {
  'mp3-64': 'MP3 64 kbit/s',
  'opus-24': 'Opus 24 kbit/s',
  'aac-64': 'AAC 64 kbit/s',
  'mulaw-8k': 'G.711 μ-law 8 kHz',
};

export const FFMPEG_CODEC_HINT = 'install it with `apt-get install ffmpeg`';

interface CodecSpec {
  /** ffmpeg output options of the encoding leg (the input is always f32le, 16 kHz, mono). */
  encode: string[];
  /** ffmpeg input options of the decoding leg (containers that say what they hold need none). */
  decodeInput: string[];
  /**
   * Delay the decoded stream is expected to carry, in samples at 16 kHz. The alignment search (±50 ms) is centred
   * here because a pipe loses the priming information (measured with ffmpeg 5.1 at 16 kHz: MP3 1105 samples, AAC 1024,
   * i.e. 69 and 64 ms, both outside a ±50 ms window around zero).
   */
  nominalDelay: number;
}

const SPECS: Record<CodecId, CodecSpec> = {
  // The mp3 muxer writes LAME's delay/padding header only when it can seek back, so on a pipe the decoder keeps the
  // encoder delay (576) plus its own (529).
  'mp3-64': {
    encode: ['-c:a', 'libmp3lame', '-b:a', '64k', '-f', 'mp3'],
    decodeInput: ['-f', 'mp3'],
    nominalDelay: 1105,
  },
  // Ogg carries Opus's pre-skip, so the decoder trims its look-ahead itself.
  'opus-24': {
    encode: ['-c:a', 'libopus', '-b:a', '24k', '-application', 'audio', '-f', 'ogg'],
    decodeInput: ['-f', 'ogg'],
    nominalDelay: 0,
  },
  // ADTS, since a pipe cannot take MP4's moov atom; ADTS has no priming field, so the 1024-sample priming stays.
  'aac-64': { encode: ['-c:a', 'aac', '-b:a', '64k', '-f', 'adts'], decodeInput: ['-f', 'aac'], nominalDelay: 1024 },
  // G.711: the telephone band. ffmpeg's resampler low-passes at the 8 kHz rate's Nyquist frequency on the way down.
  'mulaw-8k': {
    encode: ['-ar', '8000', '-c:a', 'pcm_mulaw', '-f', 'mulaw'],
    decodeInput: ['-f', 'mulaw', '-ar', '8000', '-ac', '1'],
    nominalDelay: 0,
  },
};

export interface ReencodeOptions {
  /** ffmpeg binary; default `ffmpeg` on PATH. */
  ffmpeg?: string;
  /** Half-width of the delay search around the codec's nominal delay, in seconds (default 0.05). */
  maxShiftS?: number;
}

export class CodecError extends Error {
  override name = 'CodecError';
}

/** Runs ffmpeg with `input` on stdin and returns its stdout. */
function ffmpegPipe(bin: string, args: string[], input: Buffer, what: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const p = spawn(bin, ['-hide_banner', '-loglevel', 'error', '-nostdin', ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    p.stdout.on('data', (b: Buffer) => out.push(b));
    p.stderr.on('data', (b: Buffer) => err.push(b));
    p.on('error', (e: NodeJS.ErrnoException) => {
      reject(
        e.code === 'ENOENT'
          ? new CodecError(`ffmpeg was not found (${bin}); re-encoding needs it: ${FFMPEG_CODEC_HINT}`)
          : e,
      );
    });
    // ffmpeg may close stdin early on a bad option; its exit code and stderr say why, so the EPIPE itself is noise.
    p.stdin.on('error', () => undefined);
    p.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out));
      else
        reject(
          new CodecError(
            `ffmpeg ${what} failed (exit ${code}): ${Buffer.concat(err).toString('utf8').trim().split('\n').pop() ?? ''}`,
          ),
        );
    });
    p.stdin.end(input);
  });
}

/**
 * The lag d (in samples) that best aligns `y` to `x` (y[n + d] ≈ x[n]), searched in [centre − w, centre + w]. The
 * correlation runs over the loudest second of `x` only: the delay is one number per clip, and a full-length search
 * would cost N × (2w + 1) multiply-adds per codec and clip.
 */
export function estimateDelay(x: Float32Array, y: Float32Array, centre: number, w: number): number {
  const win = Math.min(x.length, SAMPLE_RATE);
  let start = 0;
  if (x.length > win) {
    // Loudest window by a running sum of squares.
    let e = 0;
    for (let i = 0; i < win; i++) e += x[i]! * x[i]!;
    let best = e;
    for (let i = win; i < x.length; i++) {
      e += x[i]! * x[i]! - x[i - win]! * x[i - win]!;
      if (e > best) {
        best = e;
        start = i - win + 1;
      }
    }
  }
  let bestLag = centre;
  let bestScore = -Infinity;
  for (let d = centre - w; d <= centre + w; d++) {
    let s = 0;
    let ey = 0;
    for (let n = start; n < start + win; n++) {
      const j = n + d;
      if (j < 0 || j >= y.length) continue;
      s += x[n]! * y[j]!;
      ey += y[j]! * y[j]!;
    }
    // Normalised by the overlapping energy of y, so lags that run off either end are not favoured or penalised.
    const score = ey > 0 ? s / Math.sqrt(ey) : -Infinity;
    if (score > bestScore) {
      bestScore = score;
      bestLag = d;
    }
  }
  return bestLag;
}

/** y shifted by `lag` and cut or zero-padded to `length` samples. */
export function alignTo(y: Float32Array, lag: number, length: number): Float32Array {
  const z = new Float32Array(length);
  for (let n = 0; n < length; n++) {
    const j = n + lag;
    if (j >= 0 && j < y.length) z[n] = y[j]!;
  }
  return z;
}

/**
 * Encodes a 16 kHz mono clip with `codec` and decodes it back to 16 kHz mono float of the same length, aligned to
 * the input. Decoded samples are not clipped (lossy decoders overshoot slightly).
 */
export async function reencode(
  samples: Float32Array,
  codec: CodecId,
  opts: ReencodeOptions = {},
): Promise<Float32Array> {
  const spec = SPECS[codec];
  if (!spec) throw new CodecError(`Unknown codec ${String(codec)} (one of ${CODECS.join(', ')})`);
  if (samples.length === 0) return new Float32Array(0);
  const bin = opts.ffmpeg ?? 'ffmpeg';
  const pcm = Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength);
  const encoded = await ffmpegPipe(
    bin,
    ['-f', 'f32le', '-ar', String(SAMPLE_RATE), '-ac', '1', '-i', 'pipe:0', ...spec.encode, 'pipe:1'],
    pcm,
    `encoding ${codec}`,
  );
  const decoded = await ffmpegPipe(
    bin,
    [...spec.decodeInput, '-i', 'pipe:0', '-ac', '1', '-ar', String(SAMPLE_RATE), '-f', 'f32le', 'pipe:1'],
    encoded,
    `decoding ${codec}`,
  );
  // Copy out of the Buffer: its byte offset need not be 4-aligned.
  const y = new Float32Array(decoded.byteLength >> 2);
  new Uint8Array(y.buffer).set(decoded.subarray(0, y.byteLength));
  const w = Math.round((opts.maxShiftS ?? 0.05) * SAMPLE_RATE);
  const lag = estimateDelay(samples, y, spec.nominalDelay, w);
  return alignTo(y, lag, samples.length);
}
