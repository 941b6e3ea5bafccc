#!/usr/bin/env python3
"""Markdown summary of solve.py's raw lines (stdlib only).

    summarize.py RAW.jsonl [RAW.jsonl ...] > summary.md

Per variant: median (min-max) wall seconds and env steps to the first
rolling-20 mean >= 475, the solved count, steps/s, the best rolling-20
mean, start-up seconds and the 1-minute load range; then the ratios of the
medians per algorithm (CleanRL's ppo.py against Agora's PPO without
bootstrap is the equal-work pair). A run that never solved counts as
"later than its full run": when more than half of a variant's runs did not
solve, its median is shown as "> X", X being the median with each unsolved
run at its full-run wall time / steps (a lower bound), and ratios built on
it are bounds (>= or <=).
"""

import json
import math
import statistics
import sys
from collections import OrderedDict

ORDER = ["agora-dqn", "cleanrl-dqn", "agora-ppo", "cleanrl-ppo", "agora-ppo-bootstrap",
         "agora-dqn-notel", "agora-ppo-notel", "agora-ppo-bootstrap-notel"]
PAIRS = [
    ("DQN", "agora-dqn", "cleanrl-dqn"),
    ("PPO, equal work (Agora bootstrap_truncated=false)", "agora-ppo", "cleanrl-ppo"),
    ("PPO, Agora default (bootstrap on)", "agora-ppo-bootstrap", "cleanrl-ppo"),
]
NOTEL_PAIRS = [
    ("DQN", "agora-dqn-notel", "cleanrl-dqn"),
    ("PPO, equal work", "agora-ppo-notel", "cleanrl-ppo"),
    ("PPO, Agora default (bootstrap on)", "agora-ppo-bootstrap-notel", "cleanrl-ppo"),
]


def load(paths):
    runs = []
    for path in paths:
        with open(path) as f:
            for n, line in enumerate(f, 1):
                line = line.strip()
                if not line:
                    continue
                try:
                    runs.append(json.loads(line))
                except ValueError as error:
                    sys.exit(f"{path}:{n}: {error}")
    return runs


def censored_median(runs, solved_key, bound_key):
    """(value, exact): the median with unsolved runs after every solved one;
    exact=False when it falls on unsolved runs (then value is a lower bound:
    the median with each unsolved run at `bound_key`). None when no value."""
    values = [r[solved_key] if r.get("solved") else math.inf for r in runs]
    if not values:
        return None, True
    m = statistics.median(values)
    if math.isfinite(m):
        return m, True
    bounds = [r[solved_key] if r.get("solved") else r.get(bound_key) for r in runs]
    bounds = [b for b in bounds if b is not None]
    return (statistics.median(bounds) if bounds else None), False


def num(x, kind):
    if x is None:
        return "-"
    if kind == "s":
        return f"{x:.2f}" if x < 10 else f"{x:.1f}"
    if kind == "steps":
        return f"{x / 1000:.1f}k" if x >= 1000 else f"{x:.0f}"
    if kind == "sps":
        return f"{x / 1000:.2f}k" if x >= 1000 else f"{x:.0f}"
    return f"{x:.1f}"


def spread(values, kind):
    values = [v for v in values if v is not None]
    if not values:
        return "-"
    med = statistics.median(values)
    if len(values) == 1:
        return num(med, kind)
    return f"{num(med, kind)} ({num(min(values), kind)}–{num(max(values), kind)})"


def solved_spread(runs, key, bound_key, kind):
    med, exact = censored_median(runs, key, bound_key)
    solved = [r[key] for r in runs if r.get("solved")]
    if med is None:
        return "-"
    text = num(med, kind) if exact else f"> {num(med, kind)}"
    if len(solved) > 1:
        text += f" ({num(min(solved), kind)}–{num(max(solved), kind)})"
    return text


def load_range(runs):
    loads = [r[k] for r in runs for k in ("load1_start", "load1_end") if r.get(k) is not None]
    return f"{min(loads):.2f}–{max(loads):.2f}" if loads else "-"


def ratio(num_v, num_exact, den_v, den_exact, fmt="{:.2f}×"):
    """num/den where a non-exact value is a lower bound of the true median."""
    if num_v is None or den_v is None or den_v == 0:
        return "-"
    r = fmt.format(num_v / den_v)
    if num_exact and den_exact:
        return r
    if not num_exact and den_exact:
        return "≥ " + r
    if num_exact and not den_exact:
        return "≤ " + r
    return "n/a (neither median reached)"


