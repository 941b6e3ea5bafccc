#!/usr/bin/env python3
"""The README's performance table and the bench/README.md tables, from the
committed raw results under bench/*/results/ (stdlib only).

    python3 bench/tables.py            # rewrite the tables in place
    python3 bench/tables.py --check    # exit 1 if a table differs from its results
    python3 bench/tables.py --print perf-table   # print one table's text

This script owns the text between marker comments in README.md and
bench/README.md:

    <!-- NAME:begin -->            (optionally <!-- NAME:begin file=X.json -->)
    ...generated...
    <!-- NAME:end -->

where NAME is one of GENERATORS below; everything outside the markers is
prose and stays as written. Each bench folder has a small function that reads
the newest committed raw file of its kind (newest by the timestamp in the
file name) and returns rows. A comparison row has six cells: what is
compared (saying so when the two sides do not do the same work), Agora's
median, the peer with its version, settings and median, the ratio, n with
the min-max spread of the repeats and the 1-minute load range recorded in
the file, and the source (file, date, command). The RL rows come from
bench/rl_cleanrl/readme_rows.py and the dashboard table from
bench/dashboard/table.py, imported, so their logic lives in one place.

Peer versions that a raw file does not record (Mosquitto, SPADE, spade-bdi,
Stable-Baselines3) are taken from where the bench folder pins them, named
next to each constant.
"""

import argparse
import importlib
import json
import re
import statistics
import sys
from dataclasses import dataclass
from pathlib import Path

# The imported helpers would otherwise leave __pycache__ folders in bench/.
sys.dont_write_bytecode = True

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
DOCS = (ROOT / "README.md", BENCH / "README.md")

# Not in the raw files: the Debian package the messaging runs used
# (bench/README.md, "Messaging").
MOSQUITTO = "Mosquitto 2.0.11"
# Not in the raw files: bench/rl/README.md's results heading.
SB3 = "Stable-Baselines3 2.9.2 (torch 2.15.0 CPU, 1 thread; Gymnasium 1.4.0)"
PY_Q = "the same loop in plain Python + Gymnasium 1.4.0 (`bench/rl/peers.py`)"
# Agora's envs draw from numpy's PCG64 since this date (commit 056c701);
# throughput measured before it is not today's code path.
PCG64_SINCE = "20261202"
@dataclass
class Row:
    what: str
    agora: str
    peer: str
    ratio: str
    stats: str  # n, spread, load
    source: str

    def markdown(self):
        cells = (self.what, self.agora, self.peer, self.ratio, self.stats, self.source)
        if any("|" in c for c in cells):
            raise ValueError(f"a cell holds '|': {cells}")
        return "| " + " | ".join(cells) + " |"


ROW_HEADER = ["| what | Agora | peer (version, settings) | ratio | n, spread, load | source |",
              "| --- | ---: | --- | ---: | --- | --- |"]


def row_table(rows):
    return ROW_HEADER + [r.markdown() for r in rows]


# ---------------------------------------------------------------- files

STAMP = re.compile(r"(\d{4})-?(\d{2})-?(\d{2})(?:[T-](\d{2})(\d{2})(\d{2}))?")


def stamp(path):
    """(sortable, shown) timestamp from a file name; ("", "") without one."""
    m = STAMP.search(path.name)
    if not m:
        return "", ""
    y, mo, d, h, mi, s = m.groups()
    if h is None:
        return f"{y}{mo}{d}", f"{y}-{mo}-{d}"
    return f"{y}{mo}{d}{h}{mi}{s}", f"{y}-{mo}-{d} {h}:{mi}"


def newest(paths, tiebreak=lambda p: 0):
    """The newest file by its name's timestamp; `tiebreak` decides files of
    the same timestamp (a larger value wins), then the name."""
    paths = list(paths)
    return max(paths, key=lambda p: (stamp(p)[0], tiebreak(p), p.name)) if paths else None


def read_json(path):
    return json.loads(path.read_text())


def json_or_none(path):
    """None for a file that is not JSON yet (a run still writing it)."""
    try:
        return read_json(path)
    except ValueError:
        return None


def read_jsonl(path):
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def source(path, command, when=None, code=True):
    """The source cell: file, date, command (`code=False`: a command that is
    a sentence with its own backticks)."""
    rel = path.relative_to(BENCH).as_posix()
    return f"`{rel}` ({when or stamp(path)[1] or 'date not recorded'}); {f'`{command}`' if code else command}"


def pinned(name):
    """A package's version from bench/spade_common/constraints.txt, the
    freeze of the venv the SPADE peers were measured with."""
    for line in (BENCH / "spade_common" / "constraints.txt").read_text().splitlines():
        key, _, version = line.partition("==")
        if key.strip().lower().replace("_", "-") == name:
            return version.strip()
    return "?"


def spade_name():
    return f"SPADE {pinned('spade')} (pyjabber {pinned('pyjabber')} XMPP server on loopback)"


def spade_bdi_name():
    return f"spade-bdi {pinned('spade-bdi')} (SPADE {pinned('spade')}, pyjabber {pinned('pyjabber')} XMPP)"


# ---------------------------------------------------------------- numbers

def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def count(x):
    return f"{x:,.0f}"


def kilo(x):
    return f"{x / 1000:.2f}k" if x >= 1000 else f"{x:.0f}"


def ksteps(x):
    return f"{x / 1000:.1f}k" if x >= 1000 else f"{x:.0f}"


def mega_n(x):
    m = x / 1e6
    digits = 0 if m >= 100 else 1 if m >= 10 else 2 if m >= 1 else 3
    return f"{m:.{digits}f}"


def mega(x):
    return mega_n(x) + " M"


def secs_n(x):
    return f"{x:.3f}" if x < 1 else f"{x:.2f}" if x < 10 else f"{x:.1f}"


