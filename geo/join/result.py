"""What a join produces (``JoinResult``), its report, and how it is written to a folder in one step."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from geo.errors import BadInput
from geo.io import writers
from geo.io.atomic import atomic_folder, atomic_write_text, sha256_file
from geo.release.rules import Policy

REPORT_ROWS = 1000  # set-aside rows listed in report.json; set_aside.csv always has every one
OUTPUT_NAMES = re.compile(r"districts\.(geojson|csv|parquet)|set_aside\.csv|groups\.csv|indices\.csv"
                          r"|scores\.csv|score_differences\.csv|banks\.csv|report\.json|hexagons_r\d+\.geojson")


@dataclass(frozen=True)
class HotspotOptions:
    """Gi* hot spot settings (``geo.indicators.hotspots``), reported with the result."""

    permutations: int
    seed: int
    alpha: float


@dataclass
class JoinResult:
    """Everything ``qala join`` produces; ``write`` puts it in a folder, replaced as a whole."""

    city: str
    vintage: str
    districts: gpd.GeoDataFrame
    assigned: pd.DataFrame  # the joined input rows: row, district_id (+ lon/lat, group, weight)
    set_aside: pd.DataFrame  # row, reason, value (out of core: reason, rows)
    groups: pd.DataFrame | None = None  # long: district_id, group, count, lq
    indices: pd.DataFrame | None = None  # per group: dissimilarity, isolation (+ PySAL's, tests)
    scores: pd.DataFrame | None = None  # survey estimates, long (geo.indicators.survey.score_estimates)
    score_differences: pd.DataFrame | None = None  # group a minus group b per district, city and item
    banks: pd.DataFrame | None = None  # estimates per bank of the Esil and left minus right (bankscores)
    hexagons: dict[int, gpd.GeoDataFrame] = field(default_factory=dict)
    report: dict[str, Any] = field(default_factory=dict)
    synthetic: bool = False

    def write(self, folder: str | Path) -> list[Path]:
        """districts.geojson/.csv/.parquet, set_aside.csv, groups.csv, indices.csv, scores.csv,
        score_differences.csv, banks.csv, hexagons_r<res>.geojson and report.json in ``folder``.

        Written into a staging folder beside ``folder`` that then replaces it in one step
        (``geo.io.atomic.atomic_folder``): an interrupted or failed write leaves the previous output as it
        was, never a mix. Staging folders left by a killed run are removed first. A folder holding anything
        but join outputs is refused rather than replaced.
        """
        folder = Path(folder)
        _check_replaceable(folder)
        remove_stale_staging(folder)
        with atomic_folder(folder) as staging:
            names = [path.name for path in self._write_files(staging)]
        return [folder / name for name in names]

    def _write_files(self, folder: Path) -> list[Path]:
        written = [
            writers.to_geojson(self.districts, folder / "districts.geojson"),
            writers.to_csv(self.districts, folder / "districts.csv"),
            writers.to_parquet(self.districts, folder / "districts.parquet"),
            writers.to_csv(self.set_aside, folder / "set_aside.csv"),
        ]
        if self.groups is not None:
            written.append(writers.to_csv(self.groups, folder / "groups.csv"))
        if self.indices is not None:
            written.append(writers.to_csv(self.indices, folder / "indices.csv"))
        if self.scores is not None:
            written.append(writers.to_csv(self.scores, folder / "scores.csv"))
        if self.score_differences is not None:
            written.append(writers.to_csv(self.score_differences, folder / "score_differences.csv"))
        if self.banks is not None:
            written.append(writers.to_csv(self.banks, folder / "banks.csv"))
        for res, grid in self.hexagons.items():
            written.append(writers.to_geojson(grid, folder / f"hexagons_r{res}.geojson"))
        report = self.report
        if isinstance(report.get("release"), dict):  # what publishing checks: the tables as the gate left them
            files = {p.name: sha256_file(p) for p in written if not p.name.endswith(".geojson")}
            report = {**report, "release": {**report["release"], "files": files}}
        report_path = folder / "report.json"
        text = json.dumps(report, ensure_ascii=False, indent=2, default=str) + "\n"
        atomic_write_text(report_path, text)
        return [*written, report_path]


def _check_replaceable(folder: Path) -> None:
    """The output folder is new, empty or an earlier join's output: replacing it loses nothing else."""
    if folder.exists() and not folder.is_dir():
        raise BadInput(f"{folder} is a file, not a folder; give a folder for the join's outputs (-o)")
    if folder.is_dir():
        other = sorted(p.name for p in folder.iterdir() if not OUTPUT_NAMES.fullmatch(p.name))
        if other:
            raise BadInput(f"{folder} holds files that are not join outputs ({', '.join(other[:5])}); it "
                           "would be replaced as a whole: give a new or empty folder (-o)")


