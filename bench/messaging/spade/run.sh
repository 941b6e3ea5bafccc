#!/usr/bin/env bash
# SPADE side of the messaging benchmark. Non-interactive; prints one JSON line
# per scenario on stdout (progress and load averages go to stderr).
#
#   bash bench/messaging/spade/run.sh
#
# Knobs (environment): SPADE_VENV (default /work/venvs/spade), COUNT_W1 (4000),
# COUNT_W64 (15000), AGENTS (100), BATCH (0 = all at once), REPEATS (1),
# TIMEOUT (seconds per scenario, 180).
# Each scenario starts its own fresh server.py on a free 127.0.0.1 port.
# Exit status: 0 if every scenario succeeded, 1 otherwise.
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export SPADE_VENV="${SPADE_VENV:-/work/venvs/spade}"
COUNT_W1="${COUNT_W1:-4000}"
COUNT_W64="${COUNT_W64:-15000}"
AGENTS="${AGENTS:-100}"
BATCH="${BATCH:-0}"
REPEATS="${REPEATS:-1}"
TIMEOUT="${TIMEOUT:-180}"

exec </dev/null

CHILD=""
TMPOUT="$(mktemp)"
cleanup() {
  local rc=$?
  rm -f "$TMPOUT"
  if [[ -n "$CHILD" ]] && kill -0 "$CHILD" 2>/dev/null; then
    # the child is a session leader (setsid): signal its whole group; the
    # python drivers then stop the server/ping/pong groups they started.
    kill -TERM -- "-$CHILD" 2>/dev/null || kill -TERM "$CHILD" 2>/dev/null
    for _ in 1 2 3 4 5 6 7 8 9 10; do
      kill -0 "$CHILD" 2>/dev/null || break
      sleep 0.5
    done
    kill -KILL -- "-$CHILD" 2>/dev/null || true
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# 1. venv (outside the repo), created if missing or broken.
python3 "$HERE/_venv.py" >/dev/null || { echo "venv setup failed" >&2; exit 1; }
PY="$SPADE_VENV/bin/python"
echo "[run.sh] $("$PY" -c 'import spade, importlib.metadata as m; print("spade", spade.__version__, "spade-bdi", m.version("spade-bdi"), "pyjabber", m.version("pyjabber"), "slixmpp", m.version("slixmpp_multiplatform"))')" >&2

run() {  # run a scenario in its own session, pass its JSON line through
  local out
  setsid "$PY" "$@" >"$TMPOUT" &
  CHILD=$!
  wait "$CHILD"
  local rc=$?
  CHILD=""
  out="$(grep '^{' "$TMPOUT" | tail -n 1)"
  if [[ -n "$out" ]]; then echo "$out"; fi
  if [[ $rc -ne 0 || -z "$out" ]]; then
    echo "[run.sh] FAILED (rc=$rc): $*" >&2
    FAILED=1
  fi
}

FAILED=0
echo "[run.sh] loadavg before: $(cat /proc/loadavg)" >&2
for ((r = 1; r <= REPEATS; r++)); do
  run "$HERE/pingpong.py" --window 1 --count "$COUNT_W1" --timeout "$TIMEOUT"
  run "$HERE/pingpong.py" --window 64 --count "$COUNT_W64" --timeout "$TIMEOUT"
  run "$HERE/startup.py" --agents "$AGENTS" --batch "$BATCH" --timeout "$TIMEOUT"
done
echo "[run.sh] loadavg after: $(cat /proc/loadavg)" >&2
exit "$FAILED"
