#!/bin/sh
# Runs the three libFuzzer targets (money parser, scenario reader, ledger
# reader; docs/reliability.md) for SECONDS each (default 60), one after the
# other, in build/fuzz built with clang, ASan and UBSan.
#
#   tests/fuzz/run.sh [SECONDS]
#
# Each target starts from a copy of its seed corpus (tests/fuzz/corpus/<name>/
# and tests/fuzz/regressions/<name>/) in build/fuzz/corpus-<name>/, where the
# inputs it finds accumulate; nothing is written into the repository. Prints
# per target the executions done and libFuzzer's last coverage line ("Done N
# runs in S second(s)"). Exits non-zero if any target crashed, leaked, timed
# out or ran out of memory.
#
# When one does, the input is the crash-*/leak-*/timeout-*/oom-* file whose
# path is printed (in build/fuzz/artifacts-<name>/). Make it a regression test:
#   cp build/fuzz/artifacts-<name>/crash-... tests/fuzz/regressions/<name>/<what-it-is>
# then fix the bug; the test fuzz/<name> of the normal build replays it, e.g.
#   build/fuzz/tests/fuzz/fuzz_<name> build/fuzz/artifacts-<name>/crash-...   (reproduce)
#   ctest --test-dir build/release -R fuzz/                                    (every build)
#
# Needs clang and libclang-rt-14-dev (Debian 12), CMake and Ninja.
set -eu

seconds=${1:-60}
case $seconds in '' | *[!0-9]*) echo "usage: $0 [SECONDS]" >&2; exit 2 ;; esac
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$root/build/fuzz
targets="money scenario ledger"

cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
    -DSC_BUILD_UI=OFF -DSC_USE_MIMALLOC=OFF -DSC_BUILD_FUZZERS=ON >/dev/null
cmake --build "$build" --target fuzz_money fuzz_scenario fuzz_ledger -- -j"${SC_FUZZ_BUILD_JOBS:-2}"

# libFuzzer bounds input length by the largest seed (at least 4096 bytes).
# -timeout: seconds for one input; -rss_limit_mb: the whole process.
status=0
summary=""
for name in $targets; do
    corpus=$build/corpus-$name
    artifacts=$build/artifacts-$name
    log=$build/fuzz-$name.log
    mkdir -p "$corpus" "$artifacts"
    cp "$root"/tests/fuzz/corpus/"$name"/* "$corpus"/
    find "$root/tests/fuzz/regressions/$name" -type f ! -name '.*' -exec cp {} "$corpus"/ \;
    dict=""
    [ -f "$root/tests/fuzz/$name.dict" ] && dict="-dict=$root/tests/fuzz/$name.dict"
    echo "== fuzz_$name: $seconds s"
    rc=0
    # shellcheck disable=SC2086 # $dict is one word or none
    "$build/tests/fuzz/fuzz_$name" -max_total_time="$seconds" -timeout=25 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$artifacts/" $dict "$corpus" >"$log" 2>&1 || rc=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    done_line=$(grep -E '^Done [0-9]+ runs in' "$log" | tail -n 1 || true)
    cov=$(grep -E '^#[0-9]+.*(DONE|pulse|NEW|REDUCE).*cov:' "$log" | tail -n 1 | sed 's/^\(#[0-9]*\)[^c]*\(cov: [0-9]* ft: [0-9]*\).*/\1 \2/' || true)
    echo "fuzz_$name: exit $rc, ${runs:-?} executions; ${done_line:-no Done line}; last coverage: ${cov:-?}"
    summary="$summary
fuzz_$name: exit $rc, ${runs:-?} executions in $seconds s; ${done_line:-no Done line}; ${cov:-?}"
    if [ "$rc" -ne 0 ]; then
        status=1
        echo "fuzz_$name FAILED; the end of $log:"
        tail -n 40 "$log"
        for f in "$artifacts"/*; do
            [ -e "$f" ] && echo "input: $f  (copy it to tests/fuzz/regressions/$name/)"
        done
    fi
done
echo "== summary$summary"
exit $status
