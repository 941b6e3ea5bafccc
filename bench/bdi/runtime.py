#!/usr/bin/env python3
"""BDI agents in the runtime against spade-bdi: two agents ping-ponging
with .send(.., tell, ..) over the broker; 10,000 agents answering askOne
in one process (start-up, messages/s, memory per agent); the CPU an idle
agent uses. Agora and spade-bdi alternate; medians of REPEATS with the
1-minute load.

    python3 bench/bdi/runtime.py [--repeats 3]
"""
import argparse, json, os, resource, statistics, subprocess, sys, tempfile, time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
HERE = os.path.dirname(os.path.abspath(__file__))


def load1():
    return float(open("/proc/loadavg").read().split()[0])


def agora_binary():
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    return os.path.join(target, "release", "agora")


def run_agora(agora, data, config):
    """Runs a config; returns its JSON report and the CPU seconds it used."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.run([agora, "--json", "--data-dir", data, "--broker", "embedded:0", "run", config],
                          capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=600)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"agora failed on {config}:\n{proc.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return json.loads(proc.stdout), cpu


def run_peer(script, *args):
    proc = subprocess.run([sys.executable, os.path.join(HERE, "spade_bdi", script), *args],
                          capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=900)
    lines = [l for l in proc.stdout.splitlines() if l.startswith("{")]
    if not lines:
        print(f"spade-bdi {script} failed:\n{proc.stderr[-2000:]}", file=sys.stderr)
        return None
    return json.loads(lines[-1])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    agora = agora_binary()
    data = tempfile.mkdtemp(prefix="agora-bdi-bench-")
    samples = {}

    def record(key, value):
        if value is not None:
            value["load1"] = load1()
            samples.setdefault(key, []).append(value)
            print(f"{key}: {json.dumps(value)}", file=sys.stderr, flush=True)

    for repeat in range(args.repeats):
        print(f"repeat {repeat + 1}/{args.repeats} (load {load1():.2f})", file=sys.stderr, flush=True)
        report, _ = run_agora(agora, data, os.path.join(HERE, "agora", "pingpong.toml"))
        work = report["duration"] - report["startup_seconds"]
        record("agora/pingpong", {"round_trips_per_s": 20000 / work, "seconds": work})
        record("spade-bdi/pingpong", run_peer("pingpong.py", "--count", "2000", "--warmup", "200", "--timeout", "300"))

        report, _ = run_agora(agora, data, os.path.join(HERE, "agora", "ask10k.toml"))
        work = report["duration"] - report["startup_seconds"]
        two, _ = run_agora(agora, data, os.path.join(HERE, "agora", "two.toml"))
        record("agora/ask10k", {
            "agents": len(report["agents"]), "startup_s": report["startup_seconds"],
            "messages_per_s": report["totals"]["received"] / work,
            "kib_per_agent": (report["peak_rss_kib"] - two["peak_rss_kib"]) / 10000,
        })
        short, cpu_short = run_agora(agora, data, os.path.join(HERE, "agora", "idle10k.toml"))
        longer_config = os.path.join(data, "idle10k-8s.toml")
        with open(os.path.join(HERE, "agora", "idle10k.toml")) as f:
            text = f.read().replace('max_duration = "3s"', 'max_duration = "8s"').replace('"responder.asl"', json.dumps(os.path.join(HERE, "agora", "responder.asl")))
        with open(longer_config, "w") as f:
            f.write(text)
        long_run, cpu_long = run_agora(agora, data, longer_config)
        idle_seconds = long_run["duration"] - short["duration"]
        record("agora/idle10k", {"cpu_s_per_s_10k_agents": (cpu_long - cpu_short) / idle_seconds})
        record("spade-bdi/ask100", run_peer("ask_many.py", "--agents", "100", "--batch", "25", "--rounds", "10"))

    med = {k: {f: statistics.median([s[f] for s in v if isinstance(s.get(f), (int, float))] or [0])
               for f in v[0] if isinstance(v[0].get(f), (int, float))} for k, v in samples.items()}
    ratios = {}
    a, p = med.get("agora/pingpong", {}), med.get("spade-bdi/pingpong", {})
    if a.get("round_trips_per_s") and p.get("round_trips_per_s"):
        ratios["pingpong agora/spade-bdi"] = round(a["round_trips_per_s"] / p["round_trips_per_s"], 1)
    a, p = med.get("agora/ask10k", {}), med.get("spade-bdi/ask100", {})
    if a.get("messages_per_s") and p.get("messages_per_s"):
        ratios["ask messages/s agora(10k agents)/spade-bdi(100 agents)"] = round(a["messages_per_s"] / p["messages_per_s"], 1)
    if a.get("startup_s") and p.get("agents_per_s"):
        ratios["agent starts/s agora/spade-bdi"] = round((10000 / a["startup_s"]) / p["agents_per_s"], 1)
    if a.get("kib_per_agent") and p.get("rss_kb_per_agent"):
        ratios["memory per agent spade-bdi/agora"] = round(p["rss_kb_per_agent"] / a["kib_per_agent"], 1)
    result = {"medians": med, "ratios": ratios}
    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    with open(os.path.join(HERE, "results", time.strftime("runtime-%Y%m%d-%H%M%S.json")), "w") as f:
        json.dump({"summary": result, "samples": samples}, f, indent=1)
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
