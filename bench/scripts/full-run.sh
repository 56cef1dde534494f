#!/usr/bin/env bash
# The whole benchmark run behind BENCHMARKS.md (issue 20), in order, on an otherwise idle machine:
#   1. every row of the main table, every column (tfjs cpu, wasm stock, wasm + runtime 1 and 2 threads,
#      native TensorFlow 1 and 2 threads, PyTorch 1 and 2 threads), one `pnpm bench`;
#   2. the packages' comparisons with a Python reference (kernel-dre, voxelizer);
#   3. BENCHMARKS.md regenerated from all three results files, the READMEs' tables from them.
# A reference on a refused BLAS stops it before BENCHMARKS.md changes (exit 3).
#   bash bench/scripts/full-run.sh [--note "machine state"]
set -euo pipefail
cd "$(dirname "$0")/.."
tsx=../node_modules/.bin/tsx
date=$(date -u +%F)
echo "full run: $(date -u +%FT%TZ); uptime: $(uptime)"
"$tsx" src/main.ts --no-md "$@"
"$tsx" src/main.ts --external kernel-dre,voxelizer
echo "full run done: $(date -u +%FT%TZ); uptime: $(uptime)"
md() {
  "$tsx" src/main.ts --md-from "results/$date.json" \
    --with "results/$date-kernel-dre.json" --with "results/$date-voxelizer.json"
}
md                                   # names the results files in BENCHMARKS.md
"$tsx" src/main.ts --update-readmes  # README and NOTES tables from them
md                                   # BENCHMARKS.md again, with the NOTES tables
"$tsx" src/main.ts --check
