#!/usr/bin/env bash
# The sweep behind the README's table (3 seeds per cell). Run from examples/cloob.
set -euo pipefail
for steps in 200 600; do
  for tau in 14.3 30; do
    npx tsx src/main.ts --objective clip --seeds 3 --steps $steps --inv-tau $tau --json results/clip-s$steps-t$tau.json
    for beta in 8 14.3; do
      npx tsx src/main.ts --objective cloob --seeds 3 --steps $steps --inv-tau $tau --hopfield-beta $beta --json results/cloob-s$steps-t$tau-b$beta.json
    done
  done
done