def secs(x):
    return secs_n(x) + " s"


def ms(x):
    return f"{x:.2f} ms" if x < 10 else f"{x:.1f} ms"


def ratio(x):
    """Ratios above 1 with the digits that matter; tiny ones as 1/N."""
    if x is None:
        return "—"
    if x < 0.1:
        return f"1/{1 / x:,.0f}"
    if x >= 100:
        return f"{x:,.0f}"
    # Two decimals only where the ratio is near 1 and the second one matters.
    return f"{x:.1f}" if x >= 2 else f"{x:.2f}"


def spread(values, fmt, unit=""):
    """min–max of the repeats, the unit once at the end."""
    values = [v for v in values if v is not None]
    if not values:
        return "none"
    lo, hi = fmt(min(values)), fmt(max(values))
    return (lo if lo == hi else f"{lo}–{hi}") + unit


def load_range(values):
    return spread(values, lambda x: f"{x:.2f}")


# ---------------------------------------------------------------- messaging

MESSAGING = BENCH / "messaging" / "results"
MESSAGING_CMD = "python3 bench/messaging/run.py"
# Scenario-key parts as the tables name them.
LABELS = {"mosquitto": "Mosquitto", "embedded": "embedded", "in-process": "in-process broker", "json": "JSON",
          "postcard": "postcard"}


def messaging_file(name=None):
    if name:
        return MESSAGING / name
    return newest(p for p in MESSAGING.glob("*.json")
                  if not p.name.startswith("batch-") and isinstance((json_or_none(p) or {}).get("samples"), dict))


def batch_file():
    """The newest `run.py --only-batch` result: batched Agora beside the batched raw pair."""
    return newest(p for p in MESSAGING.glob("batch-*.json") if isinstance((json_or_none(p) or {}).get("samples"), dict))


def rates(samples, key):
    return [s["round_trips_per_s"] for s in samples.get(key, [])]


def raw_batched_key(samples, window):
    """A batched raw rumqttc pair, if a run ever records one (none did so far)."""
    return next((k for k in samples if k.startswith("raw") and "batch" in k and "mosquitto" in k
                 and k.endswith(f"/w{window}")), None)


def messaging_command(path):
    return MESSAGING_CMD + (" --only-batch" if path.name.startswith("batch-") else "")


def round_trip_row(path, samples, what, agora_key, peer_key, peer_text):
    a, p = rates(samples, agora_key), rates(samples, peer_key)
    if not a or not p:
        return None
    loads = [s["load1"] for k in (agora_key, peer_key) for s in samples[k]]
    return Row(what, count(median(a)), f"{peer_text} {count(median(p))}", ratio(median(a) / median(p)),
               f"n {len(a)} / {len(p)}; spread {spread(a, count)} / {spread(p, count)}; load {load_range(loads)}",
               source(path, messaging_command(path)))


def counts(samples, key):
    return sorted({s["count"] for s in samples.get(key, []) if "count" in s})


def messaging_rows(path=None):
    path = path or messaging_file()
    samples = read_json(path)["samples"]
    raw = "raw rumqttc pair (`runtime/benches/raw_pingpong.rs`: same broker, QoS 1, TCP_NODELAY, 274-byte payload)"
    rows = []
    for window in (1, 64):
        n = counts(samples, f"raw/mosquitto/w{window}")
        rows.append(round_trip_row(
            path, samples,
            f"request/reply round trips/s, window {window}, {MOSQUITTO}: Agora `pinger` → `echo` in one process, "
            f"one MQTT connection, same payload{f', {n[0]:,} round trips' if n else ''}",
            f"agora/mosquitto/w{window}", f"raw/mosquitto/w{window}", raw))
    for window in (1, 64):
        agora_n = counts(samples, f"raw/mosquitto/w{window}")
        spade_n = counts(samples, f"spade/w{window}")
        sizes = (f" ({agora_n[0]:,} round trips on Agora's side, {spade_n[0]:,} on SPADE's)"
                 if agora_n and spade_n else "")
        rows.append(round_trip_row(
            path, samples,
            f"round trips/s, window {window}, without batching: Agora over {MOSQUITTO} (one process), SPADE over "
            f"XMPP between two processes, each with its own transport{sizes}",
            f"agora/mosquitto/w{window}", f"spade/w{window}", spade_name()))
    batched = "agora/batch-postcard/mosquitto/w64"
    raw_batched = raw_batched_key(samples, 64)
    equal_batching = (path, samples) if raw_batched else None
    if not raw_batched and batch_file():
        bpath = batch_file()
        bsamples = read_json(bpath)["samples"]
        raw_batched = raw_batched_key(bsamples, 64)
        equal_batching = (bpath, bsamples) if raw_batched else None
    if equal_batching:
        bpath, bsamples = equal_batching
        rows.append(round_trip_row(
            bpath, bsamples,
            f"round trips/s, window 64, batched on both sides, {MOSQUITTO}: Agora `batch = true` (postcard "
            f"envelopes) against a raw pair that sends each window refill as one publish of 274-byte records "
            f"and answers each publish with one",
            batched, raw_batched, "raw rumqttc pair, batched (`raw_pingpong.rs --batch`)"))
    rows.append(round_trip_row(
        path, samples,
        f"round trips/s, window 64, `batch = true` (postcard), {MOSQUITTO} — batched on Agora's side only "
        f"(SPADE has no batching: unequal work)"
        + ("" if raw_batched else "; no equally batched raw rumqttc pair measured"),
        batched, "spade/w64", spade_name()))
    rows += messaging_startup_rows(path)
    return [r for r in rows if r]


