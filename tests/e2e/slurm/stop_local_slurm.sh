#!/usr/bin/env bash
# Stops the private Slurm that start_local_slurm.sh started (by its pid files) and removes its
# directory. A system Slurm that start_local_slurm.sh only reused is left running.
set -euo pipefail

dir="${MODENORM_SLURM_DIR:-/tmp/modenorm-slurm}"
log() { echo "stop_local_slurm: $*" >&2; }

if [[ ! -d "$dir" ]]; then
  log "nothing to stop ($dir absent)"
  exit 0
fi
if [[ -f "$dir/external" ]]; then
  log "Slurm was reused, not started here: leaving it running"
  rm -rf "$dir"
  exit 0
fi

# Cancel jobs still in the private cluster (a test that timed out) while slurmd can still end
# their job steps; stopping slurmd alone would leave slurmstepd and the tasks running.
export SLURM_CONF="$dir/slurm.conf"
if [[ -f "$SLURM_CONF" ]]; then
  jobs_left="$(timeout 10 squeue -h -o '%A' 2>/dev/null || true)"
  if [[ -n "$jobs_left" ]]; then
    log "cancelling jobs: $(tr '\n' ' ' <<<"$jobs_left")"
    # shellcheck disable=SC2086  # one job id per word
    timeout 10 scancel --full $jobs_left 2>/dev/null || true
    for _ in $(seq 1 20); do
      [[ -z "$(timeout 10 squeue -h -o '%A' 2>/dev/null || true)" ]] && break
      sleep 0.5
    done
  fi
fi

# Stop slurmd before slurmctld (it would otherwise log lost-controller errors), munged last.
for name in slurmd slurmctld munged; do
  pidfile="$dir/run/$name.pid"
  [[ -s "$pidfile" ]] || continue
  pid="$(<"$pidfile")"
  # Only signal the process if it is still the daemon we started (pids can be reused).
  if [[ "$(ps -o comm= -p "$pid" 2>/dev/null || true)" == "$name"* ]]; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
      log "$name ($pid) did not exit on TERM, killing"
      kill -9 "$pid" 2>/dev/null || true
    fi
  fi
done
rm -rf "$dir"
log "stopped"
