"""Two dates side by side: the indicator at the period (first map) and at the compare date (second map), each on
the boundaries valid then, coloured by ONE classification of both dates' values together, so that a colour
means the same value on both maps. Picks series the build holds; classifying them is presentation.

The second map exists only while the comparison is on (the draw callback adds it): the first page carries none.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from dashboard.classify import Classification, classify, parse_breaks
from dashboard.i18n import t
from dashboard.state.query import ViewState
from dashboard.state.records import Series
from dashboard.state.viewmodel import NATIONAL, ViewModel
from dashboard.views.base import Bounds, MapLayer

_SIDES = ("a", "b")  # keys of the joint classification: "a|<fid>" the period, "b|<fid>" the compare date


def active(state: ViewState) -> bool:
    """Whether the state asks for two maps: layer 1 of a city, its own figures, no change map, and a compare
    date other than the period (a district need not be chosen)."""
    return (state.layer == "concentration" and state.city != NATIONAL and not state.dataset and not state.change
            and bool(state.compare_date) and state.compare_date != state.period)


def series_pair(vm: ViewModel, state: ViewState) -> tuple[Series, Series] | None:
    """The series at the period and at the compare date, or None when the state asks for no two maps or the
    build holds either series not."""
    if not active(state) or state.period is None or state.compare_date is None:
        return None
    first = vm.find_series(state.city, state.indicator, state.period)
    second = vm.find_series(state.city, state.indicator, state.compare_date)
    if first is None or second is None:
        return None
    return first, second


def shared_classes(first: Series, second: Series, scheme: str, k: int, breaks: str = ""
                   ) -> tuple[Classification, dict[str, int | None], dict[str, int | None]]:
    """One classification of both series' values together, and each series' classes by feature id (the same
    id may be a district at both dates, so the two are kept apart while classifying)."""
    joint: dict[str, float | None] = {}
    for side, series in zip(_SIDES, (first, second), strict=True):
        joint.update({f"{side}|{fid}": value for fid, value in series.values.items()})
    cls = classify(joint, scheme, k, parse_breaks(breaks) if scheme == "user_defined" else None)
    split: dict[str, dict[str, int | None]] = {side: {} for side in _SIDES}
    for key, value in cls.class_of.items():
        side, fid = key.split("|", 1)
        split[side][fid] = value
    return cls, split["a"], split["b"]


def side_classification(cls: Classification, classes: dict[str, int | None]) -> Classification:
    """The joint classification seen from one side: its breaks and counts, that side's class per id."""
    return replace(cls, class_of=dict(classes))


def caption(series: Series, served: bool, lang: str, boundaries: str | None = None) -> str:
    """"date · boundaries" under which a map is drawn, the boundary set named by its dates (``boundaries``;
    saying so when they are not served)."""
    date = series.period_text().get(lang)[0] or series.label
    text = f"{date} · {boundaries or series.vintage or '—'}"
    return text if served else f"{text} ({t('twomaps_no_boundaries', lang)})"


@dataclass(frozen=True)
class SecondMap:
    """What the second map draws: its choropleth and context layers, where it is framed, the captions of the
    first map and of itself, and the joint classification (for the tests and the legend)."""

    choropleth: MapLayer
    context: MapLayer
    bounds: Bounds
    first_caption: str
    caption: str
    classification: Classification
