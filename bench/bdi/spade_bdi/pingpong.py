#!/usr/bin/env python3
"""spade-bdi ping-pong: two BDIAgents in two processes, AgentSpeak `.send` tell.

Driver (default): starts a fresh SPADE XMPP server (bench/spade_common/
server.py, loopback only, free port), the pong process, then the ping process;
prints the ping's JSON line and kills everything it started:

    python3 pingpong.py --count 2000 [--warmup 200] [--timeout 120]

Single roles against a running server (`python3 ../../spade_common/server.py
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

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.normpath(os.path.join(HERE, "..", "..", "spade_common")))
import _common as C  # noqa: E402  (bench/spade_common/_common.py; re-runs us in the venv)

import asyncio  # noqa: E402
import time  # noqa: E402

PING_JID = f"bdiping@{C.DOMAIN}"
PONG_JID = f"bdipong@{C.DOMAIN}"


# --------------------------------------------------------------------------- pong

def run_pong(args) -> int:
    from spade_bdi.bdi import BDIAgent
    import spade.container

    async def main():
        agent = BDIAgent(PONG_JID, C.PASSWORD, os.path.join(HERE, "ponger.asl"), port=args.port)
        return await C.serve_pong(agent, PONG_JID, args.timeout)

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

    def report(timed_out: bool) -> int:
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
        out = {"peer": "spade-bdi", **C.round_trip_stats(rtts, secs)}
        extra = {"out_of_sequence": state["bad_seq"]} if state["bad_seq"] else None
        return C.print_ping_result(out, timed_out, N, state["phase"], state["error"], extra)

    wd = C.start_watchdog(args.timeout + 15, "ping: watchdog fired, loop did not finish in time",
                          lambda: report(True), C.EXIT_TIMEOUT)

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

    def go(agent):
        state["phase"] = "warmup" if W else "measure"
        state["t_go"] = time.perf_counter()
        agent.bdi.set_belief("go", PONG_JID, total)
        return done.wait()

    async def main():
        agent = Pinger(PING_JID, C.PASSWORD, os.path.join(HERE, "pinger.asl"), port=args.port)
        await C.run_ping_agent(agent, deadline, state, go)

    loop = spade.container.Container().loop
    loop.run_until_complete(main())
    wd.cancel()
    rc = report(state["phase"] != "done" and not state["error"])
    os._exit(rc)


# --------------------------------------------------------------------------- driver

def run_driver(args) -> int:
    ping_args = ["--count", str(args.count), "--warmup", str(args.warmup),
                 "--timeout", str(args.timeout)]
    failure = {"peer": "spade-bdi", "count": 0, "requested": args.count}
    return C.run_pingpong_driver(os.path.abspath(__file__), ping_args, args.port, args.timeout,
                                 failure)


def main() -> int:
    ap = C.pingpong_parser(__doc__, count=2000, warmup=200)
    args = ap.parse_args()
    if args.count < 1 or args.warmup < 0:
        ap.error("--count must be >= 1, --warmup >= 0")
    C.check_role_port(ap, args)
    C.quiet_logs(getattr(__import__("logging"), args.log_level.upper()))
    if args.role != "driver":
        C.quiet_loguru()
    return {"driver": run_driver, "ping": run_ping, "pong": run_pong}[args.role](args)


if __name__ == "__main__":
    sys.exit(main())
