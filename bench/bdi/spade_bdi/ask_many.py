#!/usr/bin/env python3
"""spade-bdi "askOne" fan-out: one asker and N responder BDIAgents in one process.

    python3 ask_many.py [--agents 100] [--batch 25] [--rounds 10] [--timeout 300]
    python3 ask_many.py --port 25222 ...     # against a running server.py

Starts a fresh SPADE XMPP server (bench/spade_common/server.py, loopback,
free port) unless --port is given, then in THIS process:

 1. idle CPU of the bare process (event loop, no agent) over --baseline-secs;
 2. starts the asker (asker.asl), samples idle CPU with that one agent;
 3. VmRSS/VmHWM, then creates N responders (responder.asl), gives responder i
    the percept value(i) and starts them --batch at a time
    (`agent.start(auto_register=True)` concurrently within a batch, each bounded
    by --agent-timeout); start-up seconds = first start() call until the last
    batch returned; VmRSS/VmHWM again -> kB per agent;
 4. asks: one warm-up round (not counted), then --rounds rounds; in a round
    the asker asks all started responders at once and the round ends when all
    N answers are in (each answer is checked: round number and value);
 5. idle CPU with all N+1 agents started and idle over --idle-secs (5 s);
 6. unless --no-probe: starts one more responder and sends it a real
    `.send(P, askOne, value(X))` to record what spade-bdi does with askOne.

spade-bdi 0.3.3 has NO askOne/askAll (nor has python-agentspeak 0.2.2, whose
stdlib .send says "TODO: askOne, askAll"): spade-bdi's .send passes any
illocutionary force through, and the receiver's BDI behaviour raises
"unknown illocutionary force" for anything but tell/untell/achieve/unachieve/
tellHow/untellHow/askHow, which kills that agent's BDI behaviour for good.  So
the question is sent as `.send(Peers, achieve, ask_value(R))` and each
responder's plan `+!ask_value(R)[source(S)] : value(K)` answers with
`.send(S, tell, answer(R, K))` -- 2 XMPP messages per ask, as askOne would be.

Prints one JSON line (rss in kB, cpu in CPU-seconds per wall-second of this
process: user+system of all its threads, from getrusage):

  {"peer":"spade-bdi","agents":N,"started":..,"failed":..,"batch":B,
   "startup_seconds":..,"agents_per_s":..,"ask":"achieve+tell (no askOne)",
   "rounds":R,"asks":..,"seconds":..,"asks_per_s":..,"messages_per_s":..,
   "round_ms_p50":..,"rss_kb_before":..,"rss_kb_after":..,"hwm_kb_after":..,
   "rss_kb_per_agent":..,"idle_cpu_per_s":..,"idle_cpu_per_s_one_agent":..,
   "idle_cpu_per_s_no_agent":..,"askOne_probe":{..},"load1":..}

Exit 0 if every agent started and every answer arrived, 1 otherwise; on
--timeout (whole run) it prints what it has with "timeout":true.
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.normpath(os.path.join(HERE, "..", "..", "spade_common")))
import _common as C  # noqa: E402  (bench/spade_common/_common.py; re-runs us in the venv)

import asyncio  # noqa: E402
import logging  # noqa: E402
import resource  # noqa: E402
import time  # noqa: E402

ASKER_JID = f"bdiasker@{C.DOMAIN}"
ASK_KIND = "achieve+tell (spade-bdi 0.3.3 has no askOne)"


def mem_kb() -> dict:
    out = {}
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(("VmRSS:", "VmHWM:")):
                k, v = line.split(":", 1)
                out[k] = int(v.split()[0])
    return out


def cpu_s() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def runq_wait_s() -> float:
    """Seconds the main (event-loop) thread spent runnable but not running."""
    try:
        with open("/proc/self/schedstat") as f:
            return int(f.read().split()[1]) / 1e9
    except (OSError, IndexError, ValueError):
        return float("nan")


async def idle_cpu(secs: float):
    """(CPU seconds, run-queue wait seconds of the loop thread) per wall second
    while this process's event loop has nothing to do but its agents."""
    c0, w0, t0 = cpu_s(), runq_wait_s(), time.perf_counter()
    await asyncio.sleep(secs)
    c1, w1, t1 = cpu_s(), runq_wait_s(), time.perf_counter()
    return round((c1 - c0) / (t1 - t0), 3), round((w1 - w0) / (t1 - t0), 3)


