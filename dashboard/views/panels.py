"""Side-panel pieces the views share: values with their source, period and confidence; missing shown as
missing.

Everything from the data is passed to Dash components as text children or attributes, which React
escapes; links are made only for http(s) URLs, so a data string can never inject markup or script.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from dash import html

from dashboard.charts import line_chart, wildcard
from dashboard.classify import NO_DATA_COLOR, Classification, legend_entries
from dashboard.i18n import flag_label, indicator_label, t, unit_label
from dashboard.state.query import ViewState
from dashboard.state.readable import decimal_year, note_parts
from dashboard.state.records import Figure, Localized, Series, short_source, source_links, without_addresses
from dashboard.state.viewmodel import ViewModel

# A web address: with http(s), or a bare domain followed by a path; not inside a word or another path.


def fmt_value(value: float | None, unit: str | None, lang: str) -> str:
    """A value for reading: thousands grouped, percent with one decimal, missing as 'No data'."""
    if value is None:
        return t("no_data", lang)
    if unit in ("percent", "%"):
        return f"{value:.1f} %"
    text = f"{value:,.0f}" if abs(value) >= 100 or float(value).is_integer() else f"{value:,.2f}"
    text = text.replace(",", "\u202f")
    suffix = unit_label(unit, lang)
    return f"{text} {suffix}".strip() if suffix and suffix != "%" else text


def source_view(source: str | None, lang: str) -> html.Span:
    """A short source label: the host of each address as a link (full URL as its tooltip), or the first words;
    the whole source text is the tooltip of the label, so a long path never fills a narrow cell."""
    if not source:
        return html.Span(t("no_data", lang), className="missing")
    links = source_links(source)
    if not links:
        return html.Span(short_source(source), title=source, className="source")
    parts: list = []
    for i, (host, url) in enumerate(links):
        if i:
            parts.append(" · ")
        parts.append(html.A(host, href=url, target="_blank", rel="noopener noreferrer", title=url))
    rest = without_addresses(source)
    if re.search(r"\w", rest):
        parts.append(html.Span(" …", className="small more", title=source, tabIndex=0, role="note",
                               **wildcard({"aria-label": source})))
    return html.Span(parts, title=source, className="source")


def local_text(text: Localized, lang: str, className: str = "", **attrs: Any) -> html.Span:
    """Content text in the interface language; where the project has no translation yet, the English original,
    marked "(en)" (tooltip: not translated yet) and tagged lang="en" for screen readers."""
    shown, fallback = text.get(lang)
    if not fallback:
        return html.Span(shown or "", className=className or None, **attrs)
    return html.Span([html.Span(shown, lang="en"), " ", html.Span("(en)", className="lang-tag",
                                                                title=t("untranslated", lang),
                                                                style={"fontSize": "0.75em", "color": "#666"})],
                     className=f"{className} untranslated".strip(), **attrs)


def translation_note(lang: str) -> html.P | None:
    """Said once per panel where the project's translations are shown (never in English, the original)."""
    if lang == "en":
        return None
    return html.P(t("translation_note", lang), className="small translation-note")


_METHODS = (
    (re.compile(r"population / district area computed in UTM from the boundaries of the figure's vintage"),
     "method_density"),
    (re.compile(r"\(population at end - at start\) / at start, (?P<years>[\d.]+) years apart, same boundaries "
                r"\((?P<vintage>[\w-]+)\)"), "method_growth"),
    (re.compile(r"sum of successor districts (?P<districts>.+) of (?P<vintage>[\w-]+) on the same date"),
     "method_sum"),
)


def method_text(method: str | None, lang: str, name: Callable[[str], str] | None = None,
                boundaries: Callable[[str], str] | None = None) -> Localized:
    """The fixed method sentences of derived figures (geo/indicators/derived.py) in ``lang``, by their
    pattern, districts named by ``name`` and boundary sets by ``boundaries`` (their dates, never their code);
    a sentence of another form stays in English (and is marked so by :func:`local_text`)."""
    if not method:
        return Localized(None)
    for pattern, key in _METHODS:
        m = pattern.fullmatch(method.strip())
        if not m:
            continue
        args = m.groupdict()
        if "districts" in args:
            ids = [i.strip() for i in args["districts"].split(",")]
            args["districts"] = ", ".join(name(i) if name else i for i in ids)
        if "vintage" in args and boundaries:
            args["vintage"] = boundaries(args["vintage"])
        if "years" in args and lang != "en":
            args["years"] = args["years"].replace(".", ",")
        text = t(key, lang, **args)
        return Localized(text, text, text)
    return Localized(method)


