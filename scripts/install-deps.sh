#!/usr/bin/env bash
# Installs everything modenorm needs to build, test and run, from Debian's archive.
# Idempotent: packages already present are skipped, and apt is only called when one is missing.
# Used by scripts/demo.sh, scripts/test.sh, .ci/run and docker/Dockerfile.
set -euo pipefail

packages=(
  # build
  build-essential cmake pkg-config git clang-format
  # C++ libraries (the design card: Open MPI, parallel HDF5, Eigen, spdlog, GoogleTest)
  libopenmpi-dev openmpi-bin libhdf5-openmpi-dev hdf5-tools libeigen3-dev
  libspdlog-dev libfmt-dev libgtest-dev libcli11-dev nlohmann-json3-dev
  libtomlplusplus-dev librandom123-dev libbenchmark-dev libssl-dev
  # run-time helpers used by tests, benchmarks and the Slurm test
  time coreutils procps openssh-client
  # Debian's Python for the scikit-learn reference, the notebook and plots
  python3 python3-numpy python3-sklearn python3-h5py python3-matplotlib
  jupyter-nbconvert python3-ipykernel
)
if [[ "${MODENORM_WITH_SLURM:-0}" == 1 ]]; then
  packages+=(slurm-wlm munge)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  sudo_cmd=(sudo)
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
