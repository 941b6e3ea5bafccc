#!/usr/bin/env python3
"""The README performance table's RL rows, from committed raw results.

    readme_rows.py RAW.jsonl [RAW.jsonl ...]

Prints `| what | Agora | peer | ratio |` rows (Agora's `agora run` against
CleanRL's own dqn.py / ppo.py, same seeds, same solve rule); the README
pastes them in place of its previous RL rows. Medians over seeds with the
min-max, the seed count and the 1-minute load range in each row.
"""

import statistics
import sys

from summarize import censored_median, load, load_range, num


def medians(runs, key):
    values = [r[key] for r in runs if r.get(key) is not None]
    return statistics.median(values) if values else None


def span(runs, key, kind, solved_only=False):
    values = [r[key] for r in runs if r.get(key) is not None and (r.get("solved") or not solved_only)]
    if len(values) < 2:
        return ""
    return f" ({num(min(values), kind)}–{num(max(values), kind)})"


def solved_text(runs):
    return f"{sum(1 for r in runs if r.get('solved'))}/{len(runs)} solved"


def main():
    paths = sys.argv[1:]
    if not paths:
        sys.exit(__doc__)
    runs = load(paths)
    by = {}
    for r in runs:
        by.setdefault(r["variant"], []).append(r)
    seeds = sorted({r["seed"] for r in runs})
    cleanrl = next((r.get("versions") or {} for r in runs if r.get("side") == "cleanrl"), {})
    peer_name = (f"CleanRL {str(cleanrl.get('cleanrl_commit'))[:7]} (torch {cleanrl.get('torch')}, 1 thread; "
                 f"gymnasium {cleanrl.get('gymnasium')})")
    where = f"seeds {seeds[0]}–{seeds[-1]}, files {', '.join(p.rsplit('/', 1)[-1] for p in paths)}"
    rows = []

    def wall_row(label, agora, peer):
        a, c = by.get(agora), by.get(peer)
        if not a or not c:
            return
        aw, awx = censored_median(a, "wall_to_475_s", "wall_run_s")
        cw, cwx = censored_median(c, "wall_to_475_s", "wall_run_s")
        ratio = f"{cw / aw:.1f}" if awx and cwx else "bound only"
        rows.append(
            f"| {label}: wall time from process start to a mean return of 475 over the last 20 "
            f"training episodes, median of {len(a)} ({where}; load {load_range(a + c)}) "
            f"| {num(aw, 's')} s{span(a, 'wall_to_475_s', 's', True)}, {solved_text(a)} "
            f"| {peer_name} {num(cw, 's')} s{span(c, 'wall_to_475_s', 's', True)}, {solved_text(c)} "
            f"| {ratio} |")
        ast, astx = censored_median(a, "steps_to_475", "steps_run")
        cst, cstx = censored_median(c, "steps_to_475", "steps_run")
        if ast and cst:
            rows.append(
                f"| {label}: env steps to that mean return (fewer is better; ratio Agora ÷ CleanRL) "
                f"| {num(ast, 'steps')}{span(a, 'steps_to_475', 'steps', True)} "
                f"| {num(cst, 'steps')}{span(c, 'steps_to_475', 'steps', True)} "
                f"| {ast / cst:.2f}{'' if astx and cstx else ' (bound)'} |")

    def sps_row(label, agora, notel, peer):
        a, n, c = by.get(agora), by.get(notel), by.get(peer)
        if not a or not c:
            return
        asps, csps = medians(a, "sps"), medians(c, "sps")
        text = f"{num(asps, 'sps')}{span(a, 'sps', 'sps')}"
        ratio = f"{asps / csps:.1f}"
        if n:
            nsps = medians(n, "sps")
            text += f" / {num(nsps, 'sps')}{span(n, 'sps', 'sps')} with `--no-telemetry` (whole 500k-step run)"
            ratio += f" / {nsps / csps:.1f}"
        rows.append(
            f"| {label}: env steps/s up to the solve (telemetry on) "
            f"| {text} | {peer_name} {num(csps, 'sps')}{span(c, 'sps', 'sps')} | {ratio} |")

    wall_row("DQN CartPole, CleanRL `dqn.py` settings (`configs/cartpole-dqn.toml`)", "agora-dqn", "cleanrl-dqn")
    sps_row("DQN CartPole", "agora-dqn", "agora-dqn-notel", "cleanrl-dqn")
    wall_row("PPO CartPole, CleanRL `ppo.py` settings and algorithm (`configs/cartpole-ppo.toml`, "
             "`--set ppo.bootstrap_truncated=false`)", "agora-ppo", "cleanrl-ppo")
    sps_row("PPO CartPole, equal work", "agora-ppo", "agora-ppo-notel", "cleanrl-ppo")
    wall_row("PPO CartPole, Agora's default (truncated episodes bootstrapped, which `ppo.py` does not)",
             "agora-ppo-bootstrap", "cleanrl-ppo")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
