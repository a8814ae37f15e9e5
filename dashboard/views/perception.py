"""Layer 3: how residents see newcomers. The build's mean stance (with n) per city for a migrant category on
the city outlines, the statements behind the chosen city's score, the study's conclusions apart, the city's
image tags, and the regions its newcomers come from (matched to regions by the build) over the regions."""

from __future__ import annotations

from dash import html
from dash.development.base_component import Component

from dashboard.charts import bar_list
from dashboard.classify import NO_DATA_COLOR, STANCE_COLORS, classify, palette, stance_color
from dashboard.i18n import has, indicator_label, t
from dashboard.state.query import ViewState
from dashboard.state.records import Localized, localized
from dashboard.state.viewmodel import ViewModel
from dashboard.views.base import (
    ExportTable,
    MapView,
    Style,
    city_markers,
    country_bounds,
    hatch_legend,
    hatching,
    layer,
)
from dashboard.views.panels import flags_view, fmt_value, local_text, source_view, translation_note
from geo.settings import CITIES, survey_min_n

ORIGIN_CLASSES = 4


def shown_city(state: ViewState) -> str:
    return state.city if state.city in CITIES else CITIES[0]


def stance_class(mean: float) -> int:
    """The diverging colour class of a mean stance in [-1, 1]."""
    return min(len(STANCE_COLORS) - 1, int((mean + 1) / 2 * len(STANCE_COLORS)))


def scores_view(vm: ViewModel, state: ViewState) -> list[Component]:
    """The three cities' scores with n, the chosen city's statements, the study's findings and image tags."""
    lang, category, city = state.lang, state.category, shown_city(state)
    out: list[Component] = [html.H3(f"{t('mean_stance', lang)} · {t('cat_' + category, lang)}"),
                            html.P(t("stance_scale", lang), className="small")]
    rows = []
    for c in CITIES:
        mean, n = vm.stance(c, category)
        rows.append(html.Tr([html.Th(t(c, lang), scope="row"),
                             html.Td(html.Span(className="swatch", style={"background": stance_color(mean)})),
                             html.Td(f"{mean:+.2f}" if mean is not None else t("no_data", lang),
                                     className="num"),
                             html.Td(t("n_statements", lang, n=n))],
                            className="selected" if c == city else ""))
    out += [html.Table(html.Tbody(rows), className="table", id="stance-table"),
            html.P(t("indication_only", lang), className="caveat")]
    statements = vm.statements_for(city, category, "participant_statement")
    out.append(html.H3(f"{t('statements', lang)} · {t(city, lang)} (n = {len(statements)})"))
    items = []
    for s in statements:
        sex = t(f"sex_{s.get('participant_sex')}", lang) if s.get("participant_sex") in ("f", "m") else "?"
        age = s.get("participant_age")
        speaker = t("speaker", lang, sex=sex, age="?" if age is None else int(age))
        items.append(html.Li([html.Span(f"{s.get('stance'):+d} " if isinstance(s.get("stance"), int) else
                                        f"{float(s.get('stance') or 0):+.0f} ", className="stance"),
                              local_text(localized(s, "paraphrase"), lang, "paraphrase"),
                              html.Span(f" — {speaker} · {s.get('id')}", className="small")]))
    out.append(html.Ul(items, id="statement-list") if items else html.P(t("no_data", lang),
                                                                        className="missing"))
    out.append(html.P(t("paraphrase_note", lang), className="small"))
    findings = vm.statements_for(city, category, "author_finding")
    out.append(html.H3(t("author_findings", lang)))
    out.append(html.Ul([html.Li([local_text(localized(s, "paraphrase"), lang),
                                 html.Span(f" · {s.get('id')}", className="small")])
                        for s in findings], id="finding-list") if findings else
               html.P(t("no_data", lang), className="missing"))
    tags = [i for i in vm.images if i.get("city") == city]
    out.append(html.H3(f"{t('image_tags', lang)} · {t(city, lang)}"))
    out.append(html.Ul([html.Li([local_text(localized(i, "image_tag"), lang, "tag"),
                                 html.Span(f" ({i.get('evidence_ids')})", className="small")]) for i in tags],
                       className="tags"))
    shown = [localized(s, "paraphrase") for s in (*statements, *findings)] + [localized(i, "image_tag")
                                                                              for i in tags]
    note = translation_note(lang) if any(text.translated for text in shown) else None
    return [*out, *([note] if note is not None else [])]


