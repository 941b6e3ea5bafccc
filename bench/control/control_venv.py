"""Runs a bench/control script inside its own venv (stdlib only): creates
the venv with the given packages when missing, then re-executes the calling
script with the venv's python. Venvs live under bench/.venv-* (git-ignored).
"""
import os
import subprocess
import sys


def run_inside(venv, packages):
    """Returns at once inside `venv`; otherwise never returns."""
    python = os.path.join(venv, "bin", "python")
    if os.path.realpath(sys.prefix) == os.path.realpath(venv):
        return
    if not os.path.exists(python):
        subprocess.run([sys.executable, "-m", "venv", venv], check=True)
        subprocess.run([python, "-m", "pip", "install", "-q", *packages], check=True)
    os.execv(python, [python] + sys.argv)
