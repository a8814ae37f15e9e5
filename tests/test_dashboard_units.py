"""The view model's rules on small hand-made inputs (no build needed), and an app module that does no work at import."""

from __future__ import annotations

import importlib
import sys

import pandas as pd
import pytest

from dashboard.records import Figure, Series
from dashboard.viewmodel import ViewModel


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
