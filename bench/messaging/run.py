#!/usr/bin/env python3
"""Messaging benchmark: Agora pinger -> echo against a raw rumqttc
request/reply pair (same broker, QoS 1, payload size) and against SPADE,
plus agent start-up. Scenarios alternate; each runs REPEATS times; the
summary gives medians, ratios and the 1-minute load beside them.

    python3 bench/messaging/run.py [--repeats 3] [--quick] [--only-batch]

--only-batch runs just the batched rows at window 64 (Agora `batch = true`
and the raw pair with `--batch`) into results/batch-<timestamp>.json.

Needs: cargo, mosquitto, python3 (SPADE's venv is created on first use by
bench/messaging/spade/*). Writes bench/messaging/results/<timestamp>.json.
"""
import argparse
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
HERE = os.path.dirname(os.path.abspath(__file__))


def log(*args):
    print(*args, file=sys.stderr, flush=True)


def load1():
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, limit=10):
    deadline = time.time() + limit
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"nothing listens on {port}")


def build():
    log("building release binaries ...")
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    out = subprocess.run(
        ["cargo", "bench", "-p", "agora-runtime", "--bench", "raw_pingpong", "--no-run", "--message-format=json", "--quiet"],
        cwd=ROOT, check=True, capture_output=True, text=True).stdout
    raw = None
    for line in out.splitlines():
        msg = json.loads(line)
        if msg.get("reason") == "compiler-artifact" and msg.get("target", {}).get("name") == "raw_pingpong" and msg.get("executable"):
            raw = msg["executable"]
    if not raw:
        raise SystemExit("raw_pingpong bench executable not found")
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    return os.path.join(target, "release", "agora"), raw


class Mosquitto:
    """mosquitto with the shipped config, port and persistence rewritten."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="agora-bench-mosq-")
        os.chmod(self.dir, 0o777)
        self.port = free_port()
        text = open(os.path.join(ROOT, "broker-config", "mosquitto.conf")).read()
        text = text.replace("listener 1883 127.0.0.1\n", f"listener {self.port} 127.0.0.1\n")
        text = text.replace("persistence_location /var/lib/mosquitto/\n", f"persistence_location {self.dir}/\n")
        conf = os.path.join(self.dir, "mosquitto.conf")
        with open(conf, "w") as f:
            f.write(text + f"log_dest file {self.dir}/mosquitto.log\n")
        self.proc = subprocess.Popen(["mosquitto", "-c", conf], stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_port(self.port)

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)
        shutil.rmtree(self.dir, ignore_errors=True)


class AgoraBroker:
    """`agora broker`, the embedded broker alone, for raw clients too."""

    def __init__(self, agora):
        self.proc = subprocess.Popen([agora, "--json", "broker", "--port", "0"], stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        line = self.proc.stdout.readline()
        self.port = int(json.loads(line)["listening"].rsplit(":", 1)[1])

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)


def pingpong_config(path, window, count, warmup, batch=False, encoding="json"):
    with open(path, "w") as f:
        f.write(f"""[run]
name = "bench-pingpong"
batch = {str(batch).lower()}
encoding = "{encoding}"

[[agents]]
name = "echo"
kind = "echo"

