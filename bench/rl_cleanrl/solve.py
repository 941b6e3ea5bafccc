#!/usr/bin/env python3
"""Driver of the Agora vs CleanRL benchmark (stdlib only; run it with the
system python3, not from CleanRL's venv).

    solve.py --seeds 1 2 3 --groups "dqn ppo ppo-bootstrap" --out RAW.jsonl
             [--total-timesteps N] [--python VENV/bin/python]
             [--agora BIN] [--cleanrl-dir DIR] [--run-timeout SECONDS]

For each seed, and each group in order, it runs the group's variants one
after the other (agora-dqn, cleanrl-dqn, agora-ppo, cleanrl-ppo,
agora-ppo-bootstrap, ...) and appends one JSON line per run to RAW.

Per run: t0 is taken immediately before the process is spawned, so Python
and torch imports and Rust start-up count. The driver follows the run's
training-episode returns while it runs (CleanRL: its stdout lines
`global_step=N, episodic_return=[R]`; Agora: the episode lines of
`<data-dir>/runs/<run>/events.jsonl`, tailed as the file grows), and the
first episode at which the mean of the last 20 returns is >= 475 is the
solve: env steps then, and wall seconds (Agora: the episode event's own
`at` minus t0; CleanRL: the time the line was read minus t0). The process
is then stopped (SIGTERM to its process group, SIGKILL after 5 s). A run
that never solves runs its full length and is recorded with solved=false
and the best rolling-20 mean it reached.

Groups (a group name, or a single variant name):
    dqn            agora-dqn, cleanrl-dqn
    ppo            agora-ppo (bootstrap_truncated=false), cleanrl-ppo
    ppo-bootstrap  agora-ppo-bootstrap (Agora's default, bootstrap on)
    dqn-notel, ppo-notel, ppo-bootstrap-notel
                   the Agora variant with --no-telemetry: no episode lines
                   exist, so only total wall time and steps/s of the full
                   run are recorded (no solve detection).
"""

import argparse
import collections
import glob
import hashlib
import json
import os
import platform
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timezone

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

WINDOW = 20
THRESHOLD = 475.0  # --threshold changes it, for smoke tests of the solve path only
DEFAULT_TOTAL = 500_000
# CleanRL ppo.py: 4 envs x 128 steps per iteration, num_iterations = total // 512.
CLEANRL_PPO_BATCH = 4 * 128

GROUPS = {
    "dqn": ["agora-dqn", "cleanrl-dqn"],
    "ppo": ["agora-ppo", "cleanrl-ppo"],
    "ppo-bootstrap": ["agora-ppo-bootstrap"],
    "dqn-notel": ["agora-dqn-notel"],
    "ppo-notel": ["agora-ppo-notel"],
    "ppo-bootstrap-notel": ["agora-ppo-bootstrap-notel"],
}
VARIANTS = sorted({v for vs in GROUPS.values() for v in vs})

EPISODE_LINE = re.compile(
    r"^global_step=(\d+), episodic_return=\[?\s*([-+0-9.eEinfa]+)\s*\]?\s*$"
)
LAUNCH_LINE = re.compile(r"^launch: torch_imported_at=([0-9.]+)")


def load1():
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


