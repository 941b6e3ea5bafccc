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
# (bench/messaging/spade/server.py) on a free 127.0.0.1 port.
# Exit status: 0 if every scenario succeeded, 1 otherwise.
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SPADE_DIR="$(cd "$HERE/../../messaging/spade" && pwd)"
export SPADE_VENV="${SPADE_VENV:-/work/venvs/spade}"
COUNT="${COUNT:-2000}"
WARMUP="${WARMUP:-200}"
AGENTS="${AGENTS:-100}"
BATCH="${BATCH:-25}"
ROUNDS="${ROUNDS:-10}"
REPEATS="${REPEATS:-1}"
TIMEOUT="${TIMEOUT:-300}"

exec </dev/null

CHILD=""
TMPOUT="$(mktemp)"
cleanup() {
  local rc=$?
  rm -f "$TMPOUT"
  if [[ -n "$CHILD" ]] && kill -0 "$CHILD" 2>/dev/null; then
    # The child is a session leader (setsid): signal its whole group; the
    # python drivers then stop the server / ping / pong groups they started.
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

# 1. venv (outside the repo), created if missing or broken: reuse the
#    messaging benchmark's helper and pins.
python3 "$SPADE_DIR/_venv.py" >/dev/null || { echo "venv setup failed" >&2; exit 1; }
PY="$SPADE_VENV/bin/python"
echo "[run.sh] $("$PY" -c 'import importlib.metadata as m; print(" ".join(f"{p} {m.version(p)}" for p in ("spade", "spade_bdi", "agentspeak", "pyjabber", "slixmpp_multiplatform")))') python $("$PY" -c 'import platform; print(platform.python_version())')" >&2

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
  run "$HERE/pingpong.py" --count "$COUNT" --warmup "$WARMUP" --timeout "$TIMEOUT"
  run "$HERE/ask_many.py" --agents "$AGENTS" --batch "$BATCH" --rounds "$ROUNDS" --timeout "$TIMEOUT"
done
echo "[run.sh] loadavg after: $(cat /proc/loadavg)" >&2
exit "$FAILED"
