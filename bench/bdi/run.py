#!/usr/bin/env python3
"""Side-by-side BDI engine benchmark: agora-bdi (Rust) against
python-agentspeak 0.2.2 on the same AgentSpeak programs (programs.py):

* count_goals   - counting to 100,000 by recursive achievement goals;
* add_beliefs   - adding 10,000 beliefs, each triggering a plan;
* remove_beliefs- removing them again, each triggering a plan;
* queries       - 10,000 test-goal queries over 1,000 beliefs.

Both sides run alternately, ROUNDS times (default 3), each in a fresh
process; the script prints per-phase medians, the ratio python/agora
(how many times faster agora-bdi is) and the 1-minute load average before
and after, and writes every sample to results/engine-<UTC time>.json (the
README's engine rows come from that file through bench/tables.py). Creates
the python-agentspeak venv if it is missing.

    python3 bench/bdi/run.py [--rounds N] [--skip-remove]

--skip-remove leaves out python-agentspeak's remove phase, which takes
about a minute per round (its belief removal is a linear scan).
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
VENV = Path(os.environ.get("ASL_VENV", "/work/venvs/asl"))
TARGET = os.environ.get("CARGO_TARGET_DIR", str(REPO / "target"))


def python() -> str:
    py = VENV / "bin" / "python"
    if not py.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run([str(py), "-m", "pip", "install", "-q", "agentspeak==0.2.2"], check=True)
    return str(py)


def rust_binary() -> str:
    out = subprocess.run(
        ["cargo", "bench", "-p", "agora-bdi", "--bench", "peer", "--no-run", "--message-format=json"],
        cwd=REPO, capture_output=True, text=True, check=True,
        env=dict(os.environ, CARGO_TARGET_DIR=TARGET))
    for line in out.stdout.splitlines():
        msg = json.loads(line)
        if msg.get("reason") == "compiler-artifact" and msg.get("target", {}).get("name") == "peer" \
                and msg.get("executable"):
            return msg["executable"]
    raise SystemExit("could not find the peer benchmark executable")


def lines(cmd, cwd=None):
    out = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=1800)
    if out.returncode != 0:
        raise SystemExit(f"{cmd} failed:\n{out.stderr}")
    return [json.loads(l) for l in out.stdout.splitlines() if l.startswith("{")]


def loadavg() -> float:
    return os.getloadavg()[0]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--skip-remove", action="store_true")
    args = ap.parse_args()
    py = python()
    binary = rust_binary()
    load_before = loadavg()
    results = {}  # (impl, phase) -> [seconds]
    scenarios = ["count", "beliefs", "queries"]
    for r in range(args.rounds):
        for sc in scenarios:
            py_sc = "add" if (sc == "beliefs" and args.skip_remove) else sc
            for res in lines([binary, sc]) + lines([py, str(HERE / "bench_agentspeak.py"), py_sc], cwd=HERE):
                results.setdefault((res["impl"], res["phase"]), []).append((res["seconds"], res["ops"]))
        print(f"round {r + 1}/{args.rounds} done (load {loadavg():.2f})", file=sys.stderr)
    load_after = loadavg()
    phases = ["count_goals", "add_beliefs", "remove_beliefs", "queries"]
    print(f"{'phase':<16}{'agora-bdi':>14}{'python-agentspeak':>20}{'agora ops/s':>14}{'python ops/s':>14}{'ratio':>9}")
    for ph in phases:
        rs = results.get(("agora-bdi", ph))
        ps = results.get(("python-agentspeak", ph))
        if not rs:
            continue
        r_med = statistics.median(s for s, _ in rs)
        ops = rs[0][1]
        if ps:
            p_med = statistics.median(s for s, _ in ps)
            print(f"{ph:<16}{r_med * 1e3:>12.2f}ms{p_med * 1e3:>18.1f}ms{ops / r_med:>14,.0f}{ops / p_med:>14,.0f}{p_med / r_med:>8.1f}x")
        else:
            print(f"{ph:<16}{r_med * 1e3:>12.2f}ms{'(skipped)':>20}{ops / r_med:>14,.0f}{'':>14}{'':>9}")
    print(f"rounds: {args.rounds} (medians); 1-minute load average: {load_before:.2f} before, {load_after:.2f} after; "
          f"{os.cpu_count()} CPUs")
    write_raw(args, results, load_before, load_after, py)


def write_raw(args, results, load_before, load_after, py):
    """Every sample, with what produced it, for bench/tables.py."""
    version = subprocess.run([py, "-c", "import importlib.metadata as m; print(m.version('agentspeak'))"],
                             capture_output=True, text=True).stdout.strip()
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True,
                            text=True).stdout.strip()
    raw = {
        "what": "AgentSpeak engine on the same programs (bench/bdi/programs.py), each run in a fresh process",
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "command": "python3 bench/bdi/run.py" + (" --skip-remove" if args.skip_remove else ""),
        "rounds": args.rounds,
        "agora_commit": commit,
        "python_agentspeak": version,
        "load1_before": load_before,
        "load1_after": load_after,
        "samples": [{"impl": impl, "phase": phase, "seconds": seconds, "ops": ops}
                    for (impl, phase), runs in sorted(results.items()) for seconds, ops in runs],
    }
    out = HERE / "results" / time.strftime("engine-%Y%m%dT%H%M%SZ.json", time.gmtime())
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(raw, indent=1))
    print(f"wrote {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
