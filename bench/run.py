"""`make bench`: every benchmark in one run, each printed beside its baseline (bench/baseline/*.json) as a ratio.

A baseline is the committed result of an earlier run on this kind of machine; `--save-baseline` replaces it.
Ratios are current / baseline: below 1 is faster (or smaller) than the baseline.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys

from geo.settings import PROJECT_ROOT

BENCHES = [  # (name, module, extra arguments)
    ("build", "bench.bench_build", []),
    ("engine", "bench.bench_engine", []),
    ("survey", "bench.bench_survey", []),  # score estimates with intervals, beside the join figures
    ("release", "bench.bench_release", []),  # the release gate with its audit (targets: demo 2 s, 100k x 10 10 s)
    ("upload", "bench.bench_upload", []),  # map p95 beside 10 uploads (target <= 2x alone, 0 errors); 20 MB join <= 10 s
    ("outofcore", "bench.bench_outofcore", []),  # 10M SYNTHETIC respondents x 5 items on dask (target 60 s)
    ("dashboard", "bench.bench_dashboard", []),
    ("brief", "bench.bench_brief", []),  # time to make a brief PDF (headless Chromium)
]
RESULTS = PROJECT_ROOT / "bench" / "results"
BASELINE = PROJECT_ROOT / "bench" / "baseline"


def _numbers(data, prefix=""):
    """Flatten a result into (dotted key, number) pairs."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _numbers(value, f"{prefix}{key}.")
    elif isinstance(data, (int, float)) and not isinstance(data, bool):
        yield prefix.rstrip("."), float(data)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="comma-separated bench names")
    parser.add_argument("--save-baseline", action="store_true")
    args = parser.parse_args(argv)
    chosen = [b for b in BENCHES if not args.only or b[0] in args.only.split(",")]
    failed = 0
    for name, module, extra in chosen:
        print(f"\n=== {name} ({module})", flush=True)
        if subprocess.run([sys.executable, "-m", module, *extra], cwd=PROJECT_ROOT, check=False).returncode != 0:
            print(f"{name}: FAILED")
            failed += 1
            continue
        current, base = RESULTS / f"{name}.json", BASELINE / f"{name}.json"
        if not current.is_file():
            continue
        if base.is_file():
            now = dict(_numbers(json.loads(current.read_text())))
            then = dict(_numbers(json.loads(base.read_text())))
            print(f"{'metric':<60} {'baseline':>14} {'now':>14} {'ratio':>8}")
            for key in sorted(set(now) & set(then)):
                ratio = now[key] / then[key] if then[key] else float("nan")
                print(f"{key[:60]:<60} {then[key]:>14.4g} {now[key]:>14.4g} {ratio:>8.2f}")
        else:
            print(f"(no baseline for {name} yet: run `python -m bench.run --save-baseline`)")
        if args.save_baseline:
            BASELINE.mkdir(parents=True, exist_ok=True)
            shutil.copy(current, base)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
