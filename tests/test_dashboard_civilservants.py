"""Layer 2's civil servants by bank (dashboard.views.civilservants, dashboard.state.surveytables): a published
banks table read as published, a hidden bank carrying no number, and what the difference's interval allows one
to say, in the three languages."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from dashboard.state.published import PublishedIndex
from dashboard.state.surveytables import bank_figures
from dashboard.state.viewmodel import ViewModel
from dashboard.views import civilservants
from tests.components import text_of
from tests.test_dashboard_published import META, hand_frame, hand_scores

SHARE = "Сектор=госслужба"
NAN = math.nan


def banks(left=(0.324, 0.283, 0.368, 521), right=(0.113, 0.089, 0.142, 618), diff=(0.212, 0.161, 0.262),
          hidden=()) -> pd.DataFrame:
    rows = []
    for bank, (mean, low, high, *n) in (("left", left), ("right", right), ("left-right", (*diff, 1139))):
        off = bank in hidden
        rows.append({"city": "Astana", "bank": bank, "item": SHARE, "scale": "0-1",
                     "districts": "711210000;711510000" if bank == "left" else "711110000;711310000",
                     "n": NAN if off else n[0], "mean": NAN if off else mean, "ci_low": NAN if off else low,
                     "ci_high": NAN if off else high, "suppressed": off})
    rows.append({"city": "Astana", "bank": "left", "item": "Q1", "scale": "1-5", "districts": "711210000",
                 "n": 40, "mean": 3.1, "ci_low": 2.9, "ci_high": 3.3, "suppressed": False})
    return pd.DataFrame(rows)


def model(table: pd.DataFrame | None) -> ViewModel:
    vm = ViewModel()
    index = PublishedIndex()
    ds = index.add(META, hand_frame(), hand_scores())
    ds.banks = bank_figures(table)
    vm.attach_published(index)
    return vm


def test_published_bank_figures_are_read_as_published_and_a_hidden_one_carries_nothing():
    figures = bank_figures(banks(hidden=("right", "left-right")))
    left, right = figures[("Astana", SHARE)]["left"], figures[("Astana", SHARE)]["right"]
    assert (left.value, left.ci_low, left.ci_high, left.n) == (0.324, 0.283, 0.368, 521)
    assert left.share and left.districts == ("711210000", "711510000")
    assert right.suppressed and (right.value, right.ci_low, right.ci_high, right.n) == (None, None, None, None)
    assert not figures[("Astana", "Q1")]["left"].share  # a 1-5 mean is not a share
    tampered = banks().assign(suppressed=[True, False, False, False])  # flagged hidden, values left in
    assert bank_figures(tampered)[("Astana", SHARE)]["left"].value is None


@pytest.mark.parametrize(("diff", "key"), [((0.212, 0.161, 0.262), "banks_more_left"),
                                           ((-0.05, -0.09, -0.01), "banks_more_right"),
                                           ((0.02, -0.03, 0.07), "banks_cannot_tell"),
                                           ((0.0, 0.0, 0.07), "banks_cannot_tell")])
def test_the_verdict_follows_the_interval_of_the_difference(diff, key):
    figure = bank_figures(banks(diff=diff))[("Astana", SHARE)]["left-right"]
    assert civilservants.verdict(figure, "en") == civilservants.t(key, "en")


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_the_section_shows_both_banks_the_difference_and_the_verdict(lang):
    text = text_of(civilservants.section(model(banks()), lang))
    for shown in ("32.4 %", "28.3 % … 36.8 %", "11.3 %", "+21.2", "+16.1 … +26.2", "521", "618"):
        assert shown in text
    assert civilservants.t("banks_more_left", lang) in text
    lead = text_of(civilservants.headline(model(banks()), lang))
    assert "32.4 %" in lead and "11.3 %" in lead and "n 521" in lead


def test_a_withheld_bank_says_why_and_shows_no_number():
    vm = model(banks(hidden=("left", "left-right")))
    text = text_of(civilservants.section(vm, "ru"))
    assert civilservants.t("banks_withheld", "ru") in text
    assert "32.4" not in text and "+21.2" not in text
    assert civilservants.headline(vm, "ru") == []  # no lead line from a half-hidden comparison


def test_without_a_share_item_the_section_says_how_to_get_one():
    for table in (None, banks().iloc[[3]]):  # no banks table; only a 1-5 item by bank
        text = text_of(civilservants.section(model(table), "en"))
        assert "--score Сектор=госслужба" in text


def test_a_share_item_reads_in_percent_on_the_survey_layer():
    from dashboard.state.published import Measure
    from dashboard.views import survey

    share = Measure(SHARE, "score", (), scale="0-1")
    assert survey.fmt(share, 0.324, "ru") == "32.4 %"
    assert survey.fmt(Measure("Q1", "score", (), scale="1-5"), 3.25, "ru") == "3.25"


def test_flags_and_rows_the_banks_reader_refuses_or_reads_as_missing():
    from dashboard.state.surveytables import flagged

    assert [flagged(v) for v in ("true", " Suppressed ", "1", "no", "", None, NAN, 0, 1, True)] == [
        True, True, True, False, False, False, False, False, True, True]
    odd = pd.concat([banks(), pd.DataFrame([
        {"city": "Astana", "bank": "middle", "item": SHARE, "scale": "0-1", "n": 5, "mean": 0.5,
         "suppressed": False},
        {"city": None, "bank": "left", "item": "Q9", "scale": "1-5", "n": 5, "mean": 3.0, "suppressed": False},
        {"city": "Astana", "bank": "left", "item": None, "scale": "1-5", "n": 5, "mean": 3.0, "suppressed": False},
        {"city": "Astana", "bank": "right", "item": "Q1", "scale": "1-5", "n": 5, "mean": NAN,
         "suppressed": False}])], ignore_index=True)
    figures = bank_figures(odd)
    assert set(figures[("Astana", SHARE)]) == {"left", "right", "left-right"}  # no "middle" bank
    assert set(figures) == {("Astana", SHARE), ("Astana", "Q1")}  # no city or no item: left out
    assert figures[("Astana", "Q1")]["right"].suppressed  # no value though not flagged: nothing to show


def test_scores_get_each_district_rows_boundary_set_and_nothing_else_is_touched():
    from dashboard.state.surveytables import with_vintages

    scores = pd.DataFrame({"city": "Astana", "level": ["district", "city"], "district_id": ["1", None],
                           "item": "Q1"})
    districts = pd.DataFrame({"district_id": ["1"], "vintage": ["astana-6"]})
    out = with_vintages(scores, districts)
    assert out["vintage"].iloc[0] == "astana-6" and pd.isna(out["vintage"].iloc[1])
    assert with_vintages(None, districts) is None
    given = scores.assign(vintage="x")
    assert with_vintages(given, districts) is given  # the table's own boundary sets stay
    assert with_vintages(scores, districts.drop(columns="vintage")) is scores


def test_a_difference_whose_interval_ends_at_zero_cannot_tell_and_a_half_interval_is_none():
    figure = bank_figures(banks(diff=(-0.05, -0.09, 0.0)))[("Astana", SHARE)]["left-right"]
    assert civilservants.verdict(figure, "en") == civilservants.t("banks_cannot_tell", "en")
    half = bank_figures(banks())[("Astana", SHARE)]["left"]
    assert civilservants.span(half) == "28.3 % … 36.8 %"
    from dataclasses import replace

    assert civilservants.span(replace(half, ci_low=None)) == "–" and civilservants.span(replace(half, ci_high=None)) \
        == "–"


def test_the_districts_of_astana_are_ranked_by_the_share_with_the_city_marked():
    vm = model(banks())
    ds = vm.published.datasets["demo"]
    ds.cells[SHARE] = ds.cells["Q1"]  # hand cells: A 3.4, B 2.0 (any values do for the chart)
    ds.city_cells[(SHARE, "Astana")] = ds.city_cells[("Q1", "Astana")]
    text = text_of(civilservants.section(vm, "en"))
    assert civilservants.t("banks_districts", "en") in text and "Alpha" in text and "Beta" in text
    assert civilservants.t("ranked_city", "en", value="305.0 %") in text  # the city's 3.05, as a share
    from dataclasses import replace

    ds.city_cells[(SHARE, "Astana")] = replace(ds.city_cells[(SHARE, "Astana")], suppressed=True)
    assert "city 305.0 %" not in text_of(civilservants.section(vm, "en"))
    ds.city_of = {fid: "Almaty" for fid in ds.city_of}  # no district of Astana: no chart
    assert civilservants.t("banks_districts", "en") not in text_of(civilservants.section(vm, "en"))


def test_a_dataset_without_period_or_source_says_so_with_a_dash():
    vm = model(banks())
    meta = vm.published.datasets["demo"].meta
    meta.pop("period"), meta.pop("source")
    assert "· – · Source: –" in text_of(civilservants.section(vm, "en"))


def test_a_share_reads_in_percent_in_the_brief_chart_reading_and_table():
    from dashboard.brief.parts import Ranked, chart_svg, reading

    rows = [Ranked("Nura", 0.377, 0.296, 0.466, share=True), Ranked("Almaty", 0.084, 0.056, 0.124, share=True)]
    assert "Nura (37.7 %)" in " ".join(reading(rows, "en")) and "Almaty (8.4 %)" in " ".join(reading(rows, "en"))
    assert ">37.7 %<" in chart_svg(rows, "en") and "0.38" not in chart_svg(rows, "en")
    means = [Ranked("A", 3.4, 3.1, 3.7), Ranked("B", 2.0, 1.2, 2.8)]
    assert "A (3.40)" in " ".join(reading(means, "en"))
