"""What the SPADE and spade-bdi benchmark scripts share (stdlib only).

The loopback XMPP server (`Server`), process-group handling, the watchdog,
the two-process ping-pong driver and pong loop, the round-trip summary every
ping prints, and the "run against a fresh server" wrapper of the one-process
scenarios.  Used by bench/messaging/spade/ and bench/bdi/spade_bdi/.

Importing it first thing re-runs the importing script inside the SPADE venv
(`_venv.ensure`), which every script needs before it can import spade.
"""

import _venv

_venv.ensure()

import argparse  # noqa: E402
import asyncio  # noqa: E402
import json  # noqa: E402
import logging  # noqa: E402
import os  # noqa: E402
import shutil  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
DOMAIN = "localhost"
HOST = "127.0.0.1"
PASSWORD = "bench-secret"
# Exit status of a ping that ran out of --timeout (it still prints what it measured).
EXIT_TIMEOUT = 3


def log(*a) -> None:
    print("[spade-bench]", *a, file=sys.stderr, flush=True)


def load1() -> float:
    """The 1-minute load average (-1 where /proc is not there)."""
    try:
        with open("/proc/loadavg") as f:
            return float(f.read().split()[0])
    except OSError:
        return -1.0


def free_port() -> int:
    """A currently free TCP port on 127.0.0.1 (the kernel picks it)."""
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def quiet_logs(level=logging.ERROR) -> None:
    """SPADE/slixmpp log through stdlib logging, pyjabber through loguru."""
    logging.basicConfig(level=level, stream=sys.stderr,
                        format="%(asctime)s %(name)s %(levelname)s: %(message)s")
    for name in ("spade", "SPADE", "slixmpp", "spade.Agent", "spade.Behaviour"):
        logging.getLogger(name).setLevel(level)


