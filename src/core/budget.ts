/**
 * The perturbation budget: a minimum SNR in dB that every protected clip meets, whatever makes the change (the
 * generator's projection, the baselines, PGD). Plain TS, shared by the core, the worker, the scripts and the UI.
 */

/** Budgets the app, the engine and the CLI accept (dB of minimum SNR). */
export const BUDGET_RANGE_DB = { min: -20, max: 80 } as const;

/** Why a budget is refused (a sentence for the user), or null when it is inside BUDGET_RANGE_DB. */
export function budgetRangeProblem(budgetDb: number): string | null {
  const { min, max } = BUDGET_RANGE_DB;
  if (budgetDb >= min && budgetDb <= max) return null;
  return `A budget of ${budgetDb} dB is outside ${String(min).replace('-', '−')}…${max} dB.`;
}

/** Ratio ρ with ‖δ‖ ≤ ρ‖x‖ for a minimum SNR in dB. */
export function budgetRatio(minSnrDb: number): number {
  return Math.pow(10, -minSnrDb / 20);
}

/**
 * Shrink factor on the allowed perturbation that keeps float32 rounding of the output from landing a clip below the
 * promised SNR (1e-4 relative is < 0.001 dB).
 */
export const BUDGET_MARGIN = 1 - 1e-4;
