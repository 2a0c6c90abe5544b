#!/usr/bin/env bash
# Runs the native benchmark (supervision-bench) and the BEAM side
# (beam_bench.exs, under elixir) on this machine, one after the other, and
# prints the two side by side: throughput per workload and, where measured,
# p50/p99 latency, each with the native/BEAM ratio and which side is better.
#
#   tests/bench/side_by_side.sh [--bench PATH] [--exs PATH] [--workers N] [WORKLOAD ...]
#
# --bench  the supervision-bench binary (default: build/release/tests/supervision-bench,
#          else the newest build/*/tests/supervision-bench). A bare path works too.
# --exs    the BEAM side's script; also $BEAM_BENCH_EXS
#          (default: ../shared/anchors/beam_bench.exs relative to the repo root).
#          It lives outside the repo: the project builds and tests without it.
# --workers N  native workers and BEAM schedulers (+S N:N); default 2.
# Workloads: those both sides know (default: all of them).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
bench=""
exs="${BEAM_BENCH_EXS:-$repo/../shared/anchors/beam_bench.exs}"
workers=2
workloads=()
all=(pingpong fanin_1 fanin_2 fanin_100 call_1 call_16 call_1000 spawn_exit restart snapshot_100000)

die() {
    echo "side_by_side.sh: $*" >&2
    exit 2
}

while [ $# -gt 0 ]; do
    case "$1" in
    --bench) [ $# -ge 2 ] || die "--bench needs a path"; bench="$2"; shift 2 ;;
    --exs) [ $# -ge 2 ] || die "--exs needs a path"; exs="$2"; shift 2 ;;
    --workers) [ $# -ge 2 ] || die "--workers needs a number"; workers="$2"; shift 2 ;;
    -h | --help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) die "unknown option $1 (see --help)" ;;
    *)
        if [ -z "$bench" ] && [ -f "$1" ] && [ -x "$1" ]; then
            bench="$1"
        else
            workloads+=("$1")
        fi
        shift
        ;;
    esac
done
[ ${#workloads[@]} -gt 0 ] || workloads=("${all[@]}")
[[ "$workers" =~ ^[1-9][0-9]*$ ]] || die "--workers needs a positive number, not '$workers'"

if [ -z "$bench" ]; then
    if [ -x "$repo/build/release/tests/supervision-bench" ]; then
        bench="$repo/build/release/tests/supervision-bench"
    else
        # shellcheck disable=SC2012 # build directory names are plain
        bench=$(ls -t "$repo"/build/*/tests/supervision-bench 2>/dev/null | head -n 1 || true)
    fi
fi
if [ -z "$bench" ] || [ ! -x "$bench" ]; then
    die "supervision-bench not found; build it (cmake --build build/release --target supervision-bench) or pass --bench PATH"
fi
[ -f "$exs" ] || die "the BEAM side's script is missing: $exs (pass --exs PATH or set BEAM_BENCH_EXS)"
command -v elixir >/dev/null 2>&1 || die "elixir is not installed (Debian: apt-get install elixir); it runs the BEAM side"
command -v python3 >/dev/null 2>&1 || die "python3 is needed to join the results"

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

echo "native: $bench --workers $workers ${workloads[*]}" >&2
"$bench" --workers "$workers" "${workloads[@]}" >"$out/native.jsonl" ||
    die "$bench failed (is it built from this tree? pass --bench PATH)"
echo "beam:   elixir $exs ${workloads[*]}" >&2
elixir --erl "+S $workers:$workers +sbwt none +sbwtdcpu none +sbwtdio none +P 4000000" "$exs" "${workloads[@]}" \
    | { grep '^{' || true; } >"$out/beam.jsonl"

python3 - "$out/native.jsonl" "$out/beam.jsonl" "${workloads[@]}" <<'EOF'
import json
import sys

def load(path):
    rows = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line.startswith("{"):
                row = json.loads(line)
                rows[row["workload"]] = row
    return rows

native, beam = load(sys.argv[1]), load(sys.argv[2])
workloads = sys.argv[3:]

def fmt(v):
    if v is None:
        return "-"
    return f"{v:,.0f}" if v >= 1000 else f"{v:.2f}"

print(f"{'workload':<16} {'metric':<10} {'native':>14} {'beam':>14} {'native/beam':>12}  better")
for w in workloads:
    n, b = native.get(w), beam.get(w)
    if n is None or b is None:
        print(f"{w:<16} missing on the {'native' if n is None else 'BEAM'} side")
        continue
    # higher is better for throughput, lower for latency
    for key, label, higher_better in (("ops_per_sec", "ops/s", True), ("p50_us", "p50 us", False),
                                      ("p99_us", "p99 us", False)):
        nv, bv = n.get(key), b.get(key)
        if nv is None and bv is None:
            continue
        ratio, better = "-", "-"
        if nv and bv:
            r = nv / bv
            ratio = f"{r:.2f}x"
            native_wins = r > 1 if higher_better else r < 1
            better = "native" if native_wins else "beam"
            if abs(r - 1) < 0.05:
                better = "even"
            elif not higher_better:
                better += " (lower)"
        print(f"{w:<16} {label:<10} {fmt(nv):>14} {fmt(bv):>14} {ratio:>12}  {better}")
print()
print("ops/s: higher is better; p50/p99 us: lower is better. Ratios are native/BEAM.")
print()
print("raw:")
for rows in (native, beam):
    for w in workloads:
        if w in rows:
            print(json.dumps(rows[w], separators=(",", ":")))
EOF