def percentile(sorted_vals, q: float):
    """Nearest-rank percentile of an already sorted list (q in [0, 100])."""
    if not sorted_vals:
        return None
    k = max(0, min(len(sorted_vals) - 1, int(-(-q * len(sorted_vals) // 100)) - 1))
    return sorted_vals[k]


def kill_group(p: subprocess.Popen, grace: float = 3.0) -> None:
    """SIGTERM the process group of p (started with start_new_session), then SIGKILL."""
    if p is None:
        return
    try:
        pgid = os.getpgid(p.pid)
    except ProcessLookupError:
        pgid = None
    if pgid is not None and pgid == p.pid:
        try:
            os.killpg(pgid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    elif p.poll() is None:
        p.terminate()
    try:
        p.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        pass
    if pgid is not None and pgid == p.pid:
        try:
            os.killpg(pgid, signal.SIGKILL)  # leftovers (e.g. pyjabber's hash pool)
        except ProcessLookupError:
            pass
    if p.poll() is None:
        p.kill()
        p.wait()


class Server:
    """A fresh pyjabber server (server.py) on a free loopback port, in its own
    process group and with its own temp state dir; use as a context manager."""

    def __init__(self, port: int = 0, start_timeout: float = 30.0, log_level="WARNING"):
        self.fixed_port = bool(port)
        self.port = port or free_port()
        self.start_timeout = start_timeout
        self.log_level = log_level
        self.proc = None
        self.state = None

    def __enter__(self):
        # A port picked by free_port() can be taken before the server binds
        # it: retry on a new port (unless the caller fixed the port).
        attempts = 1 if self.fixed_port else 3
        for attempt in range(attempts):
            try:
                return self._start()
            except RuntimeError as e:
                if attempt + 1 == attempts:
                    raise
                log(f"server on port {self.port} failed ({e}); retrying on another port")
                self.port = free_port()

    def _start(self):
        self.state = tempfile.mkdtemp(prefix="spade-xmpp-")
        # The server's stderr goes to a log file: pyjabber prints harmless
        # tracebacks when it is stopped while clients are connected.  Its own
        # ERROR lines are echoed when it stops (see __exit__).
        self.log_path = os.path.join(self.state, "server.log")
        with open(self.log_path, "w") as logf:
            self.proc = subprocess.Popen(
                [sys.executable, os.path.join(HERE, "server.py"), "--port", str(self.port),
                 "--state-dir", self.state, "--log-level", self.log_level],
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=logf, text=True,
                start_new_session=True,
            )
        try:
            wait_for_line(self.proc, "READY", self.start_timeout, "server.py")
        except BaseException:
            self._echo_log(all_lines=True)
            kill_group(self.proc)
            self.proc = None
            self.__exit__(None, None, None)
            raise
        log(f"server ready on {HOST}:{self.port} (pid {self.proc.pid})")
        return self

    def _echo_log(self, all_lines=False) -> None:
        try:
            with open(self.log_path, errors="replace") as f:
                lines = f.read().splitlines()
        except (OSError, AttributeError):
            return
        if not all_lines:
            lines = [ln for ln in lines if " server ERROR:" in ln or " server CRITICAL:" in ln]
        for ln in lines[-20:]:
            log("server.log:", ln)

    def __exit__(self, *exc):
        kill_group(self.proc)
        if self.proc is not None:
            self._echo_log()
        self.proc = None
        if self.state:
            shutil.rmtree(self.state, ignore_errors=True)
            self.state = None
        return False


def wait_for_line(proc: subprocess.Popen, prefix: str, timeout: float, what: str) -> str:
    """Read proc.stdout until a line starting with prefix; raise on timeout/exit."""
    box = {}

    def reader():
        for line in proc.stdout:
            if line.startswith(prefix):
                box["line"] = line.strip()
                return
        box["eof"] = True

    t = threading.Thread(target=reader, daemon=True)
    t.start()
    t.join(timeout)
    if "line" in box:
        return box["line"]
    if "eof" in box or proc.poll() is not None:
        raise RuntimeError(f"{what} exited (rc={proc.poll()}) before printing {prefix}")
    raise TimeoutError(f"{what} did not print {prefix} within {timeout:.0f}s")


def quiet_loguru(level: str = "ERROR") -> None:
    """spade-bdi and pyjabber log through loguru (default: DEBUG to stderr)."""
    try:
        from loguru import logger
        logger.remove()
        logger.add(sys.stderr, level=level)
    except ImportError:
        pass


def start_watchdog(seconds: float, message: str, report, exit_code: int) -> threading.Timer:
    """After `seconds`, log `message`, call `report()` and end the process:
    the last resort when the event loop itself is wedged.  Cancel it when done."""
    def fire():
        log(message)
        report()
        os._exit(exit_code)

    timer = threading.Timer(seconds, fire)
    timer.daemon = True
    timer.start()
    return timer


def round_trip_stats(rtts, seconds: float) -> dict:
    """The fields every ping prints for `rtts` (sorted round-trip times, s)
    measured over `seconds`: count, rate, p50/p99/max in microseconds, load."""
    us = lambda v: None if v is None else round(v * 1e6, 1)  # noqa: E731
    return {
        "count": len(rtts),
        "seconds": round(seconds, 4),
        "round_trips_per_s": round(len(rtts) / seconds, 1) if seconds > 0 else 0.0,
        "p50_us": us(percentile(rtts, 50)),
        "p99_us": us(percentile(rtts, 99)),
        "max_us": us(rtts[-1] if rtts else None),
        "load1": load1(),
    }


_result_printed = threading.Lock()


def print_result_once(out: dict) -> bool:
    """Prints the scenario's JSON line unless it is printed already (the main
    path and the watchdog race for it); returns whether this call printed."""
    if not _result_printed.acquire(blocking=False):
        return False
    print(json.dumps(out), flush=True)
    return True


def print_ping_result(out: dict, timed_out: bool, requested: int, phase: str, error,
                      extra=None) -> int:
    """Completes a ping's JSON line (timeout, error, then `extra` fields),
    prints it once and returns the ping's exit status."""
    if timed_out:
        out.update(timeout=True, requested=requested, phase=phase)
    if error:
        out["error"] = error
    out.update(extra or {})
    if not print_result_once(out):
        return EXIT_TIMEOUT
    return EXIT_TIMEOUT if timed_out or error else 0


async def run_ping_agent(agent, deadline: float, state: dict, go, grace: float = 0.0) -> None:
    """Starts the ping `agent`, then awaits what `go(agent)` returns until
    `deadline` (a time.monotonic() value) plus `grace`, then stops the agent.
    A start that fails or runs past the deadline is `state["error"]`."""
    try:
        await asyncio.wait_for(agent.start(auto_register=True),
                               max(0.1, deadline - time.monotonic()))
    except Exception as e:  # noqa: BLE001
        state["error"] = f"start failed: {e!r}"
        return
    finished = go(agent)
    try:
        await asyncio.wait_for(finished, max(0.1, deadline - time.monotonic()) + grace)
    except asyncio.TimeoutError:
        pass
    try:
        await asyncio.wait_for(agent.stop(), 5)
    except Exception:  # noqa: BLE001
        pass


async def serve_pong(agent, jid: str, timeout: float, on_started=None) -> int:
    """Starts the pong `agent`, calls `on_started(agent)`, prints `READY pong
    <jid>` and runs until SIGTERM/SIGINT or `timeout` seconds, then stops it."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    t0 = time.monotonic()
    try:
        await asyncio.wait_for(agent.start(auto_register=True), timeout)
    except Exception as e:  # noqa: BLE001
        print(f"pong: start failed: {e!r}", file=sys.stderr, flush=True)
        return 1
    if on_started is not None:
        on_started(agent)
    print(f"READY pong {jid}", flush=True)
    left = max(0.1, timeout - (time.monotonic() - t0))
    try:
        await asyncio.wait_for(stop.wait(), left)
    except asyncio.TimeoutError:
        print("pong: --timeout reached", file=sys.stderr, flush=True)
    try:
        await asyncio.wait_for(agent.stop(), 5)
    except Exception:  # noqa: BLE001
        pass
    return 0


def run_pingpong_driver(script: str, ping_args, port: int, timeout: float, failure: dict) -> int:
    """The default role of a ping-pong script: a fresh server (or the one on
    `port`), `script --role pong`, then `script --role ping <ping_args>`;
    passes the ping's JSON line through.  Without one, prints `failure` with
    the error and the load.  Kills every process group it started."""
    install_signal_exit()
    pong = ping = None

    def fail(error: str) -> int:
        print(json.dumps(dict(failure, error=error, load1=load1())), flush=True)
        return 1

    try:
        with Server(port=port) as srv:
            port_args = ["--port", str(srv.port)]
            pong = subprocess.Popen(
                [sys.executable, script, "--role", "pong", "--timeout", str(timeout + 60)]
                + port_args,
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, text=True,
                start_new_session=True)
            wait_for_line(pong, "READY", min(60, timeout), "pong")
            ping = subprocess.Popen(
                [sys.executable, script, "--role", "ping"] + port_args + list(ping_args),
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, text=True,
                start_new_session=True)
            try:
                out, _ = ping.communicate(timeout=timeout + 30)
            except subprocess.TimeoutExpired:
                kill_group(ping)
                out = ping.stdout.read() if ping.stdout else ""
            lines = [ln for ln in out.splitlines() if ln.startswith("{")]
            if not lines:
                return fail("ping printed no result")
            print(lines[-1], flush=True)
            return ping.returncode if ping.returncode is not None else 1
    except Exception as e:  # noqa: BLE001
        log(f"driver failed: {e!r}")
        return fail(repr(e))
    finally:
        kill_group(ping)
        kill_group(pong)


def pingpong_parser(doc: str, count: int, warmup: int):
    """The command line both ping-pong scripts share: role, port, count,
    warm-up, timeout, log level (a script adds its own options)."""
    ap = argparse.ArgumentParser(description=doc.split("\n")[0])
    ap.add_argument("--role", choices=["driver", "ping", "pong"], default="driver")
    ap.add_argument("--port", type=int, default=0,
                    help="XMPP client port (required for ping/pong; driver: free port)")
    ap.add_argument("--count", type=int, default=count, help="measured round trips")
    ap.add_argument("--warmup", type=int, default=warmup, help="uncounted round trips first")
    ap.add_argument("--timeout", type=float, default=120.0,
                    help="seconds for the whole run (connect + warm-up + measure)")
    ap.add_argument("--log-level", default="ERROR")
    return ap


def agents_parser(doc: str, batch: int, timeout: float):
    """The command line both one-process agent scenarios share: agents,
    batch, port, timeouts, log level (a script adds its own options)."""
    ap = argparse.ArgumentParser(description=doc.split("\n")[0])
    ap.add_argument("--agents", type=int, default=100, help="agents to start")
    ap.add_argument("--batch", type=int, default=batch,
                    help="concurrent starts per wave (0 = all at once)")
    ap.add_argument("--port", type=int, default=0,
                    help="use a running server on this port (default: start a fresh one)")
    ap.add_argument("--timeout", type=float, default=timeout, help="seconds for the whole run")
    ap.add_argument("--agent-timeout", type=float, default=60.0,
                    help="seconds for one agent's start")
    ap.add_argument("--log-level", default="CRITICAL")
    return ap


def check_role_port(ap, args) -> None:
    """The ping and pong roles talk to a running server, so they need its port."""
    if args.role != "driver" and not args.port:
        ap.error("--port is required with --role ping|pong")


def run_with_server(port: int, run, failure: dict, what: str) -> None:
    """Runs `run(port)` against the server on `port`, or a fresh one when 0;
    on an exception prints `failure` with the error and the load.  Ends the
    process with run's status: slixmpp keeps reconnect timers of failed
    agents alive, and the server (if started here) is already stopped."""
    install_signal_exit()
    rc = 1
    try:
        if port:
            rc = run(port)
        else:
            with Server() as srv:
                rc = run(srv.port)
    except Exception as e:  # noqa: BLE001
        log(f"{what} failed: {e!r}")
        print(json.dumps(dict(failure, error=repr(e), load1=load1())), flush=True)
        rc = 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(rc)


def install_signal_exit() -> None:
    """Turn SIGTERM into SystemExit so `finally` blocks (cleanup) run."""
    def h(signum, frame):
        raise SystemExit(128 + signum)
    signal.signal(signal.SIGTERM, h)


def now() -> float:
    return time.perf_counter()
