"""A joined upload on the page: the map's classes and hover labels, the legend, the per-city summary and the
tables — per district the count measures, and for a chosen survey item its mean, 95% interval, n, reliability,
answer distribution and the difference between groups, each as the release gate left it.

Why per city: the districts of three cities are not one distribution (Astana's "Алматы" district is not
Almaty); the legend's classes, the table and the summary are the shown city's, and every other city is named.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import geopandas as gpd
import pandas as pd
from dash import html

from dashboard.classify import NO_DATA_COLOR, classify, palette
from dashboard.i18n import t
from dashboard.upload.cells import (
    BASE_MEASURES,
    fmt_measure,
    hidden_by_release,
    measure_cell,
    measure_label,
    row_name,
    score_cell,
)
from dashboard.upload.messages import message_view
from dashboard.views.panels import flags_view, source_view

# Natural breaks: an upload's counts are mostly small integers with many ties (zeros), which quantiles would
# fold into one class; Fisher-Jenks keeps distinct values apart up to k classes.
UPLOAD_SCHEME = "fisher_jenks"
LAYER_OPACITY = 0.85  # the map's fill and the legend's swatches alike (qala.css .upload-panel .swatch)


def shown_rows(store: dict, city: str) -> list[dict]:
    """The joined districts of one city (all of them when the rows carry no city)."""
    return [r for r in store["rows"] if r.get("city", city) == city]


def city_summary(store: dict, lang: str) -> str:
    """"Astana 447, Almaty 700, Shymkent 398": rows joined per city (a city total the gate hid says so)."""
    parts = []
    for part in store.get("cities", []):
        joined = part.get("joined_rows")
        value = t("pub_rel_suppressed", lang) if joined is None else f"{joined:,}".replace(",", "\u00a0")
        parts.append(f"{t(part['city'], lang)} {value}")
    return ", ".join(parts)


def upload_view(store: dict, measure: str, lang: str, k: int, palette_name: str, city: str,
                period_name: Callable[[str], str] = str) -> tuple[dict, list]:
    """The map hideout and the panel of a joined upload for one measure, classification and shown city;
    ``period_name`` says the population figure's period in the page's language."""
    if measure not in store["measures"]:
        measure = store["measures"][0]
    rows = shown_rows(store, city)
    values = {str(r["district_id"]): r.get(measure) for r in rows}
    cls = classify(values, UPLOAD_SCHEME, k)
    colors = palette(palette_name, max(1, cls.k_used))
    synthetic = t("synthetic_label", lang) + " · " if store["synthetic"] else ""
    min_n, item = int(store["min_n"]), measure[:-5]
    scored = item in store.get("scores", [])
    labels = {str(r["district_id"]): f"{synthetic}{row_name(r, lang)} · {measure_label(measure, lang)}: " + (
        score_cell(r, item, lang, min_n) if scored else measure_cell(r, measure, lang, min_n)) for r in rows}
    hideout = {"classes": cls.class_of, "colors": colors, "labels": labels, "lang": lang,
               "nodata": NO_DATA_COLOR, "opacity": LAYER_OPACITY}
    body: list = []
    if store["synthetic"]:
        body.append(html.P(t("synthetic_note", lang), className="synthetic", id="upload-synthetic"))
    body.append(html.P(t("upload_counts_cities", lang, input=store["input_rows"], cities=city_summary(store, lang),
                         aside=store["set_aside_rows"]), id="upload-counts"))
    body += _legend(rows, values, cls.class_of, colors, measure, item if scored else None, lang, min_n)
    for name in [city] + [c["city"] for c in store.get("cities", []) if c["city"] != city]:
        body += _city_table(store, name, item if scored else None, lang, min_n)
    body += _population(store, lang, period_name) + _set_aside(store, lang)
    if store["notes"]:
        body.append(html.Details([html.Summary(t("note", lang)),
                                  html.Ul([html.Li(message_view(n, lang)) for n in store["notes"]])]))
    return hideout, body


def _legend(rows: list[dict], values: dict, class_of: dict, colors: list, measure: str, item: str | None,
            lang: str, min_n: int) -> list:
    """Each class as the range of the values it holds (few, tied values read better than bin edges), then
    "suppressed" and "no data" apart."""
    legend = []
    for index, color in enumerate(colors):
        held = sorted(v for d, v in values.items() if class_of.get(d) == index)
        if held:
            low, high = fmt_measure(held[0], measure, lang), fmt_measure(held[-1], measure, lang)
            legend.append(html.Li([html.Span(className="swatch", style={"background": color}),
                                   low if low == high else f"{low} – {high}",
                                   html.Span(f" ({len(held)})", className="small")]))
    hidden = {str(r["district_id"]) for r in rows
              if (r.get(f"{item}_suppressed") if item else hidden_by_release(r, measure))}
    if hidden:
        legend.append(html.Li([html.Span(className="swatch nodata", style={"background": NO_DATA_COLOR}),
                               t("upload_suppressed", lang, n=min_n)], id="upload-legend-suppressed"))
    if any(v is None and d not in hidden for d, v in values.items()):
        legend.append(html.Li([html.Span(className="swatch nodata", style={"background": NO_DATA_COLOR}),
                               t("no_data", lang)]))
    return [html.P(f"{t('legend', lang)} · {t('scheme_' + UPLOAD_SCHEME, lang)}", className="small"),
            html.Ul(legend, className="legend-list", id="upload-legend")]


def _city_table(store: dict, city: str, item: str | None, lang: str, min_n: int) -> list:
    """One city's districts: the chosen item's estimates, answers and group differences (three narrow tables
    that fit a phone), or the counts with every item in short."""
    rows = sorted(shown_rows(store, city), key=lambda r: row_name(r, lang))
    if not rows:
        return []
    out: list[Any] = [html.H4(t(city, lang), className="upload-city")]
    if not item:
        heads = [t("district", lang), *[t(f"col_{m}", lang) for m in BASE_MEASURES],
                 *[t("upload_score_head", lang, item=i) for i in store.get("scores", [])]]
        body = [[html.Th(row_name(r, lang), scope="row"),
                 *[html.Td(measure_cell(r, m, lang, min_n), className="num") for m in BASE_MEASURES],
                 *[html.Td(score_cell(r, i, lang, min_n), className="num") for i in store.get("scores", [])]]
                for r in rows]
        return out + [_table(heads, body, city, "upload-table")]
    detail = store.get("details", {}).get(item, {})
    heads = [t("district", lang), t("col_mean", lang), t("col_ci", lang), "n", t("pub_reliability", lang)]
    out.append(_table(heads, [[html.Th(row_name(r, lang), scope="row"), *_estimate_cells(r, item, lang, min_n)]
                              for r in rows], city, "upload-table"))
    points = sorted({k for d in detail.values() for k in (d.get("dist") or {})}, key=float)
    if points:
        out.append(html.P(t("col_answers", lang), className="small table-caption"))
        out.append(_table([t("district", lang), *points], [
            [html.Th(row_name(r, lang), scope="row"), *[
                html.Td(_share((detail.get(str(r["district_id"]), {}).get("dist") or {}).get(p)), className="num")
                for p in points]] for r in rows], city, "upload-answers"))
    pairs = [(r, detail.get(str(r["district_id"]), {}).get("diff")) for r in rows]
    if any(diff for _, diff in pairs):
        first = next(diff for _, diff in pairs if diff)
        out.append(html.P(t("col_group_diff", lang) + f": {first['a']} − {first['b']}", className="small table-caption"))
        out.append(_table([t("district", lang), t("col_diff", lang), t("col_ci", lang)], [
            [html.Th(row_name(r, lang), scope="row"), *_difference(diff, lang)] for r, diff in pairs if diff],
            city, "upload-differences"))
    return out


def _table(heads: list, rows: list[list], city: str, kind: str) -> html.Div:
    data: dict[str, Any] = {"data-city": city}  # which city's table: read by the browser tests and by readers
    return html.Div(html.Table([html.Thead(html.Tr([html.Th(h, scope="col") for h in heads])),
                                html.Tbody([html.Tr(cells) for cells in rows])],
                               className=f"table {kind}", **data), className="table-scroll")


def _share(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.0f} %"


def _estimate_cells(row: dict, item: str, lang: str, min_n: int) -> list:
    mean = row.get(f"{item}_mean")
    if mean is None:  # in a word here; the legend says once why a value is suppressed
        hidden = bool(row.get(f"{item}_suppressed"))
        why = t("pub_rel_suppressed", lang) if hidden else score_cell(row, item, lang, min_n)
        return [html.Td(why, colSpan=4, className="gated" if hidden else "",
                        title=score_cell(row, item, lang, min_n))]
    low, high = row.get(f"{item}_ci_low"), row.get(f"{item}_ci_high")
    reliability = row.get(f"{item}_reliability")
    return [html.Td(f"{mean:.2f}", className="num"),
            html.Td(f"{low:.2f}–{high:.2f}" if low is not None and high is not None else "–", className="num"),
            html.Td(str(int(row.get(f"{item}_n") or 0)), className="num"),
            html.Td(t(f"pub_rel_{reliability}", lang) if reliability in ("good", "fair", "poor") else "–")]


def _difference(diff: dict, lang: str) -> list:
    """The difference between the groups with its interval, and whether the interval excludes zero."""
    if diff.get("diff") is None:
        return [html.Td(t("pub_rel_suppressed", lang), colSpan=2, className="gated")]
    sure = diff["ci_low"] > 0 or diff["ci_high"] < 0
    return [html.Td(f"{diff['diff']:+.2f}", className="num"),
            html.Td([f"{diff['ci_low']:.2f}…{diff['ci_high']:.2f}", html.Br(),
                     html.Span(t("diff_sure" if sure else "diff_unsure", lang), className="small")])]


def _population(store: dict, lang: str, period_name: Callable[[str], str]) -> list:
    population = next((r for r in store["rows"] if r.get("population_period")), None)
    if not population:
        return []
    flags = str(population.get("population_confidence") or "")
    return [html.P([t("upload_population", lang, period=period_name(str(population["population_period"]))), " ",
                    source_view(population.get("population_source"), lang), " ",
                    flags_view(flags.split(";") if flags else (), lang)], className="small")]


def _set_aside(store: dict, lang: str) -> list:
    out: list[Any] = [html.H3(t("set_aside_title", lang, n=store["set_aside_rows"]))]
    if not store["set_aside"]:
        return out + [html.P(t("set_aside_none", lang), className="small")]
    aside = [html.Tr([html.Td(str(r.get("row")), className="num"),
                      html.Td(message_view(str(r["reason"]), lang) if r.get("reason") else ""),
                      html.Td("" if r.get("value") is None else str(r.get("value")))])
             for r in store["set_aside"]]
    out.append(html.Table([html.Thead(html.Tr([html.Th(t("row", lang)), html.Th(t("reason", lang)),
                                               html.Th(t("value", lang))])), html.Tbody(aside)],
                          className="table small", id="set-aside-table"))
    if store["set_aside_rows"] > len(store["set_aside"]):
        out.append(html.P(t("set_aside_more", lang, n=store["set_aside_rows"] - len(store["set_aside"])),
                          className="small"))
    return out


def joined_frame(store: dict) -> gpd.GeoDataFrame:
    """The joined districts again, with their full-precision boundaries from the built layer (EPSG:4326)."""
    from geo.store import load_districts

    vintages = store.get("vintages") or {store["city"]: store["vintage"]}
    shapes = pd.concat([load_districts(vintage=v).set_index("district_id").geometry for v in vintages.values()])
    frame = pd.DataFrame(store["rows"], columns=store["columns"])
    geometry = [shapes.get(str(d)) for d in frame["district_id"]]
    return gpd.GeoDataFrame(frame, geometry=geometry, crs="EPSG:4326")
