#!/usr/bin/env bash
# run_in_time_namespace.sh SECONDS CLOCK TEST...
#
# Runs each Qt Test binary TEST in a Linux time namespace whose monotonic
# clock (std::chrono::steady_clock) reads SECONDS at the start: 3 is a
# machine booted a moment ago, 94608000 one up for three years. Code that
# takes the clock's epoch (boot) for "long ago", or adds to or subtracts
# from an unset time_point, behaves differently in one of the two.
# CLOCK is the monotonic_seconds helper, which prints what the clock reads.
#
# Needs util-linux's unshare and the right to make a time namespace (root or
# CAP_SYS_ADMIN, Linux 5.6 or later). Without them it prints why and exits
# 77, which CTest reports as skipped, not passed.
set -u
if [ $# -lt 3 ]; then
    echo "usage: $0 SECONDS CLOCK TEST..." >&2
    exit 2
fi
reads=$1
clock=$2
shift 2
skip=77

if ! command -v unshare >/dev/null 2>&1; then
    echo "SKIPPED: no unshare (util-linux) on this machine"
    exit $skip
fi
if ! why=$(unshare --time --monotonic=0 true 2>&1); then
    echo "SKIPPED: cannot make a time namespace here (needs root or CAP_SYS_ADMIN and Linux 5.6+): $why"
    exit $skip
fi

# The offset for a namespace whose clock reads SECONDS now: computed anew
# for each test, so that the last one starts at SECONDS as the first did.
offset() {
    local now
    now=$("$clock") || return 1
    echo $((reads - now))
}

now=$("$clock") || exit 1
inside=$(unshare --time --monotonic="$(offset)" "$clock") || exit 1
echo "the monotonic clock reads $inside s in the namespace ($now s outside)"

failed=()
for test in "$@"; do
    # -silent: only failures and the totals, so the log stays readable.
    if ! unshare --time --monotonic="$(offset)" "$test" -silent; then
        failed+=("$(basename "$test")")
    fi
done
if [ ${#failed[@]} -gt 0 ]; then
    echo "FAILED with the monotonic clock at $reads s: ${failed[*]}"
    exit 1
fi
echo "all $# test binaries passed with the monotonic clock at $reads s"
