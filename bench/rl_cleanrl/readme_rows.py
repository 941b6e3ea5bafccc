#!/usr/bin/env python3
"""The README performance table's RL rows, from committed raw results.

    readme_rows.py RAW.jsonl [RAW.jsonl ...]

Prints `| what | Agora | peer (version, settings) | ratio | n, spread, load |
source |` rows (Agora's `agora run` against CleanRL's own dqn.py / ppo.py,
same seeds, same solve rule). `bench/tables.py` imports `rows()` and puts
them into the README's table; this CLI prints the same rows. Medians over
seeds; the min-max, the seed count and the 1-minute load range are in the
row's "n, spread, load" cell.
"""

import os
import statistics
import sys

from summarize import censored_median, load, load_range, num

# What `run.sh` runs by default; other seed lists are named in the command.
DEFAULT_SEEDS = list(range(1, 11))


def medians(runs, key):
    values = [r[key] for r in runs if r.get(key) is not None]
    return statistics.median(values) if values else None


def span(runs, key, kind, solved_only=False):
    values = [r[key] for r in runs if r.get(key) is not None and (r.get("solved") or not solved_only)]
    if not values:
        return "-"
    if len(values) == 1:
        return num(values[0], kind)
    return f"{num(min(values), kind)}–{num(max(values), kind)}"


def solved_text(runs):
    return f"{sum(1 for r in runs if r.get('solved'))}/{len(runs)} solved"


def peer_name(runs):
    cleanrl = next((r.get("versions") or {} for r in runs if r.get("side") == "cleanrl"), {})
    return (f"CleanRL {str(cleanrl.get('cleanrl_commit'))[:7]} (torch {cleanrl.get('torch')}, 1 thread; "
            f"gymnasium {cleanrl.get('gymnasium')})")


def source(paths, runs):
    """The files, when they ran and the command that made them."""
    stamps = sorted(r["stamp"] for r in runs if r.get("stamp"))
    when = f"{stamps[0][:10]} {stamps[0][11:16]}–{stamps[-1][11:16]} UTC" if stamps else "date not recorded"
    seeds = sorted({r["seed"] for r in runs})
    command = "bench/rl_cleanrl/run.sh"
    if any(not r.get("telemetry", True) for r in runs):
        command = "AGORA_NO_TELEMETRY=1 " + command
    if seeds != DEFAULT_SEEDS:
        command += " " + " ".join(str(s) for s in seeds)
    files = ", ".join(f"`rl_cleanrl/results/{os.path.basename(p)}`" for p in paths)
    return f"{files} ({when}); `{command}`"


def rows(paths):
    """The RL rows as dicts with the keys what, agora, peer, ratio, stats, source."""
    runs = load(paths)
    by = {}
    for r in runs:
        by.setdefault(r["variant"], []).append(r)
    seeds = sorted({r["seed"] for r in runs})
    peer = peer_name(runs)
    where = source(paths, runs)
    seed_text = f"seeds {seeds[0]}–{seeds[-1]}"
    out = []

    def row(what, agora, peer_text, ratio, stats):
        out.append({"what": what, "agora": agora, "peer": peer_text, "ratio": ratio, "stats": stats,
                    "source": where})

    def wall_rows(label, agora, cleanrl):
        a, c = by.get(agora), by.get(cleanrl)
        if not a or not c:
            return
        n = f"n {len(a)} / {len(c)} ({seed_text})"
        aw, awx = censored_median(a, "wall_to_475_s", "wall_run_s")
        cw, cwx = censored_median(c, "wall_to_475_s", "wall_run_s")
        # A median that falls on unsolved runs is only a lower bound.
        bound = lambda exact: "" if exact else "> "
        row(f"{label}: wall time from process start to a mean return of 475 over the last 20 training "
            f"episodes, median over seeds (time: ratio CleanRL ÷ Agora)",
            f"{bound(awx)}{num(aw, 's')} s, {solved_text(a)}",
            f"{peer} {bound(cwx)}{num(cw, 's')} s, {solved_text(c)}",
            f"{cw / aw:.1f}" if awx and cwx else "bound only",
            f"{n}; solved runs {span(a, 'wall_to_475_s', 's', True)} s / {span(c, 'wall_to_475_s', 's', True)} s; "
            f"load {load_range(a + c)}")
        ast, astx = censored_median(a, "steps_to_475", "steps_run")
        cst, cstx = censored_median(c, "steps_to_475", "steps_run")
        if ast and cst:
            row(f"{label}: env steps to that mean return (fewer is better; ratio Agora ÷ CleanRL)",
                f"{bound(astx)}{num(ast, 'steps')}",
                f"{peer} {bound(cstx)}{num(cst, 'steps')}",
                f"{ast / cst:.2f}{'' if astx and cstx else ' (bound)'}",
                f"{n}; solved runs {span(a, 'steps_to_475', 'steps', True)} / "
                f"{span(c, 'steps_to_475', 'steps', True)}; load {load_range(a + c)}")

    def sps_row(label, agora, notel, cleanrl):
        a, t, c = by.get(agora), by.get(notel), by.get(cleanrl)
        if not a or not c:
            return
        asps, csps = medians(a, "sps"), medians(c, "sps")
        text, ratio = num(asps, "sps"), f"{asps / csps:.1f}"
        n, spreads, loads = f"n {len(a)}", span(a, "sps", "sps"), a + c
        if t:
            tsps = medians(t, "sps")
            # --no-telemetry has no episode lines, so no solve to stop at.
            text += f" / {num(tsps, 'sps')} with `--no-telemetry` (whole 500k-step run)"
            ratio += f" / {tsps / csps:.1f}"
            n += f" / {len(t)}"
            spreads += f" / {span(t, 'sps', 'sps')}"
            loads = loads + t
        row(f"{label}: env steps/s up to the solve (telemetry on)", text,
            f"{peer} {num(csps, 'sps')}", ratio,
            f"{n} / {len(c)} ({seed_text}); spread {spreads} / {span(c, 'sps', 'sps')}; load {load_range(loads)}")

    wall_rows("DQN CartPole, CleanRL `dqn.py` settings (`configs/cartpole-dqn.toml`)", "agora-dqn", "cleanrl-dqn")
    sps_row("DQN CartPole", "agora-dqn", "agora-dqn-notel", "cleanrl-dqn")
    wall_rows("PPO CartPole, CleanRL `ppo.py` settings and algorithm (`configs/cartpole-ppo.toml`, "
              "`--set ppo.bootstrap_truncated=false`)", "agora-ppo", "cleanrl-ppo")
    sps_row("PPO CartPole, equal work", "agora-ppo", "agora-ppo-notel", "cleanrl-ppo")
    wall_rows("PPO CartPole, Agora's default (truncated episodes bootstrapped, which `ppo.py` does not: "
              "unequal work)", "agora-ppo-bootstrap", "cleanrl-ppo")
    return out


def markdown(row):
    keys = ("what", "agora", "peer", "ratio", "stats", "source")
    return "| " + " | ".join(row[k] for k in keys) + " |"


def main():
    paths = sys.argv[1:]
    if not paths:
        sys.exit(__doc__)
    print("\n".join(markdown(r) for r in rows(paths)))


if __name__ == "__main__":
    main()
