#!/usr/bin/env bash
# End-to-end test of notebooks/demo.ipynb: executes every cell of a copy of the notebook with
# nbconvert on Debian's Python (/usr/bin/python3), on 200,000 rows and 2 MPI ranks.
#
#   bash tests/e2e/notebook/run_notebook.sh build/release/src/app/modenorm
#
# Fails when any cell raises (nbconvert stops there), when a cell output is an error, or when a
# code cell did not run. The notebook in the repository is not modified; the outputs go to a
# temporary directory that is removed unless the test fails.
set -euo pipefail

if (($# != 1)); then
  echo "usage: $0 path/to/modenorm" >&2
  exit 2
fi
bin="$(realpath "$1")"
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
python=/usr/bin/python3

report() {
  if (($1 == 0)); then echo "1 passed, 0 failed"; else echo "0 passed, 1 failed"; fi
}

tmp="$(mktemp -d "${TMPDIR:-/tmp}/modenorm-notebook.XXXXXX")"
cleanup() {
  local rc=$?
  if ((rc == 0)); then rm -rf "$tmp"; else echo "run_notebook: kept $tmp for inspection" >&2; fi
  report "$rc"
}
trap cleanup EXIT

[[ -x "$bin" ]] || { echo "FAIL: not an executable: $bin" >&2; exit 1; }

# The notebook needs Debian's Python with numpy, h5py, matplotlib, nbconvert and ipykernel.
if ! "$python" -c 'import numpy, h5py, matplotlib, nbconvert, nbformat, ipykernel' 2>/dev/null; then
  echo "FAIL: $python lacks numpy, h5py, matplotlib, nbconvert, nbformat or ipykernel" >&2
  exit 1
fi

# A private kernelspec named python3 that runs /usr/bin/python3, found first through JUPYTER_PATH,
# so that no other Python on this machine (a pyenv or venv python3 on PATH) runs the cells.
mkdir -p "$tmp/jupyter/kernels/python3" "$tmp/run"
cat > "$tmp/jupyter/kernels/python3/kernel.json" <<EOF
{"argv": ["$python", "-m", "ipykernel_launcher", "-f", "{connection_file}"],
 "display_name": "Python 3 (Debian)", "language": "python"}
EOF
cp "$repo/notebooks/demo.ipynb" "$tmp/run/demo.ipynb"

echo "run_notebook: executing a copy of notebooks/demo.ipynb in $tmp/run"
status=0
env JUPYTER_PATH="$tmp/jupyter" PYDEVD_DISABLE_FILE_VALIDATION=1 \
  MODENORM_ROWS=200000 MODENORM_RANKS=2 MODENORM_OUT="$tmp/out" MODENORM_BIN="$bin" \
  MODENORM_ROOT="$repo" \
  "$python" -m jupyter nbconvert --to notebook --execute \
  --ExecutePreprocessor.timeout=600 --ExecutePreprocessor.kernel_name=python3 \
  --output executed.ipynb "$tmp/run/demo.ipynb" || status=$?
if ((status != 0)); then
  echo "FAIL: nbconvert --execute exited with status $status (a cell raised; see above)" >&2
  exit 1
fi

# Every code cell ran, none has an error output, and the kernel was Debian's Python.
"$python" - "$tmp/run/executed.ipynb" <<'EOF'
import sys
import nbformat

nb = nbformat.read(sys.argv[1], as_version=4)
problems = []
code = [c for c in nb.cells if c.cell_type == "code"]
for i, cell in enumerate(code):
    if cell.get("execution_count") is None:
        problems.append(f"code cell {i} did not run")
    for out in cell.get("outputs", []):
        if out.get("output_type") == "error":
            problems.append(f"code cell {i}: {out.get('ename')}: {out.get('evalue')}")
text = "".join(o.get("text", "") for c in code for o in c.get("outputs", []))
if "python     : /usr/bin/python3 " not in text:
    problems.append("the kernel was not /usr/bin/python3")
images = sum("image/png" in o.get("data", {}) for c in code for o in c.get("outputs", []))
if images < 3:
    problems.append(f"expected at least 3 figures, found {images}")
for p in problems:
    print("FAIL:", p, file=sys.stderr)
if problems:
    sys.exit(1)
print(f"PASS: {len(code)} code cells ran without errors, {images} figures")
EOF
