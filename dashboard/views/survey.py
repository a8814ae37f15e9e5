"""A published survey dataset on its layer: a score item (layer 3) or a count measure (layer 1) per district,
with the dataset's own title, source, period and method; every estimate with its n and interval.

Suppressed districts are drawn dark grey and hatched (light grey with a dashed edge is "no data"); score means
take a value-suppressing palette (the less reliable, the greyer and the coarser), counts keep their class colour
and are hatched when poor; the legend says which. The shrunk mean is shown beside the raw mean, never instead of
it, with a sentence on what it is. A district's details add its answer distribution (a bar per scale point)
and, with groups, each difference "group a minus group b" with its interval and the n of both groups; the
city's differences follow its own row in the table. Everything comes from the index made at start
(dashboard.state.published), which already holds nothing of a suppressed cell.
"""

from __future__ import annotations

from dash import html
from dash.development.base_component import Component

from dashboard.charts import bar_list
from dashboard.classify import (
    NO_DATA_COLOR,
    UNCERTAINTY_LEVELS,
    Classification,
    classify,
    legend_entries,
    palette,
    parse_breaks,
    suppressed_class,
    suppressing_palette,
)
from dashboard.i18n import t
from dashboard.state.published import (
    SCORE,
    Cell,
    Dataset,
    Difference,
    Measure,
    city_key,
    dataset_title,
    measure_label,
)
from dashboard.state.query import ViewState
from dashboard.state.records import Box
from dashboard.state.surveytables import share_scale
from dashboard.state.viewmodel import ViewModel
from dashboard.views import panels, ranked, wavechange
from dashboard.views.base import ExportTable, MapView, Style, country_bounds, frame, layer

SUPPRESSED_COLOR = "#6e6e6e"
RELIABILITY = ("good", "fair", "poor", "suppressed")
PERCENT_MEASURES = ("share_of_city",)


def current(vm: ViewModel, state: ViewState) -> tuple[Dataset, Measure] | None:
    ds = vm.published.datasets.get(state.dataset)
    measure = ds.measures.get(state.item) if ds else None
    return (ds, measure) if ds and measure else None


def fmt(measure: Measure, value: float | None, lang: str) -> str:
    """A value of a measure: means and quotients with two decimals, shares in percent, counts whole."""
    if value is None:
        return t("no_data", lang)
    if measure.kind == SCORE and share_scale(measure.scale):
        return panels.fmt_value(value * 100, "percent", lang)
    if measure.kind == SCORE or measure.key.startswith("lq_"):
        return f"{value:.2f}"
    if measure.key in PERCENT_MEASURES or measure.key.startswith("share_"):
        return f"{value * 100:.1f} %"
    if measure.key == "per_1000":
        return f"{value:.1f}"
    return f"{value:,.0f}".replace(",", "\u202f")


def percent(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.0f} %"


def interval(measure: Measure, cell: Cell, lang: str) -> str:
    if cell.ci_low is None or cell.ci_high is None:
        return "–"
    return f"{fmt(measure, cell.ci_low, lang)}–{fmt(measure, cell.ci_high, lang)}"


def whole(value: float | None) -> str:
    return "–" if value is None else f"{value:,.0f}".replace(",", "\u202f")


def reliability_word(cell: Cell, lang: str) -> str:
    return t(f"pub_rel_{cell.reliability}", lang) if cell.reliability in RELIABILITY else "–"


def tooltip(measure: Measure, cell: Cell, min_n: int, lang: str) -> str:
    """The map's hover text: the value with its interval and n, or why there is none."""
    if cell.suppressed:
        return t("pub_suppressed_short", lang, n=min_n)
    if cell.value is None:
        return t("no_data", lang)
    text = f"{fmt(measure, cell.value, lang)}"
    if cell.ci_low is not None:
        text += f" ({t('pub_ci', lang)} {interval(measure, cell, lang)})"
    if cell.n is not None:
        text += f", n = {whole(cell.n)}"
    return text + (f" · {reliability_word(cell, lang)}" if cell.reliability else "")


def classification(ds: Dataset, measure: Measure, state: ViewState) -> tuple[Classification, tuple[str, ...]]:
    """Classes of the shown city's districts only (a legend pooled over three cities would not describe the
    map), or the user's own breaks; a few dozen values, classified here."""
    shown = set(shown_ids(ds, state))
    values = {fid: v for fid, v in ds.values(measure.key).items() if fid in shown}
    if state.scheme == "user_defined":
        cls = classify(values, "user_defined", state.k, parse_breaks(state.breaks))
        return cls, ((t("notice_breaks", state.lang),) if cls.breaks_rejected else ())
    cls = classify(values, state.scheme, state.k)
    return cls, ((t("notice_k", state.lang, n=cls.k_used, k=state.k),) if cls.reduced else ())