def sha256(path):
    try:
        h = hashlib.sha256()
        with open(path, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
        return h.hexdigest()
    except OSError:
        return None


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or None


def child_env(extra):
    """The environment of a benchmarked process: ours without AGORA_*
    (agora reads AGORA_NO_TELEMETRY, AGORA_DATA_DIR, AGORA_BROKER, AGORA_LOG
    itself: an exported AGORA_NO_TELEMETRY=1 would silently turn off the
    episode lines every solve depends on), plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AGORA_")}
    env.update(extra)
    return env


# ---------------------------------------------------------------- versions


def cleanrl_versions(python, cleanrl_dir):
    code = (
        "import json, sys, torch, gymnasium, numpy, tyro, tensorboard\n"
        "print(json.dumps({'python': sys.version.split()[0], 'torch': torch.__version__,"
        " 'gymnasium': gymnasium.__version__, 'numpy': numpy.__version__,"
        " 'tyro': tyro.__version__, 'tensorboard': tensorboard.__version__}))"
    )
    out = subprocess.run([python, "-c", code], capture_output=True, text=True, check=True)
    versions = json.loads(out.stdout.strip().splitlines()[-1])
    commit = os.environ.get("CLEANRL_COMMIT")
    marker = os.path.join(cleanrl_dir, ".cleanrl-commit")
    if not commit and os.path.exists(marker):
        with open(marker) as f:
            commit = f.read().strip()
    versions["cleanrl_commit"] = commit or "unknown"
    versions["cleanrl_dir"] = cleanrl_dir
    versions["dqn_py_sha256"] = sha256(os.path.join(cleanrl_dir, "cleanrl", "dqn.py"))
    versions["ppo_py_sha256"] = sha256(os.path.join(cleanrl_dir, "cleanrl", "ppo.py"))
    return versions


def agora_versions(agora):
    versions = {"binary": agora}
    try:
        out = subprocess.run([agora, "--version"], capture_output=True, text=True,
                             env=child_env({}), timeout=30)
        versions["version"] = out.stdout.strip() or out.stderr.strip()
    except (OSError, subprocess.TimeoutExpired) as error:
        versions["version"] = f"unavailable: {error}"
    try:
        versions["binary_mtime"] = datetime.fromtimestamp(
            os.path.getmtime(agora), timezone.utc).isoformat(timespec="seconds")
    except OSError:
        versions["binary_mtime"] = None
    versions["binary_sha256"] = sha256(agora)
    try:
        head = subprocess.run(["git", "-C", ROOT, "rev-parse", "HEAD"],
                              capture_output=True, text=True, timeout=30)
        versions["repo_head"] = head.stdout.strip() or None
        dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=30)
        versions["repo_dirty"] = bool(dirty.stdout.strip())
    except (OSError, subprocess.TimeoutExpired):
        versions["repo_head"] = None
    return versions


# ---------------------------------------------------------------- following a run


class Rolling:
    """Rolling mean of the last WINDOW training-episode returns; the solve
    is the first episode at which it reaches THRESHOLD."""

    def __init__(self, threshold=THRESHOLD):
        self.threshold = threshold
        self.window = collections.deque(maxlen=WINDOW)
        self.episodes = 0
        self.best = None
        self.best_steps = None
        self.last_steps = None
        self.last_wall = None

    def add(self, ret, steps, wall):
        """Returns True at the solving episode."""
        self.window.append(ret)
        self.episodes += 1
        self.last_steps, self.last_wall = steps, wall
        if len(self.window) < WINDOW:
            return False
        mean = sum(self.window) / WINDOW
        if self.best is None or mean > self.best:
            self.best, self.best_steps = mean, steps
        return mean >= self.threshold


def stop(proc):
    """SIGTERM to the process group, SIGKILL after 5 s."""
    if proc.poll() is not None:
        return False
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        return False
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()
    return True


def tail_text(path, limit=2000):
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            size = f.tell()
            f.seek(max(0, size - limit))
            return f.read().decode("utf-8", "replace")
    except OSError:
        return ""


def follow_cleanrl(cmd, env, cwd, run_timeout, total, threshold):
    """Runs CleanRL, reading episode lines from its stdout as they come."""
    rolling = Rolling(threshold)
    solve = None
    startup = None
    stderr_path = os.path.join(cwd, "stderr.txt")
    dqn = is_dqn(cmd)
    timed_out = threading.Event()
    with open(stderr_path, "wb") as stderr:
        t0 = time.time()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE,
                                stderr=stderr, start_new_session=True)

        def watchdog():
            timed_out.set()
            stop(proc)

        timer = threading.Timer(run_timeout, watchdog)
        timer.daemon = True
        timer.start()
        for raw in proc.stdout:
            now = time.time()
            line = raw.decode("utf-8", "replace").strip()
            m = EPISODE_LINE.match(line)
            if m:
                global_step, ret = int(m.group(1)), float(m.group(2))
                # dqn.py prints its 0-based loop index (env steps done: +1);
                # ppo.py counts env steps (all 4 envs) before printing.
                steps = global_step + 1 if dqn else global_step
                if rolling.add(ret, steps, now - t0):
                    solve = {"wall": now - t0, "steps": steps, "episode": rolling.episodes,
                             "raw_global_step": global_step}
                    break
            elif startup is None:
                m = LAUNCH_LINE.match(line)
                if m:
                    startup = float(m.group(1)) - t0
        if solve is None:
            # stdout closes before the interpreter is done (TensorBoard
            # flush, teardown): let it end by itself, the watchdog still on.
            proc.wait()
        timer.cancel()
        killed = stop(proc) or timed_out.is_set()
        proc.stdout.close()
        rc = proc.wait()
        t_end = time.time()
    result = {"returncode": rc, "killed": killed, "timed_out": timed_out.is_set(),
              "wall_s": t_end - t0, "startup_s": startup, "t0": t0}
    if solve is None and not killed and rc == 0:
        # The full run: dqn.py steps `total` times; ppo.py total // 512 iterations.
        result["env_steps_run"] = total if dqn else (total // CLEANRL_PPO_BATCH) * CLEANRL_PPO_BATCH
        result["run_wall_s"] = t_end - t0
    elif solve is None:
        result["env_steps_run"] = rolling.last_steps
        result["run_wall_s"] = rolling.last_wall
    if rc not in (0, None) and not killed:
        result["error"] = f"exit {rc}: " + tail_text(stderr_path)
    return rolling, solve, result


def is_dqn(cmd):
    return any(part.endswith("dqn.py") for part in cmd)


def follow_agora(cmd, env, cwd, data_dir, run_timeout, telemetry, threshold):
    """Runs Agora, tailing the run's events.jsonl as it grows."""
    rolling = Rolling(threshold)
    solve = None
    report = None
    started_at = completed_at = None
    max_episode = 0
    stderr_path = os.path.join(cwd, "stderr.txt")
    stdout_path = os.path.join(cwd, "stdout.txt")
    timed_out = False
    events = None
    handle = None
    pending = b""

    def read_new():
        nonlocal pending, solve, report, started_at, completed_at, max_episode
        chunk = handle.read()
        if not chunk:
            return False
        pending += chunk
        *lines, pending = pending.split(b"\n")
        for raw in lines:
            if not raw.strip():
                continue
            try:
                event = json.loads(raw)
            except ValueError:
                continue
            kind = event.get("event")
            if kind == "episode":
                max_episode = max(max_episode, int(event.get("episode", 0)))
                if solve is None and rolling.add(float(event["episode_return"]),
                                                 int(event["env_steps"]), event["at"] - t0):
                    solve = {"wall": event["at"] - t0, "steps": int(event["env_steps"]),
                             "episode": int(event["episode"]), "episodes_seen": rolling.episodes}
                    return True
            elif kind == "run_started" and started_at is None:
                started_at = event.get("at")
            elif kind == "run_completed":
                completed_at = event.get("at")
            elif kind == "agent_report" and isinstance(event.get("detail"), dict) \
                    and event["detail"].get("kind") == "learner":
                report = event["detail"]
        return False

    with open(stdout_path, "wb") as stdout, open(stderr_path, "wb") as stderr:
        t0 = time.time()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=stdout, stderr=stderr,
                                start_new_session=True)
        deadline = t0 + run_timeout
        while True:
            running = proc.poll() is None
            if handle is None:
                found = glob.glob(os.path.join(data_dir, "runs", "*", "events.jsonl"))
                if len(found) > 1:
                    raise RuntimeError(f"more than one run under {data_dir}/runs: {found}")
                if found:
                    events = found[0]
                    handle = open(events, "rb")
            if handle is not None and read_new():
                break
            if not running:
                if handle is not None:
                    read_new()  # whatever was flushed at exit
                break
            if time.time() > deadline:
                timed_out = True
                break
            time.sleep(0.01)
        killed = stop(proc)
        rc = proc.wait()
        t_end = time.time()
        if handle is not None:
            if solve is None:
                read_new()
            handle.close()
    result = {"returncode": rc, "killed": killed, "timed_out": timed_out,
              "wall_s": t_end - t0, "t0": t0,
              "startup_s": (started_at - t0) if started_at else None,
              "events_file": os.path.relpath(events, data_dir) if events else None}
    if solve is None:
        steps = report.get("env_steps") if report else rolling.last_steps
        result["env_steps_run"] = steps
        # Process exit (shutdown included); run_completed's own clock beside it.
        result["run_wall_s"] = t_end - t0 if not killed else rolling.last_wall
        result["run_completed_s"] = (completed_at - t0) if completed_at else None
        if report:
            result["agora_report"] = report
    if telemetry:
        result["episodes_max_counter"] = max_episode
        seen = solve["episodes_seen"] if solve else rolling.episodes
        top = solve["episode"] if solve else max_episode
        # Episode lines are telemetry that may be dropped under load; a gap
        # in the counter means the rolling mean missed episodes.
        result["episodes_missing"] = max(0, top - seen)
    if rc not in (0, None) and not killed:
        result["error"] = f"exit {rc}: " + tail_text(stderr_path)
    if handle is None and telemetry and not killed:
        result.setdefault("error", "no events.jsonl appeared under " + data_dir)
    return rolling, solve, result


