#!/usr/bin/env bash
# Everything that depends on the shipped evaluators, in order, after public/models/{asr,ser} change:
#   the ASR's LM decoder settings (chosen on val), the evaluator table, the seed-0 generator (stage 1 + both stage-2
#   learning rates, the shipped one chosen on val and copied to public/models/aclipse), Table I, and the
#   privacy–utility report (those two side by side). Before it, after a new SER: `npx tsx scripts/evaluators/reference.ts`
#   (the e2e's webgpu-vs-wasm fixture).
# Each training job is single-threaded (tfjs wasm), so two lanes run side by side on a 2-core machine:
#   lane A: the generator's stage 1 then stage 2 (tag main);
#   lane B: the LM decoder grid, the evaluator table, then -- once lane A's stage 1 is written -- the lr2-1e-4 stage 2.
# On this 2-core machine the lanes and the val choice took 68 min (2026-11-29; LM grid skipped, it was already done)
# and the two evaluations after shipping (Table I and `npm run eval`, side by side) 48 min more. Each step logs to runs/downstream/<step>.log; a step
# whose log ends in OK is skipped, so an interrupted run picks up where it stopped (delete runs/downstream to start
# over).
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
  local FRESH=--fresh
  if [ -f "$logf" ]; then FRESH=; fi
  echo "[$(date +%H:%M:%S)] $name"
  eval "$*" >> "$logf" 2>&1
  echo OK >> "$logf"
}
# Lane B's stage 2 starts from lane A's stage 1, once lane A's state.json says stage 1 is written. A first run
# deletes lane A's old run folder before either lane starts, so a stage 1 trained against older evaluators never counts.
MAIN=runs/aclipse/main/seed-0
[ -f runs/downstream/aclipse-main.log ] || rm -rf "$MAIN"
stage1_done() { [ -f "$MAIN/state.json" ] && grep -q '"stage": [23]' "$MAIN/state.json" && [ -f "$MAIN/stage1/model.json" ]; }
lane_a() {
  step aclipse-main 'npx tsx scripts/train-aclipse.ts --seeds 0 $FRESH'
}
lane_b() {
  step lm npm run train:lm -- --text examples+glosses --beam-widths 64 --lm-weights 0.6,0.8,1.0 --word-bonuses 0,1,2
  step eval-evaluators npm run eval:evaluators -- --write
  until stage1_done; do
    # lane A gone without a stage 1 (it failed): stop instead of polling forever
    kill -0 "$A" 2>/dev/null || { echo "lane A stopped before writing stage 1"; return 1; }
    sleep 30
  done
  step aclipse-lr2 "npx tsx scripts/train-aclipse.ts --seeds 0 --tag lr2-1e-4 --lr2 0.0001 --stages 2 --init $MAIN/stage1 \$FRESH"
}
lane_a > runs/downstream/lane-a.out 2>&1 &
A=$!
lane_b > runs/downstream/lane-b.out 2>&1 &
B=$!
# Wait for both lanes even if one fails, then fail if either did.
RA=0; wait $A || RA=$?
RB=0; wait $B || RB=$?
[ "$RA" = 0 ] && [ "$RB" = 0 ] || { echo "a lane failed (A: $RA, B: $RB); see runs/downstream/lane-*.out"; exit 1; }
step choose-stage2 npm run eval:aclipse -- --tag main,lr2-1e-4 --splits val --out results/aclipse/val
# Ship the stage-2 variant with the higher val WA (a tie keeps the paper's lr 1e-5), then Table I and the report.
CHOICE=$(node -e '
  const rows = require("./results/aclipse/val/main+lr2-1e-4.json").rows;
  const wa = (s) => rows.find((r) => r.system === s).summaries[0].wa;
  console.log(wa("after stage 2 (lr2-1e-4)") > wa("after stage 2") ? "lr2-1e-4" : "main");')
echo "[$(date +%H:%M:%S)] stage 2 chosen on val: $CHOICE"
step ship "npx tsx scripts/train-aclipse.ts --seeds 0 --tag $CHOICE --stages 2 --ship"
step table1 npm run eval:aclipse -- --tag main,lr2-1e-4 --splits test,test_speaker --out results/aclipse/seed0 &
T=$!
step report npm run eval
wait $T
echo "[$(date +%H:%M:%S)] done: update README/docs from results/aclipse/seed0 and results/eval"
