import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { encodeWav } from '../src/core/audio';
import { FAKE_MIC_WAV } from '../playwright.config';

/** A voice-like test signal for the fake microphone: a 150 Hz buzz with harmonics, syllable-rate amplitude changes. */
export function voiceLike(seconds: number, rate: number): Float32Array {
  const x = new Float32Array(Math.round(seconds * rate));
  for (let i = 0; i < x.length; i++) {
    const t = i / rate;
    const f0 = 150 + 20 * Math.sin(2 * Math.PI * 0.7 * t);
    let v = 0;
    for (let h = 1; h <= 8; h++) v += Math.sin(2 * Math.PI * f0 * h * t) / h;
    const envelope = 0.5 + 0.5 * Math.sin(2 * Math.PI * 3 * t);
    x[i] = 0.2 * envelope * v;
  }
  return x;
}

export default function globalSetup() {
  mkdirSync(dirname(FAKE_MIC_WAV), { recursive: true });
  writeFileSync(FAKE_MIC_WAV, encodeWav(voiceLike(4, 48000), 48000));
}