# ---------------------------------------------------------------- variants


def build(variant, seed, args):
    """(side, algo, telemetry, cmd, extra env) of one run."""
    total = args.total_timesteps
    if variant.startswith("cleanrl-"):
        algo = variant.split("-", 1)[1]
        script = os.path.join(args.cleanrl_dir, "cleanrl", f"{algo}.py")
        cmd = [args.python, os.path.join(HERE, "launch_cleanrl.py"), script,
               "--no-track", "--no-capture-video", "--no-cuda",
               "--total-timesteps", str(total), "--seed", str(seed)]
        extra = {"PYTHONPATH": args.cleanrl_dir, "OMP_NUM_THREADS": "1",
                 "MKL_NUM_THREADS": "1", "PYTHONUNBUFFERED": "1"}
        return "cleanrl", algo, True, cmd, extra
    telemetry = not variant.endswith("-notel")
    algo = "dqn" if variant.startswith("agora-dqn") else "ppo"
    config = os.path.join(ROOT, "configs", f"cartpole-{algo}.toml")
    cmd = [args.agora, "--data-dir", "DATA_DIR", "--broker", "embedded:0", "run", config,
           "--quiet", "--set", f"learner.seed={seed}"]
    if algo == "ppo" and "bootstrap" not in variant:
        cmd += ["--set", "ppo.bootstrap_truncated=false"]
    if total != DEFAULT_TOTAL:
        cmd += ["--set", f"{algo}.total_timesteps={total}"]
    if not telemetry:
        cmd.append("--no-telemetry")
    return "agora", algo, telemetry, cmd, {}


