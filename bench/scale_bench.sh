#!/usr/bin/env bash
# `modenorm scale` at 1e9 rows against the disk it writes to. Builds nothing.
#
#   bench/scale_bench.sh <modenorm binary> [bootstrap_bench binary] [work dir]
#
# Measures, in one run on the same file system:
#   1. generation alone, no I/O: bootstrap_bench (1e9 rows in memory) on one core and on as
#      many threads as ranks (each owning a contiguous share, as the ranks of `scale` do);
#   2. a raw sequential direct-I/O write of the same size (dd oflag=direct, 64 MiB blocks);
#   3. `mpirun -n 2 modenorm scale --rows 1e9 --jitter 0.005`, until it returns and until a
#      following `sync` has flushed the page cache (the durable figure, comparable with dd),
#      with the generation time of its slowest rank from its log;
# then prints a table with the ratios, the targets (generation >= 5x the raw write, the whole
# command >= 60 % of it) and deletes the big files.
# Environment: RANKS (default 2), ROWS (default 1000000000), SLAB_ROWS, EXTRA (more scale options).
set -euo pipefail

modenorm=${1:?usage: scale_bench.sh <modenorm binary> [bootstrap_bench binary] [work dir]}
bench=${2:-$(dirname "$modenorm")/../../bench/bootstrap_bench}
work_parent=${3:-${TMPDIR:-/tmp}}
ranks=${RANKS:-2}
rows=${ROWS:-1000000000}
here=$(cd "$(dirname "$0")" && pwd)
csv=$here/../data/credit_amount.csv
bytes=$((rows * 8))

[[ -x $modenorm ]] || { echo "not an executable: $modenorm" >&2; exit 2; }
[[ -x $bench ]] || { echo "not an executable: $bench (pass it as the 2nd argument)" >&2; exit 2; }

# One big file at a time lives on disk; keep 1 GiB spare.
avail=$(df --output=avail -B1 "$work_parent" | tail -1)
if ((avail < bytes + (1 << 30))); then
  echo "not enough space in $work_parent: need $((bytes >> 20)) MiB + 1 GiB, have $((avail >> 20)) MiB" >&2
  exit 2
fi
work=$(mktemp -d "$work_parent/modenorm-scale-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
now() { date +%s.%N; }
secs() { echo "$2 - $1" | bc -l; }

echo "== machine: $(nproc) cores, $(df -h --output=source,fstype "$work" | tail -1), rows $rows"

"$modenorm" --log-level warn ingest --csv "$csv" --out "$work/credit.h5"

# The J = 0.005 line of bootstrap_bench: jitter seconds Mrows/s GB/s ns/row
echo "== 1. generation alone (no I/O), 1 thread and $ranks threads"
gen1_out=$("$bench" --rows "$rows" --threads 1)
echo "$gen1_out"
read -r _ gen1_s _ gen1_gbs _ < <(echo "$gen1_out" | awk '$1 == "0.005"')
genn_out=$("$bench" --rows "$rows" --threads "$ranks")
echo "$genn_out"
read -r _ genn_s _ genn_gbs _ < <(echo "$genn_out" | awk '$1 == "0.005"')

echo "== 2. raw direct write: dd of $((bytes >> 20)) MiB, oflag=direct"
blocks=$(((bytes + (64 << 20) - 1) / (64 << 20)))
t0=$(now)
dd if=/dev/zero of="$work/raw.bin" bs=64M count="$blocks" oflag=direct status=none
t1=$(now)
dd_s=$(secs "$t0" "$t1")
dd_bytes=$((blocks * (64 << 20)))
rm -f "$work/raw.bin"

echo "== 3. mpirun -n $ranks modenorm scale --rows $rows --jitter 0.005 ${SLAB_ROWS:+--slab-rows $SLAB_ROWS} ${EXTRA:-}"
sync
t0=$(now)
# shellcheck disable=SC2086
mpirun -n "$ranks" --oversubscribe "$modenorm" scale --in "$work/credit.h5" --rows "$rows" \
  --jitter 0.005 --out "$work/big.h5" ${SLAB_ROWS:+--slab-rows $SLAB_ROWS} ${EXTRA:-} \
  2>&1 | tee "$work/scale.log"
t1=$(now)
sync
t2=$(now)
scale_s=$(secs "$t0" "$t1")
durable_s=$(secs "$t0" "$t2")
size=$(stat -c %s "$work/big.h5")
# "...; generation 1.23 s on the slowest rank)"
inside_s=$(sed -n 's/.*generation \([0-9.]*\) s on the slowest rank.*/\1/p' "$work/scale.log" | tail -1)
rm -f "$work/big.h5"

gbs() { echo "$1 / $2 / 1000000000" | bc -l; }
dd_gbs=$(gbs "$dd_bytes" "$dd_s")
scale_gbs=$(gbs "$bytes" "$scale_s")
durable_gbs=$(gbs "$bytes" "$durable_s")
echo
echo "== results ($rows rows, $((bytes >> 20)) MiB of float64; output file $size bytes)"
printf '%-44s %9s %11s %8s %13s\n' "what" "seconds" "Mrows/s" "GB/s" "vs raw write"
row() { printf '%-44s %9.2f %11.1f %8.2f %12.2fx\n' "$1" "$2" "$(echo "$rows / $2 / 1000000" | bc -l)" "$3" "$(echo "$3 / $dd_gbs" | bc -l)"; }
row "generation alone, 1 thread (J=0.005)" "$gen1_s" "$gen1_gbs"
row "generation alone, $ranks threads (J=0.005)" "$genn_s" "$genn_gbs"
if [[ -n $inside_s ]]; then
  row "generation inside scale, slowest of $ranks ranks" "$inside_s" "$(gbs "$bytes" "$inside_s")"
fi
row "raw direct write (dd, 64M blocks)" "$dd_s" "$dd_gbs"
row "scale, $ranks ranks, until it returns" "$scale_s" "$scale_gbs"
row "scale, $ranks ranks, + sync (durable)" "$durable_s" "$durable_gbs"
echo
verdict() { if (($(echo "$1 >= $2" | bc -l))); then echo "met"; else echo "NOT met"; fi; }
gen_ratio=$(echo "$genn_gbs / $dd_gbs" | bc -l)
scale_ratio=$(echo "$durable_gbs / $dd_gbs" | bc -l)
printf 'target: generation on %s threads >= 5x the raw write: %.2fx, %s\n' "$ranks" "$gen_ratio" "$(verdict "$gen_ratio" 5)"
printf 'target: durable scale >= 60%% of the raw write: %.0f%%, %s\n' "$(echo "100 * $scale_ratio" | bc -l)" "$(verdict "$scale_ratio" 0.6)"
