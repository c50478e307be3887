#!/usr/bin/env bash
# The README's test command: installs what is missing, builds, and runs every test with ctest.
#   scripts/test.sh              all tests (labels unit, mpi, e2e)
#   scripts/test.sh -L unit      extra arguments go to ctest
# MODENORM_PRESET picks the CMake preset (release by default; CI uses ci = -Werror).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
preset="${MODENORM_PRESET:-release}"
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset"
ctest --preset "$preset" "$@"
