"""Runs one CleanRL script with torch on one thread, without editing it.

    python launch_cleanrl.py /path/to/cleanrl/cleanrl/dqn.py --seed 1 ...

CleanRL's scripts never call torch.set_num_threads; the benchmark wants
torch on one thread explicitly, not only through OMP_NUM_THREADS=1. This
sets it (and the inter-op pool) to 1, prints one
`launch: torch_imported_at=UNIX` line (so the driver can tell Python +
torch start-up apart from training), then runs the script as `__main__`
with sys.argv as if it had been started directly.
"""

import runpy
import sys
import time

import torch

torch.set_num_threads(1)
torch.set_num_interop_threads(1)
print(f"launch: torch_imported_at={time.time():.6f} threads={torch.get_num_threads()}", flush=True)

script = sys.argv[1]
sys.argv = [script] + sys.argv[2:]
runpy.run_path(script, run_name="__main__")