def messaging_startup_rows(path=None):
    """Agent start-up against SPADE, and memory per agent as an RSS slope."""
    path = path or messaging_file()
    samples = read_json(path)["samples"]
    rows = []
    agora, spade = samples.get("agora/startup-10k/in-process"), samples.get("spade/startup-100")
    if agora and spade:
        t = [s["startup_s"] for s in agora]
        agents = agora[0]["agents"]
        per_s = [s["agents_per_s"] for s in spade]
        rows.append(Row(
            f"agents set up in one process, in-process broker (Agora {agents:,} agents, SPADE "
            f"{spade[0]['agents']:,}: unequal counts, compared per agent; ratio of agents/s)",
            f"{agents:,} in {secs(median(t))} ({count(agents / median(t))}/s)",
            f"{spade_name()} {median(per_s):.1f} agents/s", ratio(agents / median(t) / median(per_s)),
            f"n {len(t)} / {len(per_s)}; spread {spread(t, secs_n, ' s')} / "
            f"{spread(per_s, lambda x: f'{x:.1f}', '/s')}; load {load_range([s['load1'] for s in agora + spade])}",
            source(path, MESSAGING_CMD)))
    rss = rss_slope_row()
    if rss:
        rows.append(rss)
    return rows


def rss_slope_samples():
    """(path, samples, what, date) of the newest RSS-slope measurement: its
    own file, or the `agora/rss-slope/...` samples of a run.py result."""
    found = []
    for p in MESSAGING.glob("*.json"):
        data = json_or_none(p) or {}
        if isinstance(data.get("samples"), list) and "slope_kib_per_agent" in data["samples"][0]:
            found.append((p, data["samples"], data.get("what", ""), data.get("date")))
        elif isinstance(data.get("samples"), dict) and data["samples"].get("agora/rss-slope/mosquitto"):
            found.append((p, data["samples"]["agora/rss-slope/mosquitto"],
                          f"peak RSS of N echo agents + 1 pinger, a fresh store per N, over {MOSQUITTO}", None))
    if not found:
        return None
    return max(found, key=lambda f: (stamp(f[0])[0], f[0].name))


def rss_slope_row():
    found = rss_slope_samples()
    if not found:
        return None
    path, samples, what, date = found
    slopes = [s["slope_kib_per_agent"] for s in samples]
    sizes = "/".join(f"{n // 1000}k" if n >= 1000 else str(n) for n in samples[0]["sizes"])
    # The RSS-slope file came from run.py's function called on its own.
    command = ("`agora_rss_slope()` of `bench/messaging/run.py`" if "rss-slope" in path.name
               else f"`{MESSAGING_CMD}`")
    return Row(f"memory per agent: slope of peak RSS over {sizes} agents ({what})",
               f"{median(slopes):.2f} KiB", "— (no peer measured)", "—",
               f"n {len(slopes)}; spread {spread(slopes, lambda x: f'{x:.2f}', ' KiB')}; "
               f"load {load_range([s.get('load1') for s in samples])}",
               source(path, command, date, code=False))


def scenario_label(key):
    parts = key.split("/")
    window = parts[-1][1:]
    if parts[0] == "spade":
        return f"SPADE, window {window}"
    name = lambda part: LABELS.get(part, part)
    if parts[0].startswith("raw"):
        extra = ", batched" if "batch" in key else ""
        return f"raw rumqttc{extra}, {name(parts[-2])}, window {window}"
    if parts[1].startswith("batch-"):
        return f"Agora, `batch = true` {name(parts[1][6:])}, {name(parts[2])}, window {window}"
    if parts[1] == "in-process":
        return f"Agora, in-process broker, window {window}"
    # Bold: the rows with a raw pair on the same broker beside them.
    return f"**Agora, {name(parts[1])}, window {window}**"


def rtt(us, window):
    return f"{us:,.0f} µs" if window == 1 else f"{us / 1000:.2f} ms" if us < 1000 else f"{us / 1000:.1f} ms"


def messaging_table(args):
    """Every round-trip scenario of one run.py result, then the ratios."""
    path = messaging_file(args.get("file"))
    samples = read_json(path)["samples"]
    keys = [k for k in samples if re.search(r"/w\d+$", k)]
    loads = [s["load1"] for k in samples for s in samples[k]]
    n = sorted({len(samples[k]) for k in keys})
    out = [f"Run of {stamp(path)[1]} (`{path.relative_to(BENCH / 'messaging').as_posix()}`, `{MESSAGING_CMD}`), "
           f"medians of {'/'.join(map(str, n))}, 1-minute load {load_range(loads)} over the run:", "",
           "| scenario | round trips/s | min–max | RTT p50 | RTT p99 |", "| --- | ---: | ---: | ---: | ---: |"]
    for key in keys:
        window = int(key.rsplit("/w", 1)[1])
        r = rates(samples, key)
        p50 = median([s["p50_us"] for s in samples[key]])
        p99 = median([s["p99_us"] for s in samples[key]])
        label = scenario_label(key)
        bold = label.startswith("**")
        value = f"**{count(median(r))}**" if bold else count(median(r))
        out.append(f"| {label} | {value} | {spread(r, count)} | {rtt(p50, window)} | {rtt(p99, window)} |")
    out += ["", "| ratio of medians | window 1 | window 64 |", "| --- | ---: | ---: |"]

    def ratios(pairs):
        cells = []
        for window in (1, 64):
            values = []
            for a, p in pairs:
                ra, rp = rates(samples, f"{a}/w{window}"), rates(samples, f"{p}/w{window}")
                if ra and rp:
                    values.append(ratio(median(ra) / median(rp)))
            cells.append(", ".join(values) or "—")
        return " | ".join(cells)

    out.append(f"| Agora / raw rumqttc, Mosquitto | {ratios([('agora/mosquitto', 'raw/mosquitto')])} |")
    out.append(f"| Agora / raw rumqttc, embedded | {ratios([('agora/embedded', 'raw/embedded')])} |")
    out.append("| Agora (Mosquitto, embedded, in-process) / SPADE | "
               f"{ratios([(f'agora/{b}', 'spade') for b in ('mosquitto', 'embedded', 'in-process')])} |")
    if any("batch-" in k for k in keys):
        out.append("| Agora `batch = true` (JSON, postcard; Mosquitto) / SPADE, batched on Agora's side only | "
                   f"{ratios([(f'agora/batch-{e}/mosquitto', 'spade') for e in ('json', 'postcard')])} |")
        cells = []
        for window in (1, 64):
            raw_key = raw_batched_key(samples, window)
            agora = rates(samples, f"agora/batch-postcard/mosquitto/w{window}")
            raw_rates = rates(samples, raw_key) if raw_key else []
            cells.append(ratio(median(agora) / median(raw_rates)) if agora and raw_rates else "not measured")
        out.append(f"| Agora `batch = true` (postcard, Mosquitto) / raw rumqttc pair, batched | {' | '.join(cells)} |")
    return out


