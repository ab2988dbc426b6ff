#!/usr/bin/env bash
# Everything that depends on the shipped evaluators, in order, after public/models/{asr,ser} change:
#   the ASR's LM decoder settings (chosen on val), the evaluator table, the seed-0 generator (stage 1 + both stage-2
#   learning rates, the shipped one chosen on val), Table I, and the privacy–utility report.
# About 2 h 45 min on 2 cores. Each step logs to runs/downstream/<step>.log; a step whose log ends in OK is skipped,
# so an interrupted run picks up where it stopped (delete runs/downstream to start over).
# Usage: scripts/downstream.sh
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p runs/downstream
# step NAME CMD...: a first run of a step gets FRESH=--fresh (old generator runs were trained against the old
# evaluators); a rerun after an interruption gets FRESH= and resumes from the step's checkpoints.
step() {
  local name="$1"; shift
  local logf="runs/downstream/$name.log"
  if [ -f "$logf" ] && [ "$(tail -n 1 "$logf")" = OK ]; then echo "skip $name (done)"; return; fi
  if [ -f "$logf" ]; then FRESH=; else FRESH=--fresh; fi
  echo "[$(date +%H:%M:%S)] $name"
  eval "$*" >> "$logf" 2>&1
  echo OK >> "$logf"
}
step lm npm run train:lm -- --text examples+glosses --beam-widths 64 --lm-weights 0.6,0.8,1.0 --word-bonuses 0,1,2
step eval-evaluators npm run eval:evaluators -- --write
step aclipse-main 'npx tsx scripts/train-aclipse.ts --seeds 0 $FRESH'
step aclipse-lr2 'npx tsx scripts/train-aclipse.ts --seeds 0 --tag lr2-1e-4 --lr2 0.0001 --stages 2 \
  --init runs/aclipse/main/seed-0/stage1 $FRESH'
step choose-stage2 npm run eval:aclipse -- --tag main,lr2-1e-4 --splits val --out results/aclipse/val
echo "[$(date +%H:%M:%S)] read results/aclipse/val: ship the stage-2 variant with the higher val WA, e.g."
echo "  npx tsx scripts/train-aclipse.ts --seeds 0 --tag lr2-1e-4 --stages 2 --ship (see README), then:"
echo "  npm run eval:aclipse -- --tag main,lr2-1e-4 --splits test,test_speaker --out results/aclipse/seed0 && npm run eval"
