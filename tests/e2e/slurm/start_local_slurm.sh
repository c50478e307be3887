#!/usr/bin/env bash
# Starts a single-node Slurm (munged + slurmctld + slurmd) for the end-to-end tests, on this
# machine only, with every file under a private directory. Idempotent.
#
#   tests/e2e/slurm/start_local_slurm.sh            start (or reuse) and print the environment
#   source "$MODENORM_SLURM_DIR/env"                 then sbatch/srun/sinfo talk to that Slurm
#
# If a working Slurm is already there (sinfo answers with a partition and an idle node), it is
# reused and left alone: nothing is started, and stop_local_slurm.sh will not stop it.
#
# Environment:
#   MODENORM_SLURM_DIR   private directory (default /tmp/modenorm-slurm); holds slurm.conf,
#                        munge key and socket, state, spool, logs, pid files and `env`
#   MODENORM_SLURM_PORT  first of the two TCP ports used on 127.0.0.1 (default 16817): not the
#                        standard 6817/6818, so a system Slurm on this machine is not disturbed
#   MODENORM_SLURM_FORCE_PRIVATE=1  start the private Slurm even if a system one works
#
# Exit codes: 0 ready, 77 this machine does not allow running Slurm (no root to install it or
# to run the daemons as SlurmUser=root), anything else a real failure (logs are printed).
set -euo pipefail

dir="${MODENORM_SLURM_DIR:-/tmp/modenorm-slurm}"
port="${MODENORM_SLURM_PORT:-16817}"
timeout_s=60

log() { echo "start_local_slurm: $*" >&2; }

# --- 1. Reuse a Slurm that already works -------------------------------------------------------
# An idle node in some partition means jobs can run now. Our own previous start counts too
# (its env file points SLURM_CONF at the private slurm.conf).
slurm_ready() {
  # One line per node and partition. The state must be exactly "idle": a suffix (idle*, idle~,
  # idle#) means not responding, powered down or still powering up. (A partition-oriented
  # `sinfo -t idle` is no test: it prints partitions with 0 idle nodes too.)
  timeout 10 sinfo -h -N -o '%T %P' 2>/dev/null | grep -E '^idle [^ ]+$' >/dev/null
}

if [[ -f "$dir/env" ]]; then
  # shellcheck disable=SC1091  # written by this script, below
  if (source "$dir/env" && slurm_ready); then
    log "the Slurm recorded in $dir is up: reusing it"
    cat "$dir/env"
    exit 0
  fi
  log "stale private Slurm in $dir: stopping it and starting afresh"
  MODENORM_SLURM_DIR="$dir" bash "$(dirname "$0")/stop_local_slurm.sh" || true
fi

# The caller's Slurm: the system configuration, or whatever SLURM_CONF the caller set (unless it
# is a leftover pointing at this script's own, now stopped, private cluster).
if [[ "${SLURM_CONF:-}" == "$dir/slurm.conf" ]]; then
  unset SLURM_CONF
fi
if [[ "${MODENORM_SLURM_FORCE_PRIVATE:-0}" != 1 ]] && command -v sinfo >/dev/null && slurm_ready; then
  log "reusing the Slurm already running on this machine (it will not be stopped)"
  mkdir -p "$dir"
  {
    echo "# Slurm already running, reused; not started by start_local_slurm.sh"
    if [[ -n "${SLURM_CONF:-}" ]]; then
      echo "export SLURM_CONF=${SLURM_CONF}"
    else
      # The clients find the system configuration themselves.
      echo "unset SLURM_CONF"
    fi
  } >"$dir/env"
  touch "$dir/external"
  cat "$dir/env"
  exit 0
fi

# --- 2. Install when missing ------------------------------------------------------------------
if [[ $(id -u) -ne 0 ]]; then
  # SlurmUser=root and the Debian packages both need root; a user without it cannot run this
  # test here, which is a property of the machine rather than a failure of the project.
  log "SKIP: not root, cannot install or run slurmctld/slurmd as SlurmUser=root"
  exit 77
fi

need=()
for b in slurmctld slurmd sbatch sinfo munged; do
  command -v "$b" >/dev/null || need=(slurm-wlm munge)
