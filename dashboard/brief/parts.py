"""The brief's reading aids, drawn from the numbers the brief already shows: a ranked chart of the districts
(95% intervals where the values have them), the city total where the indicator adds up, one or two sentences of
reading (highest, lowest, whether their difference is sure), and a district's profile (every indicator of one
district against its city).

Nothing here invents a figure: the chart and the sentences use the shown values only (a suppressed or unsourced
value is left out and counted), the total is a sum of shown district values of an additive indicator and says
so, and a sentence about a difference is said only from intervals.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from html import escape

from dashboard.i18n import flag_label, t, unit_label
from dashboard.state.query import ViewState
from dashboard.state.surveytables import share_scale
from dashboard.state.viewmodel import ViewModel
from dashboard.views import current_series, export_table, profile_rows
from dashboard.views.panels import fmt_value
from geo.api import rank_ranges
from geo.settings import CITIES

ROW_H, LABEL_W, CHART_W, PAD = 26.0, 190.0, 600.0, 6.0
HEAD_H, RANK_W = 18.0, 70.0  # the rank ranges' column, right
CHART_MM = 90.0  # beside the legend: half the page's column
DOT, BAR = "#1f3b57", "#6b8fb5"


@dataclass(frozen=True)
class ValueRow:
    """One line of the values table: a district (or city), its value, and where the value comes from."""

    fid: str
    name: str
    value: str | None  # None: no value, or a value withheld because it has no source
    unit: str
    period: str
    source: str | None
    flags: tuple[str, ...]
    estimate: tuple[str, str, str, str] | None = None  # a survey's mean, 95% interval, n, reliability, apart
    withheld: bool = False  # the build has a value but no source for it: not printed, and said so
    change: bool = False  # the estimate is a change between two survey waves (later minus earlier)


@dataclass(frozen=True)
class Ranked:
    """One district as the chart and the reading take it: its value and interval, or why none is shown."""

    name: str
    value: float | None
    low: float | None = None
    high: float | None = None
    hidden: bool = False  # suppressed by the release gate
    fid: str = field(default="", compare=False)  # the district's id: the order its rank range is simulated in
    share: bool = field(default=False, compare=False)  # a 0-1 item's value: printed in percent

    @property
    def has_interval(self) -> bool:
        return self.low is not None and self.high is not None


def ranked(vm: ViewModel, state: ViewState) -> list[Ranked]:
    """The shown districts' values, highest first: a layer-1 series' sourced values, or a published survey's
    estimates with their intervals (the shown city's only)."""
    lang = state.lang
    series = current_series(vm, state)
    if series is not None:
        out = [Ranked(vm.place_name(fid, lang), fig.value if fig.source else None, fid=fid)
               for fid, fig in series.figures.items()]
    else:
        rows = export_table(vm, state).rows
        if not rows or "dataset" not in rows[0]:
            return []
        out = [Ranked(vm.place_name(str(r.get("fid") or ""), lang), _num(r.get("value")), _num(r.get("ci_low")),
                      _num(r.get("ci_high")), bool(r.get("suppressed")), fid=str(r.get("fid") or ""),
                      share=share_scale(r.get("scale")))
               for r in rows if state.city not in CITIES or r.get("city") == state.city]
    return sorted(out, key=lambda r: (r.value is None, -(r.value or 0.0), r.name))


def _num(value: object) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) and value == value \
        else None


def rank_spans(rows: list[Ranked]) -> dict[int, str]:
    """Each shown row's rank range ("2", "1–3") by its index in ``rows``: ``geo.api.rank_ranges`` over the
    values and intervals, simulated in the order of the districts' ids, as the page's ranked chart does."""
    shown = sorted((i for i, r in enumerate(rows) if r.value is not None), key=lambda i: (rows[i].fid, rows[i].name))
    if not shown:
        return {}
    ends = [(lo, hi) if (lo := rows[i].low) is not None and (hi := rows[i].high) is not None else (math.nan, math.nan)
            for i in shown]
    found = rank_ranges([rows[i].value or 0.0 for i in shown], [lo for lo, _ in ends], [hi for _, hi in ends])
    return {i: str(int(lo)) if lo == hi else f"{int(lo)}\u2013{int(hi)}"
            for i, lo, hi in zip(shown, found["rank_low"], found["rank_high"], strict=True)}


