"""Benchmark: grid engine vs geopandas.sjoin vs the dask engine, on SYNTHETIC points over real districts.

    python -m bench.bench_engine [--sizes 1000000,10000000] [--city almaty|astana]

For each size, from one run: points per second of the engine (cold: index build included) and of
``geopandas.sjoin`` (the reference: "intersects", lowest index_right per point, run in chunks of 1 M points),
their ratio, whether the assignments are identical, the peak memory of each, and the dask engine's time on the same
points written as partitioned Parquet (and, up to 2 M points, dask_geopandas.sjoin's time). Prints a table and writes ``bench/results/engine.json``.

Memory: each of engine and sjoin runs in a fresh subprocess; we report its peak resident set size (``VmHWM`` in
/proc/self/status) and the increase of that peak over the RSS measured just before the join (after imports and
loading the points), so the figure is the join's own working memory.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from geo.settings import PROJECT_ROOT, mirror_dir

BOUNDARY_FILES = {
    "almaty": "districts_almaty_osm_2025-09.geojson",
    "astana": "districts_astana_osm_2026-09.geojson",
}
RESULTS = PROJECT_ROOT / "bench" / "results" / "engine.json"
SJOIN_CHUNK = 1_000_000
DASK_SJOIN_MAX_POINTS = 2_000_000  # dask_geopandas.sjoin is timed up to this size only (it is sjoin-slow)
SEED = 20260923


def _districts(city: str):
    import geopandas as gpd

    return gpd.read_file(mirror_dir() / "boundaries" / BOUNDARY_FILES[city])


def _rss_mb(field: str) -> float:
    """``VmRSS`` (now) or ``VmHWM`` (peak) of this process from /proc/self/status, in MB.

    Not ``getrusage().ru_maxrss``: Linux carries that over from the parent through fork and exec, so a child of a
    big benchmark process would report the parent's peak. ``VmHWM`` belongs to the process's own address space.
    """
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024.0
    raise RuntimeError(f"{field} missing from /proc/self/status")


def _worker(method: str, city: str, points_file: str, result_file: str) -> None:
    """Run one join in this (fresh) process and print its timings and memory as one JSON line."""
    import geopandas as gpd

    from geo.engines.grid import assign_points, build_index, reference_sjoin

    districts = _districts(city)
    stored = np.load(points_file)
    lon, lat = stored["lon"], stored["lat"]
    before = _rss_mb("VmRSS")
    report: dict[str, float] = {}
    start = time.perf_counter()
    if method == "engine":
        result = assign_points(districts, lon, lat)
        report["seconds"] = time.perf_counter() - start
        build_start = time.perf_counter()
        index = build_index(districts, expected_points=lon.shape[0])
        report["index_build_seconds"] = time.perf_counter() - build_start
        report["grid"] = f"{index.n_rows}x{index.n_cols}"
        report["boundary_cell_share"] = index.boundary_cell_share
    else:
        result = np.empty(lon.shape[0], dtype=np.int64)
        points_seconds = 0.0
        for first in range(0, lon.shape[0], SJOIN_CHUNK):
            chunk = slice(first, first + SJOIN_CHUNK)
            result[chunk] = reference_sjoin(districts, lon[chunk], lat[chunk])
            made = time.perf_counter()
            gpd.points_from_xy(lon[chunk], lat[chunk])  # timed separately, subtracted below
            points_seconds += time.perf_counter() - made
        report["seconds_with_points"] = time.perf_counter() - start - points_seconds
        report["points_from_xy_seconds"] = points_seconds
        report["seconds"] = report["seconds_with_points"] - points_seconds
    report["peak_rss_mb"] = _rss_mb("VmHWM")
    report["peak_increase_mb"] = report["peak_rss_mb"] - before
    np.save(result_file, result)
    print(json.dumps(report))


def _run_worker(method: str, city: str, points_file: Path, result_file: Path) -> dict:
    completed = subprocess.run(
        [sys.executable, "-m", "bench.bench_engine", "--worker", method, "--city", city,
         "--points-file", str(points_file), "--result-file", str(result_file)],
        cwd=PROJECT_ROOT, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise RuntimeError(f"{method} worker failed:\n{completed.stderr[-2000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def _dask_run(districts, frame, folder: Path, engine_result: np.ndarray) -> dict:
    from geo.engines.outofcore import assign_points_dask, count_points_dask, dask_client
    from geo.engines.synthetic import write_partitioned_parquet

    n_partitions = max(4, len(frame) // 1_000_000)
    start = time.perf_counter()
    write_partitioned_parquet(frame, folder, n_partitions)
    report = {"partitions": n_partitions, "write_parquet_seconds": time.perf_counter() - start}
    start = time.perf_counter()
    with dask_client() as client:
        report["cluster_start_seconds"] = time.perf_counter() - start
        start = time.perf_counter()
        count_points_dask(districts, folder, client=client)
        report["first_count_seconds"] = time.perf_counter() - start  # workers import geopandas, build the grid
        start = time.perf_counter()
        counts = count_points_dask(districts, folder, client=client)
        report["count_seconds"] = time.perf_counter() - start
        start = time.perf_counter()
        assigned = assign_points_dask(districts, folder, client=client)
        report["assign_collect_seconds"] = time.perf_counter() - start
        if len(frame) <= DASK_SJOIN_MAX_POINTS:
            start = time.perf_counter()
            reference = assign_points_dask(districts, folder, client=client, method="sjoin")
            report["dask_geopandas_sjoin_seconds"] = time.perf_counter() - start
            report["dask_geopandas_sjoin_identical"] = bool(np.array_equal(reference.to_numpy(), engine_result))
    expected_counts = np.bincount(engine_result + 1)
    got_counts = np.zeros_like(expected_counts)
    got_counts[counts["district"].to_numpy() + 1] = counts["points"].to_numpy()
    report["identical_to_engine"] = bool(np.array_equal(assigned.to_numpy(), engine_result))
    report["counts_identical"] = bool(np.array_equal(got_counts, expected_counts))
    report["workers"] = 2
    return report


def run(sizes: list[int], city: str) -> dict:
    from geo.engines.synthetic import synthetic_points

    districts = _districts(city)
    results = {"label": "SYNTHETIC points over real district polygons", "city": city,
               "districts_file": BOUNDARY_FILES[city], "seed": SEED, "cpu_count": os.cpu_count(),
               "python": platform.python_version(),
               "memory_method": "peak RSS (VmHWM, /proc/self/status) of a fresh subprocess per method; "
                                "increase = peak minus RSS just before the join",
               "sjoin_method": f"geopandas.sjoin predicate=intersects, lowest index_right, chunks of {SJOIN_CHUNK}; "
                               "seconds exclude points_from_xy", "runs": []}
    with tempfile.TemporaryDirectory(prefix="bench-engine-") as scratch:
        scratch = Path(scratch)
        for size in sizes:
            start = time.perf_counter()
            frame = synthetic_points(districts, size, seed=SEED, outside_share=0.1, border_share=0.001)
            generate = time.perf_counter() - start
            points_file = scratch / f"points-{size}.npz"
            np.savez(points_file, lon=frame["lon"].to_numpy(), lat=frame["lat"].to_numpy())
            engine = _run_worker("engine", city, points_file, scratch / "engine.npy")
            sjoin = _run_worker("sjoin", city, points_file, scratch / "sjoin.npy")
            engine_result = np.load(scratch / "engine.npy")
            identical = bool(np.array_equal(engine_result, np.load(scratch / "sjoin.npy")))
            dask = _dask_run(districts, frame, scratch / f"parquet-{size}", engine_result)
            results["runs"].append({
                "points": size, "synthetic_generation_seconds": generate, "identical": identical,
                "engine": {**engine, "points_per_second": size / engine["seconds"]},
                "sjoin": {**sjoin, "points_per_second": size / sjoin["seconds"]},
                "speedup": sjoin["seconds"] / engine["seconds"],
                "dask": dask,
            })
            del frame
    return results


def _table(results: dict) -> str:
    lines = [f"SYNTHETIC points over {results['districts_file']} ({results['city']}), seed {results['seed']}",
             f"memory: {results['memory_method']}",
             (f"{'points':>11} {'engine pts/s':>13} {'sjoin pts/s':>12} {'ratio':>6} {'identical':>9} "
              f"{'engine peak/+MB':>16} {'sjoin peak/+MB':>15} {'dask count s':>12} {'dask assign s':>13} "
              f"{'dask ok':>7}")]
    for run_ in results["runs"]:
        engine, sjoin, dask = run_["engine"], run_["sjoin"], run_["dask"]
        lines.append(
            f"{run_['points']:>11,} {engine['points_per_second']:>13,.0f} {sjoin['points_per_second']:>12,.0f} "
            f"{run_['speedup']:>6.1f} {run_['identical']!s:>9} "
            f"{engine['peak_rss_mb']:>8.0f}/{engine['peak_increase_mb']:<7.0f} "
            f"{sjoin['peak_rss_mb']:>7.0f}/{sjoin['peak_increase_mb']:<7.0f} "
            f"{dask['count_seconds']:>12.2f} {dask['assign_collect_seconds']:>13.2f} "
            f"{dask['identical_to_engine'] and dask['counts_identical']!s:>7}")
        lines.append(f"{'':>11} engine {engine['seconds']:.3f} s (index build {engine['index_build_seconds']:.3f} s, "
                     f"grid {engine['grid']}, boundary cells {engine['boundary_cell_share']:.2%}); "
                     f"sjoin {sjoin['seconds']:.1f} s (+{sjoin['points_from_xy_seconds']:.1f} s making points); "
                     f"dask cluster start {dask['cluster_start_seconds']:.1f} s, first count (worker warm-up) "
                     f"{dask['first_count_seconds']:.1f} s, {dask['partitions']} partitions"
                     + (f"; dask_geopandas.sjoin {dask['dask_geopandas_sjoin_seconds']:.1f} s, identical "
                        f"{dask['dask_geopandas_sjoin_identical']}" if "dask_geopandas_sjoin_seconds" in dask else ""))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_engine", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000000,10000000", help="comma-separated point counts")
    parser.add_argument("--city", default="almaty", choices=sorted(BOUNDARY_FILES))
    parser.add_argument("--output", default=str(RESULTS), help="JSON results file")
    parser.add_argument("--worker", choices=["engine", "sjoin"], help=argparse.SUPPRESS)
    parser.add_argument("--points-file", help=argparse.SUPPRESS)
    parser.add_argument("--result-file", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        _worker(args.worker, args.city, args.points_file, args.result_file)
        return 0
    sizes = [int(size.replace("_", "")) for size in args.sizes.split(",") if size.strip()]
    results = run(sizes, args.city)
    print(_table(results))
    from geo.io.atomic import atomic_write_text

    atomic_write_text(args.output, json.dumps(results, indent=2) + "\n")
    print(f"written {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
