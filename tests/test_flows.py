"""Flows of arrivals into the cities (layer `flows`, web/flows.geojson): each line runs from the origin region's
representative point to the city's, and shares are fractions of the city's arrivals."""

from __future__ import annotations

import json
import math

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from geo.indicators.flows import build_flows


@pytest.fixture(scope="module")
def mini(mini_build):
    return {name: (gpd.read_parquet if name != "figures" else pd.read_parquet)(mini_build / f"{name}.parquet")
            for name in ("flows", "regions", "cities", "figures")}


def test_flow_runs_from_the_origin_to_the_city(mini):
    (flow,) = mini["flows"].itertuples()
    assert (flow.city, flow.region_id, flow.value, flow.unit) == ("Astana", "110000000", 5000, "persons")
    assert (flow.name_en, flow.name_ru, flow.period_label) == ("Akmola", "Акмолинская", "2023")
    akmola = mini["regions"].set_index("region_id").geometry["110000000"]
    astana = mini["cities"].set_index("city").geometry["Astana"]
    start, end = shapely.get_coordinates(flow.geometry)
    assert shapely.Point(start).equals(akmola.representative_point())
    assert shapely.Point(end).equals(astana.representative_point())
    # No count of all arrivals to Astana in 2023 in the mini set: the share is unknown, not 0.
    assert math.isnan(flow.share) and flow.share_basis is None


def test_shares_sum_to_one_when_the_origins_are_complete(mini):
    figures = mini["figures"]
    akmola = figures[figures["indicator"] == "arrivals_from"]
    almaty = akmola.assign(figure_id="test:1", origin="Almaty city", region_id="750000000", value=3000.0)
    total = akmola.assign(figure_id="test:2", indicator="arrivals_all", origin=None, region_id=None, value=8000.0)
    flows = build_flows(pd.concat([figures, almaty, total], ignore_index=True), mini["regions"], mini["cities"])
    shares = flows.set_index("region_id")["share"]
    assert shares["110000000"] == pytest.approx(5000 / 8000) and shares["750000000"] == pytest.approx(3000 / 8000)
    assert shares.sum() == pytest.approx(1.0)
    assert "arrivals_all 8000" in flows.set_index("region_id").loc["110000000", "share_basis"]


def test_published_percent_is_the_share(mini):
    figures = mini["figures"]
    row = figures[figures["indicator"] == "arrivals_from"].assign(
        figure_id="test:3", indicator="share_of_arrivals_from", unit="percent", value=19.4)
    flows = build_flows(row, mini["regions"], mini["cities"])
    assert flows["share"].tolist() == [pytest.approx(0.194)]


def test_no_flow_from_a_city_into_itself(mini):
    figures = mini["figures"]
    row = figures[figures["indicator"] == "arrivals_from"].assign(figure_id="test:4", region_id="710000000")
    assert build_flows(row, mini["regions"], mini["cities"]).empty


def test_web_flows_are_keyed_by_flow_id(mini_build, mini):
    web = json.loads((mini_build / "web" / "flows.geojson").read_text())
    assert [f["properties"]["fid"] for f in web["features"]] == mini["flows"]["flow_id"].tolist()
    assert web["features"][0]["geometry"]["type"] == "LineString"


def test_real_flows_carry_source_and_a_share_no_larger_than_one(built):
    flows = gpd.read_parquet(built / "flows.parquet")
    assert len(flows) and flows["source"].notna().all() and flows["period_label"].notna().all()
    known = flows["share"].dropna()
    assert ((known > 0) & (known <= 1)).all()
    sums = flows[flows["unit"] == "percent"].groupby(["city", "period_label"])["share"].sum()
    assert (sums <= 1).all()


def test_every_field_of_a_flow_comes_from_its_figure_and_its_region(mini):
    figures = mini["figures"]
    row = figures[figures["indicator"] == "arrivals_from"].assign(
        figure_id="test:5", period_label_ru="2023 год", period_label_kk="2023 жыл", confidence="x2;point",
        period_end="2023-12-31", origin="Akmola region")
    (flow,) = build_flows(row, mini["regions"], mini["cities"]).itertuples()
    src = row.iloc[0]
    assert (flow.flow_id, flow.indicator, flow.origin) == ("Astana:110000000:arrivals_from:2023", "arrivals_from",
                                                           "Akmola region")
    assert (flow.name_en, flow.name_ru, flow.name_kk) == ("Akmola", "Акмолинская", "Ақмола")
    assert (flow.period_label_ru, flow.period_label_kk, flow.period_end) == ("2023 год", "2023 жыл", "2023-12-31")
    assert (flow.source, flow.confidence, flow.figure_id) == (src["source"], "x2;point", "test:5")


def test_only_located_flow_figures_with_a_value_are_drawn(mini):
    figures = mini["figures"]
    akmola = figures[figures["indicator"] == "arrivals_from"]
    rows = pd.concat([
        akmola.assign(figure_id="test:unknown-region", region_id="999999999"),  # no such region: skipped
        akmola.assign(figure_id="test:no-value", region_id="750000000", value=float("nan")),  # missing stays out
        akmola.assign(figure_id="test:not-a-flow", indicator="population", value=123.0),  # a region's own figure
        akmola,  # the one real flow, listed after the skipped ones
    ], ignore_index=True)
    flows = build_flows(rows, mini["regions"], mini["cities"])
    assert flows["figure_id"].tolist() == ["city_internal_migration:2"]


def test_the_city_total_of_arrivals_is_preferred_to_the_other_count_and_the_first_listed_wins(mini):
    figures = mini["figures"]
    akmola = figures[figures["indicator"] == "arrivals_from"]  # 5 000 persons from Akmola, Astana, 2023
    total = akmola.assign(origin=None, region_id=None)
    # listed first: an "arrivals" count of 10 000; then ten "arrivals" counts of other years (ranked second too),
    # then thirty-one "arrivals_all" counts of 2023, the first of which (8 000) is the one to use
    others = [total.assign(figure_id=f"test:y{y}", indicator="arrivals", period_label=str(y), value=1.0)
              for y in range(2000, 2010)]
    alls = [total.assign(figure_id=f"test:all{i}", indicator="arrivals_all", value=8000.0 + i) for i in range(31)]
    rows = pd.concat([akmola, total.assign(figure_id="test:arr", indicator="arrivals", value=10000.0), *others,
                      *alls], ignore_index=True)
    (flow,) = build_flows(rows, mini["regions"], mini["cities"]).itertuples()
    # 5 000 / 8 000 = 0.625
    assert flow.share == pytest.approx(0.625) and "arrivals_all 8000" in flow.share_basis