def run_one(variant, seed, args, versions):
    side, algo, telemetry, cmd, extra = build(variant, seed, args)
    work = tempfile.mkdtemp(prefix=f"rl-cleanrl-{variant}-{seed}-")
    env = child_env(extra)
    stamp = datetime.now(timezone.utc).isoformat(timespec="seconds")
    load_start = load1()
    try:
        if side == "cleanrl":
            rolling, solve, result = follow_cleanrl(cmd, env, work, args.run_timeout,
                                                    args.total_timesteps, args.threshold)
        else:
            data_dir = os.path.join(work, "data")
            os.makedirs(data_dir)
            cmd = [data_dir if part == "DATA_DIR" else part for part in cmd]
            rolling, solve, result = follow_agora(cmd, env, work, data_dir, args.run_timeout,
                                                  telemetry, args.threshold)
    finally:
        load_end = load1()
        if not args.keep_temp:
            shutil.rmtree(work, ignore_errors=True)
    t0 = result.pop("t0")
    line = {
        "variant": variant, "side": side, "algo": algo, "seed": seed,
        "total_timesteps": args.total_timesteps, "threshold": args.threshold,
        "window": WINDOW, "stamp": stamp, "t0": t0,
        "telemetry": telemetry,
        "solve_detection": telemetry,
        "solved": bool(solve) if telemetry else None,
        "wall_to_475_s": solve["wall"] if solve else None,
        "steps_to_475": solve["steps"] if solve else None,
        "episodes_to_475": solve["episode"] if solve else None,
        "episodes_seen": rolling.episodes,
        "best_mean20": rolling.best,
        "best_mean20_steps": rolling.best_steps,
    }
    if solve:
        steps, wall = solve["steps"], solve["wall"]
    else:
        steps, wall = result.get("env_steps_run"), result.get("run_wall_s")
    line["steps_run"] = steps
    line["wall_run_s"] = wall
    line["sps"] = steps / wall if steps and wall else None
    startup = result.get("startup_s")
    line["sps_after_startup"] = steps / (wall - startup) if steps and wall and startup and wall > startup else None
    if not telemetry:
        line["note"] = ("--no-telemetry: no episode lines exist, so no solve detection; "
                        "wall_run_s and sps are over the full run")
    line.update({k: v for k, v in result.items() if k not in ("env_steps_run", "run_wall_s")})
    if side == "cleanrl" and "raw_global_step" in (solve or {}):
        line["raw_global_step"] = solve["raw_global_step"]
    line["load1_start"] = load_start
    line["load1_end"] = load_end
    line["cmd"] = cmd
    line["cmd_str"] = " ".join(f"{k}={shlex.quote(v)}" for k, v in extra.items()) + \
        (" " if extra else "") + shlex.join(cmd)
    line["cwd"] = "fresh temp dir (removed afterwards)"
    line["host"] = {"cpu": cpu_model(), "nproc": os.cpu_count(), "node": platform.node()}
    line["versions"] = versions[side]
    return line


