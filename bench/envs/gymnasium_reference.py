#!/usr/bin/env python3
"""Seeded reference data for agora-agents: Gymnasium's own random streams.

Provenance: written against Gymnasium 1.4.0 and numpy 2.4.6 on CPython 3.11
(x86_64 Linux); the versions that produced a data set are in the first line
of each file. To regenerate:

    python3 -m venv /tmp/gymvenv
    /tmp/gymvenv/bin/pip install "gymnasium==1.4.*" numpy
    /tmp/gymvenv/bin/python bench/envs/gymnasium_reference.py agents/tests/data/gymnasium

Unlike agents/reference/generate.py (dynamics from forced states), nothing
here forces a state: every case is `reset(seed=S)` and then steps with
actions from a fixed sequence, so the files pin Gymnasium's seeding (numpy's
SeedSequence -> PCG64 -> Generator draws) as well as the dynamics. When an
episode ends the case calls `reset()` without a seed, which continues the
env's generator, and records that observation too.

Files (JSON lines; the first line of each is {"gymnasium", "numpy", "python"}):

  numpy_rng.jsonl   per seed: SeedSequence(seed).generate_state(4, uint64),
                    the PCG64 state and increment after seeding, and the
                    first draws of random_raw, random, integers(n) for
                    32- and 64-bit ranges, uniform, and one interleaving of
                    them (numpy keeps half of a 64-bit output for the next
                    32-bit draw, so the order matters).
  <env>.jsonl       per case {env, kwargs, seed, reset, steps}: `reset` is
                    the seeded reset's observation; each step is
                    [action, obs, reward, terminated, truncated], plus, when
                    the episode ended, the observation of the unseeded reset
                    that follows. Tabular cases also record info["prob"]
                    (reset and each step; the step row's sixth element moves
                    to seventh).
  vector.jsonl      gym.make_vec(..., vectorization_mode="sync") with the
                    next-step and same-step autoreset modes, reset(seed=S)
                    (sub-env i gets S + i): per step [actions, obs, rewards,
                    terminated, truncated] and, same-step only, final_obs
                    (null for envs whose episode did not end).
  spaces.jsonl      space.seed(S) then sample(): Discrete, MultiDiscrete,
                    bounded float32 Box, each registered env's action space
                    (env.action_space.seed(S)) and a sync vector env's batch
                    action space.

Observations are written as the float64 value of Gymnasium's float32 (or
int) observation, using the shortest decimal that reads back to the same
float32 through float64 (what a JSON reader does); the script checks that
round trip for every value it writes.

Actions come from np.random.default_rng(ACTION_SEED_BASE + seed), one
`integers(n)` per env per step, and are stored in the files, so the Rust
tests need neither Python nor numpy.
"""

import json
import os
import platform
import sys

import gymnasium as gym
import numpy as np

ACTION_SEED_BASE = 10_000

# Seeds for the raw generator checks: small, word-sized edges, two 32-bit
# words, and the largest u64 (Agora's seed type).
RNG_SEEDS = [0, 1, 42, 123, 2**32 - 1, 2**32, 2**63 + 11, 2**64 - 1]
# Bounds for integers(n): the 32-bit Lemire path (incl. n = 2^32, where
# numpy takes a raw 32-bit draw), and the 64-bit path.
INTEGER_BOUNDS = [2, 3, 6, 100, 2**31 + 1, 2**32, 2**32 + 1, 2**40 + 7, 2**63 + 5, 2**64 - 1]

# Taxi's fickle seeds are ones where, with these actions, the passenger
# actually changes destination (random actions rarely pick anyone up).
EPISODE_CASES = {
    "cartpole.jsonl": [
        ("CartPole-v1", {}, [0, 2024], 100),
        ("CartPole-v1", {"sutton_barto_reward": True}, [5], 40),
    ],
    "mountain_car.jsonl": [
        ("MountainCar-v0", {}, [0], 205),
    ],
    "acrobot.jsonl": [
        ("Acrobot-v1", {}, [0, 3], 60),
    ],
    "frozen_lake.jsonl": [
        ("FrozenLake-v1", {"is_slippery": True}, [0, 99], 100),
        ("FrozenLake-v1", {"is_slippery": False}, [4], 60),
        ("FrozenLake8x8-v1", {"is_slippery": True}, [11], 120),
        ("FrozenLake8x8-v1", {"is_slippery": False}, [3], 60),
        (
            "FrozenLake-v1",
            {"desc": ["SFFS", "FHFH", "FFFH", "HFFG"], "success_rate": 0.5},
            [8],
            80,
        ),
    ],
    "taxi.jsonl": [
        ("Taxi-v4", {}, [0], 120),
        ("Taxi-v4", {"is_rainy": True}, [2], 120),
        ("Taxi-v4", {"fickle_passenger": True}, [9, 10], 150),
        ("Taxi-v4", {"is_rainy": True, "fickle_passenger": True}, [17, 38], 150),
    ],
    "cliff_walking.jsonl": [
        ("CliffWalking-v1", {}, [1], 120),
        ("CliffWalkingSlippery-v1", {}, [0, 9], 120),
    ],
}