done
if ((${#need[@]})); then
  log "installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# --- 3. Private layout -------------------------------------------------------------------------
rm -rf "$dir"
mkdir -p "$dir"/{munge,state,spool,log,run}
# munged's own checks: no directory on the key's or socket's path may be writable by others, and
# the socket's directory must be searchable by all (clients of any user connect to it).
chmod 0755 "$dir"
chmod 0711 "$dir/munge"
# A token that changes with every start, so a caller can tell whether this call started Slurm.
echo "$$ $(date +%s.%N)" >"$dir/started"

dump_logs() {
  for f in "$dir"/log/*.log; do
    [[ -f "$f" ]] || continue
    echo "----- $f (last 40 lines) -----" >&2
    tail -n 40 "$f" >&2
  done
}
# On any failure from here on: show why, and stop what was started so no daemon is left behind.
fail() {
  log "$*"
  dump_logs
  MODENORM_SLURM_DIR="$dir" bash "$(dirname "$0")/stop_local_slurm.sh" || true
  exit 1
}

# --- 4. munged with its own key and socket ------------------------------------------------------
key="$dir/munge/munge.key"
if [[ ! -s "$key" ]]; then
  # 1024 random bytes, the size mungekey makes; dd keeps this independent of munge's version.
  dd if=/dev/urandom of="$key" bs=1024 count=1 status=none
  chmod 0400 "$key"
fi
socket="$dir/munge/munge.socket.2"
# Root may run munged; the key is read by root only (0400).
munged --key-file="$key" --socket="$socket" \
  --pid-file="$dir/run/munged.pid" --log-file="$dir/log/munged.log" \
  --seed-file="$dir/munge/munged.seed" || fail "munged did not start"

# --- 5. slurm.conf -------------------------------------------------------------------------------
node="$(hostname -s)"
cpus="$(nproc)"
# slurmd drains a node whose configured RealMemory exceeds what it measures, so leave headroom.
mem_mb=$(awk '/^MemTotal:/ { printf "%d", $2 / 1024 * 0.95 }' /proc/meminfo)
plugin_dir="$(dirname "$(find /usr/lib -name select_cons_tres.so -print -quit)")"
mpi_default=none
[[ -e "$plugin_dir/mpi_pmix.so" ]] && mpi_default=pmix

cat >"$dir/slurm.conf" <<CONF
# Single-node Slurm for modenorm's end-to-end tests (written by start_local_slurm.sh).
ClusterName=modenorm-test
SlurmctldHost=${node}(127.0.0.1)
SlurmctldPort=${port}
SlurmdPort=$((port + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=${socket}
PluginDir=${plugin_dir}
StateSaveLocation=${dir}/state
SlurmdSpoolDir=${dir}/spool
SlurmctldPidFile=${dir}/run/slurmctld.pid
SlurmdPidFile=${dir}/run/slurmd.pid
SlurmctldLogFile=${dir}/log/slurmctld.log
SlurmdLogFile=${dir}/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
# No cgroups: linuxproc/none work inside containers and sandboxes.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=${mpi_default}
ReturnToService=2
# Trust this file over what slurmd measures (sandboxes report odd topologies).
SlurmdParameters=config_overrides
SlurmdTimeout=60
InactiveLimit=0
KillWait=5
MinJobAge=300
# No mail on this machine; the default /bin/mail is usually absent.
MailProg=/bin/true
NodeName=${node} NodeAddr=127.0.0.1 CPUs=${cpus} RealMemory=${mem_mb} State=UNKNOWN
PartitionName=debug Nodes=${node} Default=YES MaxTime=INFINITE State=UP
CONF

cat >"$dir/env" <<ENV
# private Slurm started by start_local_slurm.sh
export SLURM_CONF=${dir}/slurm.conf
ENV
export SLURM_CONF="$dir/slurm.conf"

# --- 6. Daemons ------------------------------------------------------------------------------
# -i: ignore (absent) saved state; the daemons fork and write their pid files.
slurmctld -i -f "$dir/slurm.conf" || fail "slurmctld did not start"
slurmd -f "$dir/slurm.conf" -N "$node" || fail "slurmd did not start"

deadline=$((SECONDS + timeout_s))
until slurm_ready; do
  if ((SECONDS >= deadline)); then
    sinfo -N -l >&2 || true
    fail "node ${node} not idle after ${timeout_s}s"
  fi
  sleep 1
done
log "Slurm ready: node ${node}, ${cpus} CPUs, ${mem_mb} MB, conf ${dir}/slurm.conf"
cat "$dir/env"
