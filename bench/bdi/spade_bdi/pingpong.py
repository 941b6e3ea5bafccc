#!/usr/bin/env python3
"""spade-bdi ping-pong: two BDIAgents in two processes, AgentSpeak `.send` tell.

Driver (default): starts a fresh SPADE XMPP server (bench/messaging/spade/
server.py, loopback only, free port), the pong process, then the ping process;
prints the ping's JSON line and kills everything it started:

    python3 pingpong.py --count 2000 [--warmup 200] [--timeout 120]

Single roles against a running server (`python3 ../../messaging/spade/server.py
--port 25222`):

    python3 pingpong.py --role pong --port 25222
    python3 pingpong.py --role ping --port 25222 --count 2000

Both agents are spade_bdi.bdi.BDIAgent with the AgentSpeak programs next to
this file: pinger.asl does `.send(Pong, tell, ping(N))`, ponger.asl answers
`+ping(N)[source(S)]` with `.send(S, tell, pong(N))`; each handler first
removes the belief it received (`-ping(N)[source(S)]` / `-pong(N)[source(S)]`),
so the belief bases stay at one or two beliefs.  The pinger stops after
warmup + count round trips.  A Python action `.round_trip(N)` in the pinger's
pong handler stamps time.perf_counter(); the measured phase is from the stamp
of round trip `warmup` to that of round trip `warmup + count`, i.e. exactly
`count` strictly sequential round trips (one ping in flight at a time).
Prints:

  {"peer":"spade-bdi","count":N,"seconds":..,"round_trips_per_s":..,
   "p50_us":..,"p99_us":..,"max_us":..,"load1":..}

(p50/p99/max = time between consecutive pong handlings = one round trip.)
--timeout bounds the whole run (connect + warm-up + measure); on expiry the
ping prints what it has with "timeout":true,"requested":N and exits 3.
"""

import argparse
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SPADE_DIR = os.path.normpath(os.path.join(HERE, "..", "..", "messaging", "spade"))
sys.path.insert(0, SPADE_DIR)
import _venv  # noqa: E402  (bench/messaging/spade/_venv.py)

_venv.ensure()

import asyncio  # noqa: E402
import json  # noqa: E402
import signal  # noqa: E402
import subprocess  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402

import _common as C  # noqa: E402  (bench/messaging/spade/_common.py)

PING_JID = f"bdiping@{C.DOMAIN}"
PONG_JID = f"bdipong@{C.DOMAIN}"
PASSWORD = "bench-secret"
EXIT_TIMEOUT = 3


def load1() -> float:
    try:
        with open("/proc/loadavg") as f:
            return float(f.read().split()[0])
    except OSError:
        return -1.0


def quiet_loguru() -> None:
    """spade-bdi and pyjabber log through loguru (default: DEBUG to stderr)."""
    try:
        from loguru import logger
        logger.remove()
        logger.add(sys.stderr, level="ERROR")
    except ImportError:
        pass


# --------------------------------------------------------------------------- pong

def run_pong(args) -> int:
    from spade_bdi.bdi import BDIAgent
    import spade.container

    async def main():
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        agent = BDIAgent(PONG_JID, PASSWORD, os.path.join(HERE, "ponger.asl"), port=args.port)
        t0 = time.monotonic()
        try:
            await asyncio.wait_for(agent.start(auto_register=True), args.timeout)
        except Exception as e:  # noqa: BLE001
            print(f"pong: start failed: {e!r}", file=sys.stderr, flush=True)
            return 1
        print(f"READY pong {PONG_JID}", flush=True)
        left = max(0.1, args.timeout - (time.monotonic() - t0))
        try:
            await asyncio.wait_for(stop.wait(), left)
        except asyncio.TimeoutError:
            print("pong: --timeout reached", file=sys.stderr, flush=True)
        try:
            await asyncio.wait_for(agent.stop(), 5)
        except Exception:  # noqa: BLE001
            pass
        return 0

    loop = spade.container.Container().loop
    rc = loop.run_until_complete(main())
    sys.stdout.flush()
    os._exit(rc)  # slixmpp may keep timers alive; nothing left to clean up


# --------------------------------------------------------------------------- ping

