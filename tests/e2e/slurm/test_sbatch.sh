#!/usr/bin/env bash
# End-to-end test of slurm/modenorm.sbatch on a real (local, single-node) Slurm.
#
#   bash tests/e2e/slurm/test_sbatch.sh build/release/src/app/modenorm
#
# Starts Slurm with start_local_slurm.sh (or reuses a running one), runs the same modenorm job
# once with mpirun and once through `sbatch --wait`, and checks that the batch job succeeded,
# wrote a complete output identical to the mpirun one, logged to %x-%j.out, and recorded the Slurm
# job id. Exit codes: 0 all passed, 1 a check failed, 77 Slurm cannot run on this machine (skip).
set -euo pipefail

# The whole test, Slurm start-up included, is bounded; timeout's 124 is a failure for ctest.
# 570 s, under ctest's TIMEOUT of 600, so that this timeout fires first and the cleanup below
# still stops the daemons.
if [[ -z "${MODENORM_E2E_SLURM_TIMED:-}" ]]; then
  export MODENORM_E2E_SLURM_TIMED=1
  exec timeout --kill-after=20 "${MODENORM_E2E_SLURM_TIMEOUT:-570}" bash "$0" "$@"
fi

if (($# != 1)); then
  echo "usage: $0 path/to/modenorm" >&2
  exit 2
fi
bin="$(realpath "$1")"
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
sbatch_script="$repo/slurm/modenorm.sbatch"
[[ -x "$bin" ]] || { echo "test_sbatch: not an executable: $bin" >&2; exit 1; }

# --- The job under test: change this one function when the pipeline changes. --------------------
# Sets JOB to the modenorm arguments that write output file $1, and COMPARE to the datasets that
# must be identical between the mpirun run and the Slurm run.
# (Attribute checks read h5dump through <(...), not a pipe: grep -q stops reading early, and
# under pipefail h5dump's SIGPIPE would fail the check at random.)
# The job is the whole pipeline (`modenorm run`) on the bundled data scaled to 200,000 rows; $1 is
# the transform output inside the run's output directory.
set_job() {
  JOB=(run --config "$repo/configs/default.toml" --set scale.rows=200000
       --set "input.csv=\"$repo/data/credit_amount.csv\""
       --set "output.dir=\"$(dirname "$1")\"")
  COMPARE=(/alpha /component /order)
}
# A job that must fail, to check that the batch script passes the exit code on.
set_failing_job() {
  JOB=(ingest --csv "$tmp/does-not-exist.csv" --column Amount --out "$1")
}

passed=0 failed=0 skipped=0
pass() { echo "PASS: $*"; passed=$((passed + 1)); }
fail() { echo "FAIL: $*"; failed=$((failed + 1)); }
skip() { echo "SKIP: $*"; skipped=$((skipped + 1)); }
summary() {
  if ((skipped)); then
    echo "$passed passed, $failed failed, $skipped skipped"
  else
    echo "$passed passed, $failed failed"
  fi
}

tmp="$(mktemp -d /tmp/modenorm-e2e-slurm.XXXXXX)"
slurm_dir="${MODENORM_SLURM_DIR:-/tmp/modenorm-slurm}"
export MODENORM_SLURM_DIR="$slurm_dir"
# Stop Slurm at the end only if this test started it; a Slurm that was already up (the system's,
# or a developer's private one) is left as it was.
we_started=0
cleanup() {
  local rc=$?
  if ((we_started)); then
    bash "$here/stop_local_slurm.sh" || true
  fi
  rm -rf "$tmp"
  exit "$rc"
}
trap cleanup EXIT
# Turn timeout's TERM (and ^C) into a normal exit so that the EXIT trap runs.
trap 'fail "test timed out (MODENORM_E2E_SLURM_TIMEOUT)"; summary; exit 124' TERM
trap 'exit 130' INT

# --- Slurm -------------------------------------------------------------------------------------
start_token() { cat "$slurm_dir/started" 2>/dev/null || true; }
token_before="$(start_token)"
start_rc=0
bash "$here/start_local_slurm.sh" >"$tmp/start.log" 2>&1 || start_rc=$?
cat "$tmp/start.log"
if ((start_rc == 77)); then
  echo "test_sbatch: Slurm cannot be run on this machine; skipping"
  exit 77
fi
# A new token means this call started the daemons (also when it failed half-way: clean up then).
token_after="$(start_token)"
[[ -n "$token_after" && "$token_after" != "$token_before" ]] && we_started=1
if ((start_rc != 0)); then
  fail "start_local_slurm.sh exited $start_rc"
  summary
  exit 1
fi
pass "local Slurm is up"
# shellcheck disable=SC1091  # written by start_local_slurm.sh
source "$slurm_dir/env"

if [[ $(id -u) -eq 0 ]]; then
  # Open MPI refuses root without these; sbatch passes them on to the job.
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
ranks=2

# --- Reference run with mpirun -----------------------------------------------------------------
ref="$tmp/ref/transformed.h5"
set_job "$ref"
if mpirun -n "$ranks" --oversubscribe "$bin" "${JOB[@]}" >"$tmp/ref.log" 2>&1; then
  pass "mpirun reference run"
else
  cat "$tmp/ref.log"
  fail "mpirun reference run"
fi

# --- Batch runs ---------------------------------------------------------------------------------
# submit NAME OUT [sbatch options...]: sbatch --wait from $tmp (so %x-%j.out lands there); sets
# JOBID and RC. --mem is explicit so the job fits any machine this runs on.
submit() {
  local name="$1"
  shift
  JOBID="" RC=0
  local out
  out="$(cd "$tmp" && MODENORM_BIN="$bin" timeout 300 sbatch --wait --parsable -n "$ranks" \
           --ntasks-per-node="$ranks" --mem=1G --time=5 --job-name="$name" "$@" \
           "$sbatch_script" "${JOB[@]}" 2>"$tmp/$name.sbatch.err")" || RC=$?
  JOBID="$(head -n 1 <<<"$out" | cut -d';' -f1)"
  if [[ ! "$JOBID" =~ ^[0-9]+$ ]]; then
    cat "$tmp/$name.sbatch.err"
    JOBID=""
  fi
}

# check_run NAME OUT: everything a successful batch run must show.
check_run() {
  local name="$1" out="$2" log
  if ((RC == 0)) && [[ -n "$JOBID" ]]; then
    pass "$name: sbatch --wait exit 0 (job $JOBID)"
  else
    fail "$name: sbatch --wait exit $RC (job ${JOBID:-not submitted})"
  fi

  log="$tmp/$name-$JOBID.out"
  if [[ -n "$JOBID" && -f "$log" ]] && grep -q "job id: *$JOBID\$" "$log"; then
    pass "$name: log $(basename "$log") exists and names job $JOBID"
  else
    fail "$name: log $name-${JOBID:-?}.out missing or without the job id"
    ls -l "$tmp"
  fi
  if ((RC != 0)) && [[ -f "$log" ]]; then
    tail -n 30 "$log"
  fi

  if [[ ! -f "$out" ]]; then
    fail "$name: output $out missing"
    return
  fi
  # The design's completeness marker; until the binary writes it, the datasets must exist.
  if grep -q 'ATTRIBUTE "complete"' <(h5dump -A "$out" 2>/dev/null); then
    if grep -Eq '\(0\): *"?1"?$' <(h5dump -a /complete "$out" 2>/dev/null); then
      pass "$name: output has complete = 1"
    else
      fail "$name: output has a complete attribute that is not 1"
    fi
  else
    local missing=0 ds
    for ds in "${COMPARE[@]}"; do
      h5dump -H -d "$ds" "$out" >/dev/null 2>&1 || missing=1
    done
    if ((missing)); then
      fail "$name: output lacks ${COMPARE[*]}"
    else
      pass "$name: output has ${COMPARE[*]} (no complete attribute written yet)"
    fi
  fi

  local ds diff_ok=1
  for ds in "${COMPARE[@]}"; do
    if ! h5diff "$ref" "$out" "$ds" "$ds" >"$tmp/$name.h5diff" 2>&1; then
      diff_ok=0
      head -n 20 "$tmp/$name.h5diff"
    fi
  done
  if ((diff_ok)); then
    pass "$name: ${COMPARE[*]} identical to the mpirun run (h5diff)"
  else
    fail "$name: ${COMPARE[*]} differs from the mpirun run"
  fi

  # The binary records Slurm's job id in its outputs once that part lands.
  if grep -q 'ATTRIBUTE "slurm_job_id"' <(h5dump -A "$out" 2>/dev/null); then
    if grep -Eq "\(0\): *\"?$JOBID\"?\$" <(h5dump -a /slurm_job_id "$out" 2>/dev/null); then
      pass "$name: attribute slurm_job_id = $JOBID"
    else
      fail "$name: attribute slurm_job_id is not $JOBID"
      h5dump -a /slurm_job_id "$out" || true
    fi
  else
    skip "$name: binary writes no slurm_job_id attribute yet; job id check not done"
  fi
}

# 1. Default launcher: srun --mpi=pmix when Slurm has it (it does with Debian's packages).
out_srun="$tmp/slurm/transformed.h5"
set_job "$out_srun"
submit modenorm-e2e
check_run modenorm-e2e "$out_srun"
log="$tmp/modenorm-e2e-$JOBID.out"
if srun --mpi=list 2>&1 | grep -qw pmix; then
  if grep -q '^launcher: *srun (--mpi=pmix)' "$log" 2>/dev/null; then
    pass "modenorm-e2e: launched with srun --mpi=pmix"
  else
    fail "modenorm-e2e: srun offers pmix but the job did not use it"
  fi
fi

# 2. The mpirun fallback inside an allocation.
out_mpirun="$tmp/slurm-mpirun/transformed.h5"
set_job "$out_mpirun"
MODENORM_LAUNCHER=mpirun submit modenorm-e2e-mpirun
check_run modenorm-e2e-mpirun "$out_mpirun"

# 3. A failing job: sbatch --wait must report the failure and the log its exit code.
set_failing_job "$tmp/never.h5"
submit modenorm-e2e-fail
if ((RC != 0)) && [[ -n "$JOBID" ]] &&
   grep -Eq 'exit code [1-9][0-9]*' "$tmp/modenorm-e2e-fail-$JOBID.out" 2>/dev/null; then
  pass "failing job: sbatch --wait exit $RC, log records the exit code"
else
  fail "failing job: sbatch --wait exit $RC (job ${JOBID:-not submitted}), expected non-zero"
fi

summary
((failed == 0))
