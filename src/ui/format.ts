/** Clock-style time for the player: 0:03.2, 12:04.0. */
export function clock(seconds: number): string {
  const s = Math.max(0, seconds);
  const m = Math.floor(s / 60);
  const rest = s - m * 60;
  return `${m}:${rest.toFixed(1).padStart(4, '0')}`;
}

export function dbfs(peak: number): string {
  return peak > 0 ? `${(20 * Math.log10(peak)).toFixed(1)} dBFS` : '−∞ dBFS';
}

/** 0.734 → "73.4 %"; NaN → "—". */
export function pct(fraction: number, digits = 1): string {
  return Number.isFinite(fraction) ? `${(fraction * 100).toFixed(digits)} %` : '—';
}

/** SNR and other levels: "12.3 dB"; an identical signal has infinite SNR. */
export function db(value: number, digits = 1): string {
  if (value === Infinity) return '∞ dB';
  if (value === -Infinity) return '−∞ dB';
  return Number.isFinite(value) ? `${value.toFixed(digits).replace('-', '−')} dB` : '—';
}

export interface ProgressSample {
  /** Seconds since the job started. */
  t: number;
  /** 0..1 */
  fraction: number;
}

/**
 * Seconds left, from the progress rate over the last `windowS` seconds (so a slow first step, e.g. shader
 * compilation or model loading, does not skew the estimate for long). Null until there is a rate to go on.
 */
export function etaSeconds(history: readonly ProgressSample[], windowS = 30): number | null {
  const last = history[history.length - 1];
  if (!last || last.fraction <= 0) return null;
  if (last.fraction >= 1) return 0;
  const first = history.find((s) => s.t >= last.t - windowS && s !== last) ?? null;
  const from = first && first.fraction < last.fraction ? first : { t: 0, fraction: 0 };
  const dt = last.t - from.t;
  const df = last.fraction - from.fraction;
  if (dt < 0.5 || df <= 0) return null;
  return ((1 - last.fraction) * dt) / df;
}

/** "about 40 s left", "about 3 min 20 s left", "about 2 h 5 min left"; rounded so it does not flicker. */
export function formatEta(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return 'estimating time left…';
  if (seconds < 10) return 'a few seconds left';
  if (seconds < 60) return `about ${Math.round(seconds / 5) * 5} s left`;
  if (seconds < 3600) {
    const total = Math.round(seconds / 10) * 10;
    const m = Math.floor(total / 60);
    const s = total - m * 60;
    return s ? `about ${m} min ${s} s left` : `about ${m} min left`;
  }
  const totalMin = Math.round(seconds / 60);
  const h = Math.floor(totalMin / 60);
  const m = totalMin - h * 60;
  return m ? `about ${h} h ${m} min left` : `about ${h} h left`;
}

/** A sentence used inside another one: no trailing full stop ("… (why it failed).", not "… (why it failed.).") */
export function clause(text: string): string {
  return text.trim().replace(/[.\s]+$/, '');
}
