#!/usr/bin/env bash
# End-to-end transform throughput with I/O: `modenorm transform` on ROWS rows under
# `mpirun -n RANKS`, next to a raw direct-I/O write of the same output bytes (dd oflag=direct)
# measured in the same run, so the figure can be read against what the disk can do.
#
#   [SLAB=rows] [IO=direct|mpio] bench/transform_bench.sh [BUILD_DIR] [ROWS] [RANKS] [WORK_DIR]
# IO sets --io of transform and inverse (unset: their default, direct).
# Needs `modenorm scale` to make the input. Deletes every file it made.
set -euo pipefail
BUILD=${1:-/work/main/build/release}
ROWS=${2:-100000000}
RANKS=${3:-2}
WORK=${4:-$(mktemp -d /tmp/modenorm-transform-bench.XXXXXX)}
SRC=$(cd "$(dirname "$0")/.." && pwd)
M="$BUILD/src/app/modenorm"
MPI=(mpirun -n "$RANKS" --oversubscribe)
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
mkdir -p "$WORK"
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"

"$M" ingest --csv "$SRC/data/credit_amount.csv" --out "$WORK/c.h5" > /dev/null
"$M" fit --in "$WORK/c.h5" --model "$WORK/m.json" > /dev/null
"${MPI[@]}" "$M" scale --in "$WORK/c.h5" --rows "$ROWS" --jitter 0.005 --out "$WORK/big.h5" > /dev/null
sync

# Output bytes of the transform: float64 alpha + uint8 component per row.
BYTES=$((ROWS * 9))
MIB=$(((BYTES + 1048575) / 1048576))
start=$(date +%s.%N)
dd if=/dev/zero of="$WORK/dd.bin" bs=1M count="$MIB" oflag=direct status=none
end=$(date +%s.%N)
rm -f "$WORK/dd.bin"
dd_s=$(python3 -c "print($end - $start)")

start=$(date +%s.%N)
"${MPI[@]}" "$M" transform --in "$WORK/big.h5" --model "$WORK/m.json" --out "$WORK/t.h5" \
  --metrics "$WORK/tm.json" ${SLAB:+--slab-rows "$SLAB"} ${IO:+--io "$IO"} 2>&1 | tail -6
sync
end=$(date +%s.%N)
tr_s=$(python3 -c "print($end - $start)")

start=$(date +%s.%N)
"${MPI[@]}" "$M" inverse --in "$WORK/t.h5" --model "$WORK/m.json" --out "$WORK/r.h5" \
  --metrics "$WORK/im.json" ${IO:+--io "$IO"} 2>&1 | tail -5
sync
end=$(date +%s.%N)
inv_s=$(python3 -c "print($end - $start)")

python3 - "$ROWS" "$RANKS" "$BYTES" "$MIB" "$dd_s" "$tr_s" "$inv_s" <<'PY'
import sys
rows, ranks, nbytes, mib = (int(v) for v in sys.argv[1:5])
dd, tr, inv = (float(v) for v in sys.argv[5:8])
print(f"rows {rows}, ranks {ranks}, output {nbytes / 1e9:.2f} GB (alpha f64 + component u8)")
print(f"dd oflag=direct write of {mib} MiB:                        {dd:7.2f} s  "
      f"{mib * 1048576 / dd / 1e9:5.2f} GB/s")
print(f"modenorm transform (read+compute+write, with start-up):  {tr:7.2f} s  "
      f"{rows / tr / 1e6:6.1f} M rows/s  {nbytes / tr / 1e9:5.2f} GB/s written")
print(f"modenorm inverse (reads 9 B/row, writes 8 B/row):        {inv:7.2f} s  "
      f"{rows / inv / 1e6:6.1f} M rows/s")
PY
python3 - "$WORK/tm.json" "$WORK/im.json" <<'PY'
import json, sys
for command, path in zip(("transform", "inverse"), sys.argv[1:]):
    m = json.load(open(path))
    for s in m["stages"]:
        print(f'  {command} stage {s["stage"]:<20} max {s["max_seconds"]:.2f} s  (--io {m.get("io", "mpio")})')
PY
