"""Make sure the SPADE venv exists and that we run inside it (stdlib only).

Every SPADE bench script calls ``ensure()`` before importing spade (server.py
directly, the others by importing _common).  If the interpreter is not the
venv's, the venv is created when missing (or broken) and the script
re-executes itself with the venv's python.

The venv lives OUTSIDE the repo: $SPADE_VENV, default /work/venvs/spade.
"""

import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
VENV = os.environ.get("SPADE_VENV", "/work/venvs/spade")
VENV_PY = os.path.join(VENV, "bin", "python")
CHECK = "import spade, spade_bdi, greenlet, pyjabber"


def _venv_ok() -> bool:
    if not os.path.exists(VENV_PY):
        return False
    r = subprocess.run(
        [VENV_PY, "-c", CHECK],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return r.returncode == 0


def create() -> None:
    """Create (or repair) the venv with the pinned versions."""
    if _venv_ok():
        return
    print(f"[spade-bench] creating venv {VENV}", file=sys.stderr, flush=True)
    os.makedirs(os.path.dirname(VENV), exist_ok=True)
    py = os.environ.get("PYTHON", "python3")
    if not os.path.exists(VENV_PY):
        subprocess.run([py, "-m", "venv", VENV], check=True, stdin=subprocess.DEVNULL)
    # stdout of pip goes to stderr so that our stdout stays pure JSON.
    subprocess.run(
        [VENV_PY, "-m", "pip", "install", "--disable-pip-version-check", "-q",
         "-r", os.path.join(HERE, "requirements.txt"),
         "-c", os.path.join(HERE, "constraints.txt")],
        check=True, stdin=subprocess.DEVNULL, stdout=sys.stderr,
    )
    if not _venv_ok():
        raise SystemExit(f"venv {VENV} still cannot import: {CHECK}")


def ensure() -> None:
    """Re-exec the calling script under the venv python if needed."""
    if os.path.realpath(sys.prefix) == os.path.realpath(VENV):
        return
    create()
    os.execv(VENV_PY, [VENV_PY] + sys.argv)


if __name__ == "__main__":
    create()
    print(VENV_PY)
