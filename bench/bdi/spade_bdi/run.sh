#!/usr/bin/env bash
# spade-bdi side of the BDI benchmarks. Non-interactive; prints one JSON line
# per scenario on stdout (versions, load averages and progress go to stderr).
#
#   bash bench/bdi/spade_bdi/run.sh
#
# Knobs (environment): SPADE_VENV (default /work/venvs/spade), COUNT (ping-pong
# round trips, 2000), WARMUP (200), AGENTS (100), BATCH (25), ROUNDS (10),
# REPEATS (1), TIMEOUT (seconds per scenario, 300).
# Each scenario starts its own fresh SPADE XMPP server
# (bench/spade_common/server.py) on a free 127.0.0.1 port.
# Exit status: 0 if every scenario succeeded, 1 otherwise.
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# venv, PY, run, knobs, loadavg, cleanup on exit.
source "$HERE/../../spade_common/launch.sh"
knobs COUNT=2000 WARMUP=200 AGENTS=100 BATCH=25 ROUNDS=10 REPEATS=1 TIMEOUT=300
echo "[run.sh] $("$PY" -c 'import importlib.metadata as m; print(" ".join(f"{p} {m.version(p)}" for p in ("spade", "spade_bdi", "agentspeak", "pyjabber", "slixmpp_multiplatform")))') python $("$PY" -c 'import platform; print(platform.python_version())')" >&2

loadavg before
for ((r = 1; r <= REPEATS; r++)); do
  run "$HERE/pingpong.py" --count "$COUNT" --warmup "$WARMUP" --timeout "$TIMEOUT"
  run "$HERE/ask_many.py" --agents "$AGENTS" --batch "$BATCH" --rounds "$ROUNDS" --timeout "$TIMEOUT"
done
loadavg after
exit "$FAILED"
