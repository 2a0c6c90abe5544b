#!/usr/bin/env python3
"""Randomised differential testing of the headless runner against real OTP.

A developer tool, not run by the test suite. Generates random scenarios in the
runner's format (issue 2, section 7), runs each through the OTP oracle and
through `supervision-console --headless`, normalises both traces the way
tests/app/tst_otpconformance.cpp does and prints PASS or a side-by-side diff.

  fuzz.py --oracle ../shared/tools/otp-oracle --binary build/otp/app/supervision-console \\
          --seed 1 --count 50 [--keep DIR] [--jobs 2] [--budget SECONDS] [--recheck N]
  fuzz.py --oracle ... --binary ... --scenario FILE.json [--unordered]   re-run given files

Scenario i of seed S is generated from random.Random("S:i") alone, so
`--seed S --count 1 --first i` reproduces it.

The generator keeps to what the oracle can answer (tests/data/otp/README.md,
"Oracle limits" and "Oracle timing"):
- start_child only to dynamic supervisors; terminate_child / restart_child only
  to regular supervisors; no call to a supervisor that is not alive (the oracle
  would crash on noproc); steps only target paths that were started once.
- stop only targets workers (a supervisor is crashed instead); stop reasons are
  normal, shutdown or a plain word (never shutdown:detail).
- a supervisor is killed only where nothing restarts it (the root, or a
  temporary supervisor); supervisors never get brutal_kill or a short shutdown.
- every crash and every stop with an abnormal reason is followed by a sleep of
  100 ms, plus the longest stop_delay_ms the crash has to wait for (a worker's
  terminate runs before its exit, and the oracle only waits 10 ms for a step's
  first event); so is a normal/shutdown stop of a worker with a stop delay.
- stop delays are 0, 200 or 300 ms; a worker's numeric shutdown is <= 100 or
  >= 1000, so a delay either clearly outlasts it (killed) or clearly does not.
- period_ms is 5000, and scenarios whose restarts of one supervisor would span
  more than ~3.5 s of oracle time are regenerated (OTP counts whole seconds).
A small model of OTP's supervision rules tracks which processes are alive, to
choose targets; it also flags the scenarios whose exit order OTP leaves
undefined (a dynamic supervisor stopping more than one child, a killed
supervisor with more than one live child): those are compared with each run of
consecutive exit lines sorted, as NAME.unordered scenarios in the test are.
The model only steers generation; OTP's trace is the reference.
"""
import argparse
import concurrent.futures
import difflib
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time

# ---------------------------------------------------------------- model ----

NORMALISH = ("normal", "shutdown")
STEP_TIME = 0.42  # the oracle waits >= 10 + 400 ms after each step


class Proc:
    def __init__(self, node, path, parent):
        self.node = node
        self.path = path
        self.parent = parent
        self.alive = True
        self.kind = {"supervisor": "sup", "dynamic_supervisor": "dyn"}.get(node.get("type", "worker"), "worker")
        self.children = []  # sup: [Entry] in start order; dyn: [Proc]
        self.restarts = []  # estimated oracle times

    @property
    def restart(self):
        return self.node.get("restart", "permanent")


class Entry:
    def __init__(self, node, proc):
        self.node = node
        self.proc = proc

    @property
    def restart(self):
        return self.node.get("restart", "permanent")


