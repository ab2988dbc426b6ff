/** A generator with further weights by budget (src/core/bands.ts): each clip is protected by its budget's weights. */
import { bandFor, type BandSpec } from '../bands';
import type { AclipseGenerator, ProtectOptions, ProtectResult } from './model';

/** What protects a clip: one generator, or a generator with further weights by budget. */
export interface Protector {
  protect(wave: Float32Array, budgetDb?: number, opts?: ProtectOptions): Promise<ProtectResult>;
}

export interface LoadedBand extends BandSpec {
  generator: AclipseGenerator;
}

/** A base generator plus its bands; protects each clip with the weights of its budget. Owns all of them. */
export class BandedGenerator implements Protector {
  readonly bands: readonly LoadedBand[];

  constructor(
    readonly base: AclipseGenerator,
    bands: readonly LoadedBand[],
  ) {
    this.bands = [...bands].sort((a, b) => a.fromDb - b.fromDb);
  }

  /** The weights that protect at this budget, and the band's label (null for the base weights). */
  weightsFor(budgetDb: number): { generator: AclipseGenerator; band: LoadedBand | null } {
    const band = bandFor(this.bands, budgetDb);
    return { generator: band?.generator ?? this.base, band };
  }

  protect(wave: Float32Array, budgetDb = this.base.config.budgetDb, opts: ProtectOptions = {}): Promise<ProtectResult> {
    return this.weightsFor(budgetDb).generator.protect(wave, budgetDb, opts);
  }

  dispose(): void {
    this.base.dispose();
    for (const b of this.bands) b.generator.dispose();
  }
}