def chart_svg(rows: list[Ranked], lang: str) -> str:
    """Districts sorted, a dot with its 95% interval where there is one, else a bar from zero, and each one's
    rank range (right, as on the page); the ones without a shown value are named under the chart, not drawn."""
    shown = [r for r in rows if r.value is not None]
    if len(shown) < 2:
        return ""
    spans = rank_spans(shown)
    ends = [v for r in shown for v in (r.value, r.low, r.high) if v is not None]
    low = min([*ends, 0.0]) if not any(r.has_interval for r in shown) else min(ends)
    high = max(ends)
    span = (high - low) or 1.0
    plot_w = CHART_W - LABEL_W - 2 * PAD - 90 - RANK_W

    def x(v: float) -> float:
        return LABEL_W + PAD + (v - low) / span * plot_w

    parts = [f'<text x="{CHART_W - PAD:.0f}" y="{PAD + HEAD_H / 2:.1f}" text-anchor="end" font-size="14">'
             f'{escape(t("ranked_head_ranks", lang))}</text>']
    for i, (r, value) in enumerate((r, r.value) for r in shown if r.value is not None):
        y = PAD + HEAD_H + i * ROW_H + ROW_H / 2
        parts.append(f'<text x="{LABEL_W:.0f}" y="{y:.1f}" text-anchor="end">{escape(r.name)}</text>')
        if r.has_interval:
            parts.append(f'<line x1="{x(r.low or 0):.1f}" y1="{y:.1f}" x2="{x(r.high or 0):.1f}" y2="{y:.1f}" '
                         f'stroke="{BAR}" stroke-width="3"/><circle cx="{x(value):.1f}" cy="{y:.1f}" r="5" '
                         f'fill="{DOT}"/>')
        else:
            parts.append(f'<rect x="{x(0 if low <= 0 else low):.1f}" y="{y - 7:.1f}" height="14" '
                         f'width="{max(1.0, x(value) - x(0 if low <= 0 else low)):.1f}" fill="{BAR}"/>')
        parts.append(f'<text x="{x(r.high if r.has_interval and r.high is not None else value) + 6:.1f}" '
                     f'y="{y:.1f}">{escape(_fmt(value, lang, r.share))}</text>')
        parts.append(f'<text class="rank" x="{CHART_W - PAD:.0f}" y="{y:.1f}" text-anchor="end" '
                     f'font-weight="bold">{spans[i]}</text>')
    height = PAD * 2 + HEAD_H + len(shown) * ROW_H
    mm = CHART_W / CHART_MM
    return (f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {CHART_W:.0f} {height:.0f}" '
            f'width="{CHART_MM:.0f}mm" height="{height / mm:.1f}mm" role="img" font-size="17" '
            f'dominant-baseline="middle">{"".join(parts)}</svg>')


def _fmt(value: float, lang: str, share: bool = False) -> str:
    if share:
        return fmt_value(100 * value, "percent", lang)
    return fmt_value(value, None, lang) if abs(value) >= 100 else f"{value:.2f}"


def reading(rows: list[Ranked], lang: str) -> list[str]:
    """One or two sentences from the numbers: the highest and the lowest, and whether their difference is sure
    (their 95% intervals apart) when the values have intervals; how many districts show no value."""
    shown = [r for r in rows if r.value is not None]
    sentences = []
    if len(shown) >= 2:
        top, bottom = shown[0], shown[-1]
        sentences.append(t("brief_read_range", lang, high=top.name, hv=_fmt(top.value or 0, lang, top.share),
                           low=bottom.name, lv=_fmt(bottom.value or 0, lang, bottom.share)))
        if top.has_interval and bottom.has_interval:
            apart = (bottom.high or 0) < (top.low or 0)
            sentences.append(t("brief_read_sure" if apart else "brief_read_unsure", lang, high=top.name,
                               low=bottom.name))
    hidden = sum(r.hidden for r in rows)
    missing = sum(r.value is None and not r.hidden for r in rows)
    if hidden:
        sentences.append(t("brief_read_hidden", lang, n=hidden))
    if missing:
        sentences.append(t("brief_read_missing", lang, n=missing))
    return sentences


def city_total(vm: ViewModel, state: ViewState) -> str | None:
    """"City total (sum of the 8 districts): 2 228 675 persons" for an additive indicator whose every district
    shows a sourced value of one period; else None (never a partial sum)."""
    series = current_series(vm, state)
    if series is None or state.city not in CITIES or series.indicator not in vm.time.additive:
        return None
    values = [f.value for f in series.figures.values() if f.source]
    if not values or len(values) != len(series.figures) or any(v is None for v in values):
        return None
    total = sum(v for v in values if v is not None)
    return t("brief_city_total", state.lang, n=len(values), total=fmt_value(total, None, state.lang),
             unit=unit_label(series.unit, state.lang))


