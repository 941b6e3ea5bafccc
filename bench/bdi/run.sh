#!/usr/bin/env bash
# Side-by-side BDI benchmark (agora-bdi vs python-agentspeak); see run.py.
set -euo pipefail
exec python3 "$(dirname "$0")/run.py" "$@"