def messaging_startup_table(args):
    return row_table(messaging_startup_rows())


# ---------------------------------------------------------------- BDI runtime

BDI = BENCH / "bdi" / "results"
BDI_CMD = "python3 bench/bdi/runtime.py"
# runtime.py divides by this count; the raw file does not repeat it.
BDI_PINGPONG_ROUND_TRIPS = 20000


ENGINE_PHASES = {
    "count_goals": "recursive achievement goals (counting to 100,000)",
    "add_beliefs": "belief additions, each triggering a plan (10,000)",
    "remove_beliefs": "belief removals, each triggering a plan (10,000)",
    "queries": "test-goal queries over 1,000 beliefs (10,000)",
}


def bdi_engine_rows():
    """`bench/bdi/run.py`: the engine alone against python-agentspeak, phase by phase."""
    path = newest(BDI.glob("engine-*.json"))
    if not path:
        return []
    data = read_json(path)
    src = source(path, data.get("command", "python3 bench/bdi/run.py"), data.get("date"))
    by = {}
    for sample in data["samples"]:
        by.setdefault((sample["impl"], sample["phase"]), []).append(sample["ops"] / sample["seconds"])
    load = f"{data['load1_before']:.2f} → {data['load1_after']:.2f} (before → after)"
    rows = []
    for phase, what in ENGINE_PHASES.items():
        a, p = by.get(("agora-bdi", phase)), by.get(("python-agentspeak", phase))
        if not a or not p:
            continue
        rows.append(Row(
            f"AgentSpeak engine, the same program on both sides, each in a fresh process: {what}, operations/s",
            count(median(a)), f"python-agentspeak {data.get('python_agentspeak', '')} {count(median(p))}",
            ratio(median(a) / median(p)),
            f"n {len(a)} / {len(p)}; spread {spread(a, count)} / {spread(p, count)}; load {load}", src))
    return rows


def bdi_rows():
    path = newest(BDI.glob("runtime-*.json"))
    if not path:
        return []
    samples = read_json(path)["samples"]
    src = source(path, BDI_CMD)
    peer = spade_bdi_name()
    rows = []

    def loads(*keys):
        return load_range([s["load1"] for k in keys for s in samples.get(k, [])])

    a, p = samples.get("agora/pingpong"), samples.get("spade-bdi/pingpong")
    if a and p:
        ra, rp = [s["round_trips_per_s"] for s in a], [s["round_trips_per_s"] for s in p]
        rows.append(Row(
            f"BDI ping-pong (`.send(.., tell, ..)` and back), round trips/s: Agora's two `bdi` agents in one "
            f"`agora run` over the in-process MQTT broker, {BDI_PINGPONG_ROUND_TRIPS:,} round trips; spade-bdi's in "
            f"two processes over XMPP, {p[0]['count']:,} round trips (each tool's own transport)",
            count(median(ra)), f"{peer} {count(median(rp))}", ratio(median(ra) / median(rp)),
            f"n {len(ra)} / {len(rp)}; spread {spread(ra, count)} / {spread(rp, count)}; "
            f"load {loads('agora/pingpong', 'spade-bdi/pingpong')}", src))
    a, p = samples.get("agora/ask10k"), samples.get("spade-bdi/ask100")
    if a and p:
        agents = a[0]["agents"]
        t = [s["startup_s"] for s in a]
        per_s = [s["agents_per_s"] for s in p]
        load = loads("agora/ask10k", "spade-bdi/ask100")
        rows.append(Row(
            f"BDI agents started per second (Agora {agents:,} in one process, spade-bdi {p[0]['agents']:,}: "
            f"unequal counts, compared per agent)",
            f"{count(agents / median(t))}/s ({agents:,} in {secs(median(t))})",
            f"{peer} {median(per_s):.1f}/s", ratio(agents / median(t) / median(per_s)),
            f"n {len(t)} / {len(per_s)}; spread {spread(t, secs_n, ' s')} / "
            f"{spread(per_s, lambda x: f'{x:.1f}', '/s')}; load {load}", src))
        ma, mp = [s["messages_per_s"] for s in a], [s["messages_per_s"] for s in p]
        rows.append(Row(
            f"asks answered, messages/s: Agora {agents:,} agents answering `askOne`; spade-bdi "
            f"{p[0]['agents']:,} agents with achieve + tell (spade-bdi has no askOne): unequal work",
            count(median(ma)), f"{peer} {count(median(mp))}", ratio(median(ma) / median(mp)),
            f"n {len(ma)} / {len(mp)}; spread {spread(ma, count)} / {spread(mp, count)}; load {load}", src))
        ka, kp = [s["kib_per_agent"] for s in a], [s["rss_kb_per_agent"] for s in p]
        rows.append(Row(
            f"memory per BDI agent (Agora: peak RSS of the {agents:,}-agent run minus a 2-agent run, ÷ 10,000; "
            f"spade-bdi: RSS after starting {p[0]['agents']:,} agents minus before, ÷ {p[0]['agents']:,}; "
            f"ratio Agora ÷ peer, lower is better)",
            f"{median(ka):.1f} KiB", f"{peer} {count(median(kp))} KiB", ratio(median(ka) / median(kp)),
            f"n {len(ka)} / {len(kp)}; spread {spread(ka, lambda x: f'{x:.1f}', ' KiB')} / "
            f"{spread(kp, lambda x: f'{x:,.1f}', ' KiB')}; load {load}", src))
    # spade-bdi measures its idle CPU inside the ask run.
    a, p = samples.get("agora/idle10k"), samples.get("spade-bdi/ask100")
    if a and p:
        ca = [s["cpu_s_per_s_10k_agents"] for s in a]
        cp = [s["idle_cpu_per_s_one_agent"] for s in p]
        rows.append(Row(
            "CPU of idle agents, CPU-s per s (Agora: 10,000 idle `bdi` agents; spade-bdi: one idle agent; "
            "lower is better)",
            f"{median(ca):.4f} for 10,000", f"{peer} {median(cp):.2f} for one", "—",
            f"n {len(ca)} / {len(cp)}; spread {spread(ca, lambda x: f'{x:.4f}')} / "
            f"{spread(cp, lambda x: f'{x:.3f}')}; load {loads('agora/idle10k', 'spade-bdi/ask100')}", src))
    return rows