def district_profile(vm: ViewModel, state: ViewState) -> list[tuple[str, str, str, str, str]]:
    """The district's profile as the page shows it (``dashboard.views.profile``), as the brief's rows:
    (indicator, value with unit, period, rank among the city's districts, source)."""
    lang, out = state.lang, []
    for row in profile_rows(vm, state):
        fig, rank = row.figure, row.series.ranks.get(str(state.district))
        period = fig.period_text().text(lang)
        if fig.vintage and fig.vintage != vm.latest_vintage.get(state.city):  # the district drawn otherwise then
            period += f" · {vm.vintage_name(fig.vintage, lang)}"
        out.append((t(f"ind_{row.indicator}", lang), f"{fmt_value(fig.value, None, lang)} "
                    f"{unit_label(fig.unit, lang)}".strip(), period,
                    t("rank_of", lang, rank=rank[0], n=rank[1]) if rank else "–", str(fig.source)))
    return out


def value_rows(vm: ViewModel, state: ViewState) -> list[ValueRow]:
    """The values of the view, ranked: from the series shown (layer 1), else from the layer's export table."""
    lang = state.lang
    series = current_series(vm, state)
    if series is not None:
        order = sorted(series.figures, key=lambda i: (series.ranks.get(i, (10**6, 0))[0], i))
        rows = []
        for fid in order:
            fig = series.figures[fid]
            shown = fmt_value(fig.value, None if fig.unit not in ("percent", "%") else fig.unit, lang) \
                if fig.value is not None and fig.source else None
            rows.append(ValueRow(fid, vm.place_name(fid, lang), shown, unit_label(fig.unit, lang),
                                 fig.period_text().text(lang), fig.source,
                                 tuple(flag_label(f, lang) for f in fig.confidence),
                                 withheld=fig.value is not None and not fig.source))
        return rows
    rows = []
    exported = export_table(vm, state).rows
    if exported and "dataset" in exported[0]:
        return [_survey_row(vm, row, state) for row in exported
                if state.city not in CITIES or row.get("city") == state.city]
    for row in exported:
        source = row.get("source") or row.get("method")
        numbers = [(k, v) for k, v in row.items() if isinstance(v, (int, float)) and not isinstance(v, bool)
                   and k != "fid" and v == v]
        shown = "; ".join(f"{k} = {fmt_value(float(v), None, lang)}" for k, v in numbers) if source else None
        fid = str(row.get("fid") or "")
        flags = tuple(flag_label(f, lang) for f in str(row.get("confidence") or "").split(";") if f)
        rows.append(ValueRow(fid, vm.place_name(fid, lang) if fid else "–", shown or None,
                             unit_label(row.get("unit"), lang), str(row.get("period_label") or state.period or "–"),
                             source, flags, withheld=bool(numbers) and not source))
    return rows


def _survey_row(vm: ViewModel, row: dict, state: ViewState) -> ValueRow:
    """A published survey estimate as a reader takes it: "2.40 (2.06–2.73), n 51 · good", or "suppressed"
    (the release gate hid it), with the dataset's own period and source."""
    lang = state.lang
    estimate = None
    if row.get("suppressed"):
        shown: str | None = t("pub_suppressed_cell", lang)
    elif row.get("value") is None:
        shown = None
    else:
        fmt = (lambda v: fmt_value(float(v), None, lang)) if row.get("kind") == "count" else \
            (lambda v: f"{v:+.2f}") if row.get("kind") == "change" else \
            (lambda v: _fmt(v, lang, share_scale(row.get("scale"))))
        shown = fmt(row["value"])
        interval = f"{fmt(row['ci_low'])}–{fmt(row['ci_high'])}" \
            if row.get("ci_low") is not None and row.get("ci_high") is not None else ""
        n = str(int(row["n"])) if row.get("n") is not None else ""
        if row.get("kind") == "change" and row.get("n_earlier") is not None and row.get("n_later") is not None:
            n = f"{row['n_earlier']:.0f} → {row['n_later']:.0f}"
        reliability = t("pub_rel_" + row["reliability"], lang) if row.get("reliability") in ("good", "fair",
                                                                                               "poor") else ""
        estimate = (shown, interval or "–", n or "–", reliability or "–")
        shown += (f" ({interval})" if interval else "") + (f", n {n}" if n else "") + \
            (f" · {reliability}" if reliability else "")
    unit = t("pub_scale", lang, scale=row["scale"]) if row.get("scale") else ""
    fid = str(row.get("fid") or "")
    return ValueRow(fid, vm.place_name(fid, lang) if fid else "–", shown, unit, str(row.get("period") or "–"),
                    row.get("source"), (), estimate, change=row.get("kind") == "change")
