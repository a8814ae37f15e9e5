"""Qala Atlas from a notebook: ``qala join`` and ``qala publish`` as functions.

    import pandas as pd
    from geo.api import join, publish

    survey = pd.read_csv("survey.csv", sep=";", decimal=",")           # or pass the path itself
    result = join(survey, city_col="Город", district_col="Район", weight_col="Вес", scores=["Q1:1-5"])
    result.districts            # GeoDataFrame: each district's counts and, per item, mean, 95% interval, n
    result.scores               # the estimates per district (and group), already through the release gate
    result.report["release"]    # what the gate hid and why it had to
    publish(result, "my-survey", title="…", source="…", period="2025-03")

The choices are ``geo.join.spec.JoinSpec``'s, the same as ``qala join``'s flags and the browser's column
form; a table passed in memory is read exactly as the same table saved to a file would be, so a notebook,
the command line and the page give the same estimates.
"""

from __future__ import annotations

import copy
import io
import json
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from geo.indicators import ranks as _ranks
from geo.indicators import waves as _waves
from geo.join.pipeline import JoinResult, join_user_data
from geo.join.spec import JoinSpec
from geo.settings import memory_dir

__all__ = ["BUNDLE_LEFT_OUT", "JoinResult", "JoinSpec", "bundle", "excludes", "join", "publish", "rank_ranges",
           "recognise"]

BUNDLE_LEFT_OUT = ("set_aside.csv",)  # rows of the input as they were: the researcher has their file already
# The report's first set-aside rows are input rows; the steward's release report says which hidden cells are the
# small ones (the public report, kept, never does): neither leaves the server in a bundle.
BUNDLE_REPORT_LEFT_OUT = ("set_aside_first", "release_steward")


def join(data: pd.DataFrame | str | Path, spec: JoinSpec | None = None, **choices: Any) -> JoinResult:
    """Join a researcher's table (a DataFrame, a GeoDataFrame of points, or a file's path) to the districts.

    ``choices`` are ``JoinSpec`` fields (``city_col="Город"``, ``scores=["Q1:1-5"]``, ``min_n=10`` ...), given
    alone or changing ``spec``. A survey join (scores, or ``min_n``) returns released figures only.
    """
    if isinstance(data, (str, Path)):
        return join_user_data(data, spec, **choices)
    if not isinstance(data, pd.DataFrame):
        raise TypeError("join: give a pandas DataFrame, a GeoDataFrame of points or a file's path")
    with tempfile.TemporaryDirectory(prefix="qala-api-") as folder:
        if isinstance(data, gpd.GeoDataFrame):
            path = Path(folder) / "dataframe.parquet"
            data.to_parquet(path)
        else:
            path = Path(folder) / "dataframe.csv"
            data.to_csv(path, index=False, encoding="utf-8")  # read back as text, like any researcher's CSV
        return join_user_data(path, spec, name=path.name, **choices)


def recognise(path: str | Path, *, name: str | None = None, sheet: str | None = None) -> dict[str, Any]:
    """What a file's columns look like to the join (city, district or coordinates, weight, group, score items
    with their scales, columns left out) and its first rows: the browser's column form, or a notebook's check
    before ``join``. ``name`` is the original name of a temporary copy."""
    from geo.io.recognise import recognise as recognise_file

    return recognise_file(path, name=name, sheet=sheet)


def publish(result: JoinResult | str | Path, name: str, *, title: str, source: str, period: str,
            **fields: Any) -> Path:
    """Publish a survey join (a ``JoinResult`` or the folder ``qala join`` wrote) as the next version of
    dataset ``name``; ``fields`` are ``method``, ``licence``, ``author`` and ``root`` (default
    ``QALA_DATASETS``). Returns the version's folder. Only a released join can be published."""
    from geo.publish import publish as publish_folder

    if isinstance(result, JoinResult):
        with tempfile.TemporaryDirectory(prefix="qala-api-") as folder:
            written = Path(folder) / "join"
            result.write(written)
            return publish_folder(written, name, title=title, source=source, period=period, **fields)
    return publish_folder(result, name, title=title, source=source, period=period, **fields)


def bundle(result: JoinResult) -> bytes:
    """The join's outputs as one ZIP, as ``qala join`` writes them (the tables ``qala publish`` takes, byte for
    byte, with the report that checks them) and the disclosure report in kk/ru/en; no input row
    (``BUNDLE_LEFT_OUT``, ``BUNDLE_REPORT_LEFT_OUT``). What the browser hands a researcher instead of
    publishing anything itself. Written through a folder in memory (/dev/shm) where there is one."""
    from geo.release.page import write_pages

    kept = copy.copy(result)
    kept.set_aside = result.set_aside.iloc[0:0]
    kept.report = {k: v for k, v in result.report.items() if k not in BUNDLE_REPORT_LEFT_OUT}
    with tempfile.TemporaryDirectory(prefix="qala-bundle-", dir=memory_dir()) as folder:
        written = Path(folder) / "join"
        kept.write(written)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(written.iterdir()):
                if path.name not in BUNDLE_LEFT_OUT:
                    archive.write(path, path.name)
            release = result.report.get("release")
            if isinstance(release, dict):
                pages = Path(folder) / "pages"
                pages.mkdir()
                archive.writestr("disclosure.json", json.dumps(release, ensure_ascii=False, indent=2) + "\n")
                for page in write_pages(release, pages):
                    archive.write(page, page.name)
        return buffer.getvalue()


def rank_ranges(values: ArrayLike, low: ArrayLike | None = None, high: ArrayLike | None = None, *,
                level: float = 0.95, draws: int = _ranks.DRAWS, seed: int = 0,
                highest_first: bool = True) -> pd.DataFrame:
    """``geo.indicators.ranks.rank_ranges`` here, so the dashboard (which may not import geo.indicators) ranks
    districts by the library's own function: per value ``rank``, ``rank_low``, ``rank_high`` (NaN: missing)."""
    return _ranks.rank_ranges(values, low, high, level=level, draws=draws, seed=seed, highest_first=highest_first)


def excludes(low: ArrayLike, high: ArrayLike, reference: float) -> np.ndarray:
    """``geo.indicators.ranks.excludes`` here, for the dashboard: whether each 95% interval lies wholly on one
    side of ``reference`` (the city's value); False where an end is missing."""
    return _ranks.excludes(low, high, reference)


def wave_changes(earlier: pd.DataFrame, later: pd.DataFrame, item: str, *, group: str = "all") -> pd.DataFrame:
    """``geo.indicators.waves.wave_changes`` here, for the dashboard: per place of ``item`` and ``group``, the
    change of its mean from the ``earlier`` to the ``later`` published scores table with a MOVER interval and a
    ``status`` ("shown", "suppressed", "boundaries differ", "no answers", "only in one wave")."""
    return _waves.wave_changes(earlier, later, item, group=group)