def bdi_table(args):
    return row_table(bdi_rows() + bdi_engine_rows())


# ---------------------------------------------------------------- envs

ENVS = BENCH / "envs" / "results"
ENVS_CMD = "bench/envs/run.sh"


def impl_count(path):
    # Of two files with the same date, the one with more implementations
    # per cell is the fuller run (the shard columns came later).
    return sum(len(c["median"]) for c in read_json(path)["cells"])


def envs_file():
    return newest((p for p in ENVS.glob("*.json") if "cells" in (json_or_none(p) or {})), impl_count)


def against_strongest(cell):
    """The cell's comparisons against its strongest peers (computed as peers.py does for files
    that predate them)."""
    if "against_strongest" in cell:
        return cell["against_strongest"]
    return imported("envs", "strongest").against_strongest(cell["median"])


def env_peer(key, report):
    v = report.get("versions", {})
    gym, pool = f"Gymnasium {v.get('gymnasium', '?')}", f"EnvPool {v.get('envpool', '?')}"
    names = {
        "gym_single": f"{gym}, one env, `step` loop",
        "gym_sync": f"{gym} `SyncVectorEnv`",
        "gym_numpy": f"{gym} numpy-vectorised CartPole (`vector_entry_point`)",
        "envpool_1t": f"{pool}, `num_threads=1`",
        "envpool_def": f"{pool}, default thread count ({report.get('machine', {}).get('cpus', '?')} cores)",
    }
    return f"{names.get(key, key)} (numpy {v.get('numpy', '?')})"


def shard_keys(cell):
    return sorted((k for k in cell["median"] if k.startswith("agora_actors_")),
                  key=lambda k: int(k.rsplit("_", 1)[1]))


def shards_of(key):
    return int(key.rsplit("_", 1)[1])


def env_cell_rows(cell, report, src, caveat, scaling):
    env, n, med, samples = cell["env"], cell["num_envs"], cell["median"], cell["samples"]
    vs = against_strongest(cell)
    load = load_range(cell.get("load_1min", []))
    head = f"{env} transitions/s, {n:,} env{'s' if n > 1 else ''}"
    rows = []
    one = vs["strongest_one_thread_peer"]
    rows.append(Row(
        f"{head}, `VecEnv` on one thread against the strongest one-thread peer of the same run{caveat}",
        mega(med["agora"]), f"{env_peer(one, report)} {mega(med[one])}",
        ratio(vs["agora/strongest_one_thread_peer"]),
        f"n {len(samples['agora'])} / {len(samples[one])}; spread {spread(samples['agora'], mega_n, ' M')} / "
        f"{spread(samples[one], mega_n, ' M')}; load {load}", src))
    keys = shard_keys(cell)
    if not keys:
        return rows
    best = vs["strongest_peer"]
    ks = ", ".join(str(shards_of(k)) for k in keys)
    # Per shard count, in the order of the Agora cell.
    shard_n = ", ".join(str(len(samples[k])) for k in keys)
    shard_spread = ", ".join(spread(samples[k], mega_n, " M") for k in keys)
    rows.append(Row(
        f"{head}, through the env shard threads (`agora env bench --shards K`, K = {ks}) against the strongest "
        f"peer of any thread count{caveat}",
        ", ".join(f"{mega(med[k])} ({shards_of(k)} shard{'s' if shards_of(k) > 1 else ''})" for k in keys),
        f"{env_peer(best, report)} {mega(med[best])}",
        ", ".join(ratio(vs[f"{k}/strongest_peer"]) for k in keys),
        f"n {shard_n} / {len(samples[best])}; spread {shard_spread} / {spread(samples[best], mega_n, ' M')}; "
        f"load {load}", src))
    if scaling:
        rows.append(Row(
            f"{head}: shard scaling, K shards ÷ one-thread `VecEnv` of the same run (efficiency: ÷ K){caveat}",
            ", ".join(f"{shards_of(k)}: {mega(med[k])}" for k in keys),
            f"Agora `VecEnv`, one thread, {mega(med['agora'])}",
            ", ".join(f"{ratio(vs[f'{k}/agora'])} (efficiency {vs[f'{k}_efficiency']:.2f})" for k in keys),
            f"n {shard_n} / {len(samples['agora'])}; spread {shard_spread} / "
            f"{spread(samples['agora'], mega_n, ' M')}; load {load}", src))
    return rows


