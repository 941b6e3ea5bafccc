#!/usr/bin/env bash
# SPADE side of the messaging benchmark. Non-interactive; prints one JSON line
# per scenario on stdout (progress and load averages go to stderr).
#
#   bash bench/messaging/spade/run.sh
#
# Knobs (environment): SPADE_VENV (default /work/venvs/spade), COUNT_W1 (4000),
# COUNT_W64 (15000), AGENTS (100), BATCH (0 = all at once), REPEATS (1),
# TIMEOUT (seconds per scenario, 180).
# Each scenario starts its own fresh server (bench/spade_common/server.py) on a
# free 127.0.0.1 port.
# Exit status: 0 if every scenario succeeded, 1 otherwise.
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# venv, PY, run, knobs, loadavg, cleanup on exit.
source "$HERE/../../spade_common/launch.sh"
knobs COUNT_W1=4000 COUNT_W64=15000 AGENTS=100 BATCH=0 REPEATS=1 TIMEOUT=180
echo "[run.sh] $("$PY" -c 'import spade, importlib.metadata as m; print("spade", spade.__version__, "spade-bdi", m.version("spade-bdi"), "pyjabber", m.version("pyjabber"), "slixmpp", m.version("slixmpp_multiplatform"))')" >&2

loadavg before
for ((r = 1; r <= REPEATS; r++)); do
  run "$HERE/pingpong.py" --window 1 --count "$COUNT_W1" --timeout "$TIMEOUT"
  run "$HERE/pingpong.py" --window 64 --count "$COUNT_W64" --timeout "$TIMEOUT"
  run "$HERE/startup.py" --agents "$AGENTS" --batch "$BATCH" --timeout "$TIMEOUT"
done
loadavg after
exit "$FAILED"
