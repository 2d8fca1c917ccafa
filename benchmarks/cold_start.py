"""Cold start: the first ``peacesim run`` on an empty numba cache, against a warm one.

Three runs of the same command (the default scenario, its 2,000 replications,
figures and report), each in a fresh folder, side by side:

- cold, compiled in the process (``PEACESIM_JIT=compile``): what a first run cost
  before the kernels' Python twins (compiling blocks the run);
- cold, as a user gets it (``PEACESIM_JIT=auto``): the kernels run as Python while
  a background process compiles them;
- warm: the same command again once that background compile has finished.

Every run uses its own empty ``NUMBA_CACHE_DIR``, so nothing of this checkout's
cache is used. The three give the same bytes (checked).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import _common


def peacesim_run(scenario: str, out: Path, cache: Path, mode: str) -> float:
    env = dict(os.environ, NUMBA_CACHE_DIR=str(cache), PEACESIM_JIT=mode)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "sim", "run", scenario, "--out", str(out), "--quiet"],
                   env=env, check=True, capture_output=True, cwd=_common.ROOT)
    return time.perf_counter() - started


def wait_for_background_compile(cache: Path, limit: float = 900.0) -> float:
    started = time.perf_counter()
    while any(cache.rglob("warming.lock")) or not any(cache.rglob("ready-*")):
        if time.perf_counter() - started > limit:
            raise SystemExit("the background compile did not finish")
        time.sleep(0.5)
    return time.perf_counter() - started


def main() -> None:
    args = _common.options(__doc__)
    print("== cold start: the first peacesim run on an empty numba cache")
    print(f"   {_common.machine()}")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        compiled = peacesim_run(args.scenario, tmp / "compiled", tmp / "cache-c", "compile")
        cold = peacesim_run(args.scenario, tmp / "cold", tmp / "cache-a", "auto")
        background = wait_for_background_compile(tmp / "cache-a")
        warm = peacesim_run(args.scenario, tmp / "warm", tmp / "cache-a", "auto")
        same = all((tmp / "compiled" / f).read_bytes() == (tmp / run / f).read_bytes()
                   for run in ("cold", "warm") for f in ("outcomes.csv", "rounds.csv"))
    print(f"   cold, compiling in the process:      {compiled:6.1f} s")
    print(f"   cold, Python twins (what users get): {cold:6.1f} s  "
          f"({compiled / cold:.1f}x faster than compiling first)")
    print(f"   background compile finished          {background:6.1f} s after the cold run")
    print(f"   warm:                                {warm:6.1f} s  "
          f"(the cold run takes {cold / warm:.1f}x a warm one)")
    print(f"   same bytes in all three: {'yes' if same else 'NO'}")


if __name__ == "__main__":
    main()
