#!/usr/bin/env python3
"""Env throughput side by side: Agora's VecEnv vs Gymnasium 1.4 and EnvPool.

Metric: random-action environment transitions per second on this machine,
not counting autoreset-only slots (with next-step autoreset, the step after
an episode ends only resets that env; it is not a transition). Actions are
drawn ahead of time (256 batches, cycled) so only stepping is timed.

Implementations (one thread unless stated):
  gym_single     Gymnasium 1.4, one env, `env.step` loop, manual reset (n=1 only)
  gym_sync       gym.make_vec(id, n, vectorization_mode="sync")  (SyncVectorEnv)
  gym_numpy      gym.make_vec("CartPole-v1", n, vectorization_mode="vector_entry_point")
  envpool_1t     envpool.make(id, "gymnasium", num_envs=n, batch_size=n, num_threads=1)
  envpool_def    same with EnvPool's default thread count
  agora          agents/examples/vec_env_throughput (VecEnv, one thread)
  agora_actors_K `agora env bench --shards K`: K shards, the caller steps the
                 first, K - 1 threads the others (K = 1 and the core count)

Every (env, num_envs) cell runs all implementations in turn, `--repeats`
times, alternating, and reports medians, ratios of Agora to each peer, to
the strongest peer of the cell (one-thread Agora against the fastest
one-thread peer, shards against the fastest peer of any thread count), the
shards' scaling over the one-thread VecEnv, and the 1-minute load average
before and after (other work on the machine moves
absolute numbers). Output: a table on stderr and JSON on stdout.
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
import warnings

import gymnasium as gym
import numpy as np

from strongest import against_strongest  # bench/envs/strongest.py

warnings.filterwarnings("ignore")

POOL = 256


def action_pool(n, n_actions, seed=12345):
    rng = np.random.default_rng(seed)
    return rng.integers(0, n_actions, size=(POOL, n)).astype(np.int64)


def timed(step_batch, seconds, warmup_batches):
    """Runs `step_batch(k)` (returns transitions) for `seconds`; reads the
    clock every 16 batches."""
    for k in range(warmup_batches):
        step_batch(k)
    k = 0
    transitions = 0
    start = time.perf_counter()
    while True:
        for _ in range(16):
            transitions += step_batch(k)
            k += 1
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return transitions / elapsed


def run_gym_single(env_id, n, seconds):
    env = gym.make(env_id)
    env.reset(seed=0)
    acts = action_pool(1, env.action_space.n)[:, 0].tolist()

    def step_batch(k):
        _, _, term, trunc, _ = env.step(acts[k % POOL])
        if term or trunc:
            env.reset()
        return 1

    return timed(step_batch, seconds, 1000)


def run_gym_vector(env_id, n, seconds, mode):
    envs = gym.make_vec(env_id, num_envs=n, vectorization_mode=mode)
    envs.reset(seed=0)
    acts = action_pool(n, envs.single_action_space.n)
    prev_done = np.zeros(n, dtype=bool)

    def step_batch(k):
        nonlocal prev_done
        _, _, term, trunc, _ = envs.step(acts[k % POOL])
        t = n - int(prev_done.sum())
        prev_done = np.logical_or(term, trunc)
        return t

    return timed(step_batch, seconds, max(10, 2000 // n))


def run_envpool(env_id, n, seconds, threads):
    import envpool

    kwargs = {"num_envs": n, "batch_size": n, "seed": 0}
    if threads is not None:
        kwargs["num_threads"] = threads
    envs = envpool.make(env_id, env_type="gymnasium", **kwargs)
    envs.reset()
    acts = action_pool(n, envs.action_space.n).astype(np.int32)
    prev_done = np.zeros(n, dtype=bool)

    def step_batch(k):
        nonlocal prev_done
        _, _, term, trunc, _ = envs.step(acts[k % POOL])
        t = n - int(prev_done.sum())
        prev_done = np.logical_or(term, trunc)
        return t

    return timed(step_batch, seconds, max(10, 2000 // n))


def run_agora(env_id, n, seconds, binary):
    out = subprocess.run(
        [binary, "--env", env_id, "--num-envs", str(n), "--seconds", str(seconds)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout)["transitions_per_s"]


def run_agora_actors(env_id, n, seconds, cli, shards, overheads):
    """Through the env shards (`agora env bench`): the caller steps the
    first shard, a thread each of the others steps its own."""
    rate_guess = 1.5e5 if n <= 8 else 1.5e7
    steps = max(500, int(seconds * rate_guess / n))
    out = subprocess.run(
        [cli, "--json", "env", "bench", env_id, "--num-envs", str(n), "--shards", str(shards), "--steps", str(steps)],
        check=True,
        capture_output=True,
        text=True,
    )
    result = json.loads(out.stdout)
    overheads.append(result["actor_hop_overhead_us_per_batch"])
    return result["actors_transitions_per_s"]


def implementations(env_id, n, binary, cli=None, overheads=None):
    impls = {}
    if n == 1:
        impls["gym_single"] = lambda s: run_gym_single(env_id, n, s)
    impls["gym_sync"] = lambda s: run_gym_vector(env_id, n, s, "sync")
    if env_id == "CartPole-v1":
        impls["gym_numpy"] = lambda s: run_gym_vector(env_id, n, s, "vector_entry_point")
    impls["envpool_1t"] = lambda s: run_envpool(env_id, n, s, 1)
    impls["envpool_def"] = lambda s: run_envpool(env_id, n, s, None)
    impls["agora"] = lambda s: run_agora(env_id, n, s, binary)
    if cli:
        for shards in sorted({1, min(n, os.cpu_count() or 1)}):
            key = f"agora_actors_{shards}"
            overheads.setdefault(key, [])
            impls[key] = lambda s, k=shards, key=key: run_agora_actors(env_id, n, s, cli, k, overheads[key])
    return impls


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--agora-bin", required=True, help="path to the vec_env_throughput example binary")
    ap.add_argument("--agora-cli", help="path to the agora binary, for the env-actor columns")
    ap.add_argument(
        "--cells",
        default="CartPole-v1:1,8,64,256,4096;Acrobot-v1:1,64,256;FrozenLake-v1:1,64,256",
        help="ENV:N,N,...;ENV:N,... - the (env, num_envs) cells to measure",
    )
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=1.0, help="timed seconds per measurement")
    args = ap.parse_args()

    import envpool

    report = {
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()},
        "versions": {"gymnasium": gym.__version__, "envpool": envpool.__version__, "numpy": np.__version__},
        "metric": "random-action env transitions/s, autoreset-only slots excluded, median of repeats",
        "load_1min_before": os.getloadavg()[0],
        "cells": [],
    }
    cells = [(env_id, int(n)) for part in args.cells.split(";") for env_id, counts in [part.split(":")] for n in counts.split(",")]
    for env_id, n in cells:
        if True:
            overheads = {}
            impls = implementations(env_id, n, args.agora_bin, args.agora_cli, overheads)
            samples = {name: [] for name in impls}
            load_before = os.getloadavg()[0]
            for _ in range(args.repeats):
                for name, fn in impls.items():
                    samples[name].append(fn(args.seconds))
            medians = {name: statistics.median(v) for name, v in samples.items()}
            ratios = {f"agora/{name}": medians["agora"] / v for name, v in medians.items() if name != "agora"}
            against = against_strongest(medians)
            cell = {
                "env": env_id,
                "num_envs": n,
                "load_1min": [load_before, os.getloadavg()[0]],
                "median": medians,
                "samples": samples,
                "ratios": ratios,
                "against_strongest": against,
                "actor_hop_overhead_us_per_batch": {k: statistics.median(v) for k, v in overheads.items() if v},
            }
            report["cells"].append(cell)
            line = "  ".join(f"{k}={v / 1e6:.3f}M" for k, v in medians.items())
            rat = "  ".join(f"{k}={v:.2f}" for k, v in against.items() if not isinstance(v, str))
            print(f"{env_id} n={n} load={load_before:.2f}: {line}\n    {rat}", file=sys.stderr, flush=True)
    report["load_1min_after"] = os.getloadavg()[0]
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