def envs_rows(sizes=(64, 256, 4096)):
    """One-thread and shard rows per (env, n) in `sizes`; the scaling row
    at each env's largest size."""
    path = envs_file()
    if not path:
        return []
    report = read_json(path)
    caveat = ("" if stamp(path)[0][:8] >= PCG64_SINCE else
              f" (measured before Agora's envs drew from numpy's PCG64 on {PCG64_SINCE[:4]}-{PCG64_SINCE[4:6]}-"
              f"{PCG64_SINCE[6:]}: to be re-measured)")
    src = source(path, f"{ENVS_CMD} > {path.name}")
    cells = [c for c in report["cells"] if sizes is None or c["num_envs"] in sizes]
    largest = {}
    for c in cells:
        largest[c["env"]] = max(largest.get(c["env"], 0), c["num_envs"])
    rows = []
    for c in cells:
        rows += env_cell_rows(c, report, src, caveat, scaling=c["num_envs"] == largest[c["env"]])
    return rows


def envs_table(args):
    return row_table(envs_rows(sizes=None))


# ---------------------------------------------------------------- RL (bench/rl)

RL = BENCH / "rl" / "results"
# run.sh's groups, by the (algo, label) pairs of the lines they write.
RL_GROUPS = {("dqn", "cleanrl"): "dqn", ("ppo", "cleanrl"): "ppo", ("ppo", "fast"): "fast", ("ppo", "zoo"): "fast",
             ("dqn", "zoo"): "zoo-dqn", ("q_learning", "default"): "q"}
AGORA_RL = "`agents/examples/train.rs`, an example binary, not `agora run`"


def rl_runs(fast):
    """Grouped lines of the newest main run (`*-raw.jsonl`) or of the newest
    fast-PPO rerun (`*-fast-raw.jsonl`), with its source cell."""
    files = [p for p in RL.glob("*-raw.jsonl") if ("-fast-" in p.name) == fast and "-fast-ppo-" not in p.name]
    path = newest(files)
    if not path:
        return {}, ""
    lines = read_jsonl(path)
    groups = {}
    for line in lines:
        groups.setdefault((line["impl"], line["algo"], line["label"]), []).append(line)
    seeds = sorted({line["seed"] for line in lines})
    used = sorted({RL_GROUPS[(a, l)] for _, a, l in groups if (a, l) in RL_GROUPS})
    command = "bench/rl/run.sh " + " ".join(map(str, seeds))
    if set(used) != set(RL_GROUPS.values()):
        command = f'RL_GROUPS="{" ".join(used)}" ' + command
    return groups, source(path, command)


def rl_loads(*groups):
    return load_range([r["load1"] for g in groups for r in g])


def rl_q_rows():
    groups, src = rl_runs(fast=False)
    a, p = groups.get(("agora", "q_learning", "default")), groups.get(("python", "q_learning", "default"))
    if not a or not p:
        return []
    ea, ep = [r["episodes_per_sec"] for r in a], [r["episodes_per_sec"] for r in p]
    sa, sp = [r["greedy_success"] for r in a], [r["greedy_success"] for r in p]
    what = (f"FrozenLake-v1 4x4 slippery tabular Q-learning, 10,000 training episodes/s ({AGORA_RL}; Agora's "
            f"FrozenLake against Gymnasium's: the same loop, each side's env)")
    return [
        Row(what, kilo(median(ea)), f"{PY_Q} {kilo(median(ep))}",
            ratio(median(ea) / median(ep)),
            f"n {len(ea)} / {len(ep)} seeds; spread {spread(ea, kilo)} / {spread(ep, kilo)}; load {rl_loads(a, p)}",
            src),
        Row("FrozenLake Q-learning: greedy success over 1,000 evaluation episodes after training (higher is better)",
            f"{median(sa):.3f}", f"{PY_Q} {median(sp):.3f}", ratio(median(sa) / median(sp)),
            f"n {len(sa)} / {len(sp)} seeds; spread {spread(sa, lambda x: f'{x:.3f}')} / "
            f"{spread(sp, lambda x: f'{x:.3f}')}; load {rl_loads(a, p)}", src),
    ]


def solved(runs):
    return [r for r in runs if r.get("solved")]


def rl_sb3_rows():
    """SB3 at CleanRL's settings through the example binary; the tuned PPO's rows (the example
    binary against the zoo's, different hyperparameters) gave way to `fast_ppo_rows`."""
    rows = []
    groups, src = rl_runs(False)
    pairs = [("dqn", "cleanrl", "cleanrl", "DQN, CleanRL `dqn.py` settings on both sides (SB3 minimises the Huber "
              "loss, CleanRL and Agora the squared error)"),
             ("ppo", "cleanrl", "cleanrl", "PPO, CleanRL `ppo.py` settings on both sides (SB3 clips the value "
              "prediction, CleanRL and Agora the value loss)")]
    for algo, label, peer_label, what in pairs:
        a, p = groups.get(("agora", algo, label)), groups.get(("sb3", algo, peer_label))
        if not a or not p:
            continue
        rows += sb3_pair_rows(f"CartPole {what}; Agora through {AGORA_RL}", a, p, src)
    return rows


