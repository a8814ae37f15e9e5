"""Astana's left bank of the Esil: its share of the city's population by date, and net migration by bank.

The share on a date is the population of left-bank districts over all districts of the boundary set valid then,
only where every district of that set has a published (not derived) figure for the date: re-aggregations onto other
boundary sets would count the same people twice. A district on both banks is split by the left-bank share of its
area (assumes people are spread evenly over its land), and the split is listed; a district of unknown bank makes the
date unusable. Each row says whether the banks it used were published (text) or computed from boundaries.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

import pandas as pd

SHARE_COLUMNS = ["period_label", "period_end", "vintage", "share", "n_districts", "split", "confidence", "sources",
                 "bank_basis"]
MIGRATION_COLUMNS = ["district_id", "bank", "value", "period_label", "vintage", "source", "confidence"]


def bank_basis(source: str | None) -> str:
    """Where a district's bank comes from: 'published' (a text states it), 'computed' (boundaries) or 'unknown'."""
    text = (source or "").strip().lower()
    if text.startswith("published"):
        return "published"
    return "computed" if text.startswith("computed") else "unknown"


def _flags(values: Iterable[object]) -> list[str]:
    return sorted({f for v in values if isinstance(v, str) for f in v.split(";") if f})


def left_bank_share(figures: pd.DataFrame, districts: pd.DataFrame) -> pd.DataFrame:
    """One row per (date, boundary set) of Astana where the left bank's share can be computed (see module doc)."""
    astana = districts[districts["city"] == "Astana"]
    members = {v: list(part["district_id"]) for v, part in astana.groupby("vintage")}
    banks = {(r.vintage, r.district_id): (r.bank, r.bank_left_share, bank_basis(r.bank_source))
             for r in astana.itertuples()}
    pop = figures[(figures["city"] == "Astana") & (figures["indicator"] == "population")
                  & figures["district_id"].notna() & figures["vintage"].notna()]
    rows = []
    for (label, vintage), part in pop.groupby(["period_label", "vintage"], sort=False):
        if part["derived"].any() or part["district_id"].duplicated().any():
            continue
        ids = members.get(vintage, [])
        values = dict(zip(part["district_id"], part["value"], strict=False))
        if not ids or any(pd.isna(values.get(d)) for d in ids):
            continue
        left = total = 0.0
        split, usable = [], True
        for did in ids:
            bank, share, _ = banks[(vintage, did)]
            total += values[did]
            if bank == "left":
                left += values[did]
            elif bank == "both" and pd.notna(share):
                left += values[did] * float(share)
                split.append([did, float(share)])
            elif bank != "right":
                usable = False
        if not usable or total <= 0:
            continue
        rows.append({
            "period_label": label, "period_end": part["period_end"].iloc[0], "vintage": vintage,
            "share": left / total, "n_districts": len(ids), "split": json.dumps(split),
            "confidence": ";".join(_flags(part["confidence"])),
            "sources": " | ".join(sorted(set(part["source"].dropna()))),
            "bank_basis": ";".join(sorted({banks[(vintage, d)][2] for d in ids})),
        })
    frame = pd.DataFrame(rows, columns=SHARE_COLUMNS)
    return frame.sort_values("period_end", kind="stable", ignore_index=True)


def migration_by_bank(figures: pd.DataFrame, districts: pd.DataFrame) -> pd.DataFrame:
    """Astana's published net migration by district, each with the bank of its district in that boundary set."""
    bank = districts.set_index(["vintage", "district_id"])["bank"]
    net = figures[(figures["city"] == "Astana") & (figures["indicator"] == "net_migration")
                  & figures["district_id"].notna() & ~figures["derived"].astype(bool)]
    out = net.assign(bank=[bank.get((v, d)) for v, d in zip(net["vintage"], net["district_id"], strict=False)])
    return out[MIGRATION_COLUMNS].reset_index(drop=True)
