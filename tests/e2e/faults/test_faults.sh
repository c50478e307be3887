#!/usr/bin/env bash
# Faults from outside the process, on the real executable under mpirun:
#   1. SIGKILL during transform, then the same command again: it resumes from the .partial file
#      and the datasets are byte-identical to an uninterrupted run.
#   2. SIGTERM during transform: a clean stop, non-zero exit, no output and no .partial left.
#   3. A full disk (a small tmpfs, as root): a clear error, no output and no .partial left.
# Usage: test_faults.sh MODENORM_BINARY
set -euo pipefail
bin="$(realpath "$1")"
repo="$(cd "$(dirname "$0")/../../.." && pwd)"
tmp="$(mktemp -d /tmp/modenorm-faults.XXXXXX)"
mnt="$tmp/small-disk"
cleanup() {
  mountpoint -q "$mnt" 2>/dev/null && umount "$mnt"
  rm -rf "$tmp"
}
trap cleanup EXIT
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
passed=0 failed=0
pass() { echo "PASS: $*"; passed=$((passed + 1)); }
fail() { echo "FAIL: $*"; failed=$((failed + 1)); }
mn() { mpirun -n 2 --oversubscribe "$bin" "$@"; }

# Data: 30M rows, so a transform in 1M-row slabs runs for a few seconds.
mn ingest --csv "$repo/data/credit_amount.csv" --out "$tmp/c.h5" >/dev/null 2>&1
mn scale --in "$tmp/c.h5" --rows 30000000 --jitter 0.005 --out "$tmp/big.h5" >/dev/null 2>&1
mn fit --in "$tmp/big.h5" --model "$tmp/m.json" --max-iter 5 >/dev/null 2>&1
transform_args() {  # output path
  args=(mpirun -n 2 --oversubscribe "$bin" transform --in "$tmp/big.h5" --model "$tmp/m.json"
        --out "$1" --slab-rows 1000000 --force)
}
transform() { transform_args "$1"; "${args[@]}"; }
transform "$tmp/ref.h5" >"$tmp/ref.log" 2>&1 || { cat "$tmp/ref.log"; exit 1; }

# Waits until the .partial file exists and at least one slab is recorded, then sends a signal to
# the whole process group of the run.
signal_midway() {  # signal, output path, pid
  local sig="$1" out="$2" pid="$3" i
  for i in $(seq 1 200); do
    if [[ -f "$out.partial" ]] && HDF5_USE_FILE_LOCKING=FALSE h5dump -a /slabs_done "$out.partial" 2>/dev/null |
         grep -Eq '\(0\): *[1-9]'; then
      break
    fi
    sleep 0.05
  done
  kill "-$sig" -- "-$pid" 2>/dev/null || true
}

# 1. SIGKILL, then the same command again.
# setsid (no fork: a background job is not a group leader) makes mpirun the leader of its own
# process group, so $! is both its pid and the group to signal.
# MODENORM_DELAY (test-only) pauses after every recorded slab, so the signal reliably lands while
# the run is still going, however fast the machine.
transform_args "$tmp/killed.h5"
MODENORM_DELAY=transform-slab:200 setsid "${args[@]}" >"$tmp/killed.log" 2>&1 &
pid=$!
signal_midway KILL "$tmp/killed.h5" "$pid"
wait "$pid" && rc=0 || rc=$?
sleep 0.5
if ((rc != 0)) && [[ ! -f "$tmp/killed.h5" && -f "$tmp/killed.h5.partial" ]]; then
  pass "SIGKILL: the run died (exit $rc) leaving only killed.h5.partial"
else
  fail "SIGKILL: exit $rc; final file present: $([[ -f $tmp/killed.h5 ]] && echo yes || echo no)"
fi
if transform "$tmp/killed.h5" >"$tmp/rerun.log" 2>&1 && grep -q "resuming" "$tmp/rerun.log"; then
  pass "SIGKILL: the same command again resumed and finished"
else
  tail -n 20 "$tmp/rerun.log"
  fail "SIGKILL: the rerun did not resume and finish"
fi
same=1
for ds in /alpha /component /order; do
  h5diff "$tmp/ref.h5" "$tmp/killed.h5" "$ds" "$ds" >/dev/null 2>&1 || same=0
done
((same)) && pass "SIGKILL: /alpha /component /order identical to the uninterrupted run" ||
  fail "SIGKILL: datasets differ from the uninterrupted run"

# 2. SIGTERM: a clean stop.
transform_args "$tmp/termed.h5"
MODENORM_DELAY=transform-slab:200 setsid "${args[@]}" >"$tmp/termed.log" 2>&1 &
pid=$!
signal_midway TERM "$tmp/termed.h5" "$pid"
wait "$pid" && rc=0 || rc=$?
sleep 0.5
if ((rc != 0)) && [[ ! -e "$tmp/termed.h5" && ! -e "$tmp/termed.h5.partial" ]]; then
  pass "SIGTERM: stopped with exit $rc, no output and no .partial left"
else
  tail -n 5 "$tmp/termed.log"
  fail "SIGTERM: exit $rc; left: $(ls "$tmp" | grep termed || true)"
fi

# 3. A full disk (needs root to mount a tmpfs).
if [[ $(id -u) -eq 0 ]] && mkdir -p "$mnt" && mount -t tmpfs -o size=4m tmpfs "$mnt" 2>/dev/null; then
  if out="$(mn scale --in "$tmp/c.h5" --rows 10000000 --out "$mnt/big.h5" 2>&1)"; then
    fail "full disk: scale succeeded on a 4 MiB file system"
  else
    rc=$?
    if ((rc == 2)) && grep -q "not enough disk space" <<<"$out" && [[ -z "$(ls -A "$mnt")" ]]; then
      pass "full disk: exit 2, 'not enough disk space', nothing left on the disk"
    else
      echo "$out" | tail -n 5
      fail "full disk: exit $rc; left: $(ls -A "$mnt")"
    fi
  fi
  # The transform writes more than the space left after its input: the write itself fails.
  cp "$tmp/c.h5" "$mnt/c.h5"
  mn fit --in "$mnt/c.h5" --model "$mnt/m.json" --max-iter 2 >/dev/null 2>&1
  head -c $((3 * 1024 * 1024)) /dev/zero >"$mnt/filler" 2>/dev/null || true
  if out="$(mn transform --in "$mnt/c.h5" --model "$mnt/m.json" --out "$mnt/t.h5" 2>&1)"; then
    fail "full disk: transform succeeded without space"
  else
    rc=$?
    if ((rc != 0)) && [[ ! -e "$mnt/t.h5" && ! -e "$mnt/t.h5.partial" ]]; then
      pass "full disk: transform failed (exit $rc) with no output and no .partial left"
    else
      echo "$out" | tail -n 5
      fail "full disk: transform exit $rc; left: $(ls -A "$mnt")"
    fi
  fi
else
  echo "SKIP: full disk (needs root and a tmpfs mount)"
fi

echo "$passed passed, $failed failed"
((failed == 0))
