/**
 * Input validation shared by the UI (before a clip replaces anything) and scripts. Every rejection carries a stable
 * `code` for tests and a sentence meant for the user.
 */
import { SAMPLE_RATE } from './constants';

/** Shortest clip we accept: shorter clips hold less than a syllable and give the models nothing to work on. */
export const MIN_DURATION_S = 0.3;
/** Longest clip we accept: 10 minutes (9.6 M samples at 16 kHz, ~38 MB as Float32) keeps memory and runtimes sane. */
export const MAX_DURATION_S = 600;
/** Files above this size are refused before decoding (a compressed 10-minute clip is far smaller). */
export const MAX_FILE_BYTES = 512 * 1024 * 1024;
/** A clip whose peak stays below −60 dBFS is treated as silence. */
export const SILENCE_PEAK = 0.001;

export type AudioIssueCode =
  'empty-file' | 'file-too-large' | 'unsupported-type' | 'empty' | 'too-short' | 'too-long' | 'silent' | 'not-finite';

export type Validation = { ok: true } | { ok: false; code: AudioIssueCode; message: string };

export interface FileLike {
  name: string;
  size: number;
  type: string;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  if (seconds < 59.95) return `${seconds.toFixed(seconds < 10 ? 2 : 1)} s`;
  const total = Math.round(seconds);
  const m = Math.floor(total / 60);
  const s = total - m * 60;
  if (m < 60) return s ? `${m} min ${s} s` : `${m} min`;
  const h = Math.floor(m / 60);
  return `${h} h ${m - h * 60} min`;
}

/** Cheap checks on a file before reading it. */
export function validateFile(file: FileLike): Validation {
  if (file.size === 0) return { ok: false, code: 'empty-file', message: `“${file.name}” is empty (0 bytes).` };
  if (file.size > MAX_FILE_BYTES) {
    return {
      ok: false,
      code: 'file-too-large',
      message: `“${file.name}” is ${(file.size / 1048576).toFixed(0)} MB; files up to ${MAX_FILE_BYTES / 1048576} MB are accepted.`,
    };
  }
  const type = file.type.toLowerCase();
  if (type && !type.startsWith('audio/') && !type.startsWith('video/') && type !== 'application/ogg') {
    return {
      ok: false,
      code: 'unsupported-type',
      message: `“${file.name}” is not an audio file (${file.type}).`,
    };
  }
  return { ok: true };
}

/** Checks a duration known before decoding (e.g. from media metadata), so a 2-hour file is refused without decoding it. */
export function validateDuration(seconds: number): Validation {
  if (seconds < MIN_DURATION_S) {
    return {
      ok: false,
      code: 'too-short',
      message: `The clip is ${formatDuration(seconds)} long; clips need at least ${MIN_DURATION_S} s of audio.`,
    };
  }
  if (seconds > MAX_DURATION_S) {
    return {
      ok: false,
      code: 'too-long',
      message: `The clip is ${formatDuration(seconds)} long; the limit is ${formatDuration(MAX_DURATION_S)}. Trim it first.`,
    };
  }
  return { ok: true };
}

export interface ClipStats {
  duration: number;
  peak: number;
  rms: number;
}

export function clipStats(samples: Float32Array, sampleRate: number = SAMPLE_RATE): ClipStats {
  let peak = 0;
  let sq = 0;
  for (let i = 0; i < samples.length; i++) {
    const v = samples[i]!;
    const a = Math.abs(v);
    if (a > peak || !(a === a)) peak = a; // NaN propagates so the caller can reject it
    sq += v * v;
  }
  return { duration: samples.length / sampleRate, peak, rms: samples.length ? Math.sqrt(sq / samples.length) : 0 };
}

/** Checks decoded audio (any rate, mono) before it becomes a clip. */
export function validateSamples(samples: Float32Array, sampleRate: number = SAMPLE_RATE): Validation {
  if (samples.length === 0) return { ok: false, code: 'empty', message: 'The file contains no audio samples.' };
  const duration = validateDuration(samples.length / sampleRate);
  if (!duration.ok) return duration;
  const { peak } = clipStats(samples, sampleRate);
  if (!Number.isFinite(peak)) {
    return { ok: false, code: 'not-finite', message: 'The audio contains invalid (NaN or infinite) samples.' };
  }
  if (peak < SILENCE_PEAK) {
    const db = peak > 0 ? `${(20 * Math.log10(peak)).toFixed(0)} dBFS` : 'digital silence';
    return {
      ok: false,
      code: 'silent',
      message: `The clip is silent (peak ${db}). Check the microphone or pick another file.`,
    };
  }
  return { ok: true };
}