def shown_ids(ds: Dataset, state: ViewState) -> list[str]:
    """Districts listed in the panel: the chosen city's, or every city's when the dataset lacks it."""
    ids = [fid for fid, city in ds.city_of.items() if city == state.city]
    return ids or list(ds.city_of)


def heading(ds: Dataset, measure: Measure, state: ViewState) -> tuple[Component, ...]:
    lang, meta = state.lang, ds.meta
    out: list[Component] = [html.H2(dataset_title(ds, lang), id="dataset-title"),
                            html.P([html.Strong(measure_label(measure, lang)), " · ",
                                    t("pub_kind_" + measure.kind, lang)], id="dataset-item")]
    if ds.synthetic:
        out.append(html.P(t("synthetic_note", lang), className="synthetic", id="dataset-synthetic"))
    rows = [("source", meta.get("source") or meta.get("author")), ("period", meta.get("period")),
            ("pub_method", meta.get("method")), ("pub_licence", meta.get("licence")),
            ("pub_respondents", meta.get("n")), ("pub_cities", ", ".join(t(c, lang) for c in ds.cities)),
            ("pub_version", f"{meta.get('version') or '–'} · {str(meta.get('created') or '')[:10]}"),
            ("pub_checksum", str(meta.get("checksum") or "")[:12] or None)]
    items: list[Component] = []
    for key, value in rows:
        shown: Component | str = panels.source_view(str(value), lang) if key == "source" and value else (
            str(value) if value not in (None, "") else t("pub_not_stated", lang))
        items += [html.Dt(t(key, lang)), html.Dd(shown)]
    out += [html.Dl(items, className="cite", id="dataset-meta"),
            html.P([t("pub_aggregates_only", lang, n=ds.min_n), " ",
                    html.A(t("pub_disclosure_link", lang), href=f"/disclosure/{ds.name}/{lang}.html",
                           target="_blank", rel="noopener", id="dataset-disclosure")], className="small")]
    return tuple(out)


def legend(ds: Dataset, measure: Measure, cls: Classification, colors: list[str], state: ViewState,
           cells: dict[str, Cell]) -> html.Div:
    """Classes that hold data, then suppressed (with why), hatched poor estimates and no data, as present."""
    lang = state.lang
    items: list[Component] = []
    if bivariate(measure):
        items.append(html.Li(uncertainty_grid(measure, cls, colors, lang), id="legend-uncertainty"))
    for color, low, high, count in ([] if bivariate(measure) else legend_entries(cls, colors)):
        text = fmt(measure, high, lang) if low == high else f"{fmt(measure, low, lang)} – {fmt(measure, high, lang)}"
        items.append(html.Li([html.Span(className="swatch", style={"background": color}), text,
                              html.Span(f" ({count})", className="small")]))
    if any(c.suppressed for c in cells.values()):
        items.append(html.Li([html.Span(className="swatch hatched", style={"backgroundColor": SUPPRESSED_COLOR}),
                              t("pub_suppressed_legend", lang, n=ds.min_n)], id="legend-suppressed"))
    if any(c.poor for c in cells.values()) and not bivariate(measure):
        items.append(html.Li([html.Span(className="swatch hatched"), t("pub_poor_legend", lang)],
                             id="legend-poor"))
    if any(c.value is None and not c.suppressed for c in cells.values()):
        items.append(html.Li([html.Span(className="swatch nodata", style={"background": NO_DATA_COLOR}),
                              t("no_data", lang)]))
    title = t("legend", lang) + (f" · {t('synthetic_label', lang)}" if ds.synthetic else "")
    return html.Div([html.H3(title), html.Ul(items, className="legend-list"),
                     html.P(t("pub_reliability_note", lang), className="small")], className="legend",
                    id="legend-box")