class Model:
    """OTP 25 supervisor / Elixir DynamicSupervisor rules, enough to know what is alive."""

    def __init__(self, tree):
        self.t = 0.0
        self.unordered = []  # reasons
        self.window_risk = False
        self.started = {}  # path -> kind, for every path started at least once
        self.current = {}  # path -> latest Proc
        self.root = self.start(tree, "root", None)

    # -- helpers
    def start(self, node, path, parent):
        p = Proc(node, path, parent)
        self.started[path] = p.kind
        self.current[path] = p
        if p.kind == "sup":
            for c in node.get("children", []):
                p.children.append(Entry(c, self.start(c, path + "/" + c["id"], p)))
        return p

    def live_children(self, p):
        if p.kind == "sup":
            return [e.proc for e in p.children if e.proc is not None and e.proc.alive]
        if p.kind == "dyn":
            return [c for c in p.children if c.alive]
        return []

    def delay(self, p):
        return p.node.get("stop_delay_ms", 0) / 1000.0

    def max_delay(self, p):
        if not p.alive:
            return 0.0
        if p.kind == "worker":
            return self.delay(p)
        return max([0.0] + [self.max_delay(c) for c in self.live_children(p)])

    # -- stopping
    def shutdown(self, p):
        """p is stopped by its supervisor (exit signal shutdown, wait per shutdown spec)."""
        if not p.alive:
            return
        if p.kind == "worker":
            sd = p.node.get("shutdown", 5000)
            d = self.delay(p)
            self.t += 0 if sd == "brutal_kill" else (d if sd == "infinity" else min(d, sd / 1000.0))
        else:
            self.stop_children(p)
        p.alive = False

    def stop_children(self, p):
        """A supervisor terminating all its children (giving up, crashing, being stopped)."""
        if p.kind == "dyn":
            live = self.live_children(p)
            if len(live) > 1:
                self.unordered.append("dynamic supervisor %s stops %d children" % (p.path, len(live)))
            for c in live:
                self.shutdown(c)
            p.children = []
        else:
            self.terminate_entries(p, p.children)

    def terminate_entries(self, p, entries):
        """OTP's terminate_children: reverse start order; temporaries are dropped."""
        for e in reversed(entries):
            if e.proc is not None and e.proc.alive:
                self.shutdown(e.proc)
            e.proc = None
        p.children = [e for e in p.children if not (e in entries and e.restart == "temporary")]

    def killed(self, p):
        """p got an untrappable kill (or an exit signal from a killed parent)."""
        live = self.live_children(p)
        p.alive = False
        if len(live) > 1:
            self.unordered.append("killed %s had %d live children" % (p.path, len(live)))
        for c in live:
            if c.kind == "worker":
                c.alive = False
            else:
                self.stop_children(c)
                c.alive = False
        if p.kind == "dyn":
            p.children = []

    # -- reacting to a child's exit
    def add_restart(self, sup):
        sup.restarts.append(self.t)
        if sup.restarts[-1] - sup.restarts[0] > 3.5:
            self.window_risk = True
        return len(sup.restarts) <= sup.node.get("intensity", 3)

    def give_up(self, sup):
        self.stop_children(sup)
        sup.alive = False
        self.child_exit(sup, "shutdown")

    def child_exit(self, child, reason):
        sup = child.parent
        if sup is None or not sup.alive:
            return
        if sup.kind == "dyn":
            if child not in sup.children:
                return
            if child.restart == "temporary" or (child.restart == "transient" and reason in NORMALISH):
                sup.children.remove(child)
                return
            if not self.add_restart(sup):
                sup.children.remove(child)
                self.give_up(sup)
                return
            i = sup.children.index(child)
            sup.children[i] = self.start(child.node, child.path, sup)
            return
        entry = next((e for e in sup.children if e.proc is child), None)
        if entry is None:
            return
        if entry.restart == "temporary":
            sup.children.remove(entry)
            return
        if entry.restart == "transient" and reason in NORMALISH:
            entry.proc = None
            return
        entry.proc = None
        if not self.add_restart(sup):
            self.give_up(sup)
            return
        strategy = sup.node.get("strategy", "one_for_one")
        if strategy == "one_for_one":
            group = [entry]
        elif strategy == "one_for_all":
            group = list(sup.children)
        else:
            group = sup.children[sup.children.index(entry):]
        self.terminate_entries(sup, group)
        for e in sup.children:
            if e in group:
                e.proc = self.start(e.node, sup.path + "/" + e.node["id"], sup)

    # -- steps
    def step(self, s):
        self.t += STEP_TIME
        do = s["do"]
        p = self.current.get(s.get("target"))
        if do == "sleep":
            self.t += s["ms"] / 1000.0
        elif do == "stop_tree":
            self.shutdown(self.root)
        elif do == "kill":
            if p.alive:
                self.killed(p)
                self.child_exit(p, "killed")
        elif do == "crash":
            if p.alive and p.kind == "worker":
                self.t += self.delay(p)
                p.alive = False
                self.child_exit(p, "error")
            elif p.alive and p.kind == "sup":
                self.stop_children(p)
                p.alive = False
                self.child_exit(p, "error")
        elif do == "stop":
            if p.alive:
                self.t += self.delay(p)
                p.alive = False
                r = s["reason"]
                self.child_exit(p, r if r in NORMALISH else "error")
        elif do == "start_child":
            mx = p.node.get("max_children")
            if mx is not None and len(p.children) >= mx:
                return "error"
            c = s["child"]
            p.children.append(self.start(c, p.path + "/" + c["id"], p))
            return "ok"
        elif do == "terminate_child":
            e = next((e for e in p.children if e.node["id"] == s["id"]), None)
            if e is None:
                return "error"
            self.terminate_entries(p, [e])
            return "ok"
        elif do == "restart_child":
            e = next((e for e in p.children if e.node["id"] == s["id"]), None)
            if e is None or (e.proc is not None and e.proc.alive):
                return "error"
            e.proc = self.start(e.node, p.path + "/" + e.node["id"], p)
            return "ok"
        return None


