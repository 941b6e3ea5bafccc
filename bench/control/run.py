#!/usr/bin/env python3
"""Training control and telemetry benchmark:

* steps/s of a DQN and a PPO CartPole run with full telemetry and episode
  streaming against fast mode (--no-telemetry), alternating, REPEATS times;
* latency from the end of an episode (its `at` stamp, taken when the
  learner publishes it) to a subscriber receiving it, p50/p99;
* pause -> paused and resume -> running latency, as a client sees them.

The subscriber is paho-mqtt (a plain MQTT client, not Agora); its venv is
created under bench/.venv-control on first use.

    python3 bench/control/run.py [--repeats 3]
"""
import argparse, json, os, statistics, subprocess, sys, tempfile, threading, time, socket

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import control_venv  # noqa: E402  (bench/control/control_venv.py)

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
HERE = os.path.dirname(os.path.abspath(__file__))
VENV = os.path.join(ROOT, "bench", ".venv-control")


def ensure_venv():
    control_venv.run_inside(VENV, ["paho-mqtt==2.1.0"])


def load1():
    return float(open("/proc/loadavg").read().split()[0])


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


CONFIGS = {
    "dqn": "[learner]\nalgorithm = \"dqn\"\nseed = 1\n[env]\nid = \"CartPole-v1\"\n[dqn]\ntotal_timesteps = 100000\n",
    "ppo": "[learner]\nalgorithm = \"ppo\"\nseed = 1\n[env]\nid = \"CartPole-v1\"\n[ppo]\ntotal_timesteps = 200000\n",
}


def steps_per_second(agora, data, config, fast):
    args = [agora, "--json", "--data-dir", data, "--broker", "embedded:0", "run", config]
    if fast:
        args.append("--no-telemetry")
    proc = subprocess.run(args, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=600)
    if proc.returncode != 0:
        raise SystemExit(proc.stderr[-2000:])
    report = json.loads(proc.stdout)
    steps = report["reports"]["learner"]["env_steps"]
    return steps / (report["duration"] - report["startup_seconds"])


def latencies(agora, data, config_path, port):
    import paho.mqtt.client as mqtt
    episodes, answers = [], {}
    got_answer = threading.Condition()

    def on_message(client, userdata, msg):
        now = time.time()
        payload = json.loads(msg.payload)
        if msg.topic.endswith("/episodes") and payload.get("type") == "episode":
            episodes.append(now - payload["at"])
        elif msg.topic.endswith("/status") and payload.get("reply_to"):
            with got_answer:
                answers[payload["reply_to"]] = (now, payload)
                got_answer.notify_all()

    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"bench-{os.getpid()}")
    client.on_message = on_message
    broker = subprocess.Popen([agora, "--json", "broker", "--port", str(port)], stdout=subprocess.PIPE, stdin=subprocess.DEVNULL)
    broker.stdout.readline()
    client.connect("127.0.0.1", port)
    client.subscribe("agora/default/runs/+/episodes", qos=0)
    client.subscribe("agora/default/runs/+/status", qos=1)
    client.loop_start()
    time.sleep(0.3)
    run = subprocess.Popen([agora, "--json", "--data-dir", data, "--broker", f"mqtt://127.0.0.1:{port}", "run", config_path],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    run_id = None
    deadline = time.time() + 30
    while run_id is None and time.time() < deadline:
        out = subprocess.run([agora, "--json", "--data-dir", data, "runs", "list"], capture_output=True, text=True)
        running = [r for r in json.loads(out.stdout or "[]") if r["status"] == "running"]
        run_id = running[-1]["id"] if running else None
        time.sleep(0.1)
    control = []
    for i in range(10):
        for command, expected in (("pause", "paused"), ("resume", "running")):
            cid = f"{command}-{i}"
            sent = time.time()
            client.publish(f"agora/default/runs/{run_id}/control", json.dumps({"id": cid, "command": command}), qos=1)
            with got_answer:
                got_answer.wait_for(lambda: cid in answers, timeout=5)
            if cid in answers and answers[cid][1].get("status") == expected:
                control.append((command, answers[cid][0] - sent))
            time.sleep(0.05)
    run.wait(timeout=600)
    client.loop_stop()
    broker.terminate()
    broker.wait()
    pct = lambda xs, p: sorted(xs)[min(len(xs) - 1, int(p / 100 * len(xs)))] if xs else None
    return {
        "episodes": len(episodes),
        "episode_latency_ms_p50": pct(episodes, 50) and pct(episodes, 50) * 1000,
        "episode_latency_ms_p99": pct(episodes, 99) and pct(episodes, 99) * 1000,
        "pause_ms_p50": statistics.median([t for c, t in control if c == "pause"]) * 1000 if control else None,
        "resume_ms_p50": statistics.median([t for c, t in control if c == "resume"]) * 1000 if control else None,
        "control_ms_max": max(t for _, t in control) * 1000 if control else None,
    }


def main():
    ensure_venv()
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    agora = os.path.join(os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target")), "release", "agora")
    data = tempfile.mkdtemp(prefix="agora-control-bench-")
    paths = {}
    for name, text in CONFIGS.items():
        paths[name] = os.path.join(data, f"{name}.toml")
        with open(paths[name], "w") as f:
            f.write(text)
    samples = {}
    for repeat in range(args.repeats):
        print(f"repeat {repeat + 1}/{args.repeats} (load {load1():.2f})", file=sys.stderr, flush=True)
        for name in CONFIGS:
            for fast in (False, True):
                sps = steps_per_second(agora, data, paths[name], fast)
                key = f"{name}/{'fast' if fast else 'telemetry'}"
                samples.setdefault(key, []).append(sps)
                print(f"  {key}: {sps:.0f} steps/s", file=sys.stderr, flush=True)
    lat = latencies(agora, data, paths["ppo"], free_port())
    med = {k: statistics.median(v) for k, v in samples.items()}
    overhead = {name: round(100 * (1 - med[f"{name}/telemetry"] / med[f"{name}/fast"]), 2) for name in CONFIGS}
    result = {"steps_per_s_median": med, "telemetry_overhead_percent": overhead, "latency": lat, "load1": load1()}
    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    with open(os.path.join(HERE, "results", time.strftime("%Y%m%d-%H%M%S.json")), "w") as f:
        json.dump({"summary": result, "samples": samples}, f, indent=1)
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
