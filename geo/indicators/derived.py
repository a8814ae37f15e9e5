"""Indicators computed from the sourced figures: density, population carried to older boundaries through
lineage, and growth between comparable dates. Every derived row says how it was made and keeps the sources.
"""

from __future__ import annotations

import pandas as pd

from geo.domain.vintages import lineage_table

DERIVED_FLAG = "derived"


def _join_flags(*parts: str) -> str:
    flags = [f for p in parts if p for f in str(p).split(";") if f]
    return ";".join(dict.fromkeys(flags))


def population_through_lineage(figures: pd.DataFrame) -> pd.DataFrame:
    """Population of an older district as the sum of its successors on the same date, e.g. Esil of 2018-2022
    in 2025 = today's Esil + Nura. Only where every successor has a figure for that date and each successor
    came from this one district alone."""
    full = lineage_table()
    unknown_parent = set(full.loc[full.parent_vintage == "", "vintage"])  # e.g. Nauryzbay: took unlisted land
    lin = full[(full.parent_vintage != "") & ~full.vintage.isin(unknown_parent) & ~full.relation.str.contains("not comparable")]
    multi = lin.groupby(["vintage", "district_id"]).parent_id.transform("nunique") > 1
    # A parent whose land went partly to a multi-parent child (Baikonur) cannot be rebuilt from successors.
    blocked = set(zip(lin[multi].parent_vintage, lin[multi].parent_id, strict=False))
    lin = lin[~multi & ~pd.Series([k in blocked for k in zip(lin.parent_vintage, lin.parent_id, strict=False)], index=lin.index)]
    pop = figures[(figures.indicator == "population") & figures.district_id.notna()]
    out: list[dict] = []
    # Newest vintages first, so values can be carried back more than one step.
    for child_vintage in sorted(lin.vintage.unique(), reverse=True):
        links = lin[lin.vintage == child_vintage]
        current = pd.concat([pop, pd.DataFrame(out)], ignore_index=True) if out else pop
        child_pop = current[current.vintage == child_vintage]
        for (parent_vintage, parent_id), group in links.groupby(["parent_vintage", "parent_id"]):
            children = set(group.district_id)
            all_children = set(lin[(lin.parent_vintage == parent_vintage) & (lin.parent_id == parent_id)
                                   & (lin.vintage == child_vintage)].district_id)
            for label, same_date in child_pop[child_pop.district_id.isin(children)].groupby("period_label"):
                if set(same_date.district_id) != all_children or same_date.district_id.duplicated().any():
                    continue
                first = same_date.iloc[0]
                out.append({
                    **first.to_dict(),
                    "figure_id": f"lineage:{parent_vintage}:{parent_id}:{label}",
                    "district_id": parent_id, "vintage": parent_vintage,
                    "value": float(same_date.value.sum()),
                    "source": " | ".join(dict.fromkeys(same_date.source)),
                    "confidence": _join_flags(*same_date.confidence, DERIVED_FLAG),
                    "derived": True,
                    "method": f"sum of successor districts {', '.join(sorted(children))} of {child_vintage} on the same date",
                })
    return pd.DataFrame(out, columns=figures.columns)


def density(figures: pd.DataFrame, districts: pd.DataFrame) -> pd.DataFrame:
    """Residents per km², with the area computed in UTM (42N Astana/Shymkent, 43N Almaty)."""
    area = districts.set_index(["vintage", "district_id"]).area_km2
    pop = figures[(figures.indicator == "population") & figures.district_id.notna()].copy()
    pop["area"] = [area.get((v, d)) for v, d in zip(pop.vintage, pop.district_id, strict=False)]
    pop = pop[pop.area.notna()]
    pop["value"] = pop.value / pop.area
    pop["indicator"], pop["unit"], pop["derived"] = "density", "persons per km2", True
    pop["figure_id"] = "density:" + pop.figure_id
    pop["confidence"] = [_join_flags(c, DERIVED_FLAG) for c in pop.confidence]
    pop["method"] = "population / district area computed in UTM from the boundaries of the figure's vintage"
    return pop.drop(columns="area")


def growth(figures: pd.DataFrame) -> pd.DataFrame:
    """Percentage change of population between consecutive dated figures of the same district and vintage."""
    pop = figures[(figures.indicator == "population") & figures.district_id.notna() & figures.period_end.notna()]
    pop = pop[~pop.confidence.str.contains("undated")]
    out = []
    for (vintage, _district_id), group in pop.groupby(["vintage", "district_id"]):
        group = group.sort_values("period_end").drop_duplicates("period_end", keep="first")
        for a, b in zip(group.iloc[:-1].itertuples(), group.iloc[1:].itertuples(), strict=False):
            years = (b.period_end - a.period_end).days / 365.25
            if years <= 0:
                continue
            out.append({
                **b._asdict(),
                "figure_id": f"growth:{a.figure_id}->{b.figure_id}",
                "indicator": "growth_rate", "unit": "% change",
                "value": 100.0 * (b.value - a.value) / a.value,
                "period_label": f"{a.period_label} → {b.period_label}", "period_start": a.period_end,
                "source": " | ".join(dict.fromkeys([a.source, b.source])),
                "confidence": _join_flags(a.confidence, b.confidence, DERIVED_FLAG),
                "derived": True,
                "method": f"(population at end - at start) / at start, {years:.1f} years apart, same boundaries ({vintage})",
            })
    frame = pd.DataFrame(out)
    return frame.drop(columns=[c for c in frame.columns if c not in figures.columns]) if len(frame) else frame


def derive_all(figures: pd.DataFrame, districts: pd.DataFrame) -> pd.DataFrame:
    """Sourced figures plus every derived indicator, one long table."""
    carried = population_through_lineage(figures)
    base = pd.concat([figures, carried], ignore_index=True)
    parts = [base, density(base, districts), growth(base)]
    return pd.concat([p for p in parts if len(p)], ignore_index=True)
