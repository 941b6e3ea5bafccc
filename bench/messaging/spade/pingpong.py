#!/usr/bin/env python3
"""SPADE request/inform ping-pong between two agents in two processes, over XMPP.

Driver (default): starts a fresh server.py on a free loopback port, the pong
process, then the ping process; prints the ping's JSON line and cleans up:

    python3 pingpong.py --window 1 --count 3000
    python3 pingpong.py --window 64 --count 20000

Single roles against an already running server (start pong first, or not:
the server stores messages for an offline agent):

    python3 pingpong.py --role pong --port 25222
    python3 pingpong.py --role ping --port 25222 --window 64 --count 20000

The ping agent sends FIPA "request" messages with body "ping-<i>" (metadata
performative=request, reply-with=<id>, thread=<id>) to pong@localhost, which
answers each with an "inform" carrying the same body, in-reply-to=<id> and the
same thread.  The pinger keeps up to --window requests outstanding (1 =
strictly one at a time), times each round trip (send -> matching reply
received by the behaviour), after --warmup uncounted round trips, and prints:

  {"peer":"spade","window":W,"count":N,"seconds":..,"round_trips_per_s":..,
   "p50_us":..,"p99_us":..,"max_us":..,"load1":..}

seconds = wall time of the measured phase (first measured send to last
reply).  Everything is bounded by --timeout (seconds, whole run incl.
connect and warm-up): on expiry it prints what it measured so far with
"timeout":true and "requested":N and exits 3.
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _venv  # noqa: E402

_venv.ensure()

import asyncio  # noqa: E402
import json  # noqa: E402
import signal  # noqa: E402
import subprocess  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402

import _common as C  # noqa: E402

PING_JID = f"ping@{C.DOMAIN}"
PONG_JID = f"pong@{C.DOMAIN}"
PASSWORD = "bench-secret"
EXIT_TIMEOUT = 3


def load1() -> float:
    try:
        with open("/proc/loadavg") as f:
            return float(f.read().split()[0])
    except OSError:
        return -1.0


# --------------------------------------------------------------------------- pong

def run_pong(args) -> int:
    from spade.agent import Agent
    from spade.behaviour import CyclicBehaviour
    from spade.message import Message
    from spade.template import Template
    import spade.container

    class Echo(CyclicBehaviour):
        echoed = 0

        async def run(self):
            msg = await self.receive(timeout=1)
            if msg is None:
                return
            reply = Message(
                to=str(msg.sender),
                body=msg.body,
                thread=msg.thread,
                metadata={
                    "performative": "inform",
                    "in-reply-to": msg.get_metadata("reply-with") or "",
                },
            )
            await self.send(reply)
            Echo.echoed += 1

    async def main():
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        agent = Agent(PONG_JID, PASSWORD, port=args.port)
        t0 = time.monotonic()
        try:
            await asyncio.wait_for(agent.start(auto_register=True), args.timeout)
        except Exception as e:  # noqa: BLE001
            print(f"pong: start failed: {e!r}", file=sys.stderr, flush=True)
            return 1
        agent.add_behaviour(Echo(), Template(metadata={"performative": "request"}))
        print(f"READY pong {PONG_JID}", flush=True)
        left = max(0.1, args.timeout - (time.monotonic() - t0))
        try:
            await asyncio.wait_for(stop.wait(), left)
        except asyncio.TimeoutError:
            print("pong: --timeout reached", file=sys.stderr, flush=True)
        C.log(f"pong echoed {Echo.echoed}")
        try:
            await asyncio.wait_for(agent.stop(), 5)
        except Exception:  # noqa: BLE001
            pass
        return 0

    loop = spade.container.Container().loop
    return loop.run_until_complete(main())


# --------------------------------------------------------------------------- ping

def run_ping(args) -> int:
    from spade.agent import Agent
    from spade.behaviour import OneShotBehaviour
    from spade.message import Message
    from spade.template import Template
    import spade.container

    W, N = args.window, args.count
    state = {"rtts": [], "t_start": None, "t_end": None, "phase": "connect",
             "error": None, "stray": 0}
    started = time.monotonic()
    deadline = started + args.timeout
    printed = threading.Lock()

    def report(timed_out: bool) -> int:
        if not printed.acquire(blocking=False):
            return EXIT_TIMEOUT
        rtts = sorted(state["rtts"])
        t0 = state["t_start"]
        t1 = state["t_end"] or time.perf_counter()
        secs = (t1 - t0) if t0 is not None else 0.0
        us = lambda v: None if v is None else round(v * 1e6, 1)  # noqa: E731
        out = {
            "peer": "spade",
            "window": W,
            "count": len(rtts),
            "seconds": round(secs, 4),
            "round_trips_per_s": round(len(rtts) / secs, 1) if secs > 0 else 0.0,
            "p50_us": us(C.percentile(rtts, 50)),
            "p99_us": us(C.percentile(rtts, 99)),
            "max_us": us(rtts[-1] if rtts else None),
            "load1": load1(),
        }
        if timed_out:
            out.update(timeout=True, requested=N, phase=state["phase"])
        if state["error"]:
            out["error"] = state["error"]
        print(json.dumps(out), flush=True)
        return EXIT_TIMEOUT if timed_out or state["error"] else 0

    # Hard watchdog in case the event loop itself is wedged.
    def watchdog():
        C.log("ping: watchdog fired, loop did not finish in time")
        report(True)
        os._exit(EXIT_TIMEOUT)

    wd = threading.Timer(args.timeout + 15, watchdog)
    wd.daemon = True
    wd.start()

    class Timeout(Exception):
        pass

    class Pinger(OneShotBehaviour):
        async def phase(self, n: int, tag: str, record: bool):
            outstanding = {}
            sent = done = 0
            while done < n:
                while sent < n and len(outstanding) < W:
                    mid = f"{tag}{sent}"
                    body = f"ping-{sent}"
                    msg = Message(
                        to=PONG_JID, body=body, thread=mid,
                        metadata={"performative": "request", "reply-with": mid},
                    )
                    outstanding[mid] = (time.perf_counter(), body)
                    await self.send(msg)
                    sent += 1
                left = deadline - time.monotonic()
                if left <= 0:
                    raise Timeout()
                reply = await self.receive(timeout=left)
                if reply is None:
                    raise Timeout()
                t = time.perf_counter()
                entry = outstanding.pop(reply.get_metadata("in-reply-to"), None)
                if entry is None or reply.body != entry[1] or reply.thread is None:
                    state["stray"] += 1
                    continue
                if record:
                    state["rtts"].append(t - entry[0])
                    state["t_end"] = t
                done += 1

        async def run(self):
            try:
                state["phase"] = "warmup"
                await self.phase(args.warmup, "w", False)
                state["phase"] = "measure"
                state["t_start"] = time.perf_counter()
                await self.phase(N, "m", True)
                state["phase"] = "done"
            except Timeout:
                pass
            except Exception as e:  # noqa: BLE001
                state["error"] = repr(e)

    async def main():
        agent = Agent(PING_JID, PASSWORD, port=args.port)
        try:
            await asyncio.wait_for(agent.start(auto_register=True),
                                   max(0.1, deadline - time.monotonic()))
        except Exception as e:  # noqa: BLE001
            state["error"] = f"start failed: {e!r}"
            return
        b = Pinger()
        agent.add_behaviour(b, Template(metadata={"performative": "inform"}))
        try:
            await asyncio.wait_for(b.join(), max(0.1, deadline - time.monotonic()) + 2)
        except asyncio.TimeoutError:
            pass
        try:
            await asyncio.wait_for(agent.stop(), 5)
        except Exception:  # noqa: BLE001
            pass

    loop = spade.container.Container().loop
    loop.run_until_complete(main())
    wd.cancel()
    if state["stray"]:
        C.log(f"ping: {state['stray']} replies did not match an outstanding request")
    return report(state["phase"] != "done" and not state["error"])


# --------------------------------------------------------------------------- driver

def run_driver(args) -> int:
    C.install_signal_exit()
    me = os.path.abspath(__file__)
    common = ["--window", str(args.window), "--count", str(args.count),
              "--warmup", str(args.warmup), "--timeout", str(args.timeout)]
    pong = ping = None
    try:
        with C.Server(port=args.port) as srv:
            port = ["--port", str(srv.port)]
            pong = subprocess.Popen(
                [sys.executable, me, "--role", "pong", "--timeout", str(args.timeout + 60)] + port,
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, text=True,
                start_new_session=True)
            C.wait_for_line(pong, "READY", min(60, args.timeout), "pong")
            ping = subprocess.Popen(
                [sys.executable, me, "--role", "ping"] + port + common,
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, text=True,
                start_new_session=True)
            try:
                out, _ = ping.communicate(timeout=args.timeout + 30)
            except subprocess.TimeoutExpired:
                C.kill_group(ping)
                out = ping.stdout.read() if ping.stdout else ""
            lines = [ln for ln in out.splitlines() if ln.startswith("{")]
            if not lines:
                print(json.dumps({"peer": "spade", "window": args.window, "count": 0,
                                  "requested": args.count, "error": "ping printed no result",
                                  "load1": load1()}), flush=True)
                return 1
            print(lines[-1], flush=True)
            return ping.returncode if ping.returncode is not None else 1
    except Exception as e:  # noqa: BLE001
        C.log(f"driver failed: {e!r}")
        print(json.dumps({"peer": "spade", "window": args.window, "count": 0,
                          "requested": args.count, "error": repr(e),
                          "load1": load1()}), flush=True)
        return 1
    finally:
        C.kill_group(ping)
        C.kill_group(pong)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--role", choices=["driver", "ping", "pong"], default="driver")
    ap.add_argument("--port", type=int, default=0,
                    help="XMPP client port (required for ping/pong; driver: free port)")
    ap.add_argument("--window", type=int, default=1, help="max outstanding requests")
    ap.add_argument("--count", type=int, default=3000, help="measured round trips")
    ap.add_argument("--warmup", type=int, default=300, help="uncounted round trips first")
    ap.add_argument("--timeout", type=float, default=120.0,
                    help="seconds for the whole run (connect + warm-up + measure)")
    ap.add_argument("--log-level", default="ERROR")
    args = ap.parse_args()
    if args.window < 1 or args.count < 1 or args.warmup < 0:
        ap.error("--window and --count must be >= 1, --warmup >= 0")
    if args.role != "driver" and not args.port:
        ap.error("--port is required with --role ping|pong")
    C.quiet_logs(getattr(__import__("logging"), args.log_level.upper()))
    return {"driver": run_driver, "ping": run_ping, "pong": run_pong}[args.role](args)


if __name__ == "__main__":
    sys.exit(main())
