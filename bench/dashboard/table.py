"""The dashboard rows of the README's performance table, from the newest
committed result of bench/dashboard/bench.mjs that has each part.

    python3 bench/dashboard/table.py            # prints the Markdown rows
"""

import json
import statistics
import pathlib

RESULTS = pathlib.Path(__file__).parent / "results"


def newest_with(part):
    files = sorted(RESULTS.glob("*.json"), reverse=True)
    for path in files:
        data = json.loads(path.read_text())
        if part in data:
            return path, data
    return None, None


def spread(xs):
    return f"{min(xs):.2f}–{max(xs):.2f}"


def first_curve_row(big, path, with_peer):
    """Time to the first curve: from opening the run view (the target) and from process start."""
    nav = [t["from_navigation_s"] for t in big["agora"]]
    start = [t["from_process_start_s"] for t in big["agora"]]
    agora = f"{statistics.median(nav):.2f} s / {statistics.median(start):.2f} s"
    what = (
        f"| first return curve of a {big['episode_events']:,}-episode run: from opening the run view / from "
        f"`agora dashboard` process start (median of {len(nav)}, spreads {spread(nav)} / {spread(start)} s)"
    )
    if not with_peer:
        return f"{what}, rerun on the same data dir with the current build, no TensorBoard in this run | {agora} | ≤ 1 s | `{path.name}` |"
    tb = big["tensorboard"]
    answered = [t["from_process_start_s"] for t in tb if t["from_process_start_s"] is not None]
    partial = min(t.get("first_partial_answer_s") or 0 for t in tb)
    if len(answered) == len(tb):
        peer = (
            f"TensorBoard 2.18 {statistics.median(answered):.2f} s (spread {spread(answered)}); "
            f"{statistics.median(answered) / statistics.median(start):.0f}× from process start"
        )
    else:
        limit = max(t.get("timed_out_after_s") or 0 for t in tb)
        peer = (
            f"TensorBoard 2.18: {len(tb) - len(answered)} of {len(tb)} tries had not served the run's last step "
            f"within {limit:g} s (≥ {limit / statistics.median(start):.0f}× from process start)"
        )
    return (
        f"{what}; TensorBoard: its scalars endpoint answering up to the run's last step, before its page draws; "
        f"its first, partial answer came after {partial:.2f} s or more | {agora} | {peer} | `{path.name}` |"
    )


def rows():
    out = ["| dashboard measure | Agora | peer / target | result file |", "| --- | ---: | ---: | --- |"]
    path, data = newest_with("big")
    if data:
        big = data["big"]
        out.append(first_curve_row(big, path, with_peer=True))
        rerun_path, rerun = newest_with("big_rerun")
        if rerun and rerun_path.name > path.name:
            path, big = rerun_path, rerun["big_rerun"]
            out.append(first_curve_row(big, path, with_peer=False))
        overlay = big.get("overlay", {})
        if "redraw_ms_p50" in overlay:
            out.append(
                f"| redraw with 10 runs of 1.2M episodes overlaid, headless Chromium without a GPU ({overlay['samples']} redraws): "
                f"return chart / every chart | p50 {overlay.get('return_chart_ms_p50', float('nan')):.1f} ms / "
                f"{overlay['redraw_ms_p50']:.1f} ms | ≤ 16 ms | `{path.name}` |"
            )
    path, data = newest_with("live")
    if data:
        live = data["live"]
        lat = live["end_to_drawn_ms"]
        skipped = live.get("skipped_by_server")
        sent = (
            f"; {skipped:,} more not sent to the tab (at most 25 a second)" if skipped is not None else ""
        )
        out.append(
            f"| episode end → its last frame painted in headless Chromium ({live['episodes']:,} of "
            f"{live.get('arrived', live['episodes']):,} arrived episodes painted (at most 10 a second), the rest replaced by a newer one{sent}; DQN CartPole) "
            f"| p50 {lat['p50']:.1f} ms, p99 {lat['p99']:.1f} ms, max {lat['max']:.1f} ms | p50 ≤ 30, p99 ≤ 100 ms | `{path.name}` |"
        )
    path, data = newest_with("sps")
    if data:
        sps = data["sps"]
        med = sps["median"]
        n = len([r for r in sps["rounds"] if r["mode"] == "plain"])
        got_all = all(
            t.get("first") is not None and t["episode_summary"] == t["last"] - t["first"] + 1
            for r in sps["rounds"]
            for t in r["tabs"]
        )
        out.append(
            f"| DQN steps/s, {sps['steps']:,} steps"
            + (f" (after the first {sps['settle_s']:g} s)" if "settle_s" in sps else " (whole run, browser start included)")
            + f", median of {n} alternating: no dashboard / one tab, visual on / 20 tabs"
            + (
                " (spreads " + " / ".join(f"{lo:,.0f}–{hi:,.0f}" for lo, hi in (sps["spread"][m] for m in ("plain", "tab", "tabs20"))) + ")"
                if "spread" in sps
                else ""
            )
            + f" | {med['plain']:,.0f} / {med['tab']:,.0f} / {med['tabs20']:,.0f} "
            f"({med['tab'] / med['plain'] - 1:+.1%}, {med['tabs20'] / med['plain'] - 1:+.1%}) | within 3% | `{path.name}` |"
        )
        out.append(
            f"| 20 tabs on one run: every tab got every episode | {'yes' if got_all else 'no'} | all | `{path.name}` |"
        )
    path, data = newest_with("tabs")
    if data:
        out.append(
            f"| server memory per open tab (RSS slope, 0→20 tabs) | {data['tabs']['kib_per_tab']:.0f} KiB | ≤ 5 MB | `{path.name}` |"
        )
    loads = []
    for path in sorted(RESULTS.glob("*.json")):
        data = json.loads(path.read_text())
        before, after = data.get("load_before", [None])[0], data.get("load_after", [None])[0]
        if before is not None:
            loads.append(f"`{path.name}` {before:.2f}→{after:.2f}")
    out.append("")
    out.append("1-minute load before → after each result file: " + ", ".join(loads) + ".")
    return out


if __name__ == "__main__":
    print("\n".join(rows()))
