#!/usr/bin/env bash
# Runs the native benchmark (supervision-bench) and the BEAM side
# (beam_bench.exs, under elixir; beam_memory.exs for idle_1000000) on this
# machine, one after the other, and prints the two side by side: throughput
# per workload, p50/p99 latency where measured, the peak resident memory of
# every workload and, for idle_1000000, the resident bytes per idle process;
# each with the native/BEAM ratio and which side is better.
#
#   tests/bench/side_by_side.sh [--bench PATH] [--exs PATH] [--exs-memory PATH] [--workers N] [--no-peaks]
#                               [WORKLOAD ...]
#
# --bench  the supervision-bench binary (default: build/release/tests/supervision-bench,
#          else the newest build/*/tests/supervision-bench). A bare path works too.
# --exs    the BEAM side's script; also $BEAM_BENCH_EXS
#          (default: ../shared/anchors/beam_bench.exs relative to the repo root).
#          It lives outside the repo: the project builds and tests without it.
# --exs-memory  the BEAM side of idle_* (default: tests/bench/beam_memory.exs).
# --workers N  native workers and BEAM schedulers (+S N:N); default 2.
# --no-peaks   skip the peak-memory pass (idle_* still runs).
# Workloads: default all of them; call_block_*, ledger_durable and
# gui_tick_10000 (built with the UI) are ours alone and print without a BEAM side.
#
# Two passes. Speed: each side runs the speed workloads one after the other
# in one OS process, as the BEAM side's script is meant to run (its
# spawn_exit, run alone in a fresh VM, can spend minutes collecting the
# parent's small heap and the mailbox that grows on it; after the call
# workloads that heap is already large). Memory: every workload again, in
# its own OS process for each side under GNU time, whose maximum resident
# set (/usr/bin/time -f %M, VM or runtime start-up included) is the
# workload's peak_rss_kb; idle_* runs only in this pass, as a fresh
# process, and gives bytes_per_process.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
bench=""
exs="${BEAM_BENCH_EXS:-$repo/../shared/anchors/beam_bench.exs}"
exs_memory="$repo/tests/bench/beam_memory.exs"
workers=2
peaks=true
workloads=()
all=(pingpong fanin_1 fanin_2 fanin_100 call_1 call_16 call_1000 spawn_exit restart snapshot_100000 idle_1000000
     ledger_durable gui_tick_10000)
# Ours alone (no BEAM counterpart): printed with the native figures only.
own=" call_block_1 call_block_16 ledger_durable gui_tick_10000 "

die() {
    echo "side_by_side.sh: $*" >&2
    exit 2
}

while [ $# -gt 0 ]; do
    case "$1" in
    --bench) [ $# -ge 2 ] || die "--bench needs a path"; bench="$2"; shift 2 ;;
    --exs) [ $# -ge 2 ] || die "--exs needs a path"; exs="$2"; shift 2 ;;
    --exs-memory) [ $# -ge 2 ] || die "--exs-memory needs a path"; exs_memory="$2"; shift 2 ;;
    --workers) [ $# -ge 2 ] || die "--workers needs a number"; workers="$2"; shift 2 ;;
    --no-peaks) peaks=false; shift ;;
    -h | --help) sed -n '2,30p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
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
speed=()
beam_speed=()
needs_exs_memory=false
for w in "${workloads[@]}"; do
    case "$w" in
    idle_*) needs_exs_memory=true ;;
    *)
        speed+=("$w")
        [[ "$own" == *" $w "* ]] || beam_speed+=("$w")
        ;;
    esac