def origins_style(vm: ViewModel, state: ViewState) -> tuple[Style, dict[str, str]]:
    """The regions coloured by the share of the chosen city's newcomers (outlines when none is matched), and
    each region's colour for the bars."""
    entry = vm.origins.get((state.city, state.period or ""))
    values = {i.region_id: i.value for i in entry.items if i.region_id} if entry else {}
    if not values:
        return Style(outline=True), {}
    cls = classify(values, "quantiles", ORIGIN_CLASSES)
    colors = palette("YlOrRd", max(1, cls.k_used))
    hatched, why = hatching({i.region_id: i.confidence for i in entry.items if i.region_id} if entry else {},
                            state.lang)
    return (Style(lang=state.lang, classes=cls.class_of, colors=tuple(colors), opacity=0.6, hatched=hatched,
                  why=why, label_names=False),
            {rid: colors[c] for rid, c in cls.class_of.items() if c is not None})


def origin_label(origin: str, lang: str) -> str:
    """An origin the build could not match to one region, in words (unknown ones as published)."""
    return t(f"origin_{origin}", lang) if has(f"origin_{origin}") else origin


def origins_view(vm: ViewModel, state: ViewState, colors: dict[str, str]) -> list[Component]:
    lang, city = state.lang, shown_city(state)
    entry = vm.origins.get((city, state.period or ""))
    out: list[Component] = [html.H3(f"{t('origins', lang)} · {t(city, lang)}")]
    if not entry:
        return [*out, html.P(t("no_figures", lang), className="missing")]
    out.append(html.P([f"{t('period', lang)}: ", local_text(entry.period or Localized(entry.label), lang),
                       f" · {indicator_label(entry.indicator, lang)}"]))
    rows = [(vm.name(i.region_id, lang) if i.region_id else origin_label(i.origin, lang), i.value,
             colors.get(i.region_id or "", NO_DATA_COLOR), "" if i.region_id else t("origins_unmapped", lang))
            for i in entry.items]
    out.append(bar_list(rows, lambda v: fmt_value(v, entry.items[0].unit, lang), t("no_data", lang)))
    sources = sorted({i.source for i in entry.items if i.source})
    flags = sorted({f for i in entry.items for f in i.confidence})
    out.append(html.P([t("source", lang), ": ", *[source_view(s, lang) for s in sources], " · ",
                       flags_view(flags, lang)], className="small"))
    return out


def render(vm: ViewModel, state: ViewState) -> MapView:
    lang = state.lang
    classes, labels = {}, {}
    for city in CITIES:
        mean, n = vm.stance(city, state.category)
        if mean is not None:
            classes[city] = stance_class(mean)
        labels[city] = (f"{t('mean_stance', lang)} {mean:+.2f}, " if mean is not None else
                        f"{t('no_data', lang)}, ") + t("n_statements", lang, n=n)
    few = {city: True for city in classes if vm.stance(city, state.category)[1] < survey_min_n()}
    style = Style(lang=lang, classes=classes, colors=STANCE_COLORS, labels=labels,
                  selected=state.city if state.city in CITIES else None, hatched=few,
                  why={city: t("hatch_few", lang, n=survey_min_n()) for city in few})
    context_style, origin_colors = origins_style(vm, state)
    return MapView(choropleth=layer(vm, "cities", style), context=layer(vm, "regions", context_style),
                   bounds=country_bounds(vm), heading=(html.H2(t("layer_perception", lang)),),
                   legend=hatch_legend(lang) if few or context_style.hatched else None,
                   details=(*scores_view(vm, state), *origins_view(vm, state, origin_colors)),
                   points=city_markers(vm, classes, STANCE_COLORS, labels, lang))


def export(vm: ViewModel, state: ViewState) -> ExportTable:
    """The three cities' scores for the chosen category, with the build's source."""
    rows = []
    for city in CITIES:
        mean, n = vm.stance(city, state.category)
        rows.append({"fid": city, "city": city, "category": state.category, "mean_stance": mean,
                     "n_statements": n,
                     "source": vm.stance_source(city, state.category)})
    return ExportTable("cities", rows)