def expand(groups):
    variants = []
    for name in groups.split():
        if name in GROUPS:
            variants += GROUPS[name]
        elif name in VARIANTS:
            variants.append(name)
        else:
            sys.exit(f"unknown group or variant `{name}`; groups: {' '.join(GROUPS)}; "
                     f"variants: {' '.join(VARIANTS)}")
    return variants


def fmt(x, digits=1):
    return "-" if x is None else f"{x:.{digits}f}"


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--seeds", type=int, nargs="+", default=list(range(1, 11)))
    p.add_argument("--groups", default="dqn ppo ppo-bootstrap")
    p.add_argument("--out", required=True)
    p.add_argument("--total-timesteps", type=int, default=DEFAULT_TOTAL)
    p.add_argument("--python", default=os.path.join(os.environ.get("CLEANRL_VENV", "/work/venvs/cleanrl"), "bin", "python"))
    p.add_argument("--agora", default=os.environ.get("AGORA", os.path.join(ROOT, "target", "release", "agora")))
    p.add_argument("--cleanrl-dir", default=os.environ.get("CLEANRL_DIR", "/work/peers/cleanrl"))
    p.add_argument("--run-timeout", type=float, default=1800.0,
                   help="seconds before a run is stopped and recorded as timed out")
    p.add_argument("--threshold", type=float, default=THRESHOLD,
                   help="solve threshold of the rolling-20 mean (475; lower only to smoke-test the solve path)")
    p.add_argument("--keep-temp", action="store_true", help="keep each run's temp dir (debugging)")
    args = p.parse_args()
    args.cleanrl_dir = os.path.abspath(args.cleanrl_dir)
    args.agora = os.path.abspath(args.agora)

    variants = expand(args.groups)
    versions = {}
    if any(v.startswith("cleanrl-") for v in variants):
        versions["cleanrl"] = cleanrl_versions(args.python, args.cleanrl_dir)
    if any(v.startswith("agora-") for v in variants):
        if not os.access(args.agora, os.X_OK):
            sys.exit(f"no agora binary at {args.agora} (build it with `cargo build --release`, or set AGORA)")
        versions["agora"] = agora_versions(args.agora)

    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    for seed in args.seeds:
        for variant in variants:
            line = run_one(variant, seed, args, versions)
            with open(args.out, "a") as f:
                f.write(json.dumps(line) + "\n")
            state = ("solved" if line["solved"] else "not solved") if line["telemetry"] else "no telemetry"
            print(f"{variant:>26} seed {seed:>2}: {state:>12}  wall to 475 {fmt(line['wall_to_475_s'], 2):>7} s"
                  f"  steps {line['steps_to_475'] or '-':>7}  best20 {fmt(line['best_mean20'])}"
                  f"  {fmt(line['sps'], 0)} steps/s  load {line['load1_start']:.2f}-{line['load1_end']:.2f}"
                  + (f"  ERROR {line['error'][-300:]!r}" if line.get("error") else ""),
                  file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