def sb3_pair_rows(what, a, p, src):
    load = rl_loads(a, p)
    n = f"n {len(a)} / {len(p)} seeds"
    wa, wp = [r["wall_to_475"] for r in solved(a)], [r["wall_to_475"] for r in solved(p)]
    if wa and wp:
        wall_ratio = ratio(median(wp) / median(wa))
        peer_wall = f"{secs(median(wp))}, {len(wp)}/{len(p)} solved"
    elif wa:
        # SB3 never solved: its whole run is a lower bound on its time to 475.
        total = median([r["startup_secs"] + r["train_secs"] for r in p])
        wall_ratio = f"≥ {ratio(total / median(wa))}"
        peer_wall = f"never (0/{len(p)} within {max(r['env_steps'] for r in p):,} steps, {secs(total)} per run)"
    else:
        wall_ratio, peer_wall = "—", "—"
    rows = [Row(f"{what}: wall time from process start to a mean return of 475 over the last 20 training episodes "
                f"(time: ratio SB3 ÷ Agora)",
                f"{secs(median(wa))}, {len(wa)}/{len(a)} solved" if wa else "never",
                f"{SB3} {peer_wall}", wall_ratio,
                f"{n}; solved runs {spread(wa, secs_n, ' s')} / {spread(wp, secs_n, ' s')}; load {load}", src)]
    sa, sp = [r["steps_to_475"] for r in solved(a)], [r["steps_to_475"] for r in solved(p)]
    if sa and sp:
        rows.append(Row(f"{what}: env steps to that mean return (fewer is better; ratio Agora ÷ SB3)",
                        ksteps(median(sa)), f"{SB3} {ksteps(median(sp))}", ratio(median(sa) / median(sp)),
                        f"{n}; solved runs {spread(sa, ksteps)} / {spread(sp, ksteps)}; load {load}", src))
    va, vp = [r["sps"] for r in a], [r["sps"] for r in p]
    rows.append(Row(f"{what}: env steps/s over the steps run", kilo(median(va)), f"{SB3} {kilo(median(vp))}",
                    ratio(median(va) / median(vp)),
                    f"{n}; spread {spread(va, kilo)} / {spread(vp, kilo)}; load {load}", src))
    return rows


def fast_ppo_rows():
    """`bench/rl/fast_ppo.py bench`: the tuned PPO through `agora run` against SB3 with the same
    hyperparameters and against SB3 with rl-baselines3-zoo's."""
    path = newest(RL.glob("*-fast-ppo-raw.jsonl"))
    if not path:
        return []
    runs = read_jsonl(path)
    side = lambda impl, label: [r for r in runs if r["impl"] == impl and r["label"] == label]
    agora = side("agora", "fast")
    src = source(path, "python3 bench/rl/fast_ppo.py bench")
    versions = next((r["versions"] for r in runs if r.get("versions")), None)
    peer_name = (f"Stable-Baselines3 {versions['stable_baselines3']} (torch {versions['torch']} CPU, 1 thread; "
                 f"Gymnasium {versions['gymnasium']})" if versions else SB3)
    rows = []
    for label, what in (("fast", "SB3 PPO with the same hyperparameters (read from the same file; equal work)"),
                        ("zoo", "SB3 PPO with rl-baselines3-zoo's CartPole-v1 settings (different hyperparameters)")):
        peer = side("sb3", label)
        if not agora or not peer:
            continue
        load = load_range([r["load1"] for r in agora + peer])
        n = f"n {len(agora)} / {len(peer)} seeds (1–10; tuned on seeds ≥ 100)"
        for key, text in (("wall_to_475", "wall time from process start"),
                          ("training_to_475", "training time (Agora from `run_started`, SB3 from `model.learn`)")):
            wa, wp = [r[key] for r in solved(agora)], [r[key] for r in solved(peer)]
            if not wa or not wp:
                continue
            rows.append(Row(
                f"tuned PPO (`configs/cartpole-ppo-fast.toml`, `agora run`) against {what}: {text} to a mean "
                f"return of 475 over the last 20 training episodes (ratio SB3 ÷ Agora)",
                f"{secs(median(wa))}, {len(wa)}/{len(agora)} solved", f"{peer_name} {secs(median(wp))}, "
                f"{len(wp)}/{len(peer)} solved", ratio(median(wp) / median(wa)),
                f"{n}; solved runs {spread(wa, secs_n, ' s')} / {spread(wp, secs_n, ' s')}; load {load}", src))
        sa, sp = [r["steps_to_475"] for r in solved(agora)], [r["steps_to_475"] for r in solved(peer)]
        if sa and sp:
            rows.append(Row(
                f"tuned PPO against {what}: env steps to that mean return (fewer is better; ratio Agora ÷ SB3)",
                ksteps(median(sa)), f"{peer_name} {ksteps(median(sp))}", ratio(median(sa) / median(sp)),
                f"{n}; solved runs {spread(sa, ksteps)} / {spread(sp, ksteps)}; load {load}", src))
    return rows


def rl_table(args):
    return row_table(fast_ppo_rows() + rl_sb3_rows() + rl_q_rows())


# ---------------------------------------------------------------- rl_cleanrl

RL_CLEANRL = BENCH / "rl_cleanrl" / "results"


def imported(folder, module):
    """A sibling bench script as a module (it imports its own neighbours)."""
    path = str(BENCH / folder)
    if path not in sys.path:
        sys.path.insert(0, path)
    return importlib.import_module(module)


def rl_cleanrl_rows():
    path = newest(RL_CLEANRL.glob("*-raw.jsonl"))
    if not path:
        return []
    return [Row(**r) for r in imported("rl_cleanrl", "readme_rows").rows([str(path)])]


# ---------------------------------------------------------------- control

CONTROL = BENCH / "control" / "results"


def control_rows():
    rows = []
    path = newest(p for p in CONTROL.glob("*.json")
                  if "steps_per_s_median" in (json_or_none(p) or {}).get("summary", {}))
    if path:
        data = read_json(path)
        samples, load = data["samples"], data["summary"].get("load1")
        load_text = f"load {load:.2f} (one reading)" if load is not None else "load not recorded"
        for algo, steps in (("dqn", "100k"), ("ppo", "200k")):
            on, off = samples.get(f"{algo}/telemetry"), samples.get(f"{algo}/fast")
            if not on or not off:
                continue
            cost = 1 - median(on) / median(off)
            rows.append(Row(
                f"telemetry cost: {algo.upper()} CartPole ({steps} steps) env steps/s with full telemetry (MQTT, "
                f"JSONL, TensorBoard, episode streaming) against the same run with `--no-telemetry`",
                count(median(on)), f"Agora `--no-telemetry`, same config and build, {count(median(off))}",
                f"{ratio(median(on) / median(off))} ({cost:.1%} cost)",
                f"n {len(on)} / {len(off)}; spread {spread(on, count)} / {spread(off, count)}; {load_text}",
                source(path, "python3 bench/control/run.py")))
    rows += latency_rows(path)
    return rows


