"""The Python side of the RL benchmark: Stable-Baselines3 and a plain
Gymnasium Q-learning loop, printing one JSON line per run in the same
format as Agora's `train` example.

    python peers.py sb3 --algo dqn|ppo --hp cleanrl|zoo|fast --seed S [--t0 UNIX] [--config TOML]
    python peers.py qlearn --seed S [--t0 UNIX]

CartPole runs stop when the mean return of the last 20 training episodes
first reaches 475 (or at the configured length) and report the wall time
from --t0 (the launcher's clock before it started this process, so Python
and torch start-up count) and the env steps at that moment, and the
overall steps/s. torch runs on one thread.
"""

import argparse
import json
import time
from collections import deque

T_START = time.time()


def sb3(args):
    import torch

    torch.set_num_threads(1)
    import gymnasium as gym
    import stable_baselines3
    from stable_baselines3 import DQN, PPO
    from stable_baselines3.common.callbacks import BaseCallback
    from stable_baselines3.common.env_util import make_vec_env

    t0 = args.t0 if args.t0 is not None else T_START
    solved = {}

    class Solved(BaseCallback):
        def __init__(self):
            super().__init__()
            self.window = deque(maxlen=20)

        def _on_step(self):
            for info in self.locals["infos"]:
                ep = info.get("episode")
                if ep is not None:
                    self.window.append(float(ep["r"]))
                    if len(self.window) == 20 and sum(self.window) / 20 >= 475 and not solved:
                        solved["wall"] = time.time() - t0
                        solved["steps"] = int(self.num_timesteps)
            return not solved

    def linear(start):
        return lambda progress: progress * start

    if args.algo == "dqn" and args.hp == "cleanrl":
        # CleanRL dqn.py: 120-84 ReLU, lr 2.5e-4, buffer 10k, batch 128,
        # target every 500 steps (tau 1), train every 10 after 10k steps,
        # epsilon 1.0 -> 0.05 over half of 500k steps. CleanRL does not clip
        # gradients; SB3's DQN uses the Huber loss where CleanRL uses MSE.
        n_envs, total = 1, 500_000
        env = make_vec_env("CartPole-v1", n_envs=n_envs, seed=args.seed)
        model = DQN("MlpPolicy", env, learning_rate=2.5e-4, buffer_size=10_000,
                    learning_starts=10_000, batch_size=128, tau=1.0, gamma=0.99,
                    train_freq=10, gradient_steps=1, target_update_interval=500,
                    exploration_fraction=0.5, exploration_initial_eps=1.0,
                    exploration_final_eps=0.05, max_grad_norm=1e9,
                    policy_kwargs=dict(net_arch=[120, 84]), seed=args.seed, device="cpu")
    elif args.algo == "dqn":
        # rl-baselines3-zoo hyperparams/dqn.yml, CartPole-v1.
        n_envs, total = 1, 50_000
        env = make_vec_env("CartPole-v1", n_envs=n_envs, seed=args.seed)
        model = DQN("MlpPolicy", env, learning_rate=2.3e-3, batch_size=64,
                    buffer_size=100_000, learning_starts=1000, gamma=0.99,
                    target_update_interval=10, train_freq=256, gradient_steps=128,
                    exploration_fraction=0.16, exploration_final_eps=0.04,
                    policy_kwargs=dict(net_arch=[256, 256]), seed=args.seed, device="cpu")
    elif args.hp == "cleanrl":
        # CleanRL ppo.py: 4 envs x 128 steps, 4 minibatches, 4 epochs,
        # lr 2.5e-4 annealed, gae 0.95, clip 0.2 (value loss clipped too),
        # ent 0.01, vf 0.5, max grad norm 0.5, Adam eps 1e-5, 64-64 tanh
        # actor and critic with orthogonal init (SB3's defaults).
        n_envs, total = 4, 500_000
        env = make_vec_env("CartPole-v1", n_envs=n_envs, seed=args.seed)
        model = PPO("MlpPolicy", env, learning_rate=linear(2.5e-4), n_steps=128,
                    batch_size=128, n_epochs=4, gamma=0.99, gae_lambda=0.95,
                    clip_range=0.2, clip_range_vf=0.2, ent_coef=0.01, vf_coef=0.5,
                    max_grad_norm=0.5, normalize_advantage=True,
                    policy_kwargs=dict(optimizer_kwargs=dict(eps=1e-5)),
                    seed=args.seed, device="cpu")
    elif args.hp == "fast":
        # Agora's tuned PPO, every hyperparameter read from its config (the
        # keys it leaves out take Agora's PpoConfig defaults, CleanRL's).
        import tomllib

        with open(args.config, "rb") as f:
            config = tomllib.load(f)
        ppo, n_envs = config["ppo"], config["env"]["num_envs"]
        lr, steps = ppo.get("learning_rate", 2.5e-4), ppo.get("num_steps", 128)
        clip = ppo.get("clip_coef", 0.2)
        hidden = ppo.get("hidden_sizes", [64, 64])
        total = ppo.get("total_timesteps", 500_000)
        env = make_vec_env("CartPole-v1", n_envs=n_envs, seed=args.seed)
        model = PPO("MlpPolicy", env, n_steps=steps,
                    batch_size=n_envs * steps // ppo.get("num_minibatches", 4),
                    n_epochs=ppo.get("update_epochs", 4), gamma=ppo.get("gamma", 0.99),
                    gae_lambda=ppo.get("gae_lambda", 0.95), ent_coef=ppo.get("ent_coef", 0.01),
                    vf_coef=ppo.get("vf_coef", 0.5), max_grad_norm=ppo.get("max_grad_norm", 0.5),
                    learning_rate=linear(lr) if ppo.get("anneal_lr", True) else lr,
                    clip_range=clip, clip_range_vf=clip if ppo.get("clip_vloss", True) else None,
                    normalize_advantage=ppo.get("norm_adv", True),
                    policy_kwargs=dict(net_arch=dict(pi=hidden, vf=hidden),
                                       optimizer_kwargs=dict(eps=ppo.get("adam_eps", 1e-5))),
                    seed=args.seed, device="cpu")
    else:
        # rl-baselines3-zoo hyperparams/ppo.yml, CartPole-v1.
        n_envs, total = 8, 100_000
        env = make_vec_env("CartPole-v1", n_envs=n_envs, seed=args.seed)
        model = PPO("MlpPolicy", env, n_steps=32, batch_size=256, gae_lambda=0.8,
                    gamma=0.98, n_epochs=20, ent_coef=0.0, learning_rate=linear(1e-3),
                    clip_range=linear(0.2), seed=args.seed, device="cpu")
    start = time.time()
    model.learn(total_timesteps=total, callback=Solved())
    secs = time.time() - start
    steps = int(model.num_timesteps)
    print(json.dumps({
        "impl": "sb3", "algo": args.algo, "label": args.hp, "env": "CartPole-v1",
        "num_envs": n_envs, "seed": args.seed, "env_steps": steps, "train_secs": secs,
        "sps": steps / secs, "startup_secs": start - t0, "solved": bool(solved),
        "wall_to_475": solved.get("wall"), "steps_to_475": solved.get("steps"),
        "versions": {"stable_baselines3": stable_baselines3.__version__, "torch": torch.__version__,
                     "gymnasium": gym.__version__},
    }), flush=True)


