#!/usr/bin/env python3
"""Generate Gymnasium reference data for agora-agents' dynamics tests.

Run with the Gymnasium version recorded in the output files (1.4.0 when this
was written):

    python3 -m venv /work/venvs/gym
    /work/venvs/gym/bin/pip install 'gymnasium==1.4.0'
    /work/venvs/gym/bin/python agents/reference/generate.py

Continuous envs (CartPole-v1, MountainCar-v0, Acrobot-v1): trajectories from
fixed initial states and fixed action sequences. The unwrapped env's state
is set directly (and CartPole's `steps_beyond_terminated` latch cleared),
the TimeLimit wrapper's step counter is set to `elapsed`, then every step's
observation, reward and flags are recorded. Some cases continue after
termination or start near the time limit, to pin those rules down too.

Tabular envs (FrozenLake, Taxi, CliffWalking): the full transition table
`P[s][a]` as [p, next_state, reward, terminated (0/1)] lists, and the
initial state distribution, for several parameter sets.

Output: compact JSON files next to this script. The Rust tests read them with
include_str!; they never run Python.
"""

import json
import math
import os

import gymnasium as gym
import numpy as np

OUT = os.path.dirname(os.path.abspath(__file__))


def dump(name, data):
    path = os.path.join(OUT, name)
    with open(path, "w") as f:
        json.dump(data, f, separators=(",", ":"))
        f.write("\n")
    print(f"{name}: {os.path.getsize(path)} bytes")


def action_sequence(rng, n_actions, length):
    return [int(a) for a in rng.integers(0, n_actions, size=length)]


def trajectory(env_id, state, elapsed, actions, latch_attr=None):
    env = gym.make(env_id)
    env.reset(seed=0)
    base = env.unwrapped
    base.state = np.array(state, dtype=np.float64)
    if latch_attr is not None:
        setattr(base, latch_attr, None)
    # The TimeLimit wrapper is the outermost one.
    env._elapsed_steps = elapsed
    steps = []
    for a in actions:
        obs, reward, terminated, truncated, _ = env.step(a)
        steps.append(
            {
                "obs": [float(v) for v in np.asarray(obs, dtype=np.float32)],
                "reward": float(reward),
                "terminated": bool(terminated),
                "truncated": bool(truncated),
            }
        )
    return {"state": [float(v) for v in state], "elapsed": elapsed, "actions": actions, "steps": steps}


def continuous():
    rng = np.random.default_rng(20240601)

    cases = []
    # Random starts within the reset range, random actions until termination
    # plus a few steps beyond it.
    for _ in range(6):
        s = [float(v) for v in rng.uniform(-0.05, 0.05, size=4)]
        cases.append(trajectory("CartPole-v1", s, 0, action_sequence(rng, 2, 60), "steps_beyond_terminated"))
    # Balanced-ish policy from a wider start, and one near the time limit.
    s = [0.1, -0.2, 0.03, 0.1]
    cases.append(trajectory("CartPole-v1", s, 0, [int(i % 2) for i in range(120)], "steps_beyond_terminated"))
    cases.append(trajectory("CartPole-v1", [0.0, 0.0, 0.0, 0.0], 495, [0, 1, 0, 1, 0, 1, 0, 1], "steps_beyond_terminated"))
    # Large state: angles beyond the threshold from the first step.
    cases.append(trajectory("CartPole-v1", [1.0, 2.0, 0.5, -3.0], 0, [1, 1, 0, 0, 1], "steps_beyond_terminated"))
    dump("cartpole.json", {"gymnasium": gym.__version__, "env": "CartPole-v1", "cases": cases})

    cases = []
    for _ in range(4):
        s = [float(rng.uniform(-0.6, -0.4)), 0.0]
        cases.append(trajectory("MountainCar-v0", s, 0, action_sequence(rng, 3, 150)))
    # Bang-bang policy that reaches the goal: push with the velocity.
    env = gym.make("MountainCar-v0")
    env.reset(seed=0)
    env.unwrapped.state = np.array([-0.5, 0.0])
    actions, vel = [], 0.0
    for _ in range(200):
        a = 2 if vel >= 0 else 0
        actions.append(a)
        obs, _, terminated, truncated, _ = env.step(a)
        vel = float(obs[1])
        if terminated or truncated:
            break
    cases.append(trajectory("MountainCar-v0", [-0.5, 0.0], 0, actions))
    # Hitting the left wall, and the time limit.
    cases.append(trajectory("MountainCar-v0", [-1.15, -0.06], 0, [0, 0, 0, 1, 2]))
    cases.append(trajectory("MountainCar-v0", [-0.5, 0.0], 197, [1, 1, 1, 1]))
    dump("mountain_car.json", {"gymnasium": gym.__version__, "env": "MountainCar-v0", "cases": cases})

    cases = []
    for _ in range(5):
        s = [float(np.float32(v)) for v in rng.uniform(-0.1, 0.1, size=4)]
        cases.append(trajectory("Acrobot-v1", s, 0, action_sequence(rng, 3, 80)))
    # Energetic starts that swing up (terminate) and wrap angles.
    cases.append(trajectory("Acrobot-v1", [2.5, 0.5, 3.0, -2.0], 0, action_sequence(rng, 3, 40)))
    cases.append(trajectory("Acrobot-v1", [-3.0, 3.0, 12.0, -28.0], 0, action_sequence(rng, 3, 40)))
    cases.append(trajectory("Acrobot-v1", [0.0, 0.0, 0.0, 0.0], 498, [2, 0, 2, 0]))
    dump("acrobot.json", {"gymnasium": gym.__version__, "env": "Acrobot-v1", "cases": cases})