def main():
    paths = sys.argv[1:]
    if not paths or paths[0] in ("-h", "--help"):
        sys.exit(__doc__)
    runs = load(paths)
    by = OrderedDict()
    for name in ORDER + sorted({r["variant"] for r in runs} - set(ORDER)):
        chosen = [r for r in runs if r["variant"] == name]
        if chosen:
            by[name] = chosen

    out = []
    totals = sorted({r.get("total_timesteps") for r in runs})
    seeds = sorted({r["seed"] for r in runs})
    out.append(f"Runs: {len(runs)} from {', '.join(paths)}; seeds {seeds[0]}–{seeds[-1]} "
               f"({len(seeds)}); total_timesteps {', '.join(str(t) for t in totals)}; "
               f"1-minute load over all runs {load_range(runs)}.")
    thresholds = sorted({r.get("threshold", 475.0) for r in runs})
    if thresholds != [475.0]:
        out.append("")
        out.append(f"**Solve threshold {', '.join(str(t) for t in thresholds)}, not 475: "
                   "a smoke test; the 475 columns below are at that threshold.**")
    out.append("")
    out.append("Medians (min–max). Wall seconds count from just before the process is spawned "
               "(interpreter, torch import, Rust start-up included). Steps/s: env steps run "
               "(to the solve, or the full run) over that wall time.")
    out.append("")
    out.append("| variant | solved | wall to 475 (s) | env steps to 475 | steps/s | best rolling-20 "
               "| start-up (s) | load |")
    out.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    notel = []
    for name, rs in by.items():
        if not all(r.get("telemetry", True) for r in rs):
            notel.append((name, rs))
            continue
        solved = sum(1 for r in rs if r.get("solved"))
        out.append(
            f"| {name} | {solved}/{len(rs)} "
            f"| {solved_spread(rs, 'wall_to_475_s', 'wall_run_s', 's')} "
            f"| {solved_spread(rs, 'steps_to_475', 'steps_run', 'steps')} "
            f"| {spread([r.get('sps') for r in rs], 'sps')} "
            f"| {spread([r.get('best_mean20') for r in rs], 'ret')} "
            f"| {spread([r.get('startup_s') for r in rs], 's')} "
            f"| {load_range(rs)} |")
    if notel:
        out.append("")
        out.append("Agora with `--no-telemetry` (no episode lines, so no solve detection: "
                   "the full run's wall time and steps/s):")
        out.append("")
        out.append("| variant | runs | full-run wall (s) | env steps | steps/s | load |")
        out.append("| --- | ---: | ---: | ---: | ---: | ---: |")
        for name, rs in notel:
            out.append(f"| {name} | {len(rs)} | {spread([r.get('wall_run_s') for r in rs], 's')} "
                       f"| {spread([r.get('steps_run') for r in rs], 'steps')} "
                       f"| {spread([r.get('sps') for r in rs], 'sps')} | {load_range(rs)} |")

    rows = []
    for label, agora, peer in PAIRS:
        if agora not in by or peer not in by:
            continue
        a, c = by[agora], by[peer]
        aw, awx = censored_median(a, "wall_to_475_s", "wall_run_s")
        cw, cwx = censored_median(c, "wall_to_475_s", "wall_run_s")
        ast, astx = censored_median(a, "steps_to_475", "steps_run")
        cst, cstx = censored_median(c, "steps_to_475", "steps_run")
        asps = statistics.median([r["sps"] for r in a if r.get("sps")] or [0]) or None
        csps = statistics.median([r["sps"] for r in c if r.get("sps")] or [0]) or None
        # Steps to 475, Agora / CleanRL: a lower bound on top flips to "≥".
        rows.append(f"| {label}: {agora} vs {peer} "
                    f"| {ratio(cw, cwx, aw, awx)} "
                    f"| {ratio(asps, True, csps, True)} "
                    f"| {ratio(ast, astx, cst, cstx, '{:.2f}')} |")
    for label, agora, peer in NOTEL_PAIRS:
        if agora not in by or peer not in by:
            continue
        asps = statistics.median([r["sps"] for r in by[agora] if r.get("sps")] or [0]) or None
        csps = statistics.median([r["sps"] for r in by[peer] if r.get("sps")] or [0]) or None
        rows.append(f"| {label}: {agora} vs {peer} | - | {ratio(asps, True, csps, True)} | - |")
    if rows:
        out.append("")
        out.append("Ratios of the medians (both speed columns: > 1 means Agora is faster; "
                   "steps to 475 < 1 means Agora needed fewer env steps):")
        out.append("")
        out.append("| pair | wall to 475, CleanRL ÷ Agora | steps/s, Agora ÷ CleanRL "
                   "| env steps to 475, Agora ÷ CleanRL |")
        out.append("| --- | ---: | ---: | ---: |")
        out.extend(rows)

    notes = []
    for r in runs:
        tag = f"{r['variant']} seed {r['seed']}"
        if r.get("error"):
            notes.append(f"- {tag}: error: {r['error'][-200:].strip()!r}")
        if r.get("timed_out"):
            notes.append(f"- {tag}: stopped at the run timeout")
        if r.get("episodes_missing"):
            notes.append(f"- {tag}: {r['episodes_missing']} episode lines missing from events.jsonl "
                         "(telemetry dropped under load; the rolling mean skipped them)")
    versions = OrderedDict()
    for r in runs:
        v = r.get("versions") or {}
        if r.get("side") == "cleanrl":
            key = (f"CleanRL {str(v.get('cleanrl_commit'))[:12]}, torch {v.get('torch')}, "
                   f"gymnasium {v.get('gymnasium')}, numpy {v.get('numpy')}, "
                   f"tyro {v.get('tyro')}, Python {v.get('python')}")
        else:
            key = (f"{v.get('version')} (repo {str(v.get('repo_head'))[:12]}"
                   f"{', dirty' if v.get('repo_dirty') else ''}, binary {str(v.get('binary_sha256'))[:12]})")
        versions.setdefault(key, None)
    hosts = sorted({f"{(r.get('host') or {}).get('cpu')}, {(r.get('host') or {}).get('nproc')} cores"
                    for r in runs})
    stamps = sorted(r.get("stamp", "") for r in runs)
    out.append("")
    out.append(f"Versions: {'; '.join(versions)}. Host: {'; '.join(hosts)}. "
               f"Runs from {stamps[0]} to {stamps[-1]}.")
    if notes:
        out.append("")
        out.append("Notes:")
        out.extend(notes)
    print("\n".join(out))


if __name__ == "__main__":
    main()
