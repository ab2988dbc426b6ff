/**
 * A radix-2 complex FFT with its bit-reversal permutation and twiddles computed once per size. The pitch tracker runs
 * two FFTs per 10 ms frame, and the shared fftInPlace (src/core/analysis.ts) recomputes twiddles and swaps through
 * temporary arrays, which made it ~3× slower at this size.
 */
export interface Fft {
  size: number;
  /** Forward transform in place (no scaling). */
  forward(re: Float64Array, im: Float64Array): void;
}

export function makeFft(size: number): Fft {
  if (!Number.isInteger(Math.log2(size)) || size < 2)
    throw new RangeError(`FFT size must be a power of two, got ${size}`);
  const rev = new Uint32Array(size);
  const bits = Math.log2(size);
  for (let i = 0; i < size; i++) {
    let r = 0;
    for (let b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
    rev[i] = r;
  }
  const cos = new Float64Array(size / 2);
  const sin = new Float64Array(size / 2);
  for (let k = 0; k < size / 2; k++) {
    cos[k] = Math.cos((2 * Math.PI * k) / size);
    sin[k] = -Math.sin((2 * Math.PI * k) / size);
  }
  return {
    size,
    forward(re, im) {
      for (let i = 0; i < size; i++) {
        const j = rev[i]!;
        if (i < j) {
          const tr = re[i]!;
          re[i] = re[j]!;
          re[j] = tr;
          const ti = im[i]!;
          im[i] = im[j]!;
          im[j] = ti;
        }
      }
      for (let len = 2; len <= size; len <<= 1) {
        const half = len >> 1;
        const step = size / len;
        for (let i = 0; i < size; i += len) {
          for (let k = 0; k < half; k++) {
            const wr = cos[k * step]!;
            const wi = sin[k * step]!;
            const a = i + k;
            const b = a + half;
            const xr = re[b]! * wr - im[b]! * wi;
            const xi = re[b]! * wi + im[b]! * wr;
            re[b] = re[a]! - xr;
            im[b] = im[a]! - xi;
            re[a] = re[a]! + xr;
            im[a] = im[a]! + xi;
          }
        }
      }
    },
  };
}