# ------------------------------------------------------------ generator ----

class Gen:
    def __init__(self, rng):
        self.r = rng
        self.n = {"w": 0, "s": 0, "dyn": 0, "d": 0}

    def name(self, kind):
        self.n[kind] += 1
        return "%s%d" % (kind, self.n[kind])

    def chance(self, p):
        return self.r.random() < p

    def worker(self, ident):
        r = self.r
        n = {"id": ident}
        if self.chance(0.6):
            n["restart"] = r.choice(["permanent", "transient", "transient", "temporary", "temporary"])
        sd = r.choice([None, None, "brutal_kill", 50, 100, 1000, 2000, "infinity"])
        if sd is not None:
            n["shutdown"] = sd
        if self.chance(0.25):
            n["stop_delay_ms"] = r.choice([200, 300])
        return n

    def sup_common(self, n, child):
        r = self.r
        if self.chance(0.85):
            n["intensity"] = r.randint(0, 3)
        if self.chance(0.7):
            n["period_ms"] = 5000
        if child:
            if self.chance(0.6):
                n["restart"] = r.choice(["permanent", "transient", "temporary"])
            sd = r.choice([None, None, "infinity", 20000])
            if sd is not None:
                n["shutdown"] = sd
        return n

    def dyn(self, ident, child=True):
        n = {"id": ident, "type": "dynamic_supervisor"}
        self.sup_common(n, child)
        if self.chance(0.5):
            n["max_children"] = self.r.randint(0, 3)
        return n

    def sup(self, ident, levels, child=True):
        r = self.r
        n = {"id": ident, "type": "supervisor"}
        if self.chance(0.85):
            n["strategy"] = r.choice(["one_for_one", "one_for_all", "rest_for_one"])
        self.sup_common(n, child)
        kids = []
        for _ in range(r.randint(1, 4)):
            x = r.random() if levels > 1 else 0
            if x < 0.55:
                kids.append(self.worker(self.name("w")))
            elif x < 0.85:
                kids.append(self.sup(self.name("s"), levels - 1))
            else:
                kids.append(self.dyn(self.name("dyn")))
        n["children"] = kids
        return n

    def tree(self):
        depth = self.r.randint(1, 3)
        if depth > 1 and self.chance(0.12):
            return self.dyn("root", child=False)
        return self.sup("root", depth, child=False)

    def dyn_child(self):
        ident = self.name("d")
        x = self.r.random()
        if x < 0.8:
            return self.worker(ident)
        if x < 0.95:
            n = self.sup(ident, 1)
            for k in n["children"]:  # globally unique, readable ids
                k["id"] = ident + k["id"]
            return n
        return self.dyn(ident)


def weighted(rng, options):
    total = sum(w for w, _ in options)
    x = rng.random() * total
    for w, f in options:
        x -= w
        if x < 0:
            return f
    return options[-1][1]


