"""Sourced figures from the project's reference tables, normalised into one long table.

Each figure keeps its source, the period label as published, parsed dates, and confidence flags read from the
curators' notes ([x2], [secondary], [approx], [uncertain ...], LOWER BOUND, DERIVED). Each is joined to the
district (of the boundary vintage valid at its date) or to its city; what cannot be matched is listed, never dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from geo.domain.names import district_candidates, match_city
from geo.domain.periods import Period, parse_period
from geo.domain.vintages import in_uncertain_window, latest_vintage, vintage_overlapping_most, vintage_table
from geo.errors import BadInput, InternalError
from geo.settings import reference_dir

FIGURE_TABLES = ("population_by_district", "migration_by_district", "city_internal_migration",
                 "district_area_bank", "host_attitudes", "civil_service_context", "housing_context")
FINDING_TABLES = ("migrant_settlement_findings",)
CITY_LEVEL = {"(city total)", "(city)", "", "nan"}
COUNT_UNITS = {"persons", "houses", "positions", "respondents"}
ASKING_PRICE = re.compile(r"asking")
SIGNED_INDICATORS = re.compile(r"net|growth|balance|saldo|change", re.IGNORECASE)
_FLAG_PATTERNS = {
    "x2": r"\[x2\]", "secondary": r"\[secondary\]|github\.com/Messer490", "approx": r"\[approx\]",
    "uncertain": r"\[uncertain", "lower_bound": r"LOWER BOUND|lower[- ]bound", "derived_inference": r"DERIVED",
}
FINDING_COLUMNS = ["finding_id", "city", "area_as_published", "district_id", "indicator", "value", "unit",
                   "period_label", "source", "note", "confidence"]
COLUMNS = ["figure_id", "table", "row", "city", "district_id", "district_as_published", "vintage", "indicator",
           "origin", "value", "value_text", "unit", "period_label", "period_start", "period_end", "source", "note",
           "confidence", "derived", "method"]


@dataclass
class FigureReport:
    rows_in: int = 0
    matched_district: int = 0
    matched_city: int = 0
    unmatched: list[dict] = field(default_factory=list)

    @property
    def matched(self) -> int:
        return self.matched_district + self.matched_city


def confidence_flags(note: str, source: str, period_flags: tuple[str, ...], indicator: str = "") -> str:
    """Flags from the curators' note and source, the period's own flags, and what the indicator is: an asking
    price (listings, not transactions) says so on every value."""
    text = f"{note} {source}"
    flags = [name for name, pattern in _FLAG_PATTERNS.items() if re.search(pattern, text)]
    if ASKING_PRICE.search(indicator):
        flags.append("asking_price")
    return ";".join(dict.fromkeys(flags + list(period_flags)))


def _numeric(value: str, unit: str, indicator: str, where: str) -> float | None:
    text = str(value).strip().replace("\u00a0", "").replace(" ", "")
    try:
        number = float(text)
    except ValueError:
        if unit in COUNT_UNITS and re.fullmatch(r"[-+]?[\d.,]+", text):
            raise BadInput(f"{where}: count '{value}' is not a number; fix: write it with digits and a '.' decimal") from None
        return None
    if not np.isfinite(number):
        raise BadInput(f"{where}: value '{value}' is not finite; fix: leave the cell empty for missing data")
    if unit in COUNT_UNITS and number < 0 and not SIGNED_INDICATORS.search(indicator):
        raise BadInput(f"{where}: count {indicator} = {number:g} is negative; fix: counts cannot be below zero")
    return number


def _district(name: str, city: str) -> set[str]:
    """Candidates for a published district label, trying the label, then its part before brackets."""
    found = district_candidates(name, city)
    if not found:
        head = re.split(r"[(:]", name)[0]
        if head.strip() and head != name:
            found = district_candidates(head, city)
    return found


def _choose_vintage(
    city: str, district_id: str, period: Period, members: set[tuple[str, str]]
) -> tuple[str | None, str]:
    """The vintage holding most of the period; if the district is not in it, another vintage of the period
    that has it (flagged); undated figures go to today's boundaries (flagged by the period already). A period
    touching a boundary change the sources do not date exactly is flagged ``vintage_uncertain``."""
    vintage, flag = _vintage_by_date(city, district_id, period, members)
    if vintage is not None and in_uncertain_window(city, period.start, period.end):
        flag = ";".join(filter(None, [flag, "vintage_uncertain"]))
    return vintage, flag


def _vintage_by_date(
    city: str, district_id: str, period: Period, members: set[tuple[str, str]]
) -> tuple[str | None, str]:
    if period.start is None and period.end is None:
        latest = latest_vintage(city)
        return (latest, "") if (latest, district_id) in members else (None, "")
    vintage = vintage_overlapping_most(city, period.start, period.end)
    if vintage is not None and (vintage, district_id) in members:
        return vintage, ""
    day = period.end or period.start
    if day is None:
        raise InternalError(f"figure of {city} district {district_id}: undated period past the undated case")
    of_city = set(vintage_table().query("city == @city").vintage)
    candidates = sorted((v for v, d in members if d == district_id and v in of_city),
                        key=lambda v: abs((_vintage_start(v) - day).days))
    return (candidates[0], "vintage_adjusted") if candidates else (None, "")


def _vintage_start(vintage: str) -> date:
    table = vintage_table().set_index("vintage")
    start = table.loc[vintage, "valid_from"]
    return date.fromisoformat(start) if start else date(1991, 12, 16)


def load_figures(members: set[tuple[str, str]]) -> tuple[pd.DataFrame, FigureReport]:
    """All sourced figures, one row each, matched to district+vintage or city; plus what was not matched.

    ``members`` holds the (vintage, district_id) pairs of the built districts.
    """
    report = FigureReport()
    rows = []
    for table in FIGURE_TABLES:
        path = reference_dir() / f"{table}.csv"
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
        for i, r in df.iterrows():
            report.rows_in += 1
            where = f"{path.name} row {i + 2}"
            period = parse_period(r["year"])
            indicator, _, origin = r["indicator"].partition(":")
            value = _numeric(r["value"], r["unit"], indicator, where)
            city = match_city(r["city"]) if r["city"] not in ("(Kazakhstan)", "(all three)") else None
            rec = {
                "figure_id": f"{table}:{i + 2}", "table": table, "row": i + 2, "city": city or r["city"],
                "district_id": None, "district_as_published": r["district"] or None, "vintage": None,
                "indicator": indicator, "origin": origin or None, "value": value,
                "value_text": None if value is not None else r["value"], "unit": r["unit"],
                "period_label": period.label, "period_start": period.start, "period_end": period.end,
                "source": r["source_url_or_ref"], "note": r["note"],
                "confidence": confidence_flags(r["note"], r["source_url_or_ref"], period.flags, indicator),
                "derived": False, "method": None,
            }
            if city is None or r["district"] in CITY_LEVEL:
                report.matched_city += 1
                rows.append(rec)
                continue
            found = _district(r["district"], city)
            if len(found) != 1:
                reason = "ambiguous" if found else "no such district"
                report.unmatched.append({"figure_id": rec["figure_id"], "city": city, "district": r["district"],
                                         "reason": reason})
                rec["confidence"] = ";".join(filter(None, [rec["confidence"], "district_unmatched"]))
                rows.append(rec)  # kept as a city-level figure, with the district as published
                report.matched_city += 1
                continue
            district_id = next(iter(found))
            vintage, flag = _choose_vintage(city, district_id, period, members)
            if vintage is None:
                report.unmatched.append({"figure_id": rec["figure_id"], "city": city, "district": r["district"],
                                         "reason": f"no boundary vintage of {city} holds this district at {period.label}"})
                rows.append(rec)
                report.matched_city += 1
                continue
            if flag:
                rec["confidence"] = ";".join(filter(None, [rec["confidence"], flag]))
            rec["district_id"], rec["vintage"] = district_id, vintage
            report.matched_district += 1
            rows.append(rec)
    figures = pd.DataFrame(rows, columns=COLUMNS)
    return figures, report


def load_findings() -> pd.DataFrame:
    """Published statements on where migrants live, with the district they name where one is recognisable."""
    path = reference_dir() / "migrant_settlement_findings.csv"
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    out = []
    for i, r in df.iterrows():
        city = match_city(r["city"])
        found = _district(r["district"], city) if city and r["district"] not in CITY_LEVEL else set()
        period = parse_period(r["year"])
        out.append({
            "finding_id": f"findings:{i + 2}", "city": city or r["city"], "area_as_published": r["district"],
            "district_id": next(iter(found)) if len(found) == 1 else None, "indicator": r["indicator"],
            "value": r["value"], "unit": r["unit"], "period_label": period.label, "source": r["source_url_or_ref"],
            "note": r["note"], "confidence": confidence_flags(r["note"], r["source_url_or_ref"], period.flags),
        })
    return pd.DataFrame(out, columns=FINDING_COLUMNS)
