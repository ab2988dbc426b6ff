/**
 * File → 16 kHz mono clip, on the main thread (Web Audio's decoders are not available in workers).
 * WAV goes through our own decoder and band-limited resampler (same code as the Node scripts); everything else
 * (mp3, ogg/opus, flac, webm, m4a) through decodeAudioData on a 16 kHz OfflineAudioContext, which resamples with the
 * browser's sinc resampler.
 */
import {
  MAX_DURATION_S,
  SAMPLE_RATE,
  WavError,
  decodeWav,
  formatDuration,
  to16kMono,
  toMono,
  validateDuration,
  validateFile,
  validateSamples,
} from '../../core/audio';

export class AudioInputError extends Error {
  override name = 'AudioInputError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface DecodedClip {
  samples: Float32Array;
  /** Where it came from, for the clip card: "WAV, 44.1 kHz, 2 ch". */
  detail: string;
}

const VIDEO_EXTENSIONS = /\.(mp4|m4v|mov|webm|mkv|avi|ogv)$/i;

function looksLikeVideo(file: File): boolean {
  return file.type.startsWith('video/') || (!file.type.startsWith('audio/') && VIDEO_EXTENSIONS.test(file.name));
}

function isWav(bytes: Uint8Array): boolean {
  return (
    bytes.length >= 12 &&
    String.fromCharCode(...bytes.subarray(0, 4)) === 'RIFF' &&
    String.fromCharCode(...bytes.subarray(8, 12)) === 'WAVE'
  );
}

function describe(format: string, rate: number, channels: number): string {
  return `${format}, ${(rate / 1000).toLocaleString('en', { maximumFractionDigits: 2 })} kHz, ${channels === 1 ? 'mono' : channels === 2 ? 'stereo' : `${channels} ch`}`;
}

function formatFromName(file: File): string {
  const ext = /\.([a-z0-9]+)$/i.exec(file.name)?.[1];
  return ext ? ext.toUpperCase() : file.type || 'audio';
}

/**
 * Reads the duration from the media element's metadata, without decoding, so a 2-hour file is refused in
 * milliseconds. Resolves null when the browser cannot tell (MediaRecorder webm reports Infinity, for instance).
 */
export function probeDuration(blob: Blob, timeoutMs = 4000): Promise<number | null> {
  return new Promise((resolve) => {
    const url = URL.createObjectURL(blob);
    const media = document.createElement('audio');
    let done = false;
    const finish = (v: number | null) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      media.removeAttribute('src');
      media.load();
      URL.revokeObjectURL(url);
      resolve(v);
    };
    const timer = setTimeout(() => finish(null), timeoutMs);
    media.preload = 'metadata';
    media.addEventListener('loadedmetadata', () => finish(Number.isFinite(media.duration) ? media.duration : null));
    media.addEventListener('error', () => finish(null));
    media.src = url;
  });
}

async function decodeWithWebAudio(bytes: ArrayBuffer): Promise<AudioBuffer> {
  // Length 1 is fine: decodeAudioData only uses the context's sample rate, to which it resamples.
  const ctx = new OfflineAudioContext({ numberOfChannels: 1, length: 1, sampleRate: SAMPLE_RATE });
  return ctx.decodeAudioData(bytes);
}

/**
 * Keeps a clip within full scale. Lossy decoders (Opus from MediaRecorder, MP3) and float WAVs can overshoot ±1,
 * which showed as "peak 0.5 dBFS" and would hard-clip in a 16-bit download. The whole clip is scaled down (its
 * shape, and so its emotion and words, unchanged); `gainDb` says by how much (0 when nothing was done).
 */
export function fitToFullScale(samples: Float32Array): { samples: Float32Array; gainDb: number } {
  let peak = 0;
  for (let i = 0; i < samples.length; i++) {
    const a = Math.abs(samples[i]!);
    if (a > peak) peak = a;
  }
  if (!(peak > 1) || !Number.isFinite(peak)) return { samples, gainDb: 0 };
  // Scaled in float64 and nudged down so rounding to float32 cannot land a hair above 1.
  const g = (1 / peak) * (1 - 1e-7);
  const out = new Float32Array(samples.length);
  for (let i = 0; i < samples.length; i++) out[i] = samples[i]! * g;
  return { samples: out, gainDb: 20 * Math.log10(g) };
}

function check(v: ReturnType<typeof validateSamples>) {
  if (!v.ok) throw new AudioInputError(v.code, v.message);
}

/** Decodes a user file into a validated 16 kHz mono clip, or throws AudioInputError with a message for the user. */
export async function decodeFile(file: File): Promise<DecodedClip> {
  const fileCheck = validateFile(file);
  if (!fileCheck.ok) throw new AudioInputError(fileCheck.code, fileCheck.message);

  const probed = await probeDuration(file);
  if (probed !== null && probed > MAX_DURATION_S) {
    const v = validateDuration(probed);
    if (!v.ok) throw new AudioInputError(v.code, `“${file.name}”: ${v.message}`);
  }

  const buffer = await file.arrayBuffer();
  const head = new Uint8Array(buffer, 0, Math.min(12, buffer.byteLength));
  let samples: Float32Array;
  let detail: string;
  if (isWav(head)) {
    try {
      const wav = decodeWav(buffer);
      const seconds = (wav.channels[0]?.length ?? 0) / wav.sampleRate;
      if (seconds > MAX_DURATION_S) check(validateDuration(seconds));
      samples = to16kMono(wav.channels, wav.sampleRate);
      detail = describe('WAV', wav.sampleRate, wav.channels.length);
    } catch (err) {
      if (err instanceof WavError) {
        throw new AudioInputError('decode-failed', `“${file.name}” is not a readable WAV file: ${err.message}.`);
      }
      throw err;
    }
  } else {
    let audio: AudioBuffer;
    try {
      audio = await decodeWithWebAudio(buffer);
    } catch {
      if (looksLikeVideo(file)) {
        throw new AudioInputError('no-audio-track', `“${file.name}” has no audio track this browser can decode.`);
      }
      throw new AudioInputError(
        'decode-failed',
        `“${file.name}” could not be decoded as audio: the file is corrupt or in a format this browser does not support.`,
      );
    }
    const channels = Array.from({ length: audio.numberOfChannels }, (_, c) => audio.getChannelData(c));
    samples = toMono(channels);
    detail = `${formatFromName(file)}, decoded to 16 kHz, ${audio.numberOfChannels === 1 ? 'mono' : `${audio.numberOfChannels} ch mixed to mono`}`;
  }
  const v = validateSamples(samples, SAMPLE_RATE);
  if (!v.ok) throw new AudioInputError(v.code, `“${file.name}”: ${v.message}`);
  const fitted = fitToFullScale(samples);
  if (fitted.gainDb < 0) detail += ` · scaled ${fitted.gainDb.toFixed(1)} dB (it peaked above full scale)`;
  return { samples: fitted.samples, detail };
}

export { formatDuration };