def gen_steps(rng, gen, model):
    steps = []

    def add(s):
        steps.append(s)
        model.step(s)

    for _ in range(rng.randint(1, 6)):
        if not model.root.alive:
            break
        live = [p for p in model.current.values() if p.alive]
        workers = [p for p in live if p.kind == "worker"]
        dead_workers = [p for p in model.current.values() if not p.alive and p.kind == "worker"]
        sups = [p for p in live if p.kind == "sup"]
        dyns = [p for p in live if p.kind == "dyn"]
        killable = [p for p in sups + dyns if p.parent is None or p.restart == "temporary"]
        opts = []
        if workers:
            opts += [(3, "kill"), (2, "crash"), (2, "stop")]
        if dead_workers:
            opts += [(0.3, "dead")]
        if sups:
            opts += [(0.8, "crash_sup"), (1.3, "terminate_child"), (1.3, "restart_child")]
        if dyns:
            opts += [(3, "start_child"), (0.15, "crash_dyn")]
        if killable:
            opts += [(0.5, "kill_sup")]
        if not opts:
            break
        what = weighted(rng, opts)
        if what in ("kill", "crash", "stop", "dead"):
            p = rng.choice(workers if what != "dead" else dead_workers)
            act = rng.choice(["kill", "crash", "stop"]) if what == "dead" else what
            s = {"do": act, "target": p.path}
            if act == "stop":
                s["reason"] = rng.choice(["normal", "shutdown", "boom", "oops"])
            acts = p.alive and act != "kill"  # a dead target's step does nothing on either side
            wait = model.delay(p) if acts else 0.0
            abnormal = act == "crash" or (act == "stop" and s["reason"] not in NORMALISH)
            add(s)
            if acts and (abnormal or wait > 0):
                add({"do": "sleep", "ms": 100 + int(wait * 1000)})
        elif what == "crash_sup":
            p = rng.choice(sups)
            wait = model.max_delay(p)
            add({"do": "crash", "target": p.path})
            add({"do": "sleep", "ms": 100 + int(wait * 1000)})
        elif what == "crash_dyn":
            add({"do": "crash", "target": rng.choice(dyns).path})
            add({"do": "sleep", "ms": 100})
        elif what == "kill_sup":
            add({"do": "kill", "target": rng.choice(killable).path})
        elif what == "start_child":
            add({"do": "start_child", "target": rng.choice(dyns).path, "child": gen.dyn_child()})
        else:
            p = rng.choice(sups)
            ids = [c["id"] for c in p.node.get("children", [])] + ["nope"]
            add({"do": what, "target": p.path, "id": rng.choice(ids)})
    add({"do": "stop_tree"})
    return steps


def generate(seed, index):
    for attempt in range(50):
        rng = random.Random("%s:%d:%d" % (seed, index, attempt))
        gen = Gen(rng)
        tree = gen.tree()
        model = Model(tree)
        steps = gen_steps(rng, gen, model)
        if not model.window_risk:
            return {"tree": tree, "steps": steps}, sorted(set(model.unordered))
    raise RuntimeError("could not generate a scenario without intensity-window risk")


def dump_scenario(scen):
    """One node / step a line, like the corpus files."""
    out = ['{"tree": ' + json.dumps(scen["tree"]) + ",", ' "steps": [']
    out.append(",\n".join("  " + json.dumps(s) for s in scen["steps"]))
    out.append(" ]}")
    return "\n".join(out) + "\n"


# ------------------------------------------------------ normalise/compare ----

def normalise_result(v):
    v = v.strip()
    if v in ("ok", ":ok") or v.startswith("{:ok"):
        return "ok"
    if v.startswith(("{:error", "error", ":error")):
        return "error"
    return v


def otp_events(text):
    out = []
    for raw in text.split("\n"):
        line = raw.strip()
        if not line or line == "step sleep":
            continue
        if line.startswith("result "):
            sp = line.find(" ", 7)
            if sp >= 0:
                line = line[:sp] + " " + normalise_result(line[sp + 1:])
        out.append(line)
    return out


def our_events(text):
    out, bad = [], []
    for raw in text.split("\n"):
        line = raw.strip()
        if not line:
            continue
        try:
            o = json.loads(line)
            if not isinstance(o, dict):
                raise ValueError
        except ValueError:
            bad.append(line)
            continue
        ev = o.get("event")
        if ev == "start":
            out.append("start " + str(o.get("path")))
        elif ev == "exit":
            out.append("exit %s %s" % (o.get("path"), str(o.get("reason")).split(":", 1)[0]))
        elif ev == "step":
            if o.get("do") != "sleep":
                out.append("step " + str(o.get("do")))
        elif ev == "result":
            ok = o.get("ok")
            out.append("result %s %s" % (o.get("do"), ("ok" if ok else "error") if isinstance(ok, bool) else "<ok missing>"))
    return out, bad


