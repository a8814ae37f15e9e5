"""Benchmark of `make data`: a full build (forced, into a temporary folder) and a no-op rebuild, timed as whole
commands (each a fresh Python process, as a user runs them). Writes bench/results/build.json.

    python -m bench.bench_build [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

from geo.settings import PROJECT_ROOT

RESULTS = PROJECT_ROOT / "bench" / "results" / "build.json"


def _timed(env: dict, *args: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "geo.build", "--quiet", *args], cwd=PROJECT_ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def measure(repeat: int = 3) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "QALA_BUILD": tmp, "QALA_OFFLINE": "1"}
        full = [_timed(env, "--force") for _ in range(repeat)]
        noop = [_timed(env) for _ in range(repeat)]
    return {"full_build_s": statistics.median(full), "noop_build_s": statistics.median(noop),
            "runs": {"full": full, "noop": noop}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    result = measure(args.repeat)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2))
    print(f"build: full {result['full_build_s']:.2f} s, no-op {result['noop_build_s']:.2f} s "
          f"(median of {args.repeat}, whole commands; target: no-op < 1 s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
