"""Helpers shared by the SPADE benchmark scripts (stdlib only)."""

import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
DOMAIN = "localhost"
HOST = "127.0.0.1"


def log(*a) -> None:
    print("[spade-bench]", *a, file=sys.stderr, flush=True)


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


def install_signal_exit() -> None:
    """Turn SIGTERM into SystemExit so `finally` blocks (cleanup) run."""
    def h(signum, frame):
        raise SystemExit(128 + signum)
    signal.signal(signal.SIGTERM, h)


def now() -> float:
    return time.perf_counter()
