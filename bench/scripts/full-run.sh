#!/usr/bin/env bash
# The whole benchmark run behind BENCHMARKS.md (issue 20), in order, on an otherwise idle machine:
#   1. every row of the main table, every column (tfjs cpu, wasm stock, wasm + runtime 1 and 2 threads,
#      native TensorFlow 1 and 2 threads, PyTorch 1 and 2 threads), one `pnpm bench`;
#   2. the packages' comparisons with a Python reference (kernel-dre, voxelizer);
#   3. BENCHMARKS.md regenerated from the three results files, the READMEs' tables from them, --check.
# A reference on a refused BLAS stops it before BENCHMARKS.md changes (exit 3).
#   bash bench/scripts/full-run.sh [extra flags of the main run, e.g. --note "…"]
#   QUICK=1 bash bench/scripts/full-run.sh --filter matmul   (a dry run of the pipeline: results/<date>-dry*.json)
set -euo pipefail
cd "$(dirname "$0")/.."
tsx=../node_modules/.bin/tsx
date=$(date -u +%F)
if [ "${QUICK:-}" = 1 ]; then
  main="$date-dry" ext=(--quick) suffix=-quick
  "$tsx" src/main.ts --no-md --quick --name dry "$@"
else
  main="$date" ext=() suffix=
  echo "full run: $(date -u +%FT%TZ); uptime: $(uptime)"
  "$tsx" src/main.ts --no-md "$@"
fi
"$tsx" src/main.ts --external kernel-dre,voxelizer "${ext[@]}"
echo "runs done: $(date -u +%FT%TZ); uptime: $(uptime)"
md() {
  "$tsx" src/main.ts --md-from "results/$main.json" \
    --with "results/$date-kernel-dre$suffix.json" --with "results/$date-voxelizer$suffix.json"
}
md                                   # names the results files in BENCHMARKS.md
"$tsx" src/main.ts --update-readmes  # README and NOTES tables from them
md                                   # BENCHMARKS.md again, with the NOTES tables
"$tsx" src/main.ts --check || true   # prose numbers are written by hand after the run