def column_head(short_key: str, full_key: str, lang: str) -> html.Th:
    """A table header with a short label that fits a narrow column; the full label is its tooltip."""
    return html.Th(t(short_key, lang), title=t(full_key, lang), scope="col")


def flags_view(flags: tuple[str, ...] | list[str], lang: str) -> html.Span:
    if not flags:
        return html.Span(t("none_flags", lang), className="flags none")
    return html.Span([html.Span(flag_label(f, lang), className="flag", title=t("flag_title", lang,
                                                                            label=flag_label(f, lang)),
                                **wildcard({"data-flag": f})) for f in flags], className="flags")


def note_view(note: Localized, lang: str, shown: tuple[str, ...] = ()) -> html.Span | None:
    """A curators' note as a reader reads it: its bracketed markers as labelled flag chips (those the figure's
    own flags, ``shown`` beside it, do not already say), then its sentence without markers or arrows. The
    project's translation where there is one, else the English marked "(en)"; None when nothing is left."""
    text, fallback = note.get(lang)
    flags, sentence = note_parts(text)
    chips = [f for f in flags if f not in shown]
    parts: list = [flags_view(chips, lang), " "] if chips else []
    if sentence:
        parts.append(local_text(Localized(sentence, sentence, sentence) if not fallback else Localized(sentence),
                                lang))
    return html.Span(parts, className="note") if parts else None


def row_flags_view(flags: tuple[str, ...], shared: bool, lang: str) -> html.Span:
    """A row's own flags; a dash (not 'none') when the row carries only the flags shared by every row."""
    return flags_view(flags, lang) if flags or not shared else html.Span("–", className="flags none")


def cite(fig: Figure, lang: str, name: Callable[[str], str] | None = None,
         boundaries: Callable[[str], str] | None = None) -> html.Dl:
    """Period, source, confidence, note and method of one figure. The curators' note is shown in the project's
    translation (a derived figure's: its source figure's note); in English, marked "(en)", where there is none;
    its markers become flag chips (:func:`note_view`)."""
    rows = [html.Dt(t("period", lang)), html.Dd(local_text(fig.period_text(), lang)),
            html.Dt(t("source", lang)), html.Dd(source_view(fig.source, lang)),
            html.Dt(t("confidence", lang)), html.Dd(flags_view(fig.confidence, lang))]
    note = fig.note_text()
    shown = note_view(note, lang, fig.confidence) if note is not None and note.en else None
    if shown is not None:
        rows += [html.Dt(t("note", lang)), html.Dd(shown, className="small")]
    if fig.derived:
        rows += [html.Dt(t("method", lang)), html.Dd(local_text(method_text(fig.method, lang, name, boundaries),
                                                                lang), className="small")]
    return html.Dl(rows, className="cite")


def legend_view(cls: Classification | None, colors: list[str], series: Series | None, lang: str,
                has_missing: bool) -> html.Div:
    """Only classes that hold data, then the no-data swatch with its meaning when any value is missing."""
    items = []
    if cls is not None and series is not None:
        for color, low, high, count in legend_entries(cls, colors):
            items.append(html.Li([html.Span(className="swatch", style={"background": color}),
                                  fmt_value(high, series.unit, lang) if low == high else
                                  f"{fmt_value(low, series.unit, lang)} – "
                                  f"{fmt_value(high, series.unit, lang)}",
                                  html.Span(f" ({count})", className="small")]))
    if has_missing:
        items.append(html.Li([html.Span(className="swatch nodata", style={"background": NO_DATA_COLOR}),
                              t("no_data", lang)]))
    body = [html.H3(t("legend", lang)), html.Ul(items, className="legend-list")]
    if has_missing:
        body.append(html.P(t("no_data_explained", lang), className="small"))
    return html.Div(body, className="legend", id="legend-box")


