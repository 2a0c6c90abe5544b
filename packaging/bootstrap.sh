#!/usr/bin/env bash
# On Debian 12: installs whatever build dependency is missing, builds, then
#   bootstrap.sh app [ARGS...]   launches Supervision Console (ARGS go to it)
#   bootstrap.sh test            runs the whole test suite
#   bootstrap.sh fuzz [SECONDS]  builds the fuzz targets with clang and runs
#                                each for SECONDS (default 60; tests/fuzz/run.sh)
# Build trees live in build/<preset>; set SC_PRESET to pick another preset
# from CMakePresets.json (debug, release, asan, tsan, asan-core, tsan-core).
set -euo pipefail

mode=${1:-app}
shift || true
cd "$(dirname "$0")/.."
preset=${SC_PRESET:-release}

deps=(cmake ninja-build g++ pkg-config qt6-base-dev qt6-base-dev-tools libqcustomplot-dev
      libspdlog-dev libsqlite3-dev nlohmann-json3-dev libmimalloc-dev)
# libFuzzer ships with clang's runtime libraries.
if [ "$mode" = fuzz ]; then deps+=(clang libclang-rt-14-dev); fi
missing=()
for p in "${deps[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "bootstrap: installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get update
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends "${missing[@]}"
fi

if [ "$mode" = fuzz ]; then
  exec tests/fuzz/run.sh "$@"
fi

cmake --preset "$preset"
cmake --build --preset "$preset" -j "$(nproc)"

case $mode in
  app)
    exec "build/$preset/app/supervision-console" "$@" ;;
  test)
    exec ctest --preset "$preset" -j "$(nproc)" ;;
  *)
    echo "usage: packaging/bootstrap.sh app [ARGS...] | test | fuzz [SECONDS]" >&2
    exit 2 ;;
esac