def latency_rows(control_path):
    """Episode and pause/resume latency: the newest latency.py result, else
    the single-run episode latency file and run.py's pause/resume summary."""
    path = newest(CONTROL.glob("latency-*.json"))
    if path:
        data = read_json(path)
        src = source(path, "python3 bench/control/latency.py", data.get("date"))
        load = f"{data.get('load1_before', 0):.2f} → {data.get('load1_after', 0):.2f} (before → after)"
        stream = data.get("stream_dropped")
        if isinstance(stream, list):
            stream = ", ".join(str(x) for x in stream) + " (per run)"
        drops = f"telemetry dropped {data.get('telemetry_dropped')}, live stream dropped {stream}"

        def pct(part):
            s = data[part]
            return f"p50 {ms(s['p50'])}, p99 {ms(s['p99'])}, max {ms(s['max'])}", s["n"]

        ep, n_ep = pct("episode_ms")
        pause, n_pause = pct("pause_ms")
        resume, n_resume = pct("resume_ms")
        return [
            Row(f"episode end → a paho-mqtt 2.1 subscriber receives it ({data.get('what', '')})", ep,
                "— (no peer measured)", "—", f"n {n_ep:,} episodes; {drops}; load {load}", src),
            Row("`pause` → `paused` / `resume` → `running`, as a client sees them (same runs)",
                f"{pause} / {resume}", "— (no peer measured)", "—",
                f"n {n_pause:,} / {n_resume:,}; load {load}", src),
        ]
    rows = []
    single = CONTROL / "20261202-episode-latency.json"
    if single.exists():
        data = read_json(single)
        r = data["result"]
        rows.append(Row(
            f"episode end → a subscriber receives it ({data['what']})",
            f"p50 {ms(r['p50_ms'])}, p99 {ms(r['p99_ms'])}, max {ms(r['max_ms'])}", "— (no peer measured)", "—",
            f"n {r['episodes']:,} episodes, one run; telemetry dropped {data.get('telemetry_dropped')}; "
            f"load {data['load1_before']:.2f} before",
            source(single, "`python3 bench/control/episode_latency.py PORT` beside `agora --broker embedded:PORT "
                           "run configs/cartpole-dqn.toml`", data.get("date"), code=False)))
    if control_path:
        summary = read_json(control_path)["summary"]
        lat = summary.get("latency", {})
        if "pause_ms_p50" in lat:
            rows.append(Row(
                "`pause` → `paused` / `resume` → `running` as a paho-mqtt client sees them (DQN CartPole)",
                f"p50 {ms(lat['pause_ms_p50'])} / p50 {ms(lat['resume_ms_p50'])}, max of both "
                f"{ms(lat['control_ms_max'])}", "— (no peer measured)", "—",
                f"n not recorded; load {summary.get('load1', 0):.2f} (one reading)",
                source(control_path, "python3 bench/control/run.py")))
    return rows


def control_table(args):
    return row_table(control_rows())


# ---------------------------------------------------------------- tables

def perf_table(args):
    return row_table(messaging_rows() + bdi_rows() + bdi_engine_rows() + envs_rows() + rl_cleanrl_rows() + fast_ppo_rows()
                     + rl_q_rows() + control_rows())


def dashboard_table(args):
    return imported("dashboard", "table").rows()


GENERATORS = {
    "perf-table": perf_table,
    "dashboard-table": dashboard_table,
    "messaging-table": messaging_table,
    "messaging-startup-table": messaging_startup_table,
    "bdi-table": bdi_table,
    "envs-table": envs_table,
    "rl-table": rl_table,
    "control-table": control_table,
}

# Tables a document must keep: --check fails if their markers went missing.
REQUIRED = {"README.md": ("perf-table", "dashboard-table"),
            "bench/README.md": ("messaging-table", "bdi-table", "envs-table", "rl-table", "control-table")}

MARKER = re.compile(r"(<!-- ([a-z-]+):begin([^>]*?)-->\n)(.*?)(<!-- \2:end -->)", re.S)


def regenerate(text, doc):
    def replace(m):
        name, args = m.group(2), dict(a.split("=", 1) for a in m.group(3).split())
        if name not in GENERATORS:
            raise SystemExit(f"{doc}: unknown table marker {name!r} (known: {', '.join(GENERATORS)})")
        return m.group(1) + "\n".join(GENERATORS[name](args)) + "\n" + m.group(5)

    return MARKER.sub(replace, text)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if a document differs from its results")
    parser.add_argument("--print", metavar="TABLE", choices=sorted(GENERATORS), help="print one table")
    args = parser.parse_args()
    if args.print:
        print("\n".join(GENERATORS[args.print]({})))
        return
    stale = []
    for doc in DOCS:
        text = doc.read_text()
        name = doc.relative_to(ROOT).as_posix()
        found = {m.group(2) for m in MARKER.finditer(text)}
        missing = [t for t in REQUIRED.get(name, ()) if t not in found]
        if missing:
            raise SystemExit(f"{name}: no <!-- NAME:begin --> ... <!-- NAME:end --> markers for {', '.join(missing)}")
        new = regenerate(text, doc)
        if new == text:
            continue
        if args.check:
            stale.append(name)
        else:
            doc.write_text(new)
            print(f"rewrote {name}")
    if stale:
        print(f"out of date with bench/*/results: {', '.join(stale)} (run python3 bench/tables.py)", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
