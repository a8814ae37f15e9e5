"""Layer 2: Astana's left bank and civil servants. The two banks over the current districts, the state
institutions per bank, the left bank's share of the population over time and net migration by bank (both
layers of the build), and the study's finding. The headline states how many placed institutions its share rests
on and what they cannot show (issue 19 item 6)."""

from __future__ import annotations

from dash import html
from dash.development.base_component import Component

from dashboard.charts import bar_list, line_chart
from dashboard.classify import NO_DATA_COLOR
from dashboard.i18n import indicator_label, t, unit_label
from dashboard.state.query import ViewState
from dashboard.state.readable import decimal_year, short_period
from dashboard.state.records import Localized, localized, vintage_layer
from dashboard.state.viewmodel import ViewModel
from dashboard.views import civilservants
from dashboard.views.base import ExportTable, MapView, Style, frame, layer, place_markers, required_box
from dashboard.views.panels import (
    column_head,
    flags_view,
    fmt_value,
    local_text,
    source_view,
    translation_note,
)

BANK_COLORS = {"left": "#5d3790", "right": "#e08214", "both": "#988dbe"}


def bank_label(bank: str | None, lang: str) -> str:
    return t(f"bank_{bank}", lang) if bank in BANK_COLORS else (bank or t("no_data", lang))


def period_cell(period: Localized, lang: str) -> tuple[Component, str | None]:
    """A period label for a narrow column: its date, with the label's comment (if any) returned apart for a
    note under the table (a Kazakh or Russian comment has longer words than the English one and would widen the
    table past the panel)."""
    text, fallback = period.get(lang)
    head, sep, rest = (text or "").partition(" (")
    if fallback or not sep:
        return local_text(period, lang), None
    return html.Span([head, html.Sup("*")], title=text), f"{head}*: ({rest}"