done
[ ${#beam_speed[@]} -eq 0 ] || [ -f "$exs" ] ||
    die "the BEAM side's script is missing: $exs (pass --exs PATH or set BEAM_BENCH_EXS)"
! $needs_exs_memory || [ -f "$exs_memory" ] ||
    die "the BEAM side's memory script is missing: $exs_memory (pass --exs-memory PATH)"
command -v elixir >/dev/null 2>&1 || die "elixir is not installed (Debian: apt-get install elixir); it runs the BEAM side"
command -v python3 >/dev/null 2>&1 || die "python3 is needed to join the results"
timer=/usr/bin/time
if ! [ -x "$timer" ] || ! "$timer" -f %M -o /dev/null true >/dev/null 2>&1; then
    die "GNU time is needed at $timer to measure each workload's peak memory (Debian: apt-get install time)"
fi
erl_flags="+S $workers:$workers +sbwt none +sbwtdcpu none +sbwtdio none +P 4000000"

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
mkdir "$out/speed" "$out/memory"
: >"$out/speed/native.jsonl"
: >"$out/speed/beam.jsonl"

if [ ${#speed[@]} -gt 0 ]; then
    echo "speed, native: $bench --workers $workers ${speed[*]}" >&2
    "$bench" --workers "$workers" "${speed[@]}" >"$out/speed/native.jsonl" ||
        die "$bench failed (is it built from this tree? pass --bench PATH)"
fi
if [ ${#beam_speed[@]} -gt 0 ]; then
    echo "speed, beam:   elixir $exs ${beam_speed[*]}" >&2
    elixir --erl "$erl_flags" "$exs" "${beam_speed[@]}" | { grep '^{' || true; } >"$out/speed/beam.jsonl" ||
        echo "side_by_side.sh: the BEAM side failed" >&2
fi

# One OS process per workload and side; time's last output line is %M
# (before it, a note if the command failed).
for w in "${workloads[@]}"; do
    script="$exs"
    case "$w" in
    idle_*) script="$exs_memory" ;;
    *) $peaks || continue ;;
    esac
    echo "memory, native: $bench --workers $workers $w" >&2
    "$timer" -f %M -o "$out/memory/native.$w.rss" "$bench" --workers "$workers" "$w" >>"$out/memory/native.jsonl" ||
        echo "side_by_side.sh: $bench failed on $w (is it built from this tree? pass --bench PATH)" >&2
    [[ "$own" != *" $w "* ]] || continue
    echo "memory, beam:   elixir $script $w" >&2
    "$timer" -f %M -o "$out/memory/beam.$w.rss" elixir --erl "$erl_flags" "$script" "$w" |
        { grep '^{' || true; } >>"$out/memory/beam.jsonl" ||
        echo "side_by_side.sh: the BEAM side failed on $w" >&2
done

python3 - "$out" "$own" "${workloads[@]}" <<'EOF'
import json
import os
import sys

def rows(path):
    found = {}
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                line = line.strip()
                if line.startswith("{"):
                    row = json.loads(line)
                    found[row["workload"]] = row
    return found

MEMORY_KEYS = ("processes", "rss_before_kb", "rss_after_kb", "bytes_per_process", "processes_bytes_per_process")

def load(out, side):
    """Speed figures from the speed pass; memory ones from the workload's own process."""
    speed = rows(os.path.join(out, "speed", side + ".jsonl"))
    memory = rows(os.path.join(out, "memory", side + ".jsonl"))
    merged = {}
    for w in set(speed) | set(memory):
        row = dict(speed.get(w) or memory[w])
        row.pop("peak_rss_kb", None)
        mem = memory.get(w)
        if mem is not None:
            for key in MEMORY_KEYS:
                if key in mem:
                    row[key] = mem[key]
            try:
                with open(os.path.join(out, "memory", f"{side}.{w}.rss")) as f:
                    row["peak_rss_kb"] = int(f.read().split()[-1])
            except (OSError, ValueError, IndexError):
                pass
            if "peak_rss_kb" in mem:  # the program's own VmHWM, in the same process
                row["peak_rss_kb_self"] = mem["peak_rss_kb"]
        merged[w] = row
    return merged

native, beam = load(sys.argv[1], "native"), load(sys.argv[1], "beam")
own = set(sys.argv[2].split())
workloads = sys.argv[3:]

def fmt(v):
    if v is None:
        return "-"
    return f"{v:,.0f}" if v >= 1000 else f"{v:.2f}"

print(f"{'workload':<16} {'metric':<12} {'native':>14} {'beam':>14} {'native/beam':>12}  better")
for w in workloads:
    n, b = native.get(w), beam.get(w)
    if n is not None and b is None and w in own:
        b = {}  # ours alone: no BEAM counterpart
    if n is None or b is None:
        print(f"{w:<16} missing on the {'native' if n is None else 'BEAM'} side")
        continue
    # higher is better for throughput, lower for latency and memory
    for key, label, higher_better in (("ops_per_sec", "ops/s", True), ("p50_us", "p50 us", False),
                                      ("p99_us", "p99 us", False), ("peak_rss_kb", "peak RSS kB", False),
                                      ("bytes_per_process", "bytes/proc", False)):
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
        print(f"{w:<16} {label:<12} {fmt(nv):>14} {fmt(bv):>14} {ratio:>12}  {better}")
print()
print("ops/s: higher is better; p50/p99 us, peak RSS kB and bytes/proc: lower is better. Ratios are native/BEAM.")
print("peak RSS kB: the maximum resident set of an OS process that ran only that workload (GNU time %M),")
print("start-up included. bytes/proc: resident bytes per idle process, VmRSS after spawning them minus before.")
print()
print("raw:")
for side in (native, beam):
    for w in workloads:
        if w in side:
            print(json.dumps(side[w], separators=(",", ":")))
EOF
