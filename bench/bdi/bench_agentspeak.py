#!/usr/bin/env python3
"""python-agentspeak side of the BDI benchmark. Prints one JSON line per
measured phase: {"impl", "phase", "seconds", "ops"}.

    python bench_agentspeak.py count|beliefs|add|queries
"""

import io
import json
import sys
import time

import agentspeak
import agentspeak.runtime
import agentspeak.stdlib
from agentspeak import Literal

from programs import BELIEFS, COUNT, QUERIES


class Source(io.StringIO):
    name = "bench.asl"


def build(text):
    env = agentspeak.runtime.Environment()
    agent = env.build_agent(Source(text), agentspeak.stdlib.actions)
    return env, agent


def goal(env, agent, functor, arg):
    agent.call(agentspeak.Trigger.addition, agentspeak.GoalType.achievement,
               Literal(functor, (arg,)), agentspeak.runtime.Intention())
    start = time.perf_counter()
    env.run_agent(agent)
    return time.perf_counter() - start


def report(phase, seconds, ops):
    print(json.dumps({"impl": "python-agentspeak", "phase": phase, "seconds": seconds, "ops": ops}), flush=True)


def main():
    which = sys.argv[1]
    sys.setrecursionlimit(1_000_000)
    if which == "count":
        env, agent = build(COUNT)
        report("count_goals", goal(env, agent, "count", 0), 100_000)
    elif which == "beliefs":
        env, agent = build(BELIEFS)
        report("add_beliefs", goal(env, agent, "add", 0), 10_000)
        report("remove_beliefs", goal(env, agent, "remove", 0), 10_000)
    elif which == "add":
        env, agent = build(BELIEFS)
        report("add_beliefs", goal(env, agent, "add", 0), 10_000)
    elif which == "queries":
        env, agent = build(QUERIES)
        goal(env, agent, "setup", 0)
        report("queries", goal(env, agent, "query", 0), 10_000)
    else:
        raise SystemExit(f"unknown scenario {which}")


if __name__ == "__main__":
    main()
