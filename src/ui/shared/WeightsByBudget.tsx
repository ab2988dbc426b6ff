import { bandFor } from '../../core/bands';
import type { GeneratorInfo } from '../../engine/api';

/**
 * Which of the generator's weight sets protects at the chosen budget, and why: the user should know that moving the
 * slider across a threshold changes the weights, not only their strength.
 */
export function WeightsByBudget({ generator, budgetDb }: { generator: GeneratorInfo; budgetDb: number }) {
  const band = bandFor(generator.bands, budgetDb);
  const first = generator.bands[0]!;
  return (
    <p className="hint" data-testid="weights-by-budget">
      {band
        ? `At ${budgetDb} dB these are its weights ${band.label} (used from ${band.fromDb} dB). ${band.why}`
        : `At ${budgetDb} dB these are its base weights; from ${first.fromDb} dB up it uses its weights ${first.label}.`}
    </p>
  );
}
