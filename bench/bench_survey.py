"""Benchmark: survey score estimates (``geo.indicators.survey.score_estimates``) on SYNTHETIC respondents.

    python -m bench.bench_survey [--rows 1000000] [--items 10] [--svy]

Makes a seeded SYNTHETIC survey (3 cities x 10 districts, a district effect per item, weights, two groups,
5% don't-knows as NaN), then times ``score_estimates`` without and with a group column (best of 3 runs).
``--svy`` also times the ``svy`` library on one item by district, the reason the module computes the
linearisation itself. Prints a table and writes ``bench/results/survey.json`` (target: <= 5 s for 1 M x 10).
"""

from __future__ import annotations

import argparse
import json
import os
import time

import numpy as np
import pandas as pd

from geo.indicators.survey import ScoreItem, score_estimates
from geo.settings import PROJECT_ROOT

RESULTS = PROJECT_ROOT / "bench" / "results" / "survey.json"
SEED = 20260924
CITIES = ("almaty", "astana", "shymkent")


def synthetic_survey(rows: int, items: int, seed: int = SEED) -> pd.DataFrame:
    """SYNTHETIC respondents: city, district_id, weight, group, q1..q<items> on 1-5 with 5% NaN."""
    rng = np.random.default_rng(seed)
    district = rng.integers(0, 10, rows)
    city = rng.integers(0, len(CITIES), rows)
    names = np.asarray(CITIES, dtype=object)[city]
    frame = pd.DataFrame({
        "city": names,
        "district_id": names + "-" + district.astype(str).astype(object),
        "weight": rng.lognormal(0.0, 0.5, rows),
        "group": np.where(rng.random(rows) < 0.3, "migrant", "resident"),
    })
    effect = rng.normal(0, 0.6, (len(CITIES) * 10, items))
    cell = city * 10 + district
    for j in range(items):
        latent = 3 + effect[cell, j] + rng.normal(0, 1.1, rows)
        score = np.clip(np.rint(latent), 1, 5)
        score[rng.random(rows) < 0.05] = np.nan
        frame[f"q{j + 1}"] = score
    return frame


def _best(fn: object, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return min(times)


def _svy_seconds(frame: pd.DataFrame) -> float:
    import polars as pl
    import svy

    data = pl.from_pandas(frame[["district_id", "weight", "q1"]]).with_columns(pl.col("q1").fill_nan(None))
    sample = svy.Sample(data, svy.Design(wgt="weight", wr=True))
    start = time.perf_counter()
    sample.estimation.mean("q1", by="district_id", drop_nulls=True)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--items", type=int, default=10)
    parser.add_argument("--svy", action="store_true", help="also time svy on one item by district")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    frame = synthetic_survey(args.rows, args.items)
    generate = time.perf_counter() - start
    items = [ScoreItem(f"q{j + 1}", 1, 5, top=2) for j in range(args.items)]
    plain = _best(lambda: score_estimates(frame, items, min_n=10))
    grouped = _best(lambda: score_estimates(frame, items, group="group", min_n=10))
    report: dict[str, object] = {
        "label": "SYNTHETIC respondents (seeded), 3 cities x 10 districts, 1-5 items, 5% don't-knows",
        "seed": SEED, "cpu_count": os.cpu_count(), "rows": args.rows, "items": args.items,
        "generation_seconds": generate,
        "score_estimates_seconds": plain,
        "score_estimates_grouped_seconds": grouped,
        "target_seconds": 5.0,
    }
    if args.svy:
        report["svy_one_item_by_district_seconds"] = _svy_seconds(frame)
    print(f"{'rows':>10} {'items':>6} {'all (s)':>9} {'by group (s)':>13} {'target':>7}")
    print(f"{args.rows:>10} {args.items:>6} {plain:>9.3f} {grouped:>13.3f} {5.0:>7.1f}")
    if args.svy:
        print(f"svy, one item by district: {report['svy_one_item_by_district_seconds']:.3f} s")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