def district_table(vm: ViewModel, series: Series, state: ViewState, ids: list[str]) -> html.Div:
    """Districts by rank; flags shared by every value are said once above the table, each row keeps its
    own."""
    lang = state.lang
    flag_sets = [set(series.figures[i].confidence) for i in ids if i in series.figures]
    common = set.intersection(*flag_sets) if len(flag_sets) > 1 else set()
    shared = [f for f in next(iter(series.figures.values())).confidence if f in common] if common else []
    # The unit goes in the header once (not in every narrow cell); percent stays beside each value.
    cell_unit = series.unit if series.unit in ("percent", "%") else None
    unit = "" if cell_unit else unit_label(series.unit, lang)
    value_head = f"{t('value', lang)}, {unit}" if unit else t("value", lang)
    head = html.Thead(html.Tr([html.Th(t("city" if state.city == "Kazakhstan" else "district", lang),
                                       scope="col"),
                               html.Th(value_head, scope="col"), column_head("col_rank", "rank", lang),
                               column_head("col_flags", "confidence", lang)]))
    rows = []
    ordered = sorted(ids, key=lambda i: series.ranks.get(i, (10**6, 0))[0])
    for did in ordered:
        fig = series.figures.get(did)
        rank = series.ranks.get(did)
        rows.append(html.Tr([
            html.Th(vm.place_name(did, lang), scope="row"),
            html.Td(fmt_value(fig.value if fig else None, cell_unit, lang),
                    className="num" + ("" if fig and fig.value is not None else " missing")),
            html.Td(t("rank_of", lang, rank=rank[0], n=rank[1]) if rank else "–"),
            html.Td(row_flags_view(tuple(f for f in fig.confidence if f not in common) if fig else (),
                                   bool(common),
                                   lang)),
        ], className="selected" if did == state.district else ""))
    table = html.Table([head, html.Tbody(rows)], className="table", id="district-table")
    if not shared:
        return html.Div(table)
    return html.Div([html.P([t("flags_every_row", lang), " ", flags_view(shared, lang)], className="small",
                            id="shared-flags"), table])


def district_details(vm: ViewModel, series: Series, state: ViewState) -> html.Div:
    """Value, rank, period, source, flags of the selected district, and its values over time."""
    lang, did = state.lang, state.district
    if did is None:
        raise ValueError("no district is selected")
    fig = series.figures.get(did)
    rank = series.ranks.get(did)
    body = [html.H3(vm.place_name(did, lang)),
            html.P([html.Strong(fmt_value(fig.value if fig else None, series.unit, lang)), " · ",
                    indicator_label(series.indicator, lang)], className="big")]
    if rank:
        body.append(html.P(f"{t('rank', lang)}: {t('rank_of', lang, rank=rank[0], n=rank[1])}"))
    if fig:
        body.append(cite(fig, lang, lambda i: vm.name(i, lang), lambda v: vm.vintage_name(v, lang)))
    chart = history_chart(vm, series, state)
    body += [chart] if chart is not None else []
    return html.Div(body, className="details", id="district-details")


def history_chart(vm: ViewModel, series: Series, state: ViewState) -> html.Figure | None:
    """The district's dated values on a real time axis (a value without a date has no place on it), the line
    broken and marked where its borders changed between two values; None with fewer than two."""
    lang, did = state.lang, str(state.district)
    dated: list[tuple[float, str, float, str | None]] = []
    seen = set()
    entries = vm.district_history.get((state.city, series.indicator, did), [])
    for _key, f in sorted(entries, key=lambda e: e[1].derived):  # published before derived re-aggregations
        when = decimal_year(f.period_end or f.period_start)
        if f.value is not None and when is not None and f.period_label not in seen:
            seen.add(f.period_label)
            dated.append((when, f.period_text().text(lang), f.value, f.vintage))
    dated.sort(key=lambda d: d[0])
    if len(dated) < 2:
        return None
    breaks = frozenset(i for i in range(1, len(dated))
                       if not vm.time.unchanged(did, dated[i - 1][3], dated[i][3]))
    return line_chart([(label, value) for _, label, value, _ in dated], lambda v: fmt_value(v, series.unit, lang),
                      f"{t('over_time', lang)}: {indicator_label(series.indicator, lang)}", chart_id="district-chart",
                      xs=[when for when, *_ in dated], breaks=breaks, break_label=t("chart_new_borders", lang))


def place_name_of(place: dict, lang: str) -> str:
    """A place's name in ``lang``; a Kazakh page without a Kazakh name takes the Russian one (the local form
    of the name) before the English."""
    return place_name_in(place, lang)[0]


def place_name_in(place: dict, lang: str) -> tuple[str, str]:
    """A place's name and the language it is in (see :func:`place_name_of`)."""
    for code in (lang, *(("ru",) if lang == "kk" else ()), "en", "ru", "kk"):
        if place.get(f"name_{code}"):
            return str(place[f"name_{code}"]), code
    return str(place.get("place_id") or "?"), lang


def place_label(place: dict, lang: str, **attrs: Any) -> html.Span:
    """A place's name for the page: a Russian name standing in on a Kazakh page says so ("(орысша)") and is
    tagged lang="ru", so it is never passed off as Kazakh."""
    name, code = place_name_in(place, lang)
    if code == lang or code != "ru":
        return html.Span(name, **attrs)
    return html.Span([html.Span(name, lang="ru"), " ", html.Span(t("lang_tag_ru", lang), className="lang-tag",
                                                                 title=t("lang_tag_ru_title", lang))],
                     **attrs)