def sort_exit_runs(seq):
    seq = list(seq)
    i = 0
    while i < len(seq):
        if not seq[i].startswith("exit "):
            i += 1
            continue
        j = i
        while j < len(seq) and seq[j].startswith("exit "):
            j += 1
        seq[i:j] = sorted(seq[i:j])
        i = j
    return seq


def side_by_side(expected, actual):
    width = max([14] + [len(x) for x in expected])
    rows = []
    sm = difflib.SequenceMatcher(a=expected, b=actual, autojunk=False)
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        if tag == "equal":
            rows += [(expected[i], actual[j1 + k], " ") for k, i in enumerate(range(i1, i2))]
            continue
        left, right = expected[i1:i2], actual[j1:j2]
        for k in range(max(len(left), len(right))):
            hl, hr = k < len(left), k < len(right)
            rows.append((left[k] if hl else "", right[k] if hr else "", "|" if hl and hr else ("<" if hl else ">")))
    out = ["  %s   %s" % ("OTP (expected)".ljust(width), "ours (actual)")]
    for l, r, m in rows:
        out.append("%s %s %s %s" % (" " if m == " " else "!", l.ljust(width), m, r))
    return "\n".join(out)


# ---------------------------------------------------------------- running ----

def run_oracle(oracle, path):
    try:
        r = subprocess.run([oracle, path], capture_output=True, text=True, timeout=300)
    except subprocess.TimeoutExpired:
        return None, "oracle timed out"
    if r.returncode != 0 or not r.stdout.strip():
        return None, "oracle exited %d: %s" % (r.returncode, r.stderr.strip()[-2000:])
    return r.stdout, None


def run_ours(binary, path):
    try:
        r = subprocess.run([binary, "--headless", "--scenario", path, "--trace", "-", "--workers", "2"],
                           capture_output=True, text=True, timeout=120)
    except subprocess.TimeoutExpired as e:
        return (e.stdout or b"").decode(errors="replace") if isinstance(e.stdout, bytes) else (e.stdout or ""), \
            "runner timed out"
    if r.returncode != 0:
        return r.stdout, "runner exited %d: %s" % (r.returncode, r.stderr.strip()[-2000:])
    return r.stdout, None


def compare(otp_text, our_text, unordered):
    exp = otp_events(otp_text)
    got, bad = our_events(our_text)
    if unordered:
        exp, got = sort_exit_runs(exp), sort_exit_runs(got)
    return exp == got and not bad, exp, got, bad


def check(name, path, unordered, args):
    """Runs one scenario file on both sides. Returns a dict with the verdict."""
    res = {"name": name, "path": path, "unordered": unordered}
    otp, err = run_oracle(args.oracle, path)
    if err:
        res.update(verdict="ORACLE-ERROR", detail=err)
        return res
    ours, err = run_ours(args.binary, path)
    res.update(otp=otp, ours=ours)
    if err:
        res.update(verdict="FAIL", detail=err)
        return res
    same, exp, got, bad = compare(otp, ours, unordered)
    if same:
        res["verdict"] = "PASS"
        return res
    res.update(verdict="FAIL", detail=side_by_side(exp, got) + ("\n  non-JSON lines: %r" % bad if bad else ""))
    if args.recheck:
        again = []
        for _ in range(args.recheck):
            o2, e2 = run_oracle(args.oracle, path)
            again.append(o2 if not e2 else None)
        res["otp_again"] = again
        norm = lambda t: sort_exit_runs(otp_events(t)) if unordered else otp_events(t)
        base = norm(otp)
        stable = all(a is not None and norm(a) == base for a in again)
        ours_seen = any(a is not None and compare(a, ours, unordered)[0] for a in again)
        res["recheck"] = "OTP %s over %d more runs%s" % (
            "stable" if stable else "UNSTABLE", args.recheck, "; one OTP run matched ours" if ours_seen else "")
    return res


