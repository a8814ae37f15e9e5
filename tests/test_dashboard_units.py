"""The view model's rules on small hand-made inputs (no build needed), and an app module that does no work at import."""

from __future__ import annotations

import importlib
import sys

import pandas as pd
import pytest

from dashboard.state.records import Figure, Series
from dashboard.state.viewmodel import ViewModel


def _series(label: str, end: str, values: dict[str, float | None], *, vintage: str = "astana-6",
            derived: bool = False, mapped: bool = True) -> Series:
    figures = {did: Figure(figure_id=f"{label}-{did}", value=v, unit="persons", period_label=label,
                           period_start=None, period_end=end, source="hand-made", note=None, confidence=(),
                           derived=derived, method="re-aggregated" if derived else None, vintage=vintage)
               for did, v in values.items()}
    return Series(sid="", city="Astana", indicator="population", key=label, label=label, start=None, end=end,
                  vintage=vintage, unit="persons", figures=figures, has_geometry=mapped)


def _preferred(*items: Series) -> str | None:
    vm = ViewModel()
    vm.index_series("Astana", "population", list(items))
    return vm.preferred_period("Astana", "concentration", "population")


FULL = {"a": 10.0, "b": 20.0, "c": 30.0}


def test_preferred_period_is_the_latest_of_equally_complete_periods():
    # 2019 and 2024 both have three values: the later one is opened, not the earlier.
    assert _preferred(_series("2019", "2019-01-01", FULL), _series("2024", "2024-01-01", FULL)) == "2024"
    assert _preferred(_series("2024", "2024-01-01", FULL), _series("2019", "2019-01-01", FULL)) == "2024"


def test_preferred_period_has_the_most_values():
    # 2024 has one value and two gaps, 2019 has three: the complete map wins over the later, sparse one.
    sparse = _series("2024", "2024-01-01", {"a": 10.0, "b": None, "c": None})
    assert _preferred(_series("2019", "2019-01-01", FULL), sparse) == "2019"


def test_preferred_period_takes_the_published_figures_before_a_derived_re_aggregation():
    # Same date on two boundary sets: published on astana-5, derived onto astana-6. The published one keeps the
    # plain key and is opened; the derived one is keyed by its vintage.
    published = _series("2023", "2023-01-01", FULL, vintage="astana-5")
    derived = _series("2023", "2023-01-01", FULL, vintage="astana-6", derived=True)
    assert _preferred(derived, published) == "2023"
    vm = ViewModel()
    vm.index_series("Astana", "population", [derived, published])
    assert vm.periods("Astana", "concentration", "population") == ["2023", "2023 @astana-6"]
    assert vm.find_series("Astana", "population", "2023").vintage == "astana-5"


def test_preferred_period_skips_periods_that_cannot_be_mapped():
    unmapped = _series("2025", "2025-01-01", FULL, vintage="astana-7", mapped=False)
    assert _preferred(_series("2020", "2020-01-01", FULL), unmapped) == "2020"
    assert _preferred(unmapped) is None
    vm = ViewModel()
    vm.index_series("Astana", "population", [_series("2020", "2020-01-01", FULL)])
    assert vm.preferred_period("Astana", "leftbank", "population") is None  # only layer 1 prefers a period


def test_ranks_are_indexed_without_missing_values():
    vm = ViewModel()
    vm.index_series("Astana", "population", [_series("2024", "2024-01-01", {"a": 5.0, "b": None, "c": 9.0})])
    series = vm.find_series("Astana", "population", "2024")
    assert series.ranks == {"c": (1, 2), "a": (2, 2)}
    assert vm.classes[(series.sid, "quantiles", 5)].class_of["b"] is None


def test_all_categories_read_the_builds_every_statement_row():
    """The dashboard's 'all' is the build's 'any' (every statement); the build's own 'all' (statements about all
    migrants) is not offered under the dashboard's 'all', and the categories are those of the layer."""
    scores = pd.DataFrame([
        {"city": "Almaty", "migrant_category": "all", "n": 1, "mean_stance": -1.0, "statement_ids": "S1",
         "source": "hand-made"},
        {"city": "Almaty", "migrant_category": "rural", "n": 2, "mean_stance": 0.5, "statement_ids": "S2;S3",
         "source": "hand-made"},
        {"city": "Almaty", "migrant_category": "youth", "n": 0, "mean_stance": None, "statement_ids": None,
         "source": "hand-made"},
        {"city": "Almaty", "migrant_category": "any", "n": 3, "mean_stance": 0.0, "statement_ids": "S1;S2;S3",
         "source": "hand-made"},
    ])
    vm = ViewModel()
    vm._load_perception(pd.DataFrame(columns=["id"]), scores, pd.DataFrame(columns=["city"]))
    assert vm.stance("Almaty", "all") == (0.0, 3)
    assert vm.stance("Almaty", "rural") == (0.5, 2)
    assert vm.stance("Almaty", "youth") == (None, 0)
    assert vm.stance("Shymkent", "rural") == (None, 0)
    assert vm.categories == ("all", "rural", "youth")


