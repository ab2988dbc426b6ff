#!/usr/bin/env bash
# The paper's ablations (Figs 3–5) on seed 0, after `npm run train:aclipse` has produced runs/aclipse/main:
#   λ1 ∈ {0.001, 0.01, 0.1, 1}, stage 1 + 2 from scratch with 15 + 10 epochs (shorter than the main run, so all four compare alike);
#   λ2 ∈ {0.1, 10} (1 is the main run) and "tune SO with ER frozen", stage 2 only from the main run's stage-1 weights.
# Usage: scripts/ablations.sh [lambda1|stage2|all]   then   npm run eval:aclipse -- --tag <tag> --splits test
set -euo pipefail
cd "$(dirname "$0")/.."
what="${1:-all}"
run() { npx tsx scripts/train-aclipse.ts --seeds 0 "$@"; }
if [ "$what" = lambda1 ] || [ "$what" = all ]; then
  for l in 0.001 0.01 0.1 1; do run --tag "l1-$l" --lambda1 "-$l" --epochs1 15 --epochs2 10; done
fi
if [ "$what" = stage2 ] || [ "$what" = all ]; then
  init=runs/aclipse/main/seed-0/stage1
  for l in 0.1 10; do run --tag "l2-$l" --lambda2 "$l" --stages 2 --init "$init"; done
  run --tag tune-so --tune so --stages 2 --init "$init"
fi
