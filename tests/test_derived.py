"""geo/indicators/derived.py on tiny hand-made frames: density, growth, population through lineage."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from geo.domain.figures import COLUMNS
from geo.indicators import derived

LINEAGE_HEADER = "city,date,vintage,district_id,parent_vintage,parent_id,relation,source\n"


def fig(
    figure_id: str,
    district_id: str | None,
    vintage: str | None,
    value: float,
    end: date | None,
    indicator: str = "population",
    confidence: str = "",
    label: str | None = None,
) -> dict:
    row = dict.fromkeys(COLUMNS)
    row.update(
        figure_id=figure_id,
        table="t",
        city="Astana",
        district_id=district_id,
        vintage=vintage,
        indicator=indicator,
        value=value,
        unit="persons",
        period_label=label or str(end),
        period_start=end,
        period_end=end,
        source=f"src {figure_id}",
        note="",
        confidence=confidence,
        derived=False,
    )
    return row


def frame(*rows: dict) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=COLUMNS)


@pytest.fixture
def lineage(tmp_path, monkeypatch):
    """Write a lineage.csv into a private reference folder (QALA_REFERENCE) and return a writer."""
    monkeypatch.setenv("QALA_REFERENCE", str(tmp_path))

    def write(*rows: str) -> None:
        (tmp_path / "lineage.csv").write_text(
            LINEAGE_HEADER + "".join(r + "\n" for r in rows), encoding="utf-8"
        )

    write()
    return write


DISTRICTS = pd.DataFrame(
    {"vintage": ["v2", "v2", "v1"], "district_id": ["A", "B", "AB"], "area_km2": [4.0, 2.5, 6.5]}
)


def test_density_is_population_over_area_in_km2():
    figures = frame(
        fig("p1", "A", "v2", 20000, date(2024, 1, 1)), fig("p2", "B", "v2", 1000, date(2024, 1, 1))
    )
    out = derived.density(figures, DISTRICTS).set_index("figure_id")
    # 20 000 / 4 km² = 5 000 per km²; 1 000 / 2.5 km² = 400 per km².
    assert out.loc["density:p1", "value"] == pytest.approx(5000.0)
    assert out.loc["density:p2", "value"] == pytest.approx(400.0)
    assert (out.indicator == "density").all() and out.derived.all() and (out.unit == "persons per km2").all()
    assert out.loc["density:p1", "confidence"] == "derived"


def test_density_needs_an_area_of_the_same_vintage():
    # District A of vintage v1 has no area (v1 has only AB): no density rather than a wrong one.
    out = derived.density(frame(fig("p1", "A", "v1", 20000, date(2024, 1, 1))), DISTRICTS)
    assert out.empty


def test_growth_divides_by_the_earlier_value():
    figures = frame(
        fig("p1", "A", "v2", 20000, date(2024, 1, 1), confidence="approx"),
        fig("p2", "A", "v2", 25000, date(2026, 1, 1), confidence="x2"),
    )
    out = derived.growth(figures)
    assert len(out) == 1
    row = out.iloc[0]
    # (25 000 - 20 000) / 20 000 x 100 = 25 % (over the later value: 20 %).
    assert row.value == pytest.approx(25.0)
    assert row.figure_id == "growth:p1->p2" and row.period_start == date(2024, 1, 1)
    assert row.confidence.split(";") == ["approx", "x2", "derived"]
    assert "2.0 years apart" in row.method


def test_growth_runs_between_consecutive_dates_in_order():
    figures = frame(
        fig("c", "A", "v2", 12100, date(2026, 1, 1)),
        fig("a", "A", "v2", 10000, date(2024, 1, 1)),
        fig("b", "A", "v2", 11000, date(2025, 1, 1)),
    )
    out = derived.growth(figures).set_index("figure_id")
    # 10 000 -> 11 000: +10 %; 11 000 -> 12 100: +10 % (not 10 000 -> 12 100: +21 %).
    assert out.value.to_dict() == pytest.approx({"growth:a->b": 10.0, "growth:b->c": 10.0})


def test_growth_skips_undated_figures_and_other_vintages():
    figures = frame(
        fig("a", "A", "v2", 10000, date(2024, 1, 1)),
        fig("nd", "A", "v2", 99999, date(2025, 12, 31), confidence="undated;circa"),
        fig("other", "A", "v1", 30000, date(2025, 1, 1)),
        fig("city", None, None, 50000, date(2025, 1, 1)),
    )
    assert derived.growth(figures).empty  # one dated figure per district and vintage: nothing to compare


def test_growth_of_the_same_date_twice_keeps_the_first():
    figures = frame(
        fig("a", "A", "v2", 10000, date(2024, 1, 1)),
        fig("a2", "A", "v2", 10500, date(2024, 1, 1)),
        fig("b", "A", "v2", 12000, date(2025, 1, 1)),
    )
    out = derived.growth(figures)
    # (12 000 - 10 000) / 10 000 = 20 %; the second figure of 2024-01-01 is not a period of zero length.
    assert out.figure_id.tolist() == ["growth:a->b"] and out.value.iloc[0] == pytest.approx(20.0)


def test_population_of_an_old_district_is_the_sum_of_its_successors(lineage):
    lineage("X,2022-12-01,v2,A,v1,AB,continues,src", "X,2022-12-01,v2,B,v1,AB,split from,src")
    figures = frame(
        fig("a", "A", "v2", 20000, date(2025, 1, 1), confidence="x2", label="2025 (start)"),
        fig("b", "B", "v2", 10000, date(2025, 1, 1), confidence="secondary", label="2025 (start)"),
    )
    out = derived.population_through_lineage(figures)
    assert len(out) == 1
    row = out.iloc[0]
    # AB of v1 on 2025-01-01 = A 20 000 + B 10 000 = 30 000.
    assert (row.district_id, row.vintage, row.value) == ("AB", "v1", 30000.0)
    assert row.derived and row.confidence.split(";") == ["x2", "secondary", "derived"]
    assert row.figure_id == "lineage:v1:AB:2025 (start)" and "A, B of v2" in row.method


def test_no_sum_when_a_successor_lacks_the_date(lineage):
    lineage("X,2022-12-01,v2,A,v1,AB,continues,src", "X,2022-12-01,v2,B,v1,AB,split from,src")
    figures = frame(
        fig("a", "A", "v2", 20000, date(2025, 1, 1)), fig("b", "B", "v2", 10000, date(2024, 1, 1))
    )
    assert derived.population_through_lineage(figures).empty  # A alone would understate AB


def test_no_sum_for_a_parent_that_gave_land_to_a_child_of_two_parents(lineage):
    # C was formed from parts of P and Q: neither P nor Q can be rebuilt from its successors.
    lineage(
        "X,2018-03-16,v2,P,v1,P,continues,src",
        "X,2018-03-16,v2,C,v1,P,formed from part of,src",
        "X,2018-03-16,v2,C,v1,Q,formed from part of,src",
        "X,2018-03-16,v2,Q,v1,Q,continues,src",
    )
    figures = frame(*(fig(d, d, "v2", 1000, date(2025, 1, 1)) for d in ("P", "C", "Q")))
    assert derived.population_through_lineage(figures).empty


def test_no_sum_across_a_not_comparable_link_or_a_child_of_unknown_land(lineage):
    lineage(
        "X,2017-02-07,v2,A,v1,A,continues (gained land: not comparable across that date),src",
        "X,2014-07-02,v2,N,,,formed from annexed villages,src",
    )
    figures = frame(fig("a", "A", "v2", 1000, date(2025, 1, 1)), fig("n", "N", "v2", 500, date(2025, 1, 1)))
    assert derived.population_through_lineage(figures).empty


def test_sums_are_carried_back_more_than_one_step(lineage):
    lineage(
        "X,2024-05-23,v3,A,v2,A,continues,src",
        "X,2024-05-23,v3,S,v2,A,split from,src",
        "X,2022-12-01,v2,A,v1,A,same,",
    )
    figures = frame(fig("a", "A", "v3", 100, date(2025, 1, 1)), fig("s", "S", "v3", 50, date(2025, 1, 1)))
    out = derived.population_through_lineage(figures).set_index("vintage")
    # v2 A = 100 + 50 = 150; v1 A = v2 A = 150.
    assert out.loc["v2", "value"] == 150 and out.loc["v1", "value"] == 150


def test_derive_all_keeps_the_sourced_figures_and_adds_the_derived_ones(lineage):
    lineage("X,2022-12-01,v2,A,v1,AB,continues,src", "X,2022-12-01,v2,B,v1,AB,split from,src")
    figures = frame(
        fig("a1", "A", "v2", 20000, date(2024, 1, 1)),
        fig("b1", "B", "v2", 10000, date(2024, 1, 1)),
        fig("a2", "A", "v2", 22000, date(2025, 1, 1)),
        fig("b2", "B", "v2", 13000, date(2025, 1, 1)),
    )
    districts = pd.DataFrame(
        {"vintage": ["v2", "v2", "v1"], "district_id": ["A", "B", "AB"], "area_km2": [4.0, 4.0, 8.0]}
    )
    out = derived.derive_all(figures, districts).set_index("figure_id")
    assert out.loc[["a1", "b1", "a2", "b2"], "derived"].eq(False).all()
    # AB 2024: 30 000 / 8 km² = 3 750 per km²; AB 2024 -> 2025: 30 000 -> 35 000 = +16.67 %.
    assert out.loc["density:lineage:v1:AB:2024-01-01", "value"] == pytest.approx(3750.0)
    growth_ab = out[(out.indicator == "growth_rate") & (out.district_id == "AB")]
    assert growth_ab.value.tolist() == pytest.approx([100 * 5000 / 30000])
    assert out.loc["growth:a1->a2", "value"] == pytest.approx(10.0)
