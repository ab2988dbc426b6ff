/**
 * The engine check's expected values, computed in plain float64 JavaScript from the same float32 inputs (no tfjs),
 * so the check compares every backend with an independent reference rather than with itself.
 */

/** Relative tolerance of the check: float32 kernels that sum in another order agree to about four digits. */
export const SELF_TEST_RTOL = 1e-3;

const f32 = Math.fround;

function matrix(rows: number, cols: number, f: (i: number, j: number) => number): number[][] {
  return Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => f32(f(i, j))));
}

function matMul(a: number[][], b: number[][]): number[][] {
  const n = a.length;
  const m = b[0]!.length;
  const k = b.length;
  return Array.from({ length: n }, (_, i) =>
    Array.from({ length: m }, (_, j) => {
      let s = 0;
      for (let t = 0; t < k; t++) s += a[i]![t]! * b[t]![j]!;
      return s;
    }),
  );
}

/** The values runSelfTest computes, for side `n`. */
export function selfTestReference(n: number): Record<string, number> {
  const a = matrix(n, n, (i, j) => 0.5 * Math.sin(i * n + j + 1));
  const b = matrix(n, n, (i, j) => 0.5 * Math.cos(0.7 * i - 0.3 * j));
  const c = matMul(a, b);
  const flat = c.flat();
  const out: Record<string, number> = {};
  out.matMulSum = flat.reduce((s, v) => s + v, 0);
  out.matMulAbsMax = Math.max(...flat.map(Math.abs));

  // conv1d, stride 1, 'same' padding (2 each side for kernel 5), then ReLU.
  const length = 8 * n;
  const x = matrix(length, 2, (t, ch) => Math.sin(0.1 * t + ch));
  const wFlat = matrix(10, 3, (k, o) => 0.2 * Math.cos(k + 2 * o)); // reshaped to [5, 2, 3]: row = k * 2 + ci
  let sum = 0;
  let max = -Infinity;
  for (let t = 0; t < length; t++) {
    for (let o = 0; o < 3; o++) {
      let y = 0;
      for (let k = 0; k < 5; k++) {
        const src = t + k - 2;
        if (src < 0 || src >= length) continue;
        for (let ci = 0; ci < 2; ci++) y += x[src]![ci]! * wFlat[k * 2 + ci]![o]!;
      }
      y = Math.max(0, y);
      sum += y;
      max = Math.max(max, y);
    }
  }
  out.conv1dReluMean = sum / (length * 3);
  out.conv1dReluMax = max;

  let entropy = 0;
  for (const row of c) {
    const m = Math.max(...row);
    const e = row.map((v) => Math.exp(v - m));
    const z = e.reduce((s, v) => s + v, 0);
    for (const v of e) {
      const p = v / z;
      entropy -= p * Math.log(p + 1e-9);
    }
  }
  out.softmaxEntropy = entropy / n;

  const ab = a.flatMap((row, i) => row.map((v, j) => v + b[i]![j]!));
  const m = Math.max(...ab);
  out.logSumExp = m + Math.log(ab.reduce((s, v) => s + Math.exp(v - m), 0));

  // d/dW sum((A·W)²) at W = B is 2·Aᵀ·(A·B).
  const at = a[0]!.map((_, j) => a.map((row) => row[j]!));
  const g = matMul(at, c);
  out.gradNorm = 2 * Math.sqrt(g.flat().reduce((s, v) => s + v * v, 0));
  return out;
}

export interface SelfTestCheck {
  name: string;
  value: number;
  expected: number;
  /** Largest accepted |value − expected|: SELF_TEST_RTOL × |expected| (at least 1e-6). */
  tolerance: number;
  pass: boolean;
}

export function selfTestChecks(
  values: Record<string, number>,
  expected: Record<string, number>,
  rtol = SELF_TEST_RTOL,
): SelfTestCheck[] {
  return Object.entries(expected).map(([name, e]) => {
    const value = values[name] ?? NaN;
    const tolerance = Math.max(1e-6, rtol * Math.abs(e));
    return { name, value, expected: e, tolerance, pass: Math.abs(value - e) <= tolerance };
  });
}
