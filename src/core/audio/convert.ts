import { SAMPLE_RATE } from './constants';
import { resample, toMono } from './resample';
import { decodeWav } from './wav';

/** Mixes to mono and resamples to the app's 16 kHz. */
export function to16kMono(channels: readonly Float32Array[], sampleRate: number): Float32Array {
  return resample(toMono(channels), sampleRate, SAMPLE_RATE);
}

/** Any supported WAV file to 16 kHz mono Float32 (the app's clip format). */
export function decodeWavTo16kMono(bytes: ArrayBuffer | Uint8Array): Float32Array {
  const { sampleRate, channels } = decodeWav(bytes);
  return to16kMono(channels, sampleRate);
}
