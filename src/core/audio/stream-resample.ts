/**
 * Streaming sample-rate conversion for live capture: the same polyphase windowed-sinc filter as `resample`, fed in
 * blocks of any size. Each output sample is emitted once the input it needs has arrived, so a stream gives exactly
 * what `resample` gives for the whole signal (with the same options). Integer rates only (AudioContext rates are).
 */
import { besselI0, type ResampleOptions } from './resample';

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

export class StreamResampler {
  private readonly L: number;
  private readonly M: number;
  private readonly K: number;
  private readonly taps: number;
  private readonly table: Float64Array | null;
  /** Input from absolute index `start` on. */
  private buf: Float32Array = new Float32Array(0);
  private start = 0;
  private received = 0;
  private nextOut = 0;

  constructor(
    readonly fromRate: number,
    readonly toRate: number,
    options: ResampleOptions = {},
  ) {
    if (!Number.isInteger(fromRate) || !Number.isInteger(toRate) || fromRate <= 0 || toRate <= 0) {
      throw new RangeError(`Streaming resampling needs integer rates, got ${fromRate} → ${toRate}`);
    }
    const g = gcd(fromRate, toRate);
    this.L = toRate / g;
    this.M = fromRate / g;
    const fc = 0.5 * (options.rolloff ?? 0.91) * Math.min(1, toRate / fromRate);
    const halfWidth = (options.zeroCrossings ?? 32) / (2 * fc);
    this.K = Math.ceil(halfWidth);
    this.taps = 2 * this.K + 1;
    if (fromRate === toRate) {
      this.table = null;
      return;
    }
    const beta = options.kaiserBeta ?? 8;
    const i0beta = besselI0(beta);
    const kernel = (t: number) => {
      const r = t / halfWidth;
      if (r <= -1 || r >= 1) return 0;
      const w = besselI0(beta * Math.sqrt(1 - r * r)) / i0beta;
      const a = 2 * fc * t;
      return 2 * fc * (a === 0 ? 1 : Math.sin(Math.PI * a) / (Math.PI * a)) * w;
    };
    this.table = new Float64Array(this.L * this.taps);
    for (let p = 0; p < this.L; p++) {
      let sum = 0;
      for (let j = -this.K; j <= this.K; j++) sum += this.table[p * this.taps + j + this.K] = kernel(p / this.L - j);
      for (let t = 0; t < this.taps; t++) this.table[p * this.taps + t]! /= sum;
    }
  }

  /** Adds input; returns the output samples that are now final. */
  push(block: Float32Array): Float32Array {
    if (!this.table) return block.slice();
    const merged = new Float32Array(this.buf.length + block.length);
    merged.set(this.buf);
    merged.set(block, this.buf.length);
    this.buf = merged;
    this.received += block.length;
    return this.emit(false);
  }

  /** Ends the stream (input beyond it counts as zero), returning the last samples. */
  flush(): Float32Array {
    if (!this.table) return new Float32Array(0);
    return this.emit(true);
  }

  private emit(final: boolean): Float32Array {
    const table = this.table!;
    const { L, M, K, taps } = this;
    const total = final ? Math.ceil((this.received * L) / M - 1e-9) : Infinity;
    const out: number[] = [];
    for (;;) {
      const o = this.nextOut;
      if (o >= total) break;
      const num = o * M;
      const i = Math.floor(num / L);
      if (!final && i + K >= this.received) break;
      const base = (num - i * L) * taps;
      let acc = 0;
      const lo = Math.max(-K, -i);
      const hi = Math.min(K, this.received - 1 - i);
      for (let j = lo; j <= hi; j++) acc += this.buf[i + j - this.start]! * table[base + j + K]!;
      out.push(acc);
      this.nextOut++;
    }
    // Keep the history the next output still needs.
    const keepFrom = Math.max(0, Math.floor((this.nextOut * M) / L) - K);
    if (keepFrom > this.start) {
      this.buf = this.buf.slice(keepFrom - this.start);
      this.start = keepFrom;
    }
    return Float32Array.from(out);
  }
}