VECTOR_CASES = [
    ("CartPole-v1", {}, 3, 0, 40),
    ("FrozenLake-v1", {"is_slippery": True}, 3, 0, 60),
    ("Taxi-v4", {"fickle_passenger": True}, 2, 9, 60),
]

SPACE_SEEDS = [0, 1, 77]
SPACE_SAMPLES = 40

REGISTERED = [
    "CartPole-v1",
    "MountainCar-v0",
    "Acrobot-v1",
    "FrozenLake-v1",
    "FrozenLake8x8-v1",
    "Taxi-v4",
    "CliffWalking-v1",
    "CliffWalkingSlippery-v1",
]


def f32_number(x):
    """The shortest decimal whose float64 parse rounds to float32 `x`."""
    v = np.float32(x)
    text = np.format_float_positional(v, unique=True, trim="-")
    if "e" in text or len(text) > 24:
        text = np.format_float_scientific(v, unique=True, trim="-")
    if np.float32(float(text)) != v and not (np.isnan(v) and np.isnan(float(text))):
        # Double rounding would land elsewhere: write the exact value.
        text = repr(float(v))
    assert np.float32(float(text)) == v, (x, text)
    # json.dumps writes the shortest repr of this float64, no longer than `text`.
    return float(text)


def observation(obs):
    arr = np.asarray(obs)
    if arr.dtype.kind in "iu":
        return arr.tolist()
    if arr.ndim == 0:
        return f32_number(arr)
    return [observation(o) for o in arr]


def header():
    return {
        "gymnasium": gym.__version__,
        "numpy": np.__version__,
        "python": platform.python_version(),
        "generator": "bench/envs/gymnasium_reference.py",
    }


def write_jsonl(path, rows):
    with open(path, "w") as f:
        f.write(json.dumps(header(), separators=(",", ":")) + "\n")
        for row in rows:
            f.write(json.dumps(row, separators=(",", ":")) + "\n")


def hex128(value):
    return f"{value:032x}"


def rng_rows():
    rows = []
    for seed in RNG_SEEDS:
        words = np.random.SeedSequence(seed).generate_state(4, np.uint64)
        state = np.random.PCG64(np.random.SeedSequence(seed)).state["state"]
        fresh = lambda: np.random.default_rng(seed)  # noqa: E731
        row = {
            "seed": seed,
            "state_words": [int(w) for w in words],
            "pcg_state": hex128(state["state"]),
            "pcg_inc": hex128(state["inc"]),
            "raw": [int(v) for v in np.random.PCG64(seed).random_raw(6)],
            "random": [float(v) for v in fresh().random(6)],
            "uniform": [float(v) for v in fresh().uniform(-0.05, 0.05, size=5)],
            "integers": [],
        }
        for n in INTEGER_BOUNDS:
            g = fresh()
            # int64 (Gymnasium's dtype) cannot hold the largest bounds; numpy
            # draws both dtypes through the same unsigned 64-bit routine.
            dtype = np.int64 if n <= 2**63 else np.uint64
            row["integers"].append([n, [int(g.integers(n, dtype=dtype)) for _ in range(7)]])
        g = fresh()
        mixed = []
        for k in range(12):
            op = ["int3", "random", "int3", "int2p40", "int7", "uniform"][k % 6]
            if op == "int3":
                mixed.append([op, int(g.integers(3))])
            elif op == "int7":
                mixed.append([op, int(g.integers(7))])
            elif op == "int2p40":
                mixed.append([op, int(g.integers(2**40))])
            elif op == "random":
                mixed.append([op, float(g.random())])
            else:
                mixed.append([op, float(g.uniform(-0.6, -0.4))])
        row["mixed"] = mixed
        rows.append(row)
    return rows