[[agents]]
name = "pinger"
kind = "pinger"
target = "echo"
window = {window}
count = {count}
warmup = {warmup}
""")


def run_json(cmd, timeout=600, env=None):
    started = time.time()
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL, env=env)
    if proc.returncode != 0:
        log(f"FAILED ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr[-2000:]}")
        return None
    lines = [l for l in proc.stdout.strip().splitlines() if l.strip()]
    try:
        text = proc.stdout if proc.stdout.lstrip().startswith("{\n") else lines[-1]
        result = json.loads(text)
    except (ValueError, IndexError):
        log(f"not JSON from {' '.join(cmd)}: {proc.stdout[-500:]}")
        return None
    result["_wall"] = time.time() - started
    return result


def agora_pingpong(agora, data, broker, window, count, warmup, batch=False, encoding="json"):
    config = os.path.join(data, f"pingpong-w{window}.toml")
    pingpong_config(config, window, count, warmup, batch, encoding)
    report = run_json([agora, "--json", "--data-dir", data, "--broker", broker, "run", config])
    if not report:
        return None
    p = report["reports"]["pinger"]
    return {"round_trips_per_s": p["round_trips_per_s"], "p50_us": p["rtt_us"]["p50"],
            "p99_us": p["rtt_us"]["p99"], "max_us": p["rtt_us"]["max"], "lost": p["lost"]}


def agora_startup(agora, data, broker):
    config = os.path.join(HERE, "agents-10k.toml")
    report = run_json([agora, "--json", "--data-dir", data, "--broker", broker, "run", config])
    if not report:
        return None
    return {"agents": len(report["agents"]), "startup_s": report["startup_seconds"],
            "peak_rss_kib": report["peak_rss_kib"], "run_s": report["duration"],
            "answered": report["reports"]["pinger"]["answered"]}


RSS_SIZES = (1000, 4000, 10000)


def agora_rss_slope(agora, data, broker, sizes=RSS_SIZES):
    """Peak RSS of runs of N echo agents (and one pinger) for several N, and
    the least-squares slope of RSS over N: the memory one more agent costs,
    free of what the process needs whatever its agent count."""
    points = []
    for n in sizes:
        # A store of its own per size: a run reads the records of the runs
        # before it, which would add to the later sizes' RSS.
        data = tempfile.mkdtemp(prefix=f"agora-rss-{n}-", dir=data)
        config = os.path.join(data, f"echo-{n}.toml")
        with open(config, "w") as f:
            f.write(f'[run]\nname = "echo-{n}"\n\n[[agents]]\nname = "echo"\nkind = "echo"\nreplicas = {n}\n\n'
                    f'[[agents]]\nname = "pinger"\nkind = "pinger"\ntarget = "echo-{n}"\ncount = 100\n')
        report = run_json([agora, "--json", "--data-dir", data, "--broker", broker, "run", config])
        if not report or not report.get("peak_rss_kib"):
            return None
        points.append((n, report["peak_rss_kib"]))
    mean_n = statistics.fmean(n for n, _ in points)
    mean_rss = statistics.fmean(rss for _, rss in points)
    slope = sum((n - mean_n) * (rss - mean_rss) for n, rss in points) / sum((n - mean_n) ** 2 for n, _ in points)
    return {"sizes": [n for n, _ in points], "peak_rss_kib": [rss for _, rss in points],
            "slope_kib_per_agent": round(slope, 3)}


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="small counts, to check the script")
    parser.add_argument("--no-spade", action="store_true")
    parser.add_argument("--only-batch", action="store_true",
                        help="only the batched rows at window 64 (Agora batch = true and the batched raw pair)")
    args = parser.parse_args()

    scale = 0.1 if args.quick else 1.0
    n1, n64 = int(20000 * scale), int(100000 * scale)
    spade_n1, spade_n64 = int(4000 * scale), int(15000 * scale)

    agora, raw = build()
    data = tempfile.mkdtemp(prefix="agora-bench-")
    mosquitto = Mosquitto()
    standalone = AgoraBroker(agora)
    brokers = {"mosquitto": mosquitto.port, "embedded": standalone.port}
    samples = {}

    def record(key, value):
        if value is not None:
            value["load1"] = load1()
            samples.setdefault(key, []).append(value)
            log(f"  {key}: {json.dumps({k: v for k, v in value.items() if not k.startswith('_')})}")

    try:
        for repeat in range(args.repeats):
            log(f"repeat {repeat + 1}/{args.repeats} (load {load1():.2f})")
            for window, count, warmup in ((1, n1, n1 // 10), (64, n64, n64 // 20)):
                if args.only_batch and window != 64:
                    continue
                for name, port in ({} if args.only_batch else brokers).items():
                    record(f"raw/{name}/w{window}", run_json([raw, "--port", str(port), "--window", str(window),
                                                              "--count", str(count), "--warmup", str(warmup)]))
                    record(f"agora/{name}/w{window}",
                           agora_pingpong(agora, data, f"mqtt://127.0.0.1:{port}", window, count, warmup))
                if not args.only_batch:
                    record(f"agora/in-process/w{window}",
                           agora_pingpong(agora, data, "embedded:0", window, count, warmup))
                # `[run] batch = true`: what an agent sends to one receiver in
                # one turn travels as one MQTT message.
                batched = count * (5 if window > 1 else 1)
                # The same batching on the raw side: one publish per window
                # refill, one reply publish per request publish.
                record(f"raw-batch/mosquitto/w{window}",
                       run_json([raw, "--port", str(mosquitto.port), "--window", str(window), "--count",
                                 str(batched), "--warmup", str(warmup), "--batch"]))
                for encoding in ("json", "postcard"):
                    record(f"agora/batch-{encoding}/mosquitto/w{window}",
                           agora_pingpong(agora, data, f"mqtt://127.0.0.1:{mosquitto.port}", window, batched,
                                          warmup, True, encoding))
                    record(f"agora/batch-{encoding}/in-process/w{window}",
                           agora_pingpong(agora, data, "embedded:0", window, batched, warmup, True, encoding))
                if not (args.no_spade or args.only_batch):
                    spade_count = spade_n1 if window == 1 else spade_n64
                    record(f"spade/w{window}", run_json([sys.executable, os.path.join(HERE, "spade", "pingpong.py"),
                                                         "--window", str(window), "--count", str(spade_count)]))
            if args.only_batch:
                continue
            record("agora/startup-10k/in-process", agora_startup(agora, data, "embedded:0"))
            record("agora/startup-10k/mosquitto", agora_startup(agora, data, f"mqtt://127.0.0.1:{mosquitto.port}"))
            record("agora/rss-slope/mosquitto", agora_rss_slope(agora, data, f"mqtt://127.0.0.1:{mosquitto.port}"))
            if not args.no_spade:
                record("spade/startup-100", run_json([sys.executable, os.path.join(HERE, "spade", "startup.py"),
                                                      "--agents", "100"]))
    finally:
        standalone.stop()
        mosquitto.stop()
        shutil.rmtree(data, ignore_errors=True)

    summary = summarize(samples)
    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    # A batch-only run is kept apart: the tables read it for the batched rows only.
    name = f"batch-{stamp}.json" if args.only_batch else f"{stamp}.json"
    with open(os.path.join(HERE, "results", name), "w") as f:
        json.dump({"summary": summary, "samples": samples}, f, indent=1)
    print(json.dumps(summary, indent=1))


def summarize(samples):
    med = {key: {field: median([s.get(field) for s in runs]) for field in runs[0] if not field.startswith("_")}
           for key, runs in samples.items()}
    out = {"medians": med, "ratios": {}}

    def rate(key):
        return med.get(key, {}).get("round_trips_per_s")

    for window in (1, 64):
        for broker in ("mosquitto", "embedded"):
            a, r = rate(f"agora/{broker}/w{window}"), rate(f"raw/{broker}/w{window}")
            if a and r:
                out["ratios"][f"agora/raw {broker} w{window}"] = round(a / r, 3)
        for encoding in ("json", "postcard"):
            a, r = rate(f"agora/batch-{encoding}/mosquitto/w{window}"), rate(f"raw/mosquitto/w{window}")
            if a and r:
                out["ratios"][f"agora batch-{encoding}/raw mosquitto w{window}"] = round(a / r, 3)
            rb = rate(f"raw-batch/mosquitto/w{window}")
            if a and rb:
                out["ratios"][f"agora batch-{encoding}/raw batched mosquitto w{window}"] = round(a / rb, 3)
        s = rate(f"spade/w{window}")
        for variant in ("in-process", "embedded", "mosquitto", "batch-json/mosquitto", "batch-json/in-process",
                        "batch-postcard/mosquitto", "batch-postcard/in-process"):
            a = rate(f"agora/{variant}/w{window}")
            if a and s:
                out["ratios"][f"agora {variant}/spade w{window}"] = round(a / s, 1)
    slopes = [s["slope_kib_per_agent"] for s in samples.get("agora/rss-slope/mosquitto", [])]
    if slopes:
        # The slope of peak RSS over N (1k, 4k, 10k agents), median of repeats.
        out["memory_per_agent_kib"] = {"median": statistics.median(slopes), "min": min(slopes), "max": max(slopes),
                                       "n": len(slopes)}
    spade_start = med.get("spade/startup-100", {}).get("agents_per_s")
    agora_start = med.get("agora/startup-10k/in-process", {}).get("startup_s")
    if spade_start and agora_start:
        out["ratios"]["agent starts/s agora/spade"] = round((10001 / agora_start) / spade_start, 1)
    return out


if __name__ == "__main__":
    main()
