#!/usr/bin/env bash
# The README's main command: installs what is missing, builds, and runs the pipeline on the
# bundled credit-card Amount column with 2 MPI ranks. Outputs go to out/demo/.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
ranks="${MODENORM_RANKS:-2}"
out=out/demo
mkdir -p "$out"
mpirun -n "$ranks" --oversubscribe build/release/src/app/modenorm ingest \
  --csv data/credit_amount.csv --column Amount --out "$out/credit.h5" --force
h5dump -A "$out/credit.h5"
