#!/usr/bin/env bash
# Env throughput side by side: Agora's single-thread VecEnv, and the env
# actors (one thread per shard), against
# Gymnasium 1.4 (single env, SyncVectorEnv, numpy-vectorised CartPole) and
# EnvPool 1.2.5. Creates the Python venv on first use (outside git:
# bench/.venv-envs is ignored, or set VENV). Extra arguments go to peers.py,
# e.g. `bench/envs/run.sh --repeats 5 --seconds 2`. JSON on stdout.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
VENV=${VENV:-$ROOT/bench/.venv-envs}
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import gymnasium, envpool' 2>/dev/null; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q 'gymnasium==1.4.*' 'envpool==1.2.5'
fi
(cd "$ROOT" && cargo build --release -q -p agora-agents --example vec_env_throughput && cargo build --release -q -p agora)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
exec "$VENV/bin/python" "$HERE/peers.py" --agora-bin "$TARGET/release/examples/vec_env_throughput" --agora-cli "$TARGET/release/agora" "$@"