def left_share_section(vm: ViewModel, lang: str) -> list[Component]:
    """The build's left-bank share by date: chart (hollow = banks as published, dashed = new boundaries) and
    table with each date's sources and flags, then the districts split between the banks."""
    out: list[Component] = [html.H3(t("left_share_title", lang))]
    rows = vm.left_share
    if not rows:
        return [*out, html.P(t("left_share_none", lang), className="missing")]
    points = [(short_period(row.label), 100 * row.share) for row in rows]
    top = min(100.0, 10.0 * (max(v for _, v in points) // 10 + 2))
    hollow = frozenset(i for i, r in enumerate(rows) if r.bank_basis == ("published",))
    dashed = frozenset(i for i in range(1, len(rows)) if rows[i].vintage != rows[i - 1].vintage)
    out.append(line_chart(points, lambda v: f"{v:.1f} %", t("left_share_title", lang),
                          chart_id="left-share-chart", y_range=(0.0, top),
                          xs=[decimal_year(row.end) for row in rows], hollow=hollow, dashed=dashed))
    out.append(html.P(t("left_share_marks", lang), className="small", id="left-share-marks"))
    head = html.Thead(html.Tr([html.Th(t("period", lang)), html.Th(t("left_share_short", lang)),
                               html.Th(t("bank_basis", lang)), column_head("source", "source_and_flags",
                                                                           lang)]))
    cells = [period_cell(row.period or Localized(row.label), lang) for row in rows]
    table = [html.Tr([html.Th(cells[i][0], scope="row"), html.Td(f"{100 * row.share:.1f} %", className="num"),
                      html.Td(f"{vm.vintage_name(row.vintage, lang)}: " + ", ".join(t(f"bank_basis_{b}",
                                                                                      lang) for b in row.bank_basis)),
                      html.Td([*[source_view(s, lang) for s in row.sources], " ", flags_view(row.confidence,
                                                                                             lang)])])
             for i, row in enumerate(rows)]
    out.append(html.Table([head, html.Tbody(table)], className="table small", id="left-share-table"))
    out += [html.P(comment, className="small period-comment") for _, comment in cells if comment]
    out.append(html.P(t("left_share_method", lang), className="small"))
    for row in rows:
        for did, share in row.split:
            out.append(html.P(t("left_share_split", lang, name=vm.name(did, lang),
                                pct=f"{100 * share:.0f} %"),
                              className="small split-note"))
    return out


def migration_section(vm: ViewModel, lang: str) -> list[Component]:
    """The build's net migration by district, each bar in its bank's colour."""
    if not vm.bank_migration:
        return []
    rows = sorted(vm.bank_migration, key=lambda r: (r.period, str(r.bank)))
    bars = [(vm.name(r.district_id, lang), r.value, BANK_COLORS.get(r.bank or "", NO_DATA_COLOR),
             t(f"bank_{r.bank}", lang) if r.bank in BANK_COLORS else t("no_data", lang)) for r in rows]
    first = vm.bank_migration[0]
    out: list[Component] = [
        html.H3(t("migration_by_bank", lang)),
        html.P(f"{indicator_label('net_migration', lang)}, {first.period}"),
        bar_list(bars, lambda v: fmt_value(v, "persons", lang), t("no_data", lang)),
        html.P([t("source", lang), ": ", source_view(first.source, lang), " · ", flags_view(first.confidence,
                                                                                            lang)],
               className="small")]
    if not any(vintage_layer(r.vintage) in vm.geo for r in vm.bank_migration):
        out.append(html.P(t("boundaries_missing", lang), className="small"))
    return out


def panel_details(vm: ViewModel, state: ViewState) -> list[Component]:
    """Institutions per bank (with n), the left bank's share over time, 2015 migration, the finding."""
    lang = state.lang
    counts, n, unmapped = vm.institutions_by_bank()
    out: list[Component] = [html.H3(t("institutions", lang))]
    shares = [html.Li(t("institutions_share", lang, bank=bank_label(bank, lang), count=count, n=n,
                        pct=f"{100 * count / n:.0f} %")) for bank,
              count in sorted(counts.items())] if n else []
    out.append(html.Ul(shares, id="institution-shares"))
    if unmapped:
        out.append(html.P(t("institutions_unmapped", lang, n=unmapped), className="small"))
    out += civilservants.section(vm, lang, state.district)
    out += left_share_section(vm, lang)
    out += migration_section(vm, lang)
    findings = [s for s in vm.statements if s.get("source_kind") == "author_finding"
                and s.get("migrant_category") == "civil_servants"]
    out.append(html.H3(t("finding_title", lang)))
    for s in findings:
        out.append(html.Div([html.P(local_text(localized(s, "paraphrase"), lang)),
                             html.P([f"{s.get('id')} · ", html.Span(s.get("source_ref") or "", className="source")],
                                    className="small")],
                            className="finding", id="finding"))
    if findings:
        out.append(html.P(t("paraphrase_note", lang), className="small"))
    note = translation_note(lang)  # None in English, the original
    if note is not None and (any(localized(s, "paraphrase").translated for s in findings)
                             or any(localized(p, "evidence").translated for p in vm.institutions)):
        out.append(note)
    out.append(html.P(t("no_counts", lang), className="caveat"))
    return out


def headline(vm: ViewModel, lang: str) -> list[Component]:
    """The layer's lead: how many of the institutions placed on the map stand on the left bank, out of how many
    (the n a share rests on), and what institutions cannot show."""
    counts, n, _ = vm.institutions_by_bank()
    lead = (t("leftbank_headline", lang, count=counts.get("left", 0), n=n) if n else
            t("leftbank_headline_none", lang))
    return [html.P(lead, id="leftbank-headline", className="lead"),
            html.P(t("leftbank_cannot_show", lang), id="leftbank-cannot", className="caveat"),
            *civilservants.headline(vm, lang)]


def bank_areas(vm: ViewModel, lang: str) -> dict[str, str]:
    """Each bank's land area for its tooltip (the tooltip's first line is the bank's name)."""
    return {str(m["bank"]): f"{fmt_value(float(m['area_km2']), None, lang)} {unit_label('km2', lang)}"
            for m in vm.banks_meta if m.get("bank") is not None and m.get("area_km2") is not None}


def render(vm: ViewModel, state: ViewState) -> MapView:
    lang = state.lang
    bank_ids = vm.geo["banks"].fids
    style = Style(lang=lang, classes={b: i for i, b in enumerate(bank_ids)},
                  colors=tuple(BANK_COLORS.get(b, NO_DATA_COLOR) for b in bank_ids),
                  labels=bank_areas(vm, lang), opacity=0.45, names={b: bank_label(b, lang) for b in bank_ids})
    latest = vm.latest_vintage.get("Astana")
    context = vintage_layer(latest) if latest and vintage_layer(latest) in vm.geo else "empty"
    legend = html.Ul([html.Li([html.Span(className="swatch", style={"background": c}), t(f"bank_{b}", lang)])
                      for b, c in BANK_COLORS.items() if b in bank_ids], className="legend-list")
    return MapView(choropleth=layer(vm, "banks", style), context=layer(vm, context, Style(outline=True)),
                   bounds=frame(required_box(vm, "banks")),
                   heading=(html.H2(t("layer_leftbank", lang)), *headline(vm, lang)),
                   legend=legend,
                   details=tuple(panel_details(vm, state)),
                   points=place_markers(vm.institutions, lang, lambda p: BANK_COLORS.get(str(p.get("bank")),
                                                                                         NO_DATA_COLOR)))


def export(vm: ViewModel, state: ViewState) -> ExportTable:
    """The two banks with their areas and method."""
    return ExportTable("banks", [{"fid": m.get("bank"), **m} for m in vm.banks_meta])
