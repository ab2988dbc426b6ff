/** Batching of variable-length clips, shared by training (`train.ts`, `fit.ts`) and inference (`predict.ts`). */
import * as tf from '@tensorflow/tfjs';

/**
 * Groups clip indices into batches of similar length (less padding): sorted by length, cut where the padded size
 * (batch × longest) would exceed `maxSamples` or the count would exceed `maxBatch`; batch order is shuffled.
 */
export function makeBatches(lengths: number[], maxBatch: number, maxSamples: number, rng?: () => number): number[][] {
  const order = lengths.map((_, i) => i);
  // jitter the sort a little so batches differ between epochs
  const key = lengths.map((l) => l * (rng ? 1 + 0.1 * (rng() - 0.5) : 1));
  order.sort((a, b) => key[a] - key[b]);
  const batches: number[][] = [];
  let cur: number[] = [];
  let longest = 0;
  for (const i of order) {
    const l = Math.max(longest, lengths[i]);
    if (cur.length > 0 && (cur.length + 1 > maxBatch || (cur.length + 1) * l > maxSamples)) {
      batches.push(cur);
      cur = [];
      longest = 0;
    }
    cur.push(i);
    longest = Math.max(longest, lengths[i]);
  }
  if (cur.length) batches.push(cur);
  if (rng) {
    for (let i = batches.length - 1; i > 0; i--) {
      const j = Math.floor(rng() * (i + 1));
      [batches[i], batches[j]] = [batches[j], batches[i]];
    }
  }
  return batches;
}

/** Zero-pads clips into a [B, N] tensor. */
export function padBatch(waves: Float32Array[]): { wave: tf.Tensor2D; lengths: number[] } {
  const n = Math.max(1, ...waves.map((w) => w.length));
  const buf = new Float32Array(waves.length * n);
  waves.forEach((w, i) => buf.set(w, i * n));
  return { wave: tf.tensor2d(buf, [waves.length, n]), lengths: waves.map((w) => w.length) };
}
