#!/usr/bin/env bash
# The 1e9-row benchmark: the bundled column scaled to ROWS rows, the faithful fit (100 EM
# iterations over every row), the transform, the inverse and its check over every row, with
# 2 MPI ranks; once on continuous data (jitter 0.005) and once on a pure bootstrap (jitter 0,
# where the exact distinct-value path applies). Beside it, floors measured in the same run: raw
# direct-I/O disk write and read (dd) and a memory copy. Prints one table per data set and the
# peak RSS of each rank; keeps each run's evaluation report (modenorm evaluate, in the config)
# as REPORT_DIR/evaluation_1b_jitter-J.json and deletes the big files at the end.
#   bench/run_1b.sh [BINARY] [WORK_DIR] [ROWS] [REPORT_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${1:-build/release/src/app/modenorm}"
work="${2:-/tmp/modenorm-1b}"
rows="${3:-1000000000}"
reports="${4:-bench}"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
mkdir -p "$work"
trap 'rm -rf "$work"' EXIT

echo "# machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(date -u +%Y-%m-%dT%H:%MZ)"
echo "# rows: $rows"

bytes=$((rows * 8))
blocks=$((bytes / 67108864))
floor() {  # label, command...; prints seconds and GB/s
  local label=$1; shift
  local t0 t1
  t0=$(date +%s.%N); "$@" 2>/dev/null; t1=$(date +%s.%N)
  awk -v l="$label" -v a="$t0" -v b="$t1" -v by="$bytes" \
    'BEGIN {printf "floor  %-28s %8.2f s  %6.2f GB/s\n", l, b - a, by / (b - a) / 1e9}'
}
floor "disk write (dd direct)" dd if=/dev/zero of="$work/dd" bs=64M count="$blocks" oflag=direct
floor "disk read (dd direct)" dd if="$work/dd" of=/dev/null bs=64M iflag=direct
floor "memory copy (dd)" dd if=/dev/zero of=/dev/null bs=64M count="$blocks"
rm -f "$work/dd"

for jitter in 0.005 0; do
  out="$work/jitter-$jitter"
  echo
  echo "## jitter $jitter"
  # /usr/bin/time per rank: peak RSS of each rank, not of mpirun.
  mpirun -n 2 --oversubscribe /usr/bin/time -f "peak RSS rank: %M KiB, wall %e s" \
    "$bin" run --config configs/credit_1b.toml --set "scale.rows=$rows" \
    --set "scale.jitter=$jitter" --set "output.dir=\"$out\"" >"$work/log-$jitter" 2>&1 || {
    tail -n 40 "$work/log-$jitter"; exit 1; }
  grep -E "fit path|iteration +(1|50|100):|round trip:|peak RSS|valid mode|evaluate: [^0-9]" \
    "$work/log-$jitter" |
    sed -E 's/^\[[^]]*\] //'
  /usr/bin/python3 - "$out/metrics.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
def row(name, s):
    print(f"{name:<34} {s['max_seconds']:9.2f} s")
print(f"{'stage (max over ranks)':<34} {'wall':>11}")
for s in m["stages"]:
    row(s["stage"], s)
for cmd in ("fit", "transform"):
    for s in m.get(cmd, {}).get("stages", []):
        row(f"  {cmd}: {s['stage']}", s)
em = [s for s in m["fit"]["stages"] if s["stage"] == "EM iterations"]
if em:
    iters = len(json.load(open(sys.argv[1].replace("metrics.json", "model.json")))["fit"]["lower_bound_history"])
    print(f"{'  EM per iteration':<34} {em[0]['max_seconds'] / iters:9.3f} s  ({iters} iterations)")
print(f"{'total wall':<34} {m['wall_seconds']:9.2f} s")
PY
  cp "$out/evaluation.json" "$reports/evaluation_1b_jitter-$jitter.json"
  echo "evaluation report: $reports/evaluation_1b_jitter-$jitter.json"
  rm -rf "$out"
done