def test_importing_the_app_loads_nothing(monkeypatch):
    def refuse(cls):
        raise AssertionError("the view model was loaded at import")

    monkeypatch.setattr(ViewModel, "load", classmethod(refuse))
    sys.modules.pop("dashboard.app", None)
    app_module = importlib.import_module("dashboard.app")
    assert callable(app_module.create_app) and callable(app_module.create_server)
    assert not hasattr(app_module, "server") and not hasattr(app_module, "vm")
    with pytest.raises(AssertionError, match="loaded"):
        app_module.create_app()  # the factory is what loads it


def test_chart_labels_skip_points_too_close_to_the_previous_label():
    from dashboard.charts import labelled

    # x positions of the left-bank chart: six dates 2013-2015 crowded at the left, one in 2025 at the right
    xs = [48.0, 51.0, 58.0, 60.0, 62.0, 66.0, 278.0]
    assert labelled(xs, gap=30) == [0, 6]
    assert labelled([0.0, 30.0, 60.0, 61.0], gap=30) == [0, 1, 3]  # 60 is too close to the last one
    assert labelled([0.0, 100.0], gap=30) == [0, 1]
    assert labelled([5.0]) == [0] and labelled([]) == []


def test_two_units_or_two_sources_of_one_period_are_shown_side_by_side():
    """The same district and date in USD and in KZT, and Almaty district from two sources that disagree: no value
    may overwrite another; each becomes a series of its own, keyed apart."""
    from dashboard.state.viewmodel import side_by_side

    def rec(district, value, unit, source):
        return {"city": "Astana", "district_id": district, "value": value, "unit": unit, "source": source}

    recs = [rec("esil", 2601.0, "USD/m2", "kn.kz"), rec("esil", 401700.0, "KZT/m2", "kn.kz"),
            rec("almaty", 2057.0, "USD/m2", "kn.kz"), rec("almaty", 2100.0, "USD/m2", "other"),
            rec("saryarka", 1949.0, "USD/m2", "kn.kz")]
    parts = side_by_side(recs)
    assert sum(len(p) for p in parts) == len(recs)  # nothing dropped
    as_sets = [{(r["district_id"], r["value"]) for r in p} for p in parts]
    assert {("esil", 401700.0)} in as_sets
    assert {("esil", 2601.0), ("almaty", 2057.0), ("saryarka", 1949.0)} in as_sets
    assert {("almaty", 2100.0)} in as_sets
    for part in parts:  # one unit and each place once per series
        assert len({r["unit"] for r in part}) == 1
        assert len({r["district_id"] for r in part}) == len(part)


def test_series_split_from_one_period_get_distinct_keys():
    vm = ViewModel()
    a = _series("c.2012-2013", "2013-12-31", {"esil": 2601.0}, vintage="astana-3")
    b = _series("c.2012-2013", "2013-12-31", {"esil": 401700.0}, vintage="astana-3")
    b.unit = "KZT/m2"
    c = _series("c.2012-2013", "2013-12-31", {"esil": 2700.0}, vintage="astana-3")
    vm.index_series("Astana", "population", [a, b, c])
    keys = vm.periods("Astana", "concentration", "population")
    assert len(set(keys)) == 3 and keys[0] == "c.2012-2013"
    assert {vm.find_series("Astana", "population", k).figures["esil"].value for k in keys} == {2601.0, 401700.0,
                                                                                               2700.0}


def test_period_choices_of_split_series_say_what_sets_them_apart():
    vm = ViewModel()
    usd = _series("c.2012-2013", "2013-12-31", {"esil": 2601.0}, vintage="astana-3")
    usd.unit = "USD/m2"
    kzt = _series("c.2012-2013", "2013-12-31", {"esil": 401700.0}, vintage="astana-3")
    kzt.unit = "KZT/m2"
    other = _series("2014", "2014-12-31", {"esil": 1.0}, vintage="astana-3")
    for fig in other.figures.values():
        fig.source = "https://www.kn.kz/analytics/2449 (weekly monitoring)"
    other2 = _series("2014", "2014-12-31", {"esil": 2.0}, vintage="astana-3")
    for fig in other2.figures.values():
        fig.source = "https://kapital.kz/x"
    vm.index_series("Astana", "price", [usd, kzt, other, other2])
    labels = {vm.period_label("Astana", "price", k) for k in vm.periods("Astana", "concentration", "price")}
    # no boundary-set code: both series are on the same boundaries, so the unit or the source tells them apart
    assert labels == {"c.2012-2013 · USD/m²", "c.2012-2013 · KZT/m²", "2014 · kn.kz", "2014 · kapital.kz"}
