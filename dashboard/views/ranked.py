"""The ranked chart beside the map: a layer's districts sorted by value, each with its 95% interval where the
value has one, its rank range ("ranks 1–3": the places it could hold given how sure its value is, from
``geo.api.rank_ranges``) and, where the city has a value of its own for the same period, a mark on the districts
whose interval excludes it (``geo.api.excludes``). Districts without a value (or suppressed by the release gate)
are named under the chart, never ranked.

An inline SVG in ``dashboard.charts``' style (300 units wide, drawn at the panel's width: it fits a 390 px phone
drawer); a hidden list says the same in words for screen readers. Nothing is estimated here: the values, their
intervals and the city value are the build's (or the published dataset's).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import dash_svg as svg
from dash import html

from dashboard.charts import wildcard
from dashboard.i18n import t
from dashboard.state.records import Series
from dashboard.state.viewmodel import NATIONAL, ViewModel
from geo.api import excludes, rank_ranges

WIDTH, ROW, HEAD, FOOT = 300, 18, 14, 16
NAME_R, PLOT_L, PLOT_R, VALUE_L, RANK_R, MARK_R = 92, 98, 206, 210, 286, 299
NAME_CHARS = 18
INK, BAR, DOT, ACCENT, SELECTED = "#333", "#6b8fb5", "#1f3b57", "#c2410c", "#fde8ea"
DIFFERS = "\u2260"  # ≠ beside a district whose interval excludes the city value


@dataclass(frozen=True)
class Entry:
    """One district as the chart takes it: its value and 95% interval (None: none), or why it has no value."""

    fid: str
    name: str
    value: float | None
    low: float | None = None
    high: float | None = None
    hidden: bool = False  # suppressed by the release gate

    @property
    def has_interval(self) -> bool:
        return self.low is not None and self.high is not None


@dataclass(frozen=True)
class RankedRow:
    """A ranked district: its rank (ties share the best), the range of ranks its interval allows, and whether
    its interval excludes the city value."""

    entry: Entry
    rank: int
    rank_low: int
    rank_high: int
    differs: bool = False


def rank_rows(entries: Sequence[Entry], city_value: float | None = None) -> list[RankedRow]:
    """The entries with a value, highest first (ties by name), with their rank ranges. Ranges are simulated in
    the order of the districts' ids, so the page and the brief (and every language) get the same ranges."""
    shown = sorted((e for e in entries if e.value is not None), key=lambda e: (e.fid, e.name))
    if not shown:
        return []
    ends = [(e.low, e.high) if e.low is not None and e.high is not None else (math.nan, math.nan) for e in shown]
    low, high = [lo for lo, _ in ends], [hi for _, hi in ends]
    ranks = rank_ranges([e.value or 0.0 for e in shown], low, high)
    differs = excludes(low, high, city_value) if city_value is not None else [False] * len(shown)
    rows = [RankedRow(e, int(r.rank), int(r.rank_low), int(r.rank_high), bool(d))
            for e, r, d in zip(shown, ranks.itertuples(), differs, strict=True)]
    return sorted(rows, key=lambda r: (r.rank, r.entry.name))


def unranked(entries: Sequence[Entry]) -> tuple[list[str], list[str]]:
    """Names of the districts without a value: (missing, suppressed), each by name."""
    missing = sorted(e.name for e in entries if e.value is None and not e.hidden)
    hidden = sorted(e.name for e in entries if e.value is None and e.hidden)
    return missing, hidden


def short_name(name: str, limit: int = NAME_CHARS) -> str:
    """A district's name short enough for the chart: whole when it fits, else cut at a word (or, one long word,
    at the limit) with an ellipsis; the hidden list and the table beside the chart have it whole."""
    if len(name) <= limit:
        return name
    cut = name[:limit - 1].rsplit(" ", 1)[0] if " " in name[:limit - 1] else name[:limit - 1]
    return cut.rstrip(" ,-") + "\u2026"


def rank_span(row: RankedRow) -> str:
    """"2" for an exact rank, "1–3" for a range: the chart's rank column."""
    return str(row.rank_low) if row.rank_low == row.rank_high else f"{row.rank_low}\u2013{row.rank_high}"