def remove_stale_staging(folder: Path) -> list[Path]:
    """Remove ``.<name>.*.tmp`` staging (and ``.<name>.*.old`` retired) folders beside ``folder`` that a
    killed run left behind; returns them."""
    stale = [p for pattern in (f".{folder.name}.*.tmp", f".{folder.name}.*.old")
             for p in folder.parent.glob(pattern) if p.is_dir() and not p.is_symlink()]
    for path in stale:
        shutil.rmtree(path, ignore_errors=True)
    return stale


def make_report(
    *,
    name: str,
    synthetic: bool,
    kind: str,
    city: str,
    vintage: str,
    engine: str,
    input_rows: int,
    joined: int,
    aside: int,
    weighted_total: float,
    by_reason: Mapping[str, int],
    notes: Sequence[str],
    columns: Mapping[str, str | None],
    resolutions: Sequence[int],
    options: HotspotOptions,
    **extra: Any,
) -> dict[str, Any]:
    """report.json: what was read, joined and set aside (by reason, most frequent first), and how."""
    return {
        "input": str(name),
        "synthetic": synthetic,
        "kind": kind,
        "city": city,
        "vintage": vintage,
        "engine": engine,
        "input_rows": int(input_rows),
        "joined_rows": int(joined),
        "set_aside_rows": int(aside),
        "weighted_total": float(weighted_total),
        "set_aside_by_reason": dict(sorted(by_reason.items(), key=lambda kv: (-kv[1], kv[0]))),
        **extra,
        "notes": list(notes),
        "columns": dict(columns),
        "hotspots": {"h3_resolutions": list(resolutions), "permutations": options.permutations,
                     "seed": options.seed, "fdr_alpha": options.alpha,
                     "p_value": "two-sided normal p of Gi* z; permutation pseudo-p in gi_p_sim"},
        "border_rule": "a point on a shared border goes to the district listed first (geo.engines.grid)",
    }


def release_notes(released: JoinResult, policy: Policy) -> JoinResult:
    """What a released report says besides the gate's own section, for both engines: hidden cities' joined
    rows blanked, min_n, and a note on the hidden cells and on each output left out."""
    hidden = {h["city"] for h in released.report["release"]["hidden"] if h["level"] == "city"}
    report = released.report
    for part in report.get("cities", []):
        if part["city"] in hidden:
            part["joined_rows"] = None
    report["min_n"] = policy.min_n
    public = report["release"]
    notes = [f"release gate: {public['cells']['hidden']:,} of {public['cells']['published']:,} cells hidden in every "
             f"table (fewer than {policy.min_n} respondents, too few effective respondents, one or two dominant "
             "weights, or hidden so that none of those can be worked back)"]
    for left in public["left_out"]:
        if left["output"] == "item":
            notes.append(f"score item {left['item']!r} left out: too few answers to publish any figure of it")
            continue
        what = "indices" if left["output"] == "indices" else f"hexagons r{left['resolution']}"
        notes.append(f"{what} of {left['city']} left out: " + (
            "they would narrow hidden cells" if left["why"] == "hidden_cells"
            else f"some hold fewer than {policy.min_n} rows (try a coarser resolution)"))
    report["notes"] = list(report.get("notes", [])) + notes
    return released
