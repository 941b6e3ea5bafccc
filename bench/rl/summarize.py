"""Medians and ratios of a bench/rl/run.sh results file (JSON lines).

    python3 summarize.py RESULTS-raw.jsonl

Prints one JSON document: per (impl, algo, label) the medians over seeds
(wall time and env steps to a rolling-20 mean return of 475 over the seeds
that reached it, steps/s, episodes/s, greedy success) with the 1-minute
load range, then the ratios the targets are stated in.
"""

import json
import statistics
import sys


def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def main():
    rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
    groups = {}
    for r in rows:
        groups.setdefault((r["impl"], r["algo"], r["label"]), []).append(r)
    summary = {}
    for (impl, algo, label), rs in sorted(groups.items()):
        s = {
            "runs": len(rs),
            "seeds": [r["seed"] for r in rs],
            "sps": med([r.get("sps") for r in rs]),
            "load1": [min(r["load1"] for r in rs), max(r["load1"] for r in rs)],
        }
        if "solved" in rs[0]:
            s["solved"] = sum(bool(r["solved"]) for r in rs)
            s["wall_to_475"] = med([r.get("wall_to_475") for r in rs])
            s["steps_to_475"] = med([r.get("steps_to_475") for r in rs])
            s["startup_secs"] = med([r.get("startup_secs") for r in rs])
            # For runs that never reached 475: their whole wall time, a
            # lower bound on the time they would have needed.
            s["wall_total"] = med([r["startup_secs"] + r["train_secs"] for r in rs])
        if "episodes_per_sec" in rs[0]:
            s["episodes_per_sec"] = med([r["episodes_per_sec"] for r in rs])
            s["greedy_success"] = med([r["greedy_success"] for r in rs])
        summary[f"{impl}/{algo}/{label}"] = s

    def ratio(a, b, key):
        x, y = summary.get(a, {}).get(key), summary.get(b, {}).get(key)
        return None if x is None or y is None or y == 0 else x / y

    ratios = {}
    for algo in ("dqn", "ppo"):
        a, p = f"agora/{algo}/cleanrl", f"sb3/{algo}/cleanrl"
        peer = summary.get(p, {})
        lower = None
        if peer.get("solved") == 0 and summary.get(a, {}).get("wall_to_475"):
            lower = peer["wall_total"] / summary[a]["wall_to_475"]
        ratios[f"{algo}_cleanrl"] = {
            "sb3_never_solved_so_wall_ratio_at_least": lower,
            "sb3_wall_over_agora_wall (target >= 3)": ratio(p, a, "wall_to_475"),
            "agora_steps_over_sb3_steps (target <= 1)": ratio(a, p, "steps_to_475"),
            "agora_sps_over_sb3_sps (target >= 5)": ratio(a, p, "sps"),
        }
    ratios["ppo_fast_vs_sb3_zoo"] = {
        "sb3_zoo_wall_over_agora_fast_wall (target >= 3)": ratio(
            "sb3/ppo/zoo", "agora/ppo/fast", "wall_to_475"
        ),
        "agora_sps_over_sb3_sps": ratio("agora/ppo/fast", "sb3/ppo/zoo", "sps"),
    }
    ratios["frozenlake_q_learning"] = {
        "agora_episodes_per_sec_over_python (target >= 50)": ratio(
            "agora/q_learning/default", "python/q_learning/default", "episodes_per_sec"
        ),
        "agora_greedy_success (target >= 0.72)": summary.get("agora/q_learning/default", {}).get(
            "greedy_success"
        ),
    }
    print(json.dumps({"groups": summary, "ratios": ratios}, indent=2))


if __name__ == "__main__":
    main()