def rank_words(row: RankedRow, lang: str) -> str:
    """"rank 2" or "ranks 1–3" in the interface language."""
    if row.rank_low == row.rank_high:
        return t("ranked_rank", lang, rank=row.rank_low)
    return t("ranked_ranks", lang, low=row.rank_low, high=row.rank_high)


def _scale(rows: list[RankedRow], city_value: float | None) -> tuple[float, float, bool]:
    """(low, high, bars): bars from zero when no value has an interval, else dots on the intervals' span."""
    bars = not any(r.entry.has_interval for r in rows)
    ends = [v for r in rows for v in (r.entry.value, r.entry.low, r.entry.high) if v is not None]
    ends += [city_value] if city_value is not None else []
    low, high = (min([*ends, 0.0]), max([*ends, 0.0])) if bars else (min(ends), max(ends))
    return low, (high if high > low else low + 1.0), bars


def _row_shapes(row: RankedRow, y: float, x: Callable[[float], float], bars: bool, fmt: Callable[[float], str],
                selected: bool) -> list:
    """One district's line: name, bar or dot with its interval, value, rank range, and the mark."""
    e, value = row.entry, row.entry.value or 0.0
    color = ACCENT if row.differs else DOT
    shapes: list = [svg.Rect(x=0, y=f"{y - ROW / 2:.1f}", width=WIDTH, height=ROW, fill=SELECTED)] if selected else []
    shapes.append(svg.Text(short_name(e.name), x=NAME_R, y=f"{y + 3:.1f}", textAnchor="end", fontSize=9,
                           fill=INK, fontWeight=700 if selected else 400))
    if bars:
        start, end = sorted((x(0.0), x(value)))
        shapes.append(svg.Rect(x=f"{start:.1f}", y=f"{y - 5:.1f}", width=f"{max(end - start, 1.0):.1f}", height=10,
                               fill=BAR))
    else:
        if e.low is not None and e.high is not None:
            shapes.append(svg.Line(x1=f"{x(e.low):.1f}", x2=f"{x(e.high):.1f}", y1=f"{y:.1f}", y2=f"{y:.1f}",
                                   stroke=ACCENT if row.differs else BAR, strokeWidth=2.5))
        shapes.append(svg.Circle(cx=f"{x(value):.1f}", cy=f"{y:.1f}", r=3.5, fill=color))
    shapes += [svg.Text(fmt(value), x=VALUE_L, y=f"{y + 3:.1f}", fontSize=8.5, fill=DOT),
               svg.Text(rank_span(row), x=RANK_R, y=f"{y + 3:.1f}", textAnchor="end", fontSize=9, fill=INK,
                        fontWeight=700)]
    if row.differs:
        shapes.append(svg.Text(DIFFERS, x=MARK_R, y=f"{y + 3:.1f}", textAnchor="end", fontSize=10, fill=ACCENT,
                               fontWeight=700))
    return shapes


def _frame(low: float, high: float, height: float, city_value: float | None, fmt: Callable[[float], str],
           x: Callable[[float], float], lang: str, unit: str) -> list:
    """The column heads (the values' unit, ranks), the axis' ends and the city value's dashed line."""
    base = height - FOOT
    shapes: list = [svg.Text(t("ranked_head_ranks", lang), x=RANK_R, y=10, textAnchor="end", fontSize=8.5,
                             fill="#555"),
                    svg.Text(short_name(unit, 12), x=VALUE_L, y=10, fontSize=8, fill="#555"),
                    svg.Line(x1=PLOT_L, x2=PLOT_R, y1=base, y2=base, stroke="#999", strokeWidth=1),
                    svg.Text(fmt(low), x=PLOT_L, y=base + 10, textAnchor="start", fontSize=8, fill="#555"),
                    svg.Text(fmt(high), x=PLOT_R, y=base + 10, textAnchor="end", fontSize=8, fill="#555")]
    if low < 0 < high:
        shapes.append(svg.Line(x1=f"{x(0.0):.1f}", x2=f"{x(0.0):.1f}", y1=HEAD, y2=base, stroke="#999",
                               strokeWidth=0.8))
    if city_value is not None:
        shapes.append(svg.Line(x1=f"{x(city_value):.1f}", x2=f"{x(city_value):.1f}", y1=HEAD - 2, y2=base,
                               stroke=ACCENT, strokeWidth=1, strokeDasharray="3 2"))
        at = x(city_value)  # the label kept inside the plot's width, clear of the column heads
        anchor = "end" if at > PLOT_R - 24 else "start" if at < PLOT_L + 24 else "middle"
        shapes.append(svg.Text(t("ranked_city", lang, value=fmt(city_value)), x=f"{at:.1f}", y=10,
                               textAnchor=anchor, fontSize=8, fill=ACCENT))
    return shapes


