#!/usr/bin/env bash
# On Debian 12: installs whatever build dependency is missing, builds, then
#   bootstrap.sh app [ARGS...]   launches Supervision Console (ARGS go to it)
#   bootstrap.sh test            runs the whole test suite
#   bootstrap.sh fuzz [SECONDS]  builds the fuzz targets with clang and runs
#                                each for SECONDS (default 60; tests/fuzz/run.sh)
#   bootstrap.sh package         makes the .deb (cpack) and prints its path as
#                                the last line
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
# CPack's DEB generator finds the binaries with file and their Depends with dpkg-shlibdeps.
if [ "$mode" = package ]; then deps+=(dpkg-dev file); fi
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
  package)
    out="build/$preset/packages"
    rm -f "$out"/*.deb
    (cd "build/$preset" && cpack -G DEB -B packages)
    debs=("$out"/*.deb)
    if [ ${#debs[@]} -ne 1 ] || [ ! -f "${debs[0]}" ]; then
      echo "bootstrap: cpack made no single .deb in $out" >&2
      exit 1
    fi
    echo "$PWD/${debs[0]}" ;;
  *)
    echo "usage: packaging/bootstrap.sh app [ARGS...] | test | fuzz [SECONDS] | package" >&2
    exit 2 ;;
esac
