"""Unreliable values are hatched on the map: a flagged district is in the style's ``hatched`` with the flags'
words for its tooltip, the legend says what hatching means; unflagged districts and flags about dates are not."""

from __future__ import annotations

import json

import plotly.utils

from dashboard.classify import classify, palette
from dashboard.state.query import ViewState
from dashboard.state.records import Figure, Series
from dashboard.views.base import HATCH_FLAGS, Style, hatch_flags
from dashboard.views.concentration import series_legend, series_style


def figure(fid: str, value: float | None, flags: tuple[str, ...]) -> Figure:
    return Figure(figure_id=fid, value=value, unit="persons", period_label="2025", period_start="2025-01-01",
                  period_end="2025-01-01", source="SYNTHETIC test", note=None, confidence=flags, derived=False,
                  method=None, vintage="astana-6")


def series(flags: dict[str, tuple[str, ...]], values: dict[str, float | None] | None = None) -> Series:
    values = values or {fid: 100.0 * (i + 1) for i, fid in enumerate(flags)}
    return Series(sid="s", city="Astana", indicator="population", key="k", label="2025", start="2025-01-01",
                  end="2025-01-01", vintage="astana-6", unit="persons",
                  figures={fid: figure(fid, values[fid], f) for fid, f in flags.items()})


def render(s: Series, lang: str = "en") -> tuple[dict, str]:
    cls = classify(s.values, "quantiles", 3)
    colors = palette("viridis", max(1, cls.k_used))
    state = ViewState(lang=lang)
    hideout = series_style(s, cls, colors, state).hideout()
    legend = json.dumps(series_legend(cls, colors, s, lang, False), cls=plotly.utils.PlotlyJSONEncoder,
                        ensure_ascii=False)
    return hideout, legend


def test_flagged_district_is_hatched_with_its_flags_and_a_legend_line():
    hideout, legend = render(series({"a": ("secondary", "point"), "b": (), "c": ("lower_bound", "uncertain")}))
    assert hideout["hatched"] == {"a": True, "c": True}
    assert hideout["why"] == {"a": "secondary source", "c": "uncertain, lower bound"}
    assert "hatch-legend" in legend and "Hatched: secondary source, uncertain, lower bound" in legend


def test_legend_line_in_the_interface_language():
    _, legend = render(series({"a": ("approx",), "b": ()}), "kk")
    assert "Штрихталған" in legend
    _, legend = render(series({"a": ("approx",), "b": ()}), "ru")
    assert "Штриховка" in legend


def test_unflagged_and_date_only_flags_are_not_hatched():
    hideout, legend = render(series({"a": ("circa", "undated", "x2", "derived"), "b": (), "c": ("point",)}))
    assert "hatched" not in hideout and "why" not in hideout
    assert "hatch-legend" not in legend


def test_missing_value_is_never_hatched():
    hideout, legend = render(series({"a": ("secondary",), "b": (), "c": ()}, {"a": None, "b": 1.0, "c": 2.0}))
    assert "hatched" not in hideout
    assert "hatch-legend" not in legend


def test_hatch_vocabulary_and_order():
    assert hatch_flags(["interpolated", "x2", "secondary", "asking_price"]) == ["secondary", "interpolated"]
    assert set(HATCH_FLAGS) >= {"secondary", "uncertain", "lower_bound", "interpolated"}
    assert Style(hatched={"z": True}).hideout()["hatched"] == {"z": True}


def _heading_text(s: Series, lang: str = "en") -> str:
    from dashboard.views.base import shared_notice
    from dashboard.views.concentration import series_flags

    return shared_notice(series_flags(s), lang)


def test_a_flag_every_value_shares_hatches_nothing_and_is_said_once_above_the_map():
    s = series({"a": ("secondary", "approx"), "b": ("secondary",), "c": ("secondary", "point")})
    hideout, legend = render(s)
    assert hideout["hatched"] == {"a": True}  # only "approx" singles a district out
    assert hideout["why"] == {"a": "secondary source, approximate", "b": "secondary source",
                              "c": "secondary source"}  # the tooltip still names every flag
    assert "Hatched: approximate" in legend and "secondary source" not in legend.split("Hatched:")[1]
    assert "Every value on this map: secondary source" in _heading_text(s)
    assert "Все значения на этой карте: вторичный источник" in _heading_text(s, "ru")


def test_when_all_values_share_all_their_flags_nothing_is_hatched():
    s = series({"a": ("secondary", "uncertain"), "b": ("uncertain", "secondary")})
    hideout, legend = render(s)
    assert "hatched" not in hideout and "hatch-legend" not in legend
    assert "Every value on this map: secondary source, uncertain" in _heading_text(s)


def test_no_line_when_some_value_has_no_flag_or_a_value_is_missing():
    assert _heading_text(series({"a": ("secondary",), "b": ()})) == ""
    # a missing value is not shown, so it takes no part: the two shown values share "secondary"
    s = series({"a": ("secondary",), "b": ("secondary",), "c": ()}, {"a": 1.0, "b": 2.0, "c": None})
    assert "secondary source" in _heading_text(s) and "hatched" not in render(s)[0]
    assert _heading_text(series({})) == ""