def uncertainty_grid(measure: Measure, cls: Classification, colors: list[str], lang: str) -> html.Table:
    """The value-suppressing legend: a row per reliability (good, fair, poor), a column per value class; the
    poor row's neighbouring classes share one swatch, as on the map."""
    levels = suppressing_palette(colors)
    index = {color: i for i, color in enumerate(colors)}
    shown = [(index[c], low, high) for c, low, high, _n in legend_entries(cls, colors)]  # classes holding data
    head = [html.Th("")] + [html.Th(fmt(measure, high, lang) if low == high else
                                    f"{fmt(measure, low, lang)}–{fmt(measure, high, lang)}", scope="col",
                                    className="small") for _i, low, high in shown]
    rows = [html.Tr([html.Th(t(f"pub_rel_{level}", lang), scope="row", className="small"),
                     *[html.Td(html.Span(className="swatch", style={"background": levels[level][i]}))
                       for i, _low, _high in shown]]) for level in UNCERTAINTY_LEVELS]
    return html.Table([html.Caption(t("pub_uncertainty_legend", lang), className="small"), html.Thead(html.Tr(head)),
                       html.Tbody(rows)], className="uncertainty-grid")


def details(vm: ViewModel, ds: Dataset, measure: Measure, state: ViewState, fid: str) -> html.Div:
    """One district: the value, its interval, n, n_eff, top-box share, reliability and the shrunk mean."""
    lang, cell = state.lang, ds.cells[measure.key][fid]
    body: list[Component] = [html.H3(vm.place_name(fid, lang))]
    if cell.suppressed:
        body.append(html.P(t("pub_suppressed_legend", lang, n=ds.min_n), className="missing"))
        return html.Div(body, className="details", id="district-details")
    rows: list[tuple[str, str]] = [(t("pub_mean" if measure.kind == SCORE else "value", lang),
                                    fmt(measure, cell.value, lang)),
                                   (t("pub_ci_full", lang), interval(measure, cell, lang)), ("n", whole(cell.n))]
    if measure.kind == SCORE:
        rows += [(t("pub_n_eff", lang), "–" if cell.n_eff is None else f"{cell.n_eff:.1f}"),
                 (t("pub_top", lang), f"{percent(cell.top_share)} ({t('pub_ci', lang)} "
                                      f"{percent(cell.top_ci_low)}–{percent(cell.top_ci_high)})"),
                 (t("pub_shrunk", lang), fmt(measure, cell.shrunk, lang) if cell.shrunk is not None else "–")]
    rows.append((t("pub_reliability", lang), reliability_word(cell, lang)))
    # long labels (the shrunk mean's) must not squeeze the values into one letter a line
    body.append(html.Dl([part for label, value in rows for part in (html.Dt(label), html.Dd(value))],
                        className="cite", style={"gridTemplateColumns": "fit-content(55%) 1fr"}))
    if measure.kind == SCORE:
        body += [html.P(t("pub_shrunk_note", lang), className="small", id="shrunk-note"),
                 *distribution(ds, measure, fid, lang), *differences(ds, measure, fid, lang)]
    return html.Div(body, className="details", id="district-details")


def distribution(ds: Dataset, measure: Measure, fid: str, lang: str) -> list[Component]:
    """The district's weighted answer shares, a bar per scale point (never for a suppressed estimate: the
    index keeps no distribution of one)."""
    shares = ds.dists.get((measure.key, fid))
    if not shares:
        return []
    rows = [(t("pub_dist_point", lang, p=point), share, "#2c728e", "") for point, share in shares]
    return [html.H4(t("pub_dist_title", lang)), bar_list(rows, lambda v: f"{v * 100:.0f} %", t("no_data", lang),
                                                         top=1.0, table_id="district-dist")]


def signed(value: float | None) -> str:
    return "–" if value is None else f"{value:+.2f}".replace("-", "\u2212")


def diff_interval(d: Difference) -> str:
    return "–" if d.ci_low is None or d.ci_high is None else f"{signed(d.ci_low)} … {signed(d.ci_high)}"


def diff_cells(d: Difference, min_n: int, lang: str) -> list[html.Td]:
    """Difference, its interval and each group's n; a suppressed one says so and shows no number."""
    if d.suppressed:
        return [html.Td(t("pub_suppressed_short", lang, n=min_n), colSpan=3, className="missing")]
    return [html.Td(signed(d.diff), className="num"), html.Td(diff_interval(d), className="num"),
            html.Td(f"{whole(d.n_a)} / {whole(d.n_b)}", className="num")]


def meaning(pairs: list[Difference], lang: str) -> list[Component]:
    """One sentence per pair of groups: what the sign of "a minus b" says."""
    seen = dict.fromkeys((d.group_a, d.group_b) for d in pairs)
    return [html.P(t("pub_diff_meaning", lang, a=a, b=b), className="small") for a, b in seen]


