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

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.normpath(os.path.join(HERE, "..", "..", "spade_common")))
import _common as C  # noqa: E402  (bench/spade_common/_common.py; re-runs us in the venv)

import time  # noqa: E402

PING_JID = f"ping@{C.DOMAIN}"
PONG_JID = f"pong@{C.DOMAIN}"


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

    def echo_requests(agent):
        agent.add_behaviour(Echo(), Template(metadata={"performative": "request"}))

    async def main():
        agent = Agent(PONG_JID, C.PASSWORD, port=args.port)
        rc = await C.serve_pong(agent, PONG_JID, args.timeout, on_started=echo_requests)
        if rc == 0:
            C.log(f"pong echoed {Echo.echoed}")
        return rc

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

    def report(timed_out: bool) -> int:
        t0 = state["t_start"]
        t1 = state["t_end"] or time.perf_counter()
        secs = (t1 - t0) if t0 is not None else 0.0
        out = {"peer": "spade", "window": W, **C.round_trip_stats(sorted(state["rtts"]), secs)}
        return C.print_ping_result(out, timed_out, N, state["phase"], state["error"])

    wd = C.start_watchdog(args.timeout + 15, "ping: watchdog fired, loop did not finish in time",
                          lambda: report(True), C.EXIT_TIMEOUT)

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

    def go(agent):
        b = Pinger()
        agent.add_behaviour(b, Template(metadata={"performative": "inform"}))
        return b.join()

    async def main():
        agent = Agent(PING_JID, C.PASSWORD, port=args.port)
        await C.run_ping_agent(agent, deadline, state, go, grace=2)

    loop = spade.container.Container().loop
    loop.run_until_complete(main())
    wd.cancel()
    if state["stray"]:
        C.log(f"ping: {state['stray']} replies did not match an outstanding request")
    return report(state["phase"] != "done" and not state["error"])


# --------------------------------------------------------------------------- driver

def run_driver(args) -> int:
    ping_args = ["--window", str(args.window), "--count", str(args.count),
                 "--warmup", str(args.warmup), "--timeout", str(args.timeout)]
    failure = {"peer": "spade", "window": args.window, "count": 0, "requested": args.count}
    return C.run_pingpong_driver(os.path.abspath(__file__), ping_args, args.port, args.timeout,
                                 failure)


def main() -> int:
    ap = C.pingpong_parser(__doc__, count=3000, warmup=300)
    ap.add_argument("--window", type=int, default=1, help="max outstanding requests")
    args = ap.parse_args()
    if args.window < 1 or args.count < 1 or args.warmup < 0:
        ap.error("--window and --count must be >= 1, --warmup >= 0")
    C.check_role_port(ap, args)
    C.quiet_logs(getattr(__import__("logging"), args.log_level.upper()))
    return {"driver": run_driver, "ping": run_ping, "pong": run_pong}[args.role](args)


if __name__ == "__main__":
    sys.exit(main())
