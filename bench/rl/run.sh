#!/usr/bin/env bash
# Side-by-side RL benchmark: Agora's learners against Stable-Baselines3
# (CleanRL's and rl-baselines3-zoo's CartPole hyperparameters) and a plain
# Python + Gymnasium Q-learning loop on FrozenLake. Runs alternate between
# the two sides, seed by seed; every JSON line carries the 1-minute load.
#
#   bench/rl/run.sh [SEED...]          (default seeds: 1 2 3)
#   RL_GROUPS="fast q" bench/rl/run.sh    (a subset: dqn ppo fast zoo-dqn q)
#
# Creates the SB3 venv if missing ($SB3_VENV, default /work/venvs/sb3;
# never inside the repo). Raw lines go to $OUT (default
# bench/rl/results/<date>-raw.jsonl), the summary (medians, ratios,
# targets) to stdout and beside it as -summary.json.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
VENV=${SB3_VENV:-/work/venvs/sb3}
SEEDS=("$@")
[ ${#SEEDS[@]} -eq 0 ] && SEEDS=(1 2 3)

if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import stable_baselines3, gymnasium' 2>/dev/null; then
    echo "creating $VENV (stable-baselines3 pulls torch from PyPI, ~3.5 GB)" >&2
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q stable-baselines3 gymnasium
fi
PY="$VENV/bin/python"

export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
(cd "$ROOT" && cargo build --release -q -p agora-agents --example train)
TRAIN="$CARGO_TARGET_DIR/release/examples/train"

mkdir -p "$HERE/results"
OUT=${OUT:-$HERE/results/$(date +%F)-raw.jsonl}
: > "$OUT"
echo "raw results: $OUT" >&2

# run CMD...: starts CMD with --t0 = now, appends its JSON line plus the load.
run() {
    local t0 load line
    t0=$(date +%s.%N)
    load=$(cut -d' ' -f1 /proc/loadavg)
    line=$("$@" --t0 "$t0")
    python3 -c 'import json, sys; d = json.loads(sys.argv[1]); d["load1"] = float(sys.argv[2]); print(json.dumps(d))' \
        "$line" "$load" | tee -a "$OUT"
}

RL_GROUPS=${RL_GROUPS:-dqn ppo fast zoo-dqn q}
want() { [[ " $RL_GROUPS " == *" $1 "* ]]; }

for seed in "${SEEDS[@]}"; do
    if want dqn; then
        run "$TRAIN" --algo dqn --label cleanrl --seed "$seed"
        run "$PY" "$HERE/peers.py" sb3 --algo dqn --hp cleanrl --seed "$seed"
    fi
    if want ppo; then
        run "$TRAIN" --algo ppo --label cleanrl --seed "$seed"
        run "$PY" "$HERE/peers.py" sb3 --algo ppo --hp cleanrl --seed "$seed"
    fi
    if want fast; then
        run "$TRAIN" --algo ppo --label fast --config "$HERE/cartpole-ppo-fast.toml" --seed "$seed"
        run "$PY" "$HERE/peers.py" sb3 --algo ppo --hp zoo --seed "$seed"
    fi
    if want zoo-dqn; then
        run "$PY" "$HERE/peers.py" sb3 --algo dqn --hp zoo --seed "$seed"
    fi
    if want q; then
        run "$TRAIN" --algo q_learning --label default --seed "$seed"
        run "$PY" "$HERE/peers.py" qlearn --seed "$seed"
    fi
done

python3 "$HERE/summarize.py" "$OUT" | tee "${OUT%-raw.jsonl}-summary.json"
