"""`make data`: summary, manifest, no-op rebuild, and a failed build that leaves the last good outputs alone."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pandas as pd
import pytest

from geo.domain.figures import FIGURE_TABLES
from geo.settings import PROJECT_ROOT, reference_dir

pytestmark = pytest.mark.mirror  # reads the real data mirror (../shared/data) and its build


def _build(env_extra: dict, *args: str) -> subprocess.CompletedProcess:
    import os

    env = {**os.environ, "QALA_OFFLINE": "1", **env_extra}
    return subprocess.run([sys.executable, "-m", "geo.build", *args], cwd=PROJECT_ROOT, env=env,
                          capture_output=True, text=True, timeout=300, check=False)


@pytest.fixture(scope="module")
def fresh_build(tmp_path_factory, mirror):
    out = tmp_path_factory.mktemp("build")
    first = _build({"QALA_BUILD": str(out), "QALA_MIRROR": str(mirror)})
    assert first.returncode == 0, first.stderr
    return out, first, mirror


def test_summary_names_districts_figures_repairs_and_time(fresh_build):
    _, first, _ = fresh_build
    text = first.stdout
    assert "astana-6    6 districts" in text and "almaty-8    8 districts" in text and "shymkent-5  5 districts" in text
    assert "astana-3    3 districts (no boundary file: 3 without geometry)" in text
    rows = sum(len(pd.read_csv(reference_dir() / f"{table}.csv", dtype=str)) for table in FIGURE_TABLES)
    assert f"figures: {rows} imported" in text and "repairs: 1" in text and "time:" in text
    assert "optional source osm_state_institutions unavailable" in text  # offline: curated gazetteer only
    assert "[1/6] acquiring sources" in first.stderr  # progress


def test_manifest_holds_checksums_counts_and_versions(fresh_build):
    out, _, _ = fresh_build
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["inputs"]["astana_districts_osm"]["origin"] == "mirror"
    assert len(manifest["inputs"]["geokz_adm2_2024"]["files"]) == 5
    # 3 + 4 + 5 + 6 Astana, 7 + 8 Almaty, 4 + 5 Shymkent districts
    assert manifest["outputs"]["districts.parquet"]["rows"] == 42
    assert all(len(meta["sha256"]) == 64 for meta in manifest["outputs"].values())
    assert {"geopandas", "shapely", "pyproj"} <= set(manifest["versions"])
    assert (out / "districts.parquet").stat().st_mode & 0o044  # readable by others, like any file the user writes


def test_second_run_does_nothing_and_says_so(fresh_build):
    out, _, mirror = fresh_build
    before = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}
    again = _build({"QALA_BUILD": str(out), "QALA_MIRROR": str(mirror)})
    assert again.returncode == 0 and "nothing changed" in again.stdout
    assert {p.name: p.stat().st_mtime_ns for p in out.iterdir()} == before


def test_changed_output_triggers_a_rebuild(fresh_build):
    out, _, mirror = fresh_build
    (out / "vintages.parquet").write_bytes(b"tampered")
    again = _build({"QALA_BUILD": str(out), "QALA_MIRROR": str(mirror)})
    assert again.returncode == 0 and "build summary" in again.stdout
    assert (out / "vintages.parquet").read_bytes()[:4] == b"PAR1"


def test_failed_build_leaves_previous_outputs_untouched(fresh_build, tmp_path):
    out, _, mirror = fresh_build
    broken = tmp_path / "mirror"
    shutil.copytree(mirror, broken)
    target = broken / "boundaries/districts_astana_osm_2026-09.geojson"
    target.chmod(0o644)
    target.write_text(target.read_text()[:5000])  # truncated download
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    failed = _build({"QALA_BUILD": str(out), "QALA_MIRROR": str(broken)})
    assert failed.returncode == 2
    lines = failed.stderr.strip().splitlines()
    assert lines[-1].startswith("qala: error: cannot read Astana districts file") and "fix:" in lines[-1]
    assert "Traceback" not in failed.stderr
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before
