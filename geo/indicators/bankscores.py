"""Survey estimates per bank of the Esil (Astana's left and right bank) and the left minus right difference.

Why: the left bank's story is about who lives there (civil servants above all), and no public source says it; a
survey with a sector column does (``geo.join.shares``: the share of ``Сектор=госслужба``). A bank is a domain
like a district: its districts' respondents pooled, the same ratio estimator and linearised variance
(``geo.indicators.survey``), so every item gets a left and a right estimate. Their difference takes the MOVER
interval of the two (``geo.indicators.waves.mover``; the banks share no respondent). A district's bank is the
build's ``bank`` column (Esil and Nura: left); a city with a district of no single bank gets no bank rows.

Release (``release_banks``): a bank's figures are a sum over its districts. They may be shown only when they
are a function of figures already shown: the city's estimate is shown, and the bank holds none of the city's
hidden districts or all of them (their pooled total is the city minus the shown districts already). Anything
else would give a hidden district back by subtraction; the difference is shown only when both banks are.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
import pandas as pd

from geo.indicators.survey import ALL, reliability_of
from geo.indicators.waves import mover

BANKS = ("left", "right")
DIFFERENCE = "left-right"
PREFIX = "bank:"
BANK_COLUMNS = ["city", "bank", "item", "scale", "districts", "n", "weight_sum", "mean", "se", "ci_low", "ci_high",
                "n_eff", "reliability", "suppressed", "suppression"]
SCALE = re.compile(r"^(?P<low>-?\d+)-(?P<high>-?\d+)")
VALUES = ["n", "weight_sum", "mean", "se", "ci_low", "ci_high", "n_eff"]


def bank_of(districts: pd.DataFrame) -> dict[tuple[str, str], str]:
    """(city, district_id) -> "left"/"right" for every city whose districts all lie on one known bank and which
    has districts on both; other cities are left out."""
    out: dict[tuple[str, str], str] = {}
    if "bank" not in districts:
        return out
    for city, part in districts.groupby("city", sort=False):
        banks = part["bank"].tolist()
        if all(b in BANKS for b in banks) and set(banks) == set(BANKS):
            out.update({(str(city), str(d)): str(b) for d, b in zip(part["district_id"], banks, strict=True)})
    return out


def relabelled(frame: pd.DataFrame, banks: dict[tuple[str, str], str]) -> pd.DataFrame | None:
    """The rows of ``frame`` (rows or per-atom sums: city, district_id, ...) in the banks' districts, each
    district replaced by its bank (``bank:left``), so the district domains become bank domains; None without
    banks. Only the domains' own rows count in their estimates (give the whole sample's size as ``n_total``)."""
    if not banks:
        return None
    city, cities = pd.factorize(frame["city"])  # codes, so the few (city, district) pairs are looked up once
    district, ids = pd.factorize(frame["district_id"])
    pair, codes = np.unique(city * len(ids) + district, return_inverse=True)
    labels = np.array([banks.get((str(cities[p // len(ids)]), str(ids[p % len(ids)])), "") for p in pair],
                      dtype=object)[codes]
    inside = labels != ""
    return frame[inside].assign(district_id=PREFIX + labels[inside].astype(str))


def bank_table(estimates: pd.DataFrame, banks: dict[tuple[str, str], str]) -> pd.DataFrame:
    """The bank rows of ``estimates`` (``score_estimates`` over ``relabelled`` rows) and the left minus right
    row per city and item (MOVER interval; n is both banks' answers). Unsuppressed until ``release_banks``."""
    members: dict[tuple[str, str], list[str]] = {}
    for (city, district), bank in banks.items():
        members.setdefault((city, bank), []).append(district)
    part = estimates[(estimates["level"] == "district") & (estimates["group"] == ALL)
                     & estimates["district_id"].astype(str).str.startswith(PREFIX)].copy()
    if part.empty:
        return pd.DataFrame(columns=BANK_COLUMNS)
    part["bank"] = part["district_id"].str.removeprefix(PREFIX)
    part["districts"] = [";".join(sorted(members[(c, b)])) for c, b in zip(part["city"], part["bank"], strict=True)]
    rows = [part]
    for (city, item), unit in part.groupby(["city", "item"], sort=False):
        by = unit.set_index("bank")
        if not set(BANKS) <= set(by.index):
            continue
        left, right = by.loc["left"], by.loc["right"]
        diff, low, high = mover(*(np.array([float(s[c])]) for s in (left, right) for c in ("mean", "ci_low",
                                                                                             "ci_high")))
        rows.append(pd.DataFrame([{
            "city": city, "bank": DIFFERENCE, "item": item, "scale": left["scale"],
            "districts": f"{left['districts']} - {right['districts']}", "n": left["n"] + right["n"],
            "weight_sum": np.nan, "mean": diff[0], "se": float(np.hypot(left["se"], right["se"])),
            "ci_low": low[0], "ci_high": high[0], "n_eff": np.nan}]))
    out = pd.concat(rows, ignore_index=True)
    out["suppressed"] = False
    out["suppression"] = ""
    scale = {i: _span(s) for i, s in zip(out["item"], out["scale"], strict=True)}
    out["reliability"] = reliability_of(out, scale)
    return out[BANK_COLUMNS].reset_index(drop=True)


def release_banks(table: pd.DataFrame, is_hidden: Callable[[str, str | None], bool],
                  banks: dict[tuple[str, str], str]) -> pd.DataFrame:
    """``table`` with a bank shown only where its figures follow from shown ones (module docstring):
    ``is_hidden(city, district_id or None for the city)`` is the gate's pattern for all respondents."""
    out = table.copy()
    shown: dict[tuple[str, str], bool] = {}
    for city in out["city"].unique():
        hidden_in = {b: {d for (c, d), bb in banks.items() if c == city and bb == b and is_hidden(city, d)}
                     for b in BANKS}
        every = hidden_in["left"] | hidden_in["right"]
        city_shown = not is_hidden(city, None)
        for bank in BANKS:
            shown[(city, bank)] = city_shown and hidden_in[bank] in (set(), every)
        shown[(city, DIFFERENCE)] = shown[(city, "left")] and shown[(city, "right")]
    mask = np.array([not shown.get((c, b), False) for c, b in zip(out["city"], out["bank"], strict=True)])
    out.loc[mask, VALUES] = np.nan
    out["suppressed"] = mask
    out["suppression"] = np.where(mask, "suppressed", "")
    out.loc[mask, "reliability"] = "suppressed"
    return out


def _span(scale: object) -> float:
    """The range of a scale written "1-5" or "-2-2 (inferred from the answers)"."""
    found = SCALE.match(str(scale))
    return float(found["high"]) - float(found["low"]) if found else np.nan
