#!/usr/bin/env python3
"""Start N SPADE agents in one process and time until all of them are ready.

    python3 startup.py --agents 100              # fresh server.py on a free port
    python3 startup.py --agents 100 --batch 25   # 4 waves of 25 concurrent starts
    python3 startup.py --agents 100 --port 25222 # against a running server

"Ready" = `await agent.start(auto_register=True)` has returned: the agent
registered its account in-band, authenticated (SASL), bound a resource, sent
its presence and ran setup(); its behaviours are running.  Starts run
concurrently, --batch at a time (default: all N at once).  Each start is
bounded by --agent-timeout, the whole run by --timeout; agents whose start
raised or timed out are counted in "failed".  Prints one JSON line:

  {"peer":"spade","agents":N,"seconds":..,"agents_per_s":..,"failed":..,
   "batch":B,"load1":..}

seconds = wall time from the first start() call until the last successful
start() returned (or until the run gave up); agents_per_s = started / seconds.
Exit status 0 only if every agent started.
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.normpath(os.path.join(HERE, "..", "..", "spade_common")))
import _common as C  # noqa: E402  (bench/spade_common/_common.py; re-runs us in the venv)

import asyncio  # noqa: E402
import logging  # noqa: E402
import time  # noqa: E402


def run(args, port: int) -> int:
    from spade.agent import Agent
    from spade.behaviour import CyclicBehaviour
    import spade.container

    class Idle(CyclicBehaviour):
        async def run(self):
            await asyncio.sleep(1)

    class BenchAgent(Agent):
        async def setup(self):
            self.add_behaviour(Idle())

    N = args.agents
    B = args.batch or N
    st = {"ok": 0, "failed": 0, "errors": {}, "t0": None, "t_last": None}

    def report(gave_up: bool) -> int:
        t0 = st["t0"]
        t1 = st["t_last"] if not gave_up else time.perf_counter()
        secs = (t1 - t0) if (t0 is not None and t1 is not None) else 0.0
        failed = N - st["ok"]  # not started, for whatever reason
        out = {
            "peer": "spade",
            "agents": N,
            "seconds": round(secs, 4),
            "agents_per_s": round(st["ok"] / secs, 2) if secs > 0 else 0.0,
            "failed": failed,
            "batch": B,
            "load1": C.load1(),
        }
        if gave_up:
            out["timeout"] = True
        if st["errors"]:
            out["errors"] = st["errors"]
        if not C.print_result_once(out):
            return 1
        return 0 if failed == 0 else 1

    wd = C.start_watchdog(args.timeout + 20, "startup: watchdog fired", lambda: report(True), 1)

    agents = [BenchAgent(f"agent{i}@{C.DOMAIN}", C.PASSWORD, port=port) for i in range(N)]
    deadline = time.monotonic() + args.timeout

    async def start_one(a):
        left = min(args.agent_timeout, deadline - time.monotonic())
        try:
            if left <= 0:
                raise asyncio.TimeoutError()
            await asyncio.wait_for(a.start(auto_register=True), left)
            st["ok"] += 1
            st["t_last"] = time.perf_counter()
            return True
        except BaseException as e:  # noqa: BLE001 (TimeoutError, Disconnected, ...)
            if isinstance(e, (KeyboardInterrupt, SystemExit)):
                raise
            key = type(e).__name__
            st["errors"][key] = st["errors"].get(key, 0) + 1
            st["failed"] += 1
            return False

    async def main():
        st["t0"] = time.perf_counter()
        for i in range(0, N, B):
            if time.monotonic() >= deadline:
                break
            await asyncio.gather(*(start_one(a) for a in agents[i:i + B]))
        gave_up = st["ok"] + st["failed"] < N
        if gave_up:
            st["errors"]["not_attempted"] = N - st["ok"] - st["failed"]
        return gave_up

    loop = spade.container.Container().loop
    gave_up = loop.run_until_complete(main())
    wd.cancel()
    rc = report(False)  # t_last = last successful start
    if gave_up:
        rc = 1

    async def stop_all():
        await asyncio.gather(*(a.stop() for a in agents if a.is_alive()),
                             return_exceptions=True)

    try:
        loop.run_until_complete(asyncio.wait_for(stop_all(), 15))
    except Exception:  # noqa: BLE001
        C.log("startup: not all agents stopped cleanly")
    return rc


def main() -> int:
    ap = C.agents_parser(__doc__, batch=0, timeout=180.0)
    args = ap.parse_args()
    if args.agents < 1 or args.batch < 0:
        ap.error("--agents must be >= 1 and --batch >= 0")
    C.quiet_logs(getattr(logging, args.log_level.upper()))
    failure = {"peer": "spade", "agents": args.agents, "seconds": 0.0, "agents_per_s": 0.0,
               "failed": args.agents}
    C.run_with_server(args.port, lambda port: run(args, port), failure, "startup")


if __name__ == "__main__":
    main()
