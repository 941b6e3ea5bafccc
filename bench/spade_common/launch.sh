# Launcher shared by the SPADE benches' run.sh (bench/messaging/spade,
# bench/bdi/spade_bdi); source it, do not run it.
#
# It detaches stdin, creates the venv (outside the repo, $SPADE_VENV, default
# /work/venvs/spade) when missing or broken and sets PY to its python, and
# defines `run SCRIPT ARGS...`: one scenario in its own session, its last JSON
# line passed through to stdout, FAILED=1 when it fails or prints none. On
# exit, INT or TERM the scenario still running is stopped with its whole
# process group. `knobs NAME=DEFAULT...` gives each knob its value from the
# environment, or DEFAULT. `loadavg WHEN` logs the load averages to stderr.

SPADE_COMMON="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export SPADE_VENV="${SPADE_VENV:-/work/venvs/spade}"

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

python3 "$SPADE_COMMON/_venv.py" >/dev/null || { echo "venv setup failed" >&2; exit 1; }
PY="$SPADE_VENV/bin/python"

FAILED=0
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

knobs() {  # knobs NAME=DEFAULT...
  local kv name
  for kv in "$@"; do
    name="${kv%%=*}"
    if [[ -z "${!name:-}" ]]; then printf -v "$name" '%s' "${kv#*=}"; fi
  done
}

loadavg() {  # loadavg before|after
  echo "[run.sh] loadavg $1: $(cat /proc/loadavg)" >&2
}