def episode_rows(env_id, kwargs, seeds, steps):
    rows = []
    tabular = env_id.startswith(("FrozenLake", "Taxi", "CliffWalking"))
    for seed in seeds:
        env = gym.make(env_id, **kwargs)
        n = int(env.action_space.n)
        actions = np.random.default_rng(ACTION_SEED_BASE + seed)
        obs, info = env.reset(seed=seed)
        reset = {"obs": observation(obs)}
        if tabular:
            reset["p"] = float(info["prob"])
        rows_steps = []
        for _ in range(steps):
            a = int(actions.integers(n))
            obs, reward, terminated, truncated, info = env.step(a)
            step = [a, observation(obs), float(reward), bool(terminated), bool(truncated)]
            if tabular:
                step.append(float(info["prob"]))
            if terminated or truncated:
                obs, info = env.reset()
                step.append(observation(obs))
            rows_steps.append(step)
        env.close()
        rows.append(
            {"env": env_id, "kwargs": kwargs, "seed": seed, "reset": reset, "steps": rows_steps}
        )
    return rows


def vector_rows():
    rows = []
    for env_id, kwargs, num_envs, seed, steps in VECTOR_CASES:
        for mode in ("NextStep", "SameStep"):
            autoreset = {
                "NextStep": gym.vector.AutoresetMode.NEXT_STEP,
                "SameStep": gym.vector.AutoresetMode.SAME_STEP,
            }[mode]
            envs = gym.make_vec(
                env_id,
                num_envs=num_envs,
                vectorization_mode="sync",
                vector_kwargs={"autoreset_mode": autoreset},
                **kwargs,
            )
            n = int(envs.single_action_space.n)
            actions = np.random.default_rng(ACTION_SEED_BASE + seed)
            obs, _ = envs.reset(seed=seed)
            reset = observation(obs)
            out_steps = []
            for _ in range(steps):
                a = [int(actions.integers(n)) for _ in range(num_envs)]
                obs, rewards, terminated, truncated, info = envs.step(np.array(a))
                step = [
                    a,
                    observation(obs),
                    [float(r) for r in rewards],
                    [bool(t) for t in terminated],
                    [bool(t) for t in truncated],
                ]
                if mode == "SameStep":
                    ended = np.logical_or(terminated, truncated)
                    final = info.get("final_obs")
                    step.append(
                        [observation(final[i]) if ended[i] else None for i in range(num_envs)]
                    )
                out_steps.append(step)
            envs.close()
            rows.append(
                {
                    "env": env_id,
                    "kwargs": kwargs,
                    "num_envs": num_envs,
                    "autoreset": mode,
                    "seed": seed,
                    "reset": reset,
                    "steps": out_steps,
                }
            )
    return rows


def space_rows():
    rows = []
    spaces = [
        ("Discrete", {"n": 2}, gym.spaces.Discrete(2)),
        ("Discrete", {"n": 3}, gym.spaces.Discrete(3)),
        ("Discrete", {"n": 6}, gym.spaces.Discrete(6)),
        ("Discrete", {"n": 500}, gym.spaces.Discrete(500)),
        ("MultiDiscrete", {"nvec": [2, 3, 5]}, gym.spaces.MultiDiscrete([2, 3, 5])),
        (
            "Box",
            {"low": [-1.0, 0.0, -2.5], "high": [1.0, 10.0, 0.5]},
            gym.spaces.Box(
                low=np.array([-1.0, 0.0, -2.5], dtype=np.float32),
                high=np.array([1.0, 10.0, 0.5], dtype=np.float32),
                dtype=np.float32,
            ),
        ),
    ]
    for kind, params, space in spaces:
        for seed in SPACE_SEEDS:
            space.seed(seed)
            samples = [observation(space.sample()) for _ in range(SPACE_SAMPLES)]
            rows.append({"space": kind, **params, "seed": seed, "samples": samples})
    for env_id in REGISTERED:
        env = gym.make(env_id)
        seed = 5
        env.action_space.seed(seed)
        samples = [int(env.action_space.sample()) for _ in range(SPACE_SAMPLES)]
        rows.append({"env": env_id, "seed": seed, "samples": samples})
        env.close()
    envs = gym.make_vec("CartPole-v1", num_envs=3, vectorization_mode="sync")
    envs.action_space.seed(8)
    samples = [observation(envs.action_space.sample()) for _ in range(SPACE_SAMPLES)]
    rows.append({"vector_env": "CartPole-v1", "num_envs": 3, "seed": 8, "samples": samples})
    envs.close()
    return rows


def main():
    if len(sys.argv) != 2:
        sys.exit(f"usage: {sys.argv[0]} OUT_DIR")
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    write_jsonl(os.path.join(out, "numpy_rng.jsonl"), rng_rows())
    for name, cases in EPISODE_CASES.items():
        rows = []
        for env_id, kwargs, seeds, steps in cases:
            rows.extend(episode_rows(env_id, kwargs, seeds, steps))
        write_jsonl(os.path.join(out, name), rows)
    write_jsonl(os.path.join(out, "vector.jsonl"), vector_rows())
    write_jsonl(os.path.join(out, "spaces.jsonl"), space_rows())


if __name__ == "__main__":
    main()
