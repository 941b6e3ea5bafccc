#!/usr/bin/env python3
"""The tuned PPO (`configs/cartpole-ppo-fast.toml`): tuned on seeds that
the benchmark never uses, then timed on seeds 1-10 against
Stable-Baselines3 with the very same hyperparameters (read from that file)
and against SB3 with rl-baselines3-zoo's CartPole settings.

    python3 bench/rl/fast_ppo.py tune  [--seeds 100 ... 104] [--confirm 100 ... 109]
    python3 bench/rl/fast_ppo.py bench [--seeds 1 ... 10]

Solve rule (as bench/rl_cleanrl): the first training episode at which the
mean of the last 20 returns is >= 475. Agora: `agora run CONFIG --seed S`
(release build, telemetry on, its defaults), the episode's own `at` stamp
from the run's events.jsonl; "from start" counts from just before the
process is spawned, "training" from the run's `run_started` event. SB3:
`peers.py sb3 --hp fast|zoo` in $SB3_VENV (default /work/venvs/sb3), its
callback's time; "training" from the start of `model.learn`. Sides
alternate seed by seed. `tune` writes results/<UTC>-fast-ppo-tune.jsonl,
`bench` results/<UTC>-fast-ppo-raw.jsonl; both print a summary.
"""
import argparse
import itertools
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import deque
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
CONFIG = ROOT / "configs" / "cartpole-ppo-fast.toml"
AGORA = Path(os.environ.get("AGORA", ROOT / "target" / "release" / "agora"))
SB3_PYTHON = Path(os.environ.get("SB3_VENV", "/work/venvs/sb3")) / "bin" / "python"

# What `tune` tries around the shipped settings (each combination, all seeds).
GRID = {
    "ppo.learning_rate": [1e-3, 2e-3, 3e-3],
    "ppo.update_epochs": [5, 10],
    "ppo.num_minibatches": [1, 2, 4],
}


def load1():
    return os.getloadavg()[0]


def solve_from_events(path, t0):
    """(wall from t0, wall from run_started, env steps) at the solve, or Nones; and the best mean."""
    window, started, best = deque(maxlen=20), None, None
    with open(path) as f:
        for line in f:
            event = json.loads(line)
            if event.get("event") == "run_started":
                started = event["at"]
            if event.get("event") != "episode":
                continue
            window.append(event["episode_return"])
            if len(window) == 20:
                mean = sum(window) / 20
                best = mean if best is None else max(best, mean)
                if mean >= 475:
                    return event["at"] - t0, event["at"] - started, event["env_steps"], best
    return None, None, None, best


def agora_run(seed, overrides=()):
    data = tempfile.mkdtemp(prefix="agora-fast-ppo-")
    args = [str(AGORA), "--json", "--data-dir", data, "run", str(CONFIG), "--seed", str(seed)]
    for key, value in overrides:
        args += ["--set", f"{key}={value}"]
    load = load1()
    t0 = time.time()
    proc = subprocess.run(args, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=600)
    if proc.returncode != 0:
        raise SystemExit(f"agora failed: {proc.stderr[-2000:]}")
    report = json.loads(proc.stdout)
    events = next((Path(data) / "runs").glob("*/events.jsonl"))
    wall, training, steps, best = solve_from_events(events, t0)
    return {"impl": "agora", "label": "fast", "seed": seed, "overrides": dict(overrides),
            "solved": wall is not None, "wall_to_475": wall, "training_to_475": training,
            "steps_to_475": steps, "best_mean20": best, "run_seconds": report["duration"],
            "load1": load}