def differences(ds: Dataset, measure: Measure, fid: str, lang: str) -> list[Component]:
    """Group a minus group b in this district, with the 95 % interval and n of each group."""
    pairs = ds.differences.get((measure.key, fid))
    if not pairs:
        return []
    head = html.Thead(html.Tr([html.Th(t("pub_diff_groups", lang), scope="col"),
                               html.Th(t("pub_diff", lang), scope="col"), html.Th(t("pub_ci", lang), scope="col"),
                               html.Th(t("pub_diff_n", lang), scope="col")]))
    rows = [html.Tr([html.Th(t("pub_diff_pair", lang, a=d.group_a, b=d.group_b), scope="row"),
                     *diff_cells(d, ds.min_n, lang)]) for d in pairs]
    return [html.H4(t("pub_diff_title", lang)),
            html.Table([head, html.Tbody(rows)], className="table small", id="district-differences"),
            *meaning(pairs, lang)]


def table(vm: ViewModel, ds: Dataset, measure: Measure, state: ViewState, ids: list[str]) -> html.Div:
    """Districts by value (suppressed and missing last): value, interval, n, reliability; the city's own
    estimate first when the dataset has one."""
    lang, cells = state.lang, ds.cells[measure.key]
    head = html.Thead(html.Tr([html.Th(t("district", lang), scope="col"),
                               html.Th(t("pub_mean" if measure.kind == SCORE else "value", lang), scope="col"),
                               html.Th(t("pub_ci", lang), scope="col"), html.Th("n", scope="col"),
                               html.Th(t("pub_reliability", lang), scope="col")]))

    def row(name: str, cell: Cell, selected: bool = False, cls: str = "") -> html.Tr:
        value = t("pub_suppressed_cell", lang) if cell.suppressed else fmt(measure, cell.value, lang)
        return html.Tr([html.Th(name, scope="row"),
                        html.Td(value, className="num" + (" missing" if cell.value is None else "")),
                        html.Td(interval(measure, cell, lang), className="num"),
                        html.Td(whole(cell.n), className="num"), html.Td(reliability_word(cell, lang))],
                       className=" ".join(filter(None, [cls, "selected" if selected else ""])))

    rows, pairs = [], []
    for city in dict.fromkeys(ds.city_of[i] for i in ids):
        whole_city = ds.city_cells.get((measure.key, city))
        if whole_city is not None:
            rows.append(row(t("pub_city_whole", lang, city=t(city, lang)), whole_city, cls="city-row"))
        for d in ds.differences.get((measure.key, city_key(city)), []):  # the city's group differences
            pairs.append(d)
            cells_of = diff_cells(d, ds.min_n, lang)
            rows.append(html.Tr([html.Th(t("pub_diff_city", lang, city=t(city, lang), a=d.group_a, b=d.group_b),
                                         scope="row"), *cells_of, *([html.Td("")] if len(cells_of) > 1 else [])],
                                className="city-row difference"))
    ordered = sorted(ids, key=lambda i: (cells[i].value is None, -(cells[i].value or 0)))
    rows += [row(vm.place_name(i, lang), cells[i], i == state.district) for i in ordered]
    return html.Div([html.Table([head, html.Tbody(rows)], className="table", id="survey-table"),
                     *meaning(pairs, lang)])


def bivariate(measure: Measure) -> bool:
    """Score means carry a reliability: their colours say how sure they are (the value-suppressing palette)."""
    return measure.kind == SCORE


def style(ds: Dataset, measure: Measure, cls: Classification, colors: list[str], state: ViewState) -> Style:
    """Classes with suppressed cells in a class of their own (the colour after the palette), hatched. Score
    means take the value-suppressing palette: the class's colour washed toward grey and, when poor, merged with
    its neighbour's (dashboard.classify.suppressing_palette), so no hatching is needed for them."""
    lang, cells = state.lang, ds.cells[measure.key]
    k = len(colors)
    if bivariate(measure):
        levels = suppressing_palette(colors)
        flat = [c for level in UNCERTAINTY_LEVELS for c in levels[level]]
        classes = {fid: len(flat) if c.suppressed else suppressed_class(cls.class_of.get(fid), c.reliability, k)
                   for fid, c in cells.items()}
        hatched = {fid: True for fid, c in cells.items() if c.suppressed}
    else:
        flat = list(colors)
        classes = {fid: len(flat) if c.suppressed else cls.class_of.get(fid) for fid, c in cells.items()}
        hatched = {fid: True for fid, c in cells.items() if c.suppressed or c.poor}
    why = {fid: t("pub_suppressed_short", lang, n=ds.min_n) if cells[fid].suppressed else t("pub_poor_legend", lang)
           for fid in hatched}
    labels = {fid: tooltip(measure, c, ds.min_n, lang) for fid, c in cells.items()}
    return Style(lang=lang, classes=classes, colors=(*flat, SUPPRESSED_COLOR), labels=labels,
                 selected=state.district, nodata=NO_DATA_COLOR, hatched=hatched, why=why)