def run(args, port: int) -> int:
    from spade_bdi.bdi import BDIAgent
    import agentspeak as asp
    import spade.container

    C.quiet_loguru("CRITICAL")  # spade logs killed behaviours via loguru

    N, B, R = args.agents, args.batch or args.agents, args.rounds
    res = {"peer": "spade-bdi", "agents": N, "started": 0, "failed": N, "batch": B,
           "ask": ASK_KIND}
    state = {"round": None, "got": 0, "sum": 0, "bad": 0, "expect": 0,
             "event": None, "timed_out": False, "error": None, "phase": "init"}
    t_start = time.monotonic()
    deadline = t_start + args.timeout

    def left() -> float:
        return max(0.1, deadline - time.monotonic())

    def report() -> int:
        res["load1"] = C.load1()
        if state["timed_out"]:
            res.update(timeout=True, phase=state["phase"])
        if state["error"]:
            res["error"] = state["error"]
        if not C.print_result_once(res):
            return 1
        ok = (res.get("failed") == 0 and res.get("asks_answered") == res.get("asks")
              and not state["timed_out"] and not state["error"])
        return 0 if ok else 1

    def report_timed_out():
        state["timed_out"] = True
        report()

    wd = C.start_watchdog(args.timeout + 30, "ask_many: watchdog fired", report_timed_out, 1)

    class Asker(BDIAgent):
        def add_custom_actions(self, actions):
            @actions.add(".answered", 2)
            def _answered(agent, term, intention):
                r = int(asp.grounded(term.args[0], intention.scope))
                k = int(asp.grounded(term.args[1], intention.scope))
                if r != state["round"]:
                    state["bad"] += 1
                else:
                    state["got"] += 1
                    state["sum"] += k
                    if state["got"] == state["expect"] and state["event"]:
                        state["event"].set()
                yield

    async def start_all(agents, per_agent_timeout):
        """start() a list of agents concurrently; returns (started, errors)."""
        async def one(a):
            await asyncio.wait_for(a.start(auto_register=True), per_agent_timeout)
            return a
        outs = await asyncio.gather(*(one(a) for a in agents), return_exceptions=True)
        ok = [o for o in outs if not isinstance(o, BaseException)]
        errs = [type(o).__name__ for o in outs if isinstance(o, BaseException)]
        return ok, errs

    all_agents = []

    async def main():
        # 1. bare process
        state["phase"] = "baseline"
        (res["idle_cpu_per_s_no_agent"],
         res["idle_runq_wait_per_s_no_agent"]) = await idle_cpu(args.baseline_secs)

        # 2. the asker
        asker = Asker(ASKER_JID, C.PASSWORD, os.path.join(HERE, "asker.asl"), port=port)
        all_agents.append(asker)
        ok, errs = await start_all([asker], min(args.agent_timeout, left()))
        if not ok:
            state["error"] = f"asker did not start: {errs}"
            return
        (res["idle_cpu_per_s_one_agent"],
         res["idle_runq_wait_per_s_one_agent"]) = await idle_cpu(args.baseline_secs)

        # 3. N responders, in batches
        state["phase"] = "startup"
        m0 = mem_kb()
        responders = []
        for i in range(N):
            a = BDIAgent(f"bdiresp{i}@{C.DOMAIN}", C.PASSWORD,
                         os.path.join(HERE, "responder.asl"), port=port)
            a.bdi.set_belief("value", i)
            responders.append((i, a))
        all_agents.extend(a for _, a in responders)
        started, errors = [], {}
        t0 = time.perf_counter()
        t_last = t0
        for b in range(0, N, B):
            if deadline - time.monotonic() < 1:
                state["timed_out"] = True
                errors["not_attempted"] = N - b
                break
            batch = responders[b:b + B]
            ok, errs = await start_all([a for _, a in batch],
                                       min(args.agent_timeout, left()))
            t_last = time.perf_counter()
            okset = {id(a) for a in ok}
            started += [(i, a) for i, a in batch if id(a) in okset]
            for e in errs:
                errors[e] = errors.get(e, 0) + 1
            C.log(f"ask_many: {len(started)}/{N} started, "
                  f"{t_last - t0:.1f}s, load {C.load1()}")
        secs = t_last - t0
        m1 = mem_kb()
        res.update(
            started=len(started), failed=N - len(started),
            startup_seconds=round(secs, 3),
            agents_per_s=round(len(started) / secs, 2) if secs > 0 else 0.0,
            rss_kb_before=m0["VmRSS"], rss_kb_after=m1["VmRSS"],
            hwm_kb_before=m0["VmHWM"], hwm_kb_after=m1["VmHWM"],
            rss_kb_per_agent=round((m1["VmRSS"] - m0["VmRSS"]) / len(started), 1)
            if started else None,
        )
        if errors:
            res["start_errors"] = errors
        if not started or state["timed_out"]:
            return

        # 4. asks: 1 warm-up round + R measured rounds
        state["phase"] = "asks"
        peers = tuple(asp.Literal(str(a.jid)) for _, a in started)
        expect_sum = sum(i for i, _ in started)
        asker.bdi.set_belief("peers", peers)
        await asyncio.sleep(0.2)  # let the asker take the percept in
        n = len(started)
        round_secs, answered = [], 0
        for r in range(R + 1):  # round 0 = warm-up
            state.update(round=r, got=0, sum=0, expect=n, event=asyncio.Event())
            t = time.perf_counter()
            asker.bdi.set_belief("round", r)
            try:
                await asyncio.wait_for(state["event"].wait(), left())
            except asyncio.TimeoutError:
                state["timed_out"] = True
            dt = time.perf_counter() - t
            if state["sum"] != expect_sum and not state["timed_out"]:
                state["error"] = f"round {r}: sum of values {state['sum']} != {expect_sum}"
            if r > 0:
                round_secs.append(dt)
                answered += state["got"]
            else:
                res["warmup_round_ms"] = round(dt * 1e3, 1)
            if state["timed_out"]:
                break
        total = sum(round_secs)
        rs = sorted(round_secs)
        res.update(
            rounds=R, asks=n * R, asks_answered=answered, seconds=round(total, 4),
            asks_per_s=round(answered / total, 1) if total > 0 else 0.0,
            messages_per_s=round(2 * answered / total, 1) if total > 0 else 0.0,
            round_ms_p50=round(C.percentile(rs, 50) * 1e3, 1) if rs else None,
            round_ms_max=round(rs[-1] * 1e3, 1) if rs else None,
        )
        if state["bad"]:
            res["stray_answers"] = state["bad"]
        if state["timed_out"]:
            return

        # 5. idle CPU with everything started and quiet
        state["phase"] = "idle"
        await asyncio.sleep(0.5)
        res["idle_cpu_per_s"], res["idle_runq_wait_per_s"] = await idle_cpu(args.idle_secs)
        res["idle_cpu_secs"] = args.idle_secs

        # 6. what does a receiver do with askOne?
        if not args.no_probe:
            state["phase"] = "probe"
            res["askOne_probe"] = await probe_askone(asker)

    async def probe_askone(asker):
        probe = BDIAgent(f"bdiprobe@{C.DOMAIN}", C.PASSWORD,
                         os.path.join(HERE, "responder.asl"), port=port)
        probe.bdi.set_belief("value", 42)
        all_agents.append(probe)
        ok, errs = await start_all([probe], min(args.agent_timeout, left()))
        if not ok:
            return {"error": f"probe agent did not start: {errs}"}
        state.update(round="probe", got=0, sum=0, expect=1, event=asyncio.Event())
        bad0 = state["bad"]
        asker.bdi.set_belief("probe_askone", asp.Literal(str(probe.jid)))
        await asyncio.sleep(2.0)
        killed = probe.bdi.is_killed() or probe.bdi.is_done()
        code = probe.bdi.exit_code if killed else None
        return {
            "sent": ".send(P, askOne, value(X))",
            "answer_received": state["bad"] > bad0 or state["got"] > 0,
            "receiver_bdi_behaviour_killed": bool(killed),
            "receiver_error": repr(code) if isinstance(code, BaseException) else None,
        }

    async def stop_all():
        async def one(a):
            try:
                await asyncio.wait_for(a.stop(), 10)
            except Exception:  # noqa: BLE001
                pass
        await asyncio.gather(*(one(a) for a in all_agents if a.is_alive()))

    loop = spade.container.Container().loop
    try:
        loop.run_until_complete(main())
    except Exception as e:  # noqa: BLE001
        state["error"] = repr(e)
    wd.cancel()
    rc = report()
    try:
        loop.run_until_complete(asyncio.wait_for(stop_all(), 20))
    except Exception:  # noqa: BLE001
        pass
    return rc


def main() -> int:
    ap = C.agents_parser(__doc__, batch=25, timeout=300.0)
    ap.add_argument("--rounds", type=int, default=10, help="measured ask rounds")
    ap.add_argument("--idle-secs", type=float, default=5.0,
                    help="idle CPU sample with all agents started")
    ap.add_argument("--baseline-secs", type=float, default=2.0,
                    help="idle CPU samples with no agent and with the asker only")
    ap.add_argument("--no-probe", action="store_true", help="skip the askOne probe")
    args = ap.parse_args()
    if args.agents < 1 or args.rounds < 1 or args.batch < 0:
        ap.error("--agents and --rounds must be >= 1, --batch >= 0")
    C.quiet_logs(getattr(logging, args.log_level.upper()))
    failure = {"peer": "spade-bdi", "agents": args.agents}
    C.run_with_server(args.port, lambda port: run(args, port), failure, "ask_many")


if __name__ == "__main__":
    main()