def _words(rows: list[RankedRow], entries: Sequence[Entry], fmt: Callable[[float], str],
           city_value: float | None, lang: str) -> list:
    """What the chart says in words: the hidden list for screen readers, the city mark's key, the unranked
    districts and what a rank range means."""
    said = [f"{r.entry.name}: {fmt(r.entry.value or 0.0)}, {rank_words(r, lang)}"
            + (f", {t('ranked_differs', lang, value=fmt(city_value))}" if r.differs and city_value is not None
               else "") for r in rows]
    out: list = [html.Ol([html.Li(s) for s in said], className="visually-hidden")]
    if city_value is not None and any(r.differs for r in rows):
        out.append(html.P([html.Span(DIFFERS, className="ranked-mark"), " ",
                           t("ranked_differs", lang, value=fmt(city_value))], className="small ranked-key"))
    missing, hidden = unranked(entries)
    if missing:
        out.append(html.P(t("ranked_missing", lang, names=", ".join(missing)), className="small missing",
                          id="ranked-missing"))
    if hidden:
        out.append(html.P(t("ranked_suppressed", lang, names=", ".join(hidden)), className="small missing",
                          id="ranked-suppressed"))
    out.append(html.P(t("ranked_explain", lang), className="small ranked-explain"))
    return out


def ranked_chart(entries: Sequence[Entry], fmt: Callable[[float], str], lang: str, city_value: float | None = None,
                 selected: str | None = None, unit: str = "", chart_id: str = "ranked-chart") -> html.Figure | None:
    """The chart of ``entries`` (None with fewer than two values: nothing to rank); ``selected``: the chosen
    district's id, highlighted; ``unit``: the values' unit, over their column."""
    rows = rank_rows(entries, city_value)
    if len(rows) < 2:
        return None
    low, high, bars = _scale(rows, city_value)
    height = HEAD + ROW * len(rows) + FOOT

    def x(v: float) -> float:
        return PLOT_L + (PLOT_R - PLOT_L) * (v - low) / (high - low)

    shapes = _frame(low, high, height, city_value, fmt, x, lang, unit)
    for i, row in enumerate(rows):
        shapes += _row_shapes(row, HEAD + ROW * (i + 0.5), x, bars, fmt, row.entry.fid == selected)
    title = t("ranked_title", lang)
    return html.Figure(className="chart ranked", id=chart_id, children=[
        svg.Svg(shapes, viewBox=f"0 0 {WIDTH} {height}", width="100%", role="img",
                **wildcard({"aria-label": title})),
        html.Figcaption(t("ranked_caption_exact" if bars else "ranked_caption", lang)),
        *_words(rows, entries, fmt, city_value, lang)])


def series_entries(vm: ViewModel, series: Series, ids: Sequence[str], lang: str) -> list[Entry]:
    """A layer-1 series' districts: a sourced value each (official figures have no interval), None where the
    district has no figure or its figure has no source (as in the brief)."""
    out = []
    for fid in dict.fromkeys([*ids, *series.figures]):
        fig = series.figures.get(fid)
        out.append(Entry(fid, vm.place_name(fid, lang), fig.value if fig is not None and fig.source else None))
    return out


def series_city_value(vm: ViewModel, series: Series) -> float | None:
    """The city's own figure of the series' indicator for the same period and unit (from the national
    overview's city-level series), when the build has one and the indicator does not add up over districts (a
    city's total is no reference for its districts); else None: no city value is invented."""
    if series.city == NATIONAL or series.indicator in vm.time.additive:
        return None
    for sid in vm.city_index.get((NATIONAL, series.indicator), []):
        other = vm.series[sid]
        fig = other.figures.get(series.city)
        same_period = other.label == series.label or (
            other.start is not None and (other.start, other.end) == (series.start, series.end))
        if same_period and other.unit == series.unit and fig is not None and fig.value is not None and fig.source:
            return fig.value
    return None
