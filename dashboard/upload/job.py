"""What runs in an upload's child process: read a dropped file's columns, or join it as the form chose and keep
only what the page may show (``result_store``) and the result bundle.

Apart from ``dashboard.upload.callbacks`` so that a child imports only this, the join and pandas — not Dash, Plotly and
the page's views — and starts in half the time (each upload starts two children).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from dashboard.state.records import clean_cell
from geo.errors import QalaError
from geo.settings import survey_min_n

if TYPE_CHECKING:
    from geo.join.pipeline import JoinResult

BASE_MEASURES = ("count", "share_of_city", "per_1000")
SET_ASIDE_CHARS = 200  # a set-aside value is shown (and kept) up to this length, then cut with "…"
SET_ASIDE_SHOWN = 100  # rows of the set-aside report kept for the page; the count always says how many in all
_log = logging.getLogger(__name__)


@contextlib.contextmanager
def in_memory_file(raw: bytes) -> Iterator[Path]:
    """A path to ``raw`` held in an anonymous memory file (Linux memfd): readable like a file, gone with the
    process, never on disk. Elsewhere a private temporary folder, removed at once."""
    if not hasattr(os, "memfd_create"):
        with tempfile.TemporaryDirectory(prefix="qala-upload-") as folder:
            path = Path(folder) / "upload"
            path.write_bytes(raw)
            yield path
        return
    fd = os.memfd_create("qala-upload", os.MFD_CLOEXEC)
    try:
        with open(fd, "wb", closefd=False) as handle:
            handle.write(raw)
        yield Path(f"/proc/self/fd/{fd}")
    finally:
        os.close(fd)


def _plain(value: Any) -> Any:
    """A JSON-safe cell that keeps blank text (a data value, not a gap)."""
    return clean_cell(value, blank_is_missing=False)


def _shown(value: Any) -> Any:
    """A set-aside cell as kept for the page: long text cut (it is a hint of what the row held)."""
    value = _plain(value)
    if isinstance(value, str) and len(value) > SET_ASIDE_CHARS:
        return value[:SET_ASIDE_CHARS] + "…"
    return value


def _details(result: JoinResult) -> dict[str, dict[str, dict]]:
    """Per item and district what the district table does not hold: the answer distribution of everyone
    and the difference between the groups, both as released."""
    details: dict[str, dict[str, dict]] = {}
    if result.scores is not None:
        rows = result.scores[(result.scores["level"] == "district") & (result.scores["group"] == "all")]
        for row in rows.itertuples():
            dist = json.loads(row.dist) if isinstance(row.dist, str) and row.dist else None
            details.setdefault(str(row.item), {})[str(row.district_id)] = {"dist": dist}
    if result.score_differences is not None:
        rows = result.score_differences[result.score_differences["level"] == "district"]
        for row in rows.itertuples():
            diff = None if row.suppressed or pd.isna(row.diff) else float(row.diff)
            details.setdefault(str(row.item), {}).setdefault(str(row.district_id), {})["diff"] = {
                "a": str(row.group_a), "b": str(row.group_b), "diff": diff,
                "ci_low": None if diff is None else float(row.ci_low),
                "ci_high": None if diff is None else float(row.ci_high)}
    return details


def result_store(result: JoinResult, filename: str) -> dict:
    """What the page keeps of a released ``JoinResult``: district rows without geometry, per-item details,
    the per-city summary, the report's notes and the first set-aside rows."""
    table = pd.DataFrame(result.districts.drop(columns=result.districts.geometry.name))
    rows = [{k: _plain(v) for k, v in row.items()} for row in table.to_dict("records")]
    measures = [m for m in BASE_MEASURES if m in table.columns]
    items = [c[:-5] for c in table.columns if c.endswith("_mean") and {f"{c[:-5]}_n", f"{c[:-5]}_ci_low"}
             <= set(table.columns)]
    quotients = [c for c in table.columns if c.startswith("lq_") and not c.startswith(("lq_low_", "lq_high_"))]
    measures = [f"{item}_mean" for item in items] + measures + quotients  # an LQ's interval ends are no measure
    vintages = dict(zip(table["city"], table["vintage"], strict=True)) if "city" in table else {}
    report = result.report or {}
    cities = [{"city": c["city"], "vintage": c["vintage"], "joined_rows": c["joined_rows"]}
              for c in report.get("cities", [])] or [{"city": result.city, "vintage": result.vintage,
                                                       "joined_rows": len(result.assigned)}]
    city = max(cities, key=lambda c: c["joined_rows"] or 0)["city"]
    set_aside = [{k: _shown(v) for k, v in row.items()} for row in result.set_aside.head(SET_ASIDE_SHOWN)
                 .to_dict("records")]
    return {"filename": filename, "city": city, "vintage": vintages.get(city, result.vintage),
            "vintages": vintages, "cities": cities, "scores": items, "details": _details(result),
            "synthetic": bool(result.synthetic), "min_n": int(report.get("min_n") or survey_min_n()),
            "columns": list(table.columns), "rows": rows, "measures": measures,
            "input_rows": int(report.get("input_rows", len(result.assigned) + len(result.set_aside))),
            "joined_rows": len(result.assigned), "set_aside_rows": len(result.set_aside),
            "set_aside": set_aside, "notes": [str(n) for n in report.get("notes", [])]}


def recognise_in_child(raw: bytes, name: str, sheet: str | None) -> tuple[str, object]:
    """Read a dropped file and propose its columns (``geo.api.recognise``): ("ok", proposal), ("error", the
    one-line reason) or ("failed", None)."""
    from geo.api import recognise

    try:
        with in_memory_file(raw) as path:
            del raw
            try:
                return "ok", recognise(path, name=name, sheet=sheet)
            except QalaError as exc:
                return "error", str(exc).replace(str(path), name).splitlines()[0]
    except Exception:  # noqa: BLE001 -- an unreadable upload must not become a server error page
        _log.exception("upload %r could not be recognised", name)
        return "failed", None


def join_in_child(raw: bytes, name: str, choices: dict) -> tuple[str, object]:
    """The join of one upload as the form chose it, through the release gate at the server's threshold:
    ("ok", {"store": the page's store, "bundle": the result ZIP}), ("error", the one-line reason) or
    ("failed", None). Only released figures and the set-aside reasons come back; the rows stay here."""
    from geo.api import bundle, join
    from geo.join.spec import JoinSpec

    try:
        with in_memory_file(raw) as path:
            del raw
            try:
                spec = JoinSpec.from_dict({**choices, "h3_res": [], "min_n": survey_min_n()})
                result = join(path, spec, name=name)
            except QalaError as exc:
                return "error", str(exc).replace(str(path), name).splitlines()[0]
        return "ok", {"store": result_store(result, name), "bundle": bundle(result)}
    except Exception:  # noqa: BLE001 -- an unreadable upload must not become a server error page
        _log.exception("upload %r could not be joined", name)
        return "failed", None
