#!/usr/bin/env bash
# Side-by-side RL benchmark: Agora's DQN and PPO against CleanRL's own
# cleanrl/dqn.py and cleanrl/ppo.py on CartPole-v1, seed by seed,
# alternating sides (agora-dqn, cleanrl-dqn, agora-ppo, cleanrl-ppo,
# agora-ppo-bootstrap, ...). Metric: wall seconds and env steps until the
# mean of the last 20 training-episode returns first reaches 475.
#
#   bench/rl_cleanrl/run.sh [SEED...]                  (default seeds 1..10)
#   CLEANRL_GROUPS="dqn ppo" bench/rl_cleanrl/run.sh 1 2 3
#   AGORA_NO_TELEMETRY=1 bench/rl_cleanrl/run.sh       (adds the --no-telemetry variants)
#   TOTAL_TIMESTEPS=20000 bench/rl_cleanrl/run.sh 1    (smoke test: short runs, both sides)
#
# Groups (CLEANRL_GROUPS; not GROUPS, which bash owns): dqn ppo ppo-bootstrap
# dqn-notel ppo-notel ppo-bootstrap-notel, or single variants such as
# cleanrl-ppo. Default "dqn ppo ppo-bootstrap".
#
# Environment: CLEANRL_DIR (default /work/peers/cleanrl), CLEANRL_VENV
# (default /work/venvs/cleanrl, created if missing; never inside the repo),
# AGORA (default target/release/agora; this script does not build it),
# OUT (default results/<UTC stamp>-raw.jsonl), RUN_TIMEOUT (s, default 1800).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
CLEANRL_DIR=${CLEANRL_DIR:-/work/peers/cleanrl}
VENV=${CLEANRL_VENV:-/work/venvs/cleanrl}
AGORA=${AGORA:-$ROOT/target/release/agora}
SEEDS=("$@")
[ ${#SEEDS[@]} -eq 0 ] && SEEDS=(1 2 3 4 5 6 7 8 9 10)

groups=${CLEANRL_GROUPS:-dqn ppo ppo-bootstrap}
# AGORA_NO_TELEMETRY is also read by agora itself (it would silently turn
# off the episode lines the solve rule needs): here it only adds the
# -notel variant of each selected Agora group, and solve.py keeps every
# AGORA_* variable out of the benchmarked processes' environment.
case "${AGORA_NO_TELEMETRY:-}" in
    1|true|yes|on)
        for g in $groups; do
            case $g in dqn|ppo|ppo-bootstrap) groups="$groups $g-notel" ;; esac
        done ;;
esac
unset AGORA_NO_TELEMETRY

need_cleanrl=0; need_agora=0
for g in $groups; do
    case $g in
        dqn|ppo|cleanrl-*) need_cleanrl=1 ;;
    esac
    case $g in
        dqn|ppo|ppo-bootstrap|*-notel|agora-*) need_agora=1 ;;
    esac
done

if [ $need_cleanrl = 1 ]; then
    if [ ! -f "$CLEANRL_DIR/cleanrl/dqn.py" ] || [ ! -f "$CLEANRL_DIR/cleanrl/ppo.py" ]; then
        cat >&2 <<EOF
No CleanRL checkout at $CLEANRL_DIR (set CLEANRL_DIR, or make one):
    git clone https://github.com/vwxyzjn/cleanrl "$CLEANRL_DIR"
    git -C "$CLEANRL_DIR" rev-parse HEAD > "$CLEANRL_DIR/.cleanrl-commit"
or, from a bare mirror DIR (e.g. the fetch tool's github:vwxyzjn/cleanrl):
    mkdir -p "$CLEANRL_DIR" && git --git-dir=DIR archive HEAD | tar -x -C "$CLEANRL_DIR"
    git --git-dir=DIR rev-parse HEAD > "$CLEANRL_DIR/.cleanrl-commit"
(.cleanrl-commit, or CLEANRL_COMMIT=SHA, is what the raw lines record as
CleanRL's version.) Not pip: on Python 3.11 pip resolves to a 2021 release
with the old gym API.
EOF
        exit 1
    fi
    if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import torch, gymnasium, numpy, tyro, tensorboard' 2>/dev/null; then
        echo "creating $VENV (torch from PyPI is the CUDA build, ~3.5 GB; it runs on CPU)" >&2
        python3 -m venv "$VENV"
        # What cleanrl/dqn.py and ppo.py import: torch, gymnasium, numpy,
        # tyro, tensorboard (SummaryWriter); dqn.py's ReplayBuffer is
        # CleanRL's own cleanrl_utils/buffers.py, so no stable-baselines3.
        # Gymnasium 1.x changed the final_info layout these scripts read.
        "$VENV/bin/pip" install -q torch "gymnasium==0.29.1" "numpy<2" tensorboard tyro
    fi
    "$VENV/bin/python" - <<'EOF'
import sys, gymnasium, numpy
if gymnasium.__version__ != "0.29.1" or int(numpy.__version__.split(".")[0]) >= 2:
    sys.exit(f"CleanRL venv has gymnasium {gymnasium.__version__}, numpy {numpy.__version__}; "
             "its scripts need gymnasium==0.29.1 and numpy<2")
EOF
fi

if [ $need_agora = 1 ] && [ ! -x "$AGORA" ]; then
    echo "no agora binary at $AGORA: build it first (cargo build --release), or set AGORA" >&2
    exit 1
fi

mkdir -p "$HERE/results"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
if [ -n "${TOTAL_TIMESTEPS:-}" ]; then
    OUT=${OUT:-$HERE/results/$stamp-smoke-raw.jsonl}
else
    OUT=${OUT:-$HERE/results/$stamp-raw.jsonl}
fi
echo "raw results: $OUT (groups: $groups; seeds: ${SEEDS[*]}; load now $(cut -d' ' -f1-3 /proc/loadavg))" >&2

python3 "$HERE/solve.py" --seeds "${SEEDS[@]}" --groups "$groups" --out "$OUT" \
    --python "$VENV/bin/python" --agora "$AGORA" --cleanrl-dir "$CLEANRL_DIR" \
    --total-timesteps "${TOTAL_TIMESTEPS:-500000}" --run-timeout "${RUN_TIMEOUT:-1800}"

python3 "$HERE/summarize.py" "$OUT" | tee "${OUT%-raw.jsonl}-summary.md"
