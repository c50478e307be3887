#!/usr/bin/env bash
# The README's main command: installs what is missing, builds, and runs the whole pipeline on
# the bundled credit-card Amount column (scaled to 10M rows, fitted, transformed, restored and
# checked) with 2 MPI ranks. Outputs go to out/demo/; the last lines are the timing table.
#   MODENORM_RANKS=4 scripts/demo.sh            more ranks
#   scripts/demo.sh --set scale.rows=1000000    any configuration override
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
mpirun -n "${MODENORM_RANKS:-2}" --oversubscribe build/release/src/app/modenorm run \
  --config configs/default.toml "$@"