def render(vm: ViewModel, state: ViewState) -> MapView:
    if state.wave and (change := wavechange.render(vm, state)) is not None:
        return change
    found = current(vm, state)
    if found is None:  # the state is checked against the index: only a stale cache entry could get here
        return MapView(choropleth=layer(vm, "empty", Style(outline=True)),
                       context=layer(vm, "empty", Style(outline=True)), bounds=country_bounds(vm))
    ds, measure = found
    cls, notes = classification(ds, measure, state)
    colors = palette(state.palette, max(1, cls.k_used))
    ids = shown_ids(ds, state)
    box: Box | None = ds.city_box.get(state.city) or ds.box
    body: list[Component] = []
    if state.district in ds.cells[measure.key]:
        body.append(details(vm, ds, measure, state, state.district or ""))
    body += wavechange.wave_links(vm, state)
    body += ranked_section(vm, ds, measure, state, ids)
    body += [html.H3(t("districts_table", state.lang)), table(vm, ds, measure, state, ids),
             html.P(t("hover_hint", state.lang), className="small")]
    return MapView(choropleth=layer(vm, ds.layer, style(ds, measure, cls, colors, state)),
                   context=layer(vm, "cities", Style(outline=True)),
                   bounds=frame(box) if box else country_bounds(vm),
                   heading=heading(ds, measure, state),
                   legend=legend(ds, measure, cls, colors, state, ds.cells[measure.key]), details=tuple(body),
                   notices=(*synthetic_notice(ds, state.lang), *notes))


def ranked_section(vm: ViewModel, ds: Dataset, measure: Measure, state: ViewState, ids: list[str]
                   ) -> list[Component]:
    """The shown districts ranked by estimate, with intervals and rank ranges; the city's own estimate marks
    the districts whose interval excludes it (when the shown districts are one city's and it is released)."""
    lang, cells = state.lang, ds.cells[measure.key]
    entries = [ranked.Entry(i, vm.place_name(i, lang), cells[i].value, cells[i].ci_low, cells[i].ci_high,
                            cells[i].suppressed) for i in ids if i in cells]
    cities = {ds.city_of.get(i) for i in ids}
    whole = ds.city_cells.get((measure.key, str(next(iter(cities))))) if len(cities) == 1 else None
    city_value = whole.value if whole is not None and not whole.suppressed else None
    chart = ranked.ranked_chart(entries, lambda v: fmt(measure, v, lang), lang, city_value, state.district)
    return [] if chart is None else [html.H3(t("ranked_title", lang)), chart]


def synthetic_notice(ds: Dataset, lang: str) -> tuple[str, ...]:
    """Over the map too, so that a phone, whose panel is a closed drawer, still says SYNTHETIC."""
    return (f"{t('synthetic_label', lang)} · {t('synthetic_note', lang)}",) if ds.synthetic else ()


def export(vm: ViewModel, state: ViewState) -> ExportTable:
    """Every district of the dataset with the shown measure's estimate, interval, n and flags, and the
    dataset's metadata: aggregates only (a published dataset holds no respondent's row); with a wave, the
    change as the map shows it."""
    if state.wave and (change := wavechange.export(vm, state)) is not None:
        return change
    found = current(vm, state)
    if found is None:
        return ExportTable(None, [])
    ds, measure = found
    meta = ds.meta
    rows = []
    for fid, cell in ds.cells[measure.key].items():
        rows.append({"fid": fid, "name": vm.place_name(fid, state.lang), "city": ds.city_of.get(fid),
                     "dataset": ds.name, "version": meta.get("version"), "item": measure.key,
                     "kind": measure.kind, "scale": measure.scale, "value": cell.value, "ci_low": cell.ci_low,
                     "ci_high": cell.ci_high, "n": cell.n, "n_eff": cell.n_eff, "top_share": cell.top_share,
                     "top_ci_low": cell.top_ci_low, "top_ci_high": cell.top_ci_high,
                     "reliability": cell.reliability, "suppressed": cell.suppressed, "shrunk_mean": cell.shrunk,
                     "min_n": ds.min_n, "title": meta.get("title"), "source": meta.get("source"),
                     "period": meta.get("period"), "method": meta.get("method"), "licence": meta.get("licence"),
                     "checksum": meta.get("checksum"), "synthetic": ds.synthetic})
    return ExportTable(ds.layer, rows)