def sb3_run(seed, hp):
    load = load1()
    t0 = time.time()
    proc = subprocess.run([str(SB3_PYTHON), str(HERE / "peers.py"), "sb3", "--algo", "ppo", "--hp", hp,
                           "--seed", str(seed), "--t0", str(t0), "--config", str(CONFIG)],
                          capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=1800)
    if proc.returncode != 0:
        raise SystemExit(f"sb3 failed: {proc.stderr[-2000:]}")
    line = json.loads(proc.stdout.strip().splitlines()[-1])
    wall = line["wall_to_475"]
    return {"impl": "sb3", "label": hp, "seed": seed, "solved": line["solved"], "wall_to_475": wall,
            "training_to_475": None if wall is None else wall - line["startup_secs"],
            "steps_to_475": line["steps_to_475"], "sps": line["sps"], "versions": line.get("versions"),
            "load1": load}


def med(rows, key):
    values = [r[key] for r in rows if r[key] is not None]
    return (statistics.median(values), min(values), max(values)) if values else (None, None, None)


def tune(args):
    combos = [tuple(zip(GRID, values)) for values in itertools.product(*GRID.values())]
    out = HERE / "results" / time.strftime("%Y%m%dT%H%M%SZ-fast-ppo-tune.jsonl", time.gmtime())
    scores = {}
    with open(out, "w") as f:
        for combo in combos:
            rows = [agora_run(seed, combo) for seed in args.seeds]
            for r in rows:
                f.write(json.dumps(r) + "\n")
            solved = sum(r["solved"] for r in rows)
            wall = med(rows, "wall_to_475")[0]
            scores[combo] = (solved, wall)
            print(f"{dict(combo)}: {solved}/{len(rows)} solved, median {wall}", file=sys.stderr, flush=True)
        full = [c for c, (solved, _) in scores.items() if solved == len(args.seeds)]
        best = min(full or scores, key=lambda c: scores[c][1] or float("inf"))
        confirm = [agora_run(seed, best) for seed in args.confirm]
        for r in confirm:
            f.write(json.dumps({**r, "confirm": True}) + "\n")
    print(json.dumps({"best": dict(best), "tune_seeds": args.seeds, "confirm_seeds": args.confirm,
                      "confirm_solved": sum(r["solved"] for r in confirm),
                      "confirm_wall_median_min_max": med(confirm, "wall_to_475"),
                      "confirm_steps_median_min_max": med(confirm, "steps_to_475"), "file": str(out)}, indent=1))


def bench(args):
    out = HERE / "results" / time.strftime("%Y%m%dT%H%M%SZ-fast-ppo-raw.jsonl", time.gmtime())
    rows = []
    with open(out, "w") as f:
        for seed in args.seeds:
            for run in (lambda: agora_run(seed), lambda: sb3_run(seed, "fast"), lambda: sb3_run(seed, "zoo")):
                r = run()
                rows.append(r)
                f.write(json.dumps(r) + "\n")
                f.flush()
                print(f"{r['impl']}-{r['label']} seed {seed}: solved={r['solved']} wall={r['wall_to_475']} "
                      f"training={r['training_to_475']} steps={r['steps_to_475']} load={r['load1']:.2f}",
                      file=sys.stderr, flush=True)
    summary = {}
    for impl, label in (("agora", "fast"), ("sb3", "fast"), ("sb3", "zoo")):
        side = [r for r in rows if r["impl"] == impl and r["label"] == label]
        summary[f"{impl}-{label}"] = {"solved": sum(r["solved"] for r in side), "n": len(side),
                                      **{k: med(side, k) for k in ("wall_to_475", "training_to_475",
                                                                   "steps_to_475")}}
    print(json.dumps({"file": str(out), "summary": summary}, indent=1))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="what", required=True)
    t = sub.add_parser("tune")
    t.add_argument("--seeds", type=int, nargs="+", default=list(range(100, 105)))
    t.add_argument("--confirm", type=int, nargs="+", default=list(range(100, 110)))
    b = sub.add_parser("bench")
    b.add_argument("--seeds", type=int, nargs="+", default=list(range(1, 11)))
    args = p.parse_args()
    (HERE / "results").mkdir(exist_ok=True)
    tune(args) if args.what == "tune" else bench(args)


if __name__ == "__main__":
    main()
