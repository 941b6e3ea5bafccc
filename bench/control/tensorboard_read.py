#!/usr/bin/env python3
"""Reads the TensorBoard event files Agora writes with Python's own
tensorboard (EventAccumulator, what `tensorboard --logdir` uses) and checks
every scalar against the run's events.jsonl: same tags, same steps, values
equal to float32 precision. Exits 1 on any mismatch.

Trains a short PPO and a short DQN CartPole run in a temporary data folder;
tensorboard is installed into bench/.venv-tensorboard on first use.

    python3 bench/control/tensorboard_read.py
"""
import json, math, os, subprocess, sys, tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import control_venv  # noqa: E402  (bench/control/control_venv.py)

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
VENV = os.path.join(ROOT, "bench", ".venv-tensorboard")

CONFIGS = {
    "ppo": '[learner]\nalgorithm = "ppo"\nseed = 1\n[env]\nid = "CartPole-v1"\n[ppo]\ntotal_timesteps = 50000\n',
    "dqn": '[learner]\nalgorithm = "dqn"\nseed = 1\n[env]\nid = "CartPole-v1"\n[dqn]\ntotal_timesteps = 30000\nlearning_starts = 1000\n',
}

# events.jsonl field -> TensorBoard tag, as runtime/src/telemetry/mod.rs writes them.
EPISODE_TAGS = {"episode_return": "episode/return", "length": "episode/length"}
TRAIN_TAGS = {
    "mean_return": "train/mean_return",
    "best_mean_return": "train/best_mean_return",
    "sps": "train/steps_per_second",
    "epsilon": "train/epsilon",
    "learning_rate": "train/learning_rate",
    "td_loss": "losses/td_loss",
    "q_mean": "losses/q_values",
    "policy_loss": "losses/policy_loss",
    "value_loss": "losses/value_loss",
    "entropy": "losses/entropy",
    "approx_kl": "losses/approx_kl",
    "clip_fraction": "losses/clip_fraction",
    "explained_variance": "losses/explained_variance",
    "grad_norm": "losses/grad_norm",
}


def ensure_venv():
    control_venv.run_inside(VENV, ["tensorboard==2.20.0"])


def agora_binary():
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    subprocess.run(["cargo", "build", "--release", "-q", "-p", "agora"], cwd=ROOT, check=True)
    return os.path.join(target, "release", "agora")


def expected_scalars(jsonl_path):
    """{tag: {step: value}} from events.jsonl (the last value wins on a step,
    as TensorBoard shows it)."""
    expected = {}
    with open(jsonl_path) as lines:
        for line in lines:
            event = json.loads(line)
            kind = event.get("event")
            tags = EPISODE_TAGS if kind == "episode" else TRAIN_TAGS if kind == "train" else {}
            for field, tag in tags.items():
                value = event.get(field)
                if value is not None:
                    expected.setdefault(tag, []).append((event["env_steps"], float(value)))
    return expected


def check_run(agora, name, config_text, data):
    config = os.path.join(data, f"tb-{name}.toml")
    with open(config, "w") as f:
        f.write(config_text)
    subprocess.run([agora, "--data-dir", data, "--broker", "embedded:0", "run", config, "--quiet"],
                   check=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    runs = os.path.join(data, "runs")
    run = sorted(d for d in os.listdir(runs) if d.startswith(f"tb-{name}-"))[-1]
    folder = os.path.join(runs, run)

    from tensorboard.backend.event_processing import event_accumulator
    accumulator = event_accumulator.EventAccumulator(
        os.path.join(folder, "tensorboard"), size_guidance={event_accumulator.SCALARS: 0})
    accumulator.Reload()
    got = {tag: [(s.step, s.value) for s in accumulator.Scalars(tag)] for tag in accumulator.Tags()["scalars"]}
    want = expected_scalars(os.path.join(folder, "events.jsonl"))

    problems = []
    if set(got) != set(want):
        problems.append(f"tags differ: only in TensorBoard {sorted(set(got) - set(want))}, "
                        f"only in JSONL {sorted(set(want) - set(got))}")
    worst = 0.0
    points = 0
    for tag in sorted(set(got) & set(want)):
        if len(got[tag]) != len(want[tag]):
            problems.append(f"{tag}: {len(got[tag])} points in TensorBoard, {len(want[tag])} in JSONL")
            continue
        for (gs, gv), (ws, wv) in zip(got[tag], want[tag]):
            points += 1
            error = abs(gv - wv) / max(1.0, abs(wv))
            worst = max(worst, error)
            if gs != ws or not math.isclose(gv, wv, rel_tol=1e-6, abs_tol=1e-6):
                problems.append(f"{tag} at step {ws}: TensorBoard has ({gs}, {gv}), JSONL ({ws}, {wv})")
                break
    print(f"{name}: {run}: {len(got)} tags, {points} points read by tensorboard; "
          f"largest relative difference {worst:.2e}", flush=True)
    for problem in problems[:10]:
        print(f"  MISMATCH {problem}", flush=True)
    return not problems


def main():
    ensure_venv()
    agora = agora_binary()
    with tempfile.TemporaryDirectory() as data:
        ok = all([check_run(agora, name, text, data) for name, text in CONFIGS.items()])
    print("all scalars match" if ok else "scalars differ")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