def run_ping(args) -> int:
    from spade_bdi.bdi import BDIAgent
    import agentspeak as asp
    import spade.container

    W, N = args.warmup, args.count
    total = W + N
    stamps = []  # (n, perf_counter) per handled pong(n)
    state = {"phase": "connect", "error": None, "bad_seq": 0}
    done = asyncio.Event()
    started = time.monotonic()
    deadline = started + args.timeout
    printed = threading.Lock()

    def report(timed_out: bool) -> int:
        if not printed.acquire(blocking=False):
            return EXIT_TIMEOUT
        ts = [t for _, t in stamps]
        # stamps[i] is round trip i+1; measured = round trips W+1 .. W+N.
        meas = ts[W - 1:] if W > 0 else ts
        t_first = meas[0] if meas else None
        if W == 0 and ts:
            t_first = state.get("t_go", ts[0])
            meas = [t_first] + ts
        count = max(0, len(meas) - 1)
        secs = (meas[-1] - t_first) if count else 0.0
        rtts = sorted(b - a for a, b in zip(meas, meas[1:]))
        us = lambda v: None if v is None else round(v * 1e6, 1)  # noqa: E731
        out = {
            "peer": "spade-bdi",
            "count": count,
            "seconds": round(secs, 4),
            "round_trips_per_s": round(count / secs, 1) if secs > 0 else 0.0,
            "p50_us": us(C.percentile(rtts, 50)),
            "p99_us": us(C.percentile(rtts, 99)),
            "max_us": us(rtts[-1] if rtts else None),
            "load1": load1(),
        }
        if timed_out:
            out.update(timeout=True, requested=N, phase=state["phase"])
        if state["error"]:
            out["error"] = state["error"]
        if state["bad_seq"]:
            out["out_of_sequence"] = state["bad_seq"]
        print(json.dumps(out), flush=True)
        return EXIT_TIMEOUT if timed_out or state["error"] else 0

    def watchdog():  # in case the event loop itself is wedged
        C.log("ping: watchdog fired, loop did not finish in time")
        report(True)
        os._exit(EXIT_TIMEOUT)

    wd = threading.Timer(args.timeout + 15, watchdog)
    wd.daemon = True
    wd.start()

    class Pinger(BDIAgent):
        def add_custom_actions(self, actions):
            @actions.add(".round_trip", 1)
            def _round_trip(agent, term, intention):
                t = time.perf_counter()
                n = int(asp.grounded(term.args[0], intention.scope))
                if n != len(stamps) + 1:
                    state["bad_seq"] += 1
                stamps.append((n, t))
                if n == W:
                    state["phase"] = "measure"
                yield

            @actions.add(".finished", 0)
            def _finished(agent, term, intention):
                state["phase"] = "done"
                done.set()
                yield

    async def main():
        agent = Pinger(PING_JID, PASSWORD, os.path.join(HERE, "pinger.asl"), port=args.port)
        try:
            await asyncio.wait_for(agent.start(auto_register=True),
                                   max(0.1, deadline - time.monotonic()))
        except Exception as e:  # noqa: BLE001
            state["error"] = f"start failed: {e!r}"
            return
        state["phase"] = "warmup" if W else "measure"
        state["t_go"] = time.perf_counter()
        agent.bdi.set_belief("go", PONG_JID, total)
        try:
            await asyncio.wait_for(done.wait(), max(0.1, deadline - time.monotonic()))
        except asyncio.TimeoutError:
            pass
        try:
            await asyncio.wait_for(agent.stop(), 5)
        except Exception:  # noqa: BLE001
            pass

    loop = spade.container.Container().loop
    loop.run_until_complete(main())
    wd.cancel()
    rc = report(state["phase"] != "done" and not state["error"])
    os._exit(rc)


# --------------------------------------------------------------------------- driver

def run_driver(args) -> int:
    C.install_signal_exit()
    me = os.path.abspath(__file__)
    pong = ping = None

    def fail(msg: str) -> int:
        print(json.dumps({"peer": "spade-bdi", "count": 0, "requested": args.count,
                          "error": msg, "load1": load1()}), flush=True)
        return 1

    try:
        with C.Server(port=args.port) as srv:
            port = ["--port", str(srv.port)]
            pong = subprocess.Popen(
                [sys.executable, me, "--role", "pong", "--timeout", str(args.timeout + 60)] + port,
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, text=True,
                start_new_session=True)
            C.wait_for_line(pong, "READY", min(60, args.timeout), "pong")
            ping = subprocess.Popen(
                [sys.executable, me, "--role", "ping", "--count", str(args.count),
                 "--warmup", str(args.warmup), "--timeout", str(args.timeout)] + port,
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, text=True,
                start_new_session=True)
            try:
                out, _ = ping.communicate(timeout=args.timeout + 30)
            except subprocess.TimeoutExpired:
                C.kill_group(ping)
                out = ping.stdout.read() if ping.stdout else ""
            lines = [ln for ln in out.splitlines() if ln.startswith("{")]
            if not lines:
                return fail("ping printed no result")
            print(lines[-1], flush=True)
            return ping.returncode if ping.returncode is not None else 1
    except Exception as e:  # noqa: BLE001
        C.log(f"driver failed: {e!r}")
        return fail(repr(e))
    finally:
        C.kill_group(ping)
        C.kill_group(pong)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--role", choices=["driver", "ping", "pong"], default="driver")
    ap.add_argument("--port", type=int, default=0,
                    help="XMPP client port (required for ping/pong; driver: free port)")
    ap.add_argument("--count", type=int, default=2000, help="measured round trips")
    ap.add_argument("--warmup", type=int, default=200, help="uncounted round trips first")
    ap.add_argument("--timeout", type=float, default=120.0,
                    help="seconds for the whole run (connect + warm-up + measure)")
    ap.add_argument("--log-level", default="ERROR")
    args = ap.parse_args()
    if args.count < 1 or args.warmup < 0:
        ap.error("--count must be >= 1, --warmup >= 0")
    if args.role != "driver" and not args.port:
        ap.error("--port is required with --role ping|pong")
    C.quiet_logs(getattr(__import__("logging"), args.log_level.upper()))
    if args.role != "driver":
        quiet_loguru()
    return {"driver": run_driver, "ping": run_ping, "pong": run_pong}[args.role](args)


if __name__ == "__main__":
    sys.exit(main())
