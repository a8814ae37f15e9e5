"""Arrivals to each city by region of origin as lines: from the origin region's representative point to the
city's, so the dashboard draws flows into the city (width by share or count) instead of a choropleth of regions.
Only figures matched to one region are drawn; 'other regions' and ambiguous origins stay in the figures table.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.settings import STORAGE_CRS

FLOW_COLUMNS = ("flow_id", "city", "indicator", "region_id", "origin", "name_en", "name_ru", "name_kk", "value",
                "unit", "share", "share_basis", "period_label", "period_label_ru", "period_label_kk", "period_end",
                "source", "confidence", "figure_id")
FLOW_WEB_COLUMNS = ("fid", "city", "indicator", "region_id", "name_en", "name_ru", "name_kk", "value", "unit",
                    "share", "period_label", "period_end", "source", "confidence")
FLOW_INDICATORS = ("share_of_arrivals_from", "arrivals_from")
# City-level totals a count of arrivals from one region is a share of, in order of preference.
TOTAL_INDICATORS = ("arrivals_all", "arrivals")


def representative_points(frame: gpd.GeoDataFrame, key: str) -> dict[str, shapely.Point]:
    """A point inside each polygon (not the centroid, which can fall outside a city or region)."""
    return {str(k): g.representative_point() for k, g in zip(frame[key], frame.geometry.values, strict=False)
            if g is not None and not g.is_empty}


def _totals(figures: pd.DataFrame) -> dict[tuple[str, str], pd.Series]:
    """The city's own count of arrivals for a period (by city and period label), the first of TOTAL_INDICATORS."""
    rows = figures[figures.district_id.isna() & figures.indicator.isin(TOTAL_INDICATORS) & figures.value.notna()
                   & (figures.unit == "persons")]
    rows = rows.assign(rank=rows.indicator.map(TOTAL_INDICATORS.index)).sort_values("rank", kind="stable")
    return {(str(r.city), str(r.period_label)): r for _, r in rows.drop_duplicates(["city", "period_label"]).iterrows()}


def share_of(row: pd.Series, totals: dict[tuple[str, str], pd.Series]) -> tuple[float, str | None]:
    """A flow's share of the city's arrivals, as a fraction, and what it rests on (NaN, None: not known)."""
    if row.unit == "percent":
        return float(row.value) / 100.0, "published share of the city's arrivals"
    total = totals.get((str(row.city), str(row.period_label)))
    if row.unit == "persons" and total is not None and total.value > 0:
        return float(row.value) / float(total.value), (f"{row.value:g} / the city's {total.indicator} "
                                                       f"{total.value:g} ({total.source})")
    return float("nan"), None


def build_flows(figures: pd.DataFrame, regions: gpd.GeoDataFrame, cities: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """One line per figure of arrivals from one region: origin region's representative point -> city's."""
    origin_at = representative_points(regions, "region_id")
    city_at = representative_points(cities, "city")
    city_region = dict(zip(cities.city, cities.region_id, strict=False))
    names = regions.set_index("region_id")[["name_en", "name_ru", "name_kk"]].to_dict("index")
    rows = figures[figures.indicator.isin(FLOW_INDICATORS) & figures.region_id.notna() & figures.value.notna()]
    rows = rows[rows.region_id.astype(str) != rows.city.map(city_region).astype(str)]  # no flow into itself
    totals = _totals(figures)
    out = []
    for _, row in rows.iterrows():
        region, city = str(row.region_id), str(row.city)
        if region not in origin_at or city not in city_at:
            continue
        share, basis = share_of(row, totals)
        out.append({
            "flow_id": f"{city}:{region}:{row.indicator}:{row.period_label}", "city": city,
            "indicator": row.indicator, "region_id": region, "origin": row.origin,
            **{f"name_{lang}": names.get(region, {}).get(f"name_{lang}") for lang in ("en", "ru", "kk")},
            "value": float(row.value), "unit": row.unit, "share": share, "share_basis": basis,
            "period_label": row.period_label, "period_label_ru": row.get("period_label_ru"),
            "period_label_kk": row.get("period_label_kk"), "period_end": row.period_end, "source": row.source,
            "confidence": row.confidence, "figure_id": row.figure_id,
            "geometry": shapely.LineString([origin_at[region], city_at[city]]),
        })
    frame = pd.DataFrame(out, columns=[*FLOW_COLUMNS, "geometry"])
    frame["share"] = frame["share"].astype(float).replace([np.inf, -np.inf], np.nan)
    return gpd.GeoDataFrame(frame, geometry="geometry", crs=STORAGE_CRS)


def flow_web(flows: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The flows as the browser reads them: ``fid`` is the flow id."""
    web = flows.assign(fid=flows.flow_id)
    return gpd.GeoDataFrame(web[[*FLOW_WEB_COLUMNS, "geometry"]], geometry="geometry", crs=flows.crs)
