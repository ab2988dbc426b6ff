/** How the UI names and describes the protection methods: Aclipse, plus every baseline in src/core/baselines.ts. */
import { BASELINES } from '../../core/baselines';
import type { ProtectMethod } from '../../engine/api';

export const METHOD_LABEL: Record<string, string> = {
  original: 'Original (unprotected)',
  aclipse: 'Aclipse (SO → ER)',
  ...Object.fromEntries(BASELINES.map((b) => [b.id, b.label])),
};

export function methodDescription(method: ProtectMethod): string {
  if (method === 'aclipse') {
    return 'The trained generator: SO hides the words, ER restores the emotion cues, within the budget.';
  }
  return BASELINES.find((b) => b.id === method)?.description ?? '';
}