def qlearn(args):
    """Plain Q-learning on FrozenLake-v1 4x4 slippery: alpha 0.1, gamma
    0.99, epsilon 0.9995^episode, 10,000 episodes; greedy success over
    1,000 evaluation episodes."""
    import gymnasium as gym
    import numpy as np

    t0 = args.t0 if args.t0 is not None else T_START
    env = gym.make("FrozenLake-v1")
    rng = np.random.default_rng(args.seed)
    q = np.zeros((env.observation_space.n, env.action_space.n))
    alpha, gamma, episodes = 0.1, 0.99, 10_000
    steps = 0
    start = time.time()
    s, _ = env.reset(seed=args.seed)
    for episode in range(episodes):
        epsilon = 0.9995 ** episode
        if episode:
            s, _ = env.reset()
        done = False
        while not done:
            if rng.random() < epsilon:
                a = int(rng.integers(4))
            else:
                a = int(np.argmax(q[s]))
            s2, r, terminated, truncated, _ = env.step(a)
            target = r + gamma * np.max(q[s2]) * (not terminated)
            q[s, a] += alpha * (target - q[s, a])
            s = s2
            steps += 1
            done = terminated or truncated
    secs = time.time() - start
    wins = 0
    s, _ = env.reset(seed=args.seed + 1_000_000)
    for k in range(1000):
        if k:
            s, _ = env.reset()
        done = False
        while not done:
            s, r, terminated, truncated, _ = env.step(int(np.argmax(q[s])))
            done = terminated or truncated
        wins += r > 0
    print(json.dumps({
        "impl": "python", "algo": "q_learning", "label": "default", "env": "FrozenLake-v1",
        "num_envs": 1, "seed": args.seed, "env_steps": steps, "episodes": episodes,
        "train_secs": secs, "sps": steps / secs, "episodes_per_sec": episodes / secs,
        "greedy_success": wins / 1000, "eval_episodes": 1000, "startup_secs": start - t0,
    }), flush=True)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("what", choices=["sb3", "qlearn"])
    p.add_argument("--algo", choices=["dqn", "ppo"], default="ppo")
    p.add_argument("--hp", choices=["cleanrl", "zoo", "fast"], default="cleanrl")
    p.add_argument("--config", default=None, help="with --hp fast: the Agora config to copy (configs/cartpole-ppo-fast.toml)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--t0", type=float, default=None)
    args = p.parse_args()
    if args.what == "sb3":
        sb3(args)
    else:
        qlearn(args)


if __name__ == "__main__":
    main()
