"""Two waves of a survey: the change of an item's district means, each with the interval of the difference.

The map takes four colours, a diverging pair for changes whose interval excludes zero and a pale pair for
those the surveys cannot tell from none (value-suppressing: an unsure change cannot be read as a sure one);
a district hidden in either wave, drawn on other borders, or asked in one wave only is grey and says why. The
differences come from ``geo.api.wave_changes`` over the two published scores tables: both released, so their
difference gives nothing hidden back.
"""

from __future__ import annotations

import math

import pandas as pd
from dash import html
from dash.development.base_component import Component

from dashboard.i18n import t
from dashboard.state.published import Dataset, dataset_title
from dashboard.state.query import ViewState, to_query, with_changes
from dashboard.state.records import Box
from dashboard.state.surveytables import period_year, wave_partners
from dashboard.state.viewmodel import ViewModel
from dashboard.views.base import ExportTable, MapView, Style, country_bounds, frame, layer
from geo import api
from geo.errors import QalaError

CLASSES = ("wave_fall_sure", "wave_fall_unsure", "wave_rise_unsure", "wave_rise_sure")
COLORS = ("#2166ac", "#bcc8d6", "#dcc7b8", "#b2182b", "#8c8c8c")  # the last: hidden or not comparable


def ordered(vm: ViewModel, state: ViewState) -> tuple[Dataset, Dataset] | None:
    """(earlier, later) of the shown dataset and its chosen wave, by the years their periods name."""
    a, b = vm.published.datasets.get(state.dataset), vm.published.datasets.get(state.wave)
    if a is None or b is None:
        return None
    return (a, b) if (period_year(a.meta) or 0) < (period_year(b.meta) or 0) else (b, a)


def compared(vm: ViewModel, state: ViewState) -> tuple[Dataset, Dataset, pd.DataFrame] | None:
    """(earlier, later, their changes) of the shown item; None when the two cannot be compared (a table
    published without what a comparison needs, such as its scale: the one wave is shown instead)."""
    pair = ordered(vm, state)
    if pair is None:
        return None
    try:
        return (*pair, api.wave_changes(pair[0].scores, pair[1].scores, state.item))
    except QalaError:
        return None


def klass(row: dict) -> int:
    if row["status"] != "shown" or not math.isfinite(row["diff"]):
        return len(CLASSES)
    if row["excludes_zero"]:
        return 3 if row["diff"] > 0 else 0
    return 2 if row["diff"] >= 0 else 1


def signed(value: float) -> str:
    return "–" if not math.isfinite(value) else f"{value:+.2f}"


def describe(row: dict, lang: str) -> str:
    if row["status"] != "shown":
        return t(f"wave_status_{row['status']}", lang)
    if not math.isfinite(row["diff"]):
        return t("wave_status_no answers", lang)
    return f"{signed(row['diff'])} ({signed(row['ci_low'])} … {signed(row['ci_high'])})"


def wave_links(vm: ViewModel, state: ViewState) -> list[Component]:
    """Links to the change against each other wave of the shown item (the URL owns the view)."""
    partners = wave_partners(vm.published.datasets, state.dataset, state.item)
    if not partners:
        return []
    return [html.P([t("wave_compare", state.lang), " ", *[
        html.A(dataset_title(vm.published.datasets[n], state.lang), href=to_query(with_changes(state, wave=n)),
               className="wave-link") for n in partners]], className="small", id="wave-links")]


def render(vm: ViewModel, state: ViewState) -> MapView | None:
    lang = state.lang
    found = compared(vm, state)
    if found is None:
        return None
    earlier, later, table = found
    rows = [r for r in table.to_dict("records") if state.city == "Kazakhstan" or r["city"] == state.city]
    shown = later if later.name == state.dataset else earlier
    district_rows = {str(r["district_id"]): r for r in rows if r["level"] == "district"}
    classes = {fid: klass(r) for fid, r in district_rows.items()}
    labels = {fid: f"{vm.place_name(fid, lang)}: {describe(r, lang)}" for fid, r in district_rows.items()}
    style = Style(lang=lang, classes=classes, colors=COLORS, labels=labels, selected=state.district)
    legend = html.Ul([html.Li([html.Span(className="swatch", style={"background": c}),
                               t(CLASSES[i], lang) if i < len(CLASSES) else t("wave_status_suppressed", lang)])
                      for i, c in enumerate(COLORS)], className="legend-list", id="wave-legend")
    title = t("wave_title", lang, item=state.item, later=later.meta.get("period"), earlier=earlier.meta.get("period"))
    box: Box | None = shown.city_box.get(state.city) or shown.box
    synthetic = (f"{t('synthetic_label', lang)} · {t('synthetic_note', lang)}",) \
        if earlier.synthetic or later.synthetic else ()
    return MapView(choropleth=layer(vm, shown.layer, style), context=layer(vm, "cities", Style(outline=True)),
                   bounds=frame(box) if box else country_bounds(vm),
                   heading=(html.H2(title, id="wave-title"),
                            html.P(f"{dataset_title(earlier, lang)} → {dataset_title(later, lang)}",
                                   className="small"),
                            html.A(t("wave_back", lang), href=to_query(with_changes(state, wave="")),
                                   id="wave-back")),
                   legend=legend, details=tuple(_table(vm, rows, state)), notices=synthetic)


def export(vm: ViewModel, state: ViewState) -> ExportTable | None:
    """The change per district as the map shows it (later minus earlier, interval, both means and n, status),
    with both datasets named: what the download and the brief carry; None when the two cannot be compared."""
    found = compared(vm, state)
    if found is None:
        return None
    earlier, later, table = found
    shown = later if later.name == state.dataset else earlier
    period = f"{later.meta.get('period')} − {earlier.meta.get('period')}"
    rows = [{"fid": str(r["district_id"]), "name": vm.place_name(str(r["district_id"]), state.lang),
             "city": r["city"], "dataset": later.name, "wave": earlier.name, "item": state.item, "kind": "change",
             "value": _finite(r["diff"]), "ci_low": _finite(r["ci_low"]), "ci_high": _finite(r["ci_high"]),
             "mean_earlier": _finite(r["mean_earlier"]), "mean_later": _finite(r["mean_later"]),
             "n_earlier": _finite(r["n_earlier"]), "n_later": _finite(r["n_later"]), "status": r["status"],
             "suppressed": r["status"] == "suppressed", "period": period,
             "source": f"{later.meta.get('source')}; {earlier.meta.get('source')}",
             "synthetic": earlier.synthetic or later.synthetic}
            for r in table.to_dict("records") if r["level"] == "district"]
    return ExportTable(shown.layer, rows)


def _finite(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


def _table(vm: ViewModel, rows: list[dict], state: ViewState) -> list[Component]:
    lang = state.lang
    head = html.Thead(html.Tr([html.Th(t("district", lang)), html.Th(t("wave_change", lang)),
                               html.Th("n")]))
    body = []
    for r in sorted(rows, key=lambda r: (r["level"] != "city", -(r["diff"] if math.isfinite(r["diff"]) else -9e9))):
        name = t("city_level", lang) if r["level"] == "city" else vm.place_name(str(r["district_id"]), lang)
        n = "–" if not (math.isfinite(r["n_earlier"]) and math.isfinite(r["n_later"])) else \
            f"{r['n_earlier']:.0f} → {r['n_later']:.0f}"
        body.append(html.Tr([html.Th(name, scope="row"), html.Td(describe(r, lang)), html.Td(n, className="num")]))
    return [html.Table([head, html.Tbody(body)], className="table small", id="wave-table"),
            html.P(t("wave_method", lang), className="small")]