def save(res, keep):
    os.makedirs(keep, exist_ok=True)
    base = os.path.join(keep, res["name"])
    with open(res["path"]) as f, open(base + ".json", "w") as g:
        g.write(f.read())
    for ext, key in ((".otp", "otp"), (".ours", "ours")):
        if res.get(key) is not None:
            with open(base + ext, "w") as g:
                g.write(res[key])
    for k, text in enumerate(res.get("otp_again") or [], 2):
        if text is not None:
            with open(base + ".otp%d" % k, "w") as g:
                g.write(text)
    if res["unordered"]:
        with open(base + ".unordered", "w") as g:
            g.write("\n".join(res["unordered"]) + "\n" if isinstance(res["unordered"], list) else "unordered\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--oracle", required=True)
    ap.add_argument("--binary", required=True)
    ap.add_argument("--seed", default="1")
    ap.add_argument("--count", type=int, default=20)
    ap.add_argument("--first", type=int, default=0, help="index of the first scenario (default 0)")
    ap.add_argument("--keep", help="save failing scenarios and both outputs here")
    ap.add_argument("--jobs", type=int, default=1, help="scenarios run at once (at most 2)")
    ap.add_argument("--budget", type=float, help="start no new scenario after this many seconds")
    ap.add_argument("--recheck", type=int, default=0, help="on a mismatch, run OTP this many more times")
    ap.add_argument("--scenario", nargs="*", help="run these scenario files instead of generating")
    ap.add_argument("--unordered", action="store_true", help="with --scenario: sort runs of exit lines")
    ap.add_argument("--print", dest="print_only", action="store_true", help="only print the generated scenarios")
    args = ap.parse_args()
    jobs = max(1, min(args.jobs, 2))

    workdir = tempfile.mkdtemp(prefix="sc-fuzz-")  # generated scenarios; removed at the end
    tasks = []
    if args.scenario:
        for f in args.scenario:
            un = args.unordered or os.path.exists(os.path.splitext(f)[0] + ".unordered")
            tasks.append((os.path.splitext(os.path.basename(f))[0], f, ["given"] if un else []))
    else:
        for i in range(args.first, args.first + args.count):
            scen, unordered = generate(args.seed, i)
            name = "s%s-%d" % (args.seed, i)
            path = os.path.join(workdir, name + ".json")
            with open(path, "w") as f:
                f.write(dump_scenario(scen))
            if args.print_only:
                print("# %s%s\n%s" % (name, " (unordered: %s)" % "; ".join(unordered) if unordered else "",
                                      dump_scenario(scen)))
            tasks.append((name, path, unordered))
    if args.print_only:
        shutil.rmtree(workdir, ignore_errors=True)
        return 0

    t0 = time.time()
    lock = threading.Lock()
    tally = {"PASS": 0, "FAIL": 0, "ORACLE-ERROR": 0, "SKIPPED": 0}

    def one(task):
        name, path, unordered = task
        if args.budget and time.time() - t0 > args.budget:
            with lock:
                tally["SKIPPED"] += 1
            return
        res = check(name, path, unordered, args)
        with lock:
            tally[res["verdict"]] += 1
            tag = " (unordered)" if unordered else ""
            if res["verdict"] == "PASS":
                print("PASS %s%s" % (name, tag), flush=True)
            else:
                if args.keep and res["verdict"] == "FAIL":
                    save(res, args.keep)
                    path = os.path.join(args.keep, name + ".json")
                elif not args.scenario:
                    path = "regenerate: --seed %s --first %s --count 1 --print" % (args.seed, name.rsplit("-", 1)[1])
                print("%s %s%s  [%s]\n%s%s" % (res["verdict"], name, tag, path, res.get("detail", ""),
                      "\n  " + res["recheck"] if res.get("recheck") else ""), flush=True)

    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as ex:
        list(ex.map(one, tasks))
    shutil.rmtree(workdir, ignore_errors=True)
    ran = tally["PASS"] + tally["FAIL"] + tally["ORACLE-ERROR"]
    print("ran %d: %d PASS, %d FAIL, %d ORACLE-ERROR, %d not started (budget); %.0f s" % (
        ran, tally["PASS"], tally["FAIL"], tally["ORACLE-ERROR"], tally["SKIPPED"], time.time() - t0), flush=True)
    return 1 if tally["FAIL"] else 0


if __name__ == "__main__":
    sys.exit(main())
