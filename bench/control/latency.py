#!/usr/bin/env python3
"""Episode and control latency as an outside MQTT client sees them, at a
sample size that makes a p99 mean something.

Runs `agora run` on DQN CartPole (CleanRL's settings, telemetry on) RUNS
times against `agora broker` on a free port, started first; a paho-mqtt 2.1 subscriber
(TCP_NODELAY) records, for every `telemetry/episode` event, receive time
minus the event's `at` stamp, and meanwhile sends `pause` then `resume` on
the run's control topic in a loop, timing each until the run's status
answer (`paused` / `running`) arrives. Each run's report gives the
telemetry queue's drops and the live episode stream's drops; episodes seen
are compared with the episodes the run reports.

    python3 bench/control/latency.py [--runs 3] [--steps 500000]

Writes results/latency-<UTC time>.json (every sample) and prints p50 / p99 /
max. Needs paho-mqtt (installed into bench/.venv-control on first use).
"""
import argparse, json, os, socket, subprocess, sys, tempfile, threading, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import control_venv  # noqa: E402  (bench/control/control_venv.py)

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
HERE = os.path.dirname(os.path.abspath(__file__))
VENV = os.path.join(ROOT, "bench", ".venv-control")
CONFIG = "configs/cartpole-dqn.toml"


def ensure_venv():
    control_venv.run_inside(VENV, ["paho-mqtt==2.1.0"])


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def load1():
    return float(open("/proc/loadavg").read().split()[0])


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] if ordered else None


class Watcher:
    """The subscriber: episode latencies, and control answers by id."""

    def __init__(self, port):
        import paho.mqtt.client as mqtt

        self.episodes, self.answers, self.run_id = [], {}, None
        self.status = None
        self.changed = threading.Condition()
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"latency-{time.time_ns()}")
        self.client.on_socket_open = lambda c, u, sock: sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.client.on_connect = self.on_connect
        self.client.on_message = self.on_message
        deadline = time.time() + 30
        while True:
            try:
                self.client.connect("127.0.0.1", port)
                break
            except OSError:
                if time.time() > deadline:
                    raise
                time.sleep(0.05)
        self.client.loop_start()

    def on_connect(self, client, userdata, flags, reason, properties):
        client.subscribe("agora/default/runs/+/telemetry/episode", qos=0)
        client.subscribe("agora/default/runs/+/status", qos=1)

    def on_message(self, client, userdata, msg):
        now = time.time()
        payload = json.loads(msg.payload)
        if msg.topic.endswith("/telemetry/episode"):
            if payload.get("at"):
                self.episodes.append((now - payload["at"]) * 1000)
            return
        with self.changed:
            self.run_id = msg.topic.split("/")[3]
            if payload.get("reply_to"):
                self.answers[payload["reply_to"]] = (now, payload.get("status"))
            elif payload.get("status"):
                self.status = payload["status"]
            self.changed.notify_all()

    def command(self, command, cid, expected):
        sent = time.time()
        self.client.publish(
            f"agora/default/runs/{self.run_id}/control", json.dumps({"id": cid, "command": command}), qos=1
        )
        with self.changed:
            self.changed.wait_for(lambda: cid in self.answers or self.ended(), timeout=5)
        answer = self.answers.get(cid)
        if answer is None or answer[1] != expected:
            return None
        return (answer[0] - sent) * 1000

    def ended(self):
        return self.status in ("completed", "stopped", "failed")

    def close(self):
        self.client.loop_stop()
        self.client.disconnect()


def one_run(agora, data, seed):
    # The broker runs first (Agora's own, `agora broker`) so that the
    # subscriber is there before the first episode: episodes seen can then
    # be compared with episodes run.
    port = free_port()
    broker = subprocess.Popen([agora, "--json", "broker", "--port", str(port)], stdout=subprocess.PIPE,
                              stdin=subprocess.DEVNULL, text=True)
    broker.stdout.readline()
    watcher = Watcher(port)
    time.sleep(0.3)
    run = subprocess.Popen(
        [agora, "--json", "--data-dir", data, "--broker", f"mqtt://127.0.0.1:{port}", "run", CONFIG, "--seed", str(seed)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, text=True,
    )
    with watcher.changed:
        watcher.changed.wait_for(lambda: watcher.status == "running", timeout=30)
    pauses, resumes, cycle = [], [], 0
    time.sleep(1.0)  # let the run get into its stride before the first pause
    while not watcher.ended():
        pause = watcher.command("pause", f"p{seed}-{cycle}", "paused")
        if pause is None:
            break
        pauses.append(pause)
        time.sleep(0.02)
        resume = watcher.command("resume", f"r{seed}-{cycle}", "running")
        if resume is None:
            break
        resumes.append(resume)
        cycle += 1
        time.sleep(0.08)
    out, _ = run.communicate(timeout=900)
    time.sleep(0.5)  # the last episodes are still on their way
    watcher.close()
    broker.terminate()
    broker.wait()
    report = json.loads(out)
    return {
        "seed": seed,
        "status": report["status"],
        "episodes_seen": len(watcher.episodes),
        "episodes_run": report["reports"]["learner"].get("episodes"),
        "telemetry_dropped": report.get("telemetry_dropped"),
        "stream_dropped": report["reports"]["learner"].get("stream_dropped"),
        "episode_ms": watcher.episodes,
        "pause_ms": pauses,
        "resume_ms": resumes,
    }


def summary(values):
    return {"n": len(values), "p50": percentile(values, 50), "p99": percentile(values, 99), "max": max(values) if values else None}


def main():
    ensure_venv()
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    subprocess.run(["cargo", "build", "--release", "--locked", "--quiet"], cwd=ROOT, check=True)
    agora = os.path.join(os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target")), "release", "agora")
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    data = tempfile.mkdtemp(prefix="agora-latency-bench-")
    load_before = load1()
    runs = []
    for seed in range(1, args.runs + 1):
        runs.append(one_run(agora, data, seed))
        r = runs[-1]
        print(f"seed {seed}: {r['episodes_seen']} episodes, {len(r['pause_ms'])} pauses, {r['status']}", file=sys.stderr, flush=True)
    every = lambda key: [x for r in runs for x in r[key]]
    result = {
        "what": f"telemetry/episode and pause/resume latency seen by paho-mqtt 2.1 (TCP_NODELAY), {CONFIG}, "
                f"agora broker on loopback, release build at {commit}, {args.runs} runs",
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "load1_before": load_before,
        "load1_after": load1(),
        "episode_ms": summary(every("episode_ms")),
        "pause_ms": summary(every("pause_ms")),
        "resume_ms": summary(every("resume_ms")),
        "telemetry_dropped": sum(r["telemetry_dropped"] or 0 for r in runs),
        "stream_dropped": [r["stream_dropped"] for r in runs],
        "episodes_run_vs_seen": [(r["episodes_run"], r["episodes_seen"]) for r in runs],
        "runs": runs,
    }
    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    path = os.path.join(HERE, "results", time.strftime("latency-%Y%m%dT%H%M%SZ.json", time.gmtime()))
    with open(path, "w") as f:
        json.dump(result, f)
    print(json.dumps({k: v for k, v in result.items() if k != "runs"}, indent=1))
    print(f"wrote {path}", file=sys.stderr)


if __name__ == "__main__":
    main()