def num(x):
    x = float(x)
    return int(x) if x.is_integer() else x


def table(env_id, kwargs):
    env = gym.make(env_id, **kwargs)
    base = env.unwrapped
    n_s, n_a = base.observation_space.n, base.action_space.n
    # Integral numbers as ints and flags as 0/1 keep the files small; the
    # values are exact either way.
    P = [
        [[[num(p), int(s2), num(r), int(bool(t))] for (p, s2, r, t) in base.P[s][a]] for a in range(n_a)]
        for s in range(n_s)
    ]
    init = [[int(s), float(p)] for s, p in enumerate(base.initial_state_distrib) if p > 0]
    return {
        "id": env_id,
        "params": {k: (",".join(v) if isinstance(v, list) else v) for k, v in kwargs.items()},
        "max_episode_steps": env.spec.max_episode_steps,
        "n_states": int(n_s),
        "n_actions": int(n_a),
        "initial": init,
        "P": P,
    }


def tabular():
    custom = ["SFFHF", "FHFFF", "FFHFG", "HFFFF"]
    dump(
        "frozen_lake.json",
        {
            "gymnasium": gym.__version__,
            "tables": [
                table("FrozenLake-v1", {}),
                table("FrozenLake-v1", {"is_slippery": False}),
                table("FrozenLake-v1", {"map_name": "8x8"}),
                table("FrozenLake-v1", {"map_name": "8x8", "is_slippery": False}),
                table("FrozenLake8x8-v1", {}),
                table("FrozenLake-v1", {"desc": custom}),
                table("FrozenLake-v1", {"desc": custom, "is_slippery": False}),
                table("FrozenLake-v1", {"success_rate": 0.8, "reward_schedule": (5, -1, -0.01)}),
            ],
        },
    )
    dump(
        "taxi.json",
        {
            "gymnasium": gym.__version__,
            "tables": [
                table("Taxi-v4", {}),
                table("Taxi-v4", {"is_rainy": True, "rainy_probability": 0.9}),
            ],
        },
    )
    dump(
        "cliff_walking.json",
        {
            "gymnasium": gym.__version__,
            "tables": [
                table("CliffWalking-v1", {}),
                table("CliffWalking-v1", {"is_slippery": True}),
                table("CliffWalkingSlippery-v1", {}),
            ],
        },
    )


if __name__ == "__main__":
    print("gymnasium", gym.__version__, "numpy", np.__version__)
    continuous()
    tabular()
