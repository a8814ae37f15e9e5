"""Side-panel content per layer: values with their source, period and confidence; missing shown as missing.

Everything from the data is passed to Dash components as text children or attributes, which React
escapes; links are made only for http(s) URLs, so a data string can never inject markup or script.
"""

from __future__ import annotations

import re

from dash import html

from dashboard.charts import bar_list, line_chart
from dashboard.classify import NO_DATA_COLOR, Classification, legend_entries, stance_color
from dashboard.i18n import flag_label, indicator_label, t, unit_label
from dashboard.state import ViewState
from dashboard.viewmodel import CITIES, Figure, Series, ViewModel

# A web address: with http(s), or a bare domain followed by a path; not inside a word or another path.
_ADDRESS = re.compile(r"(?<![\w./@-])(?:https?://|(?:[a-z0-9-]+\.)+[a-z]{2,}/)[^\s,;|\"'<>]*", re.IGNORECASE)
SOURCE_LABEL_CHARS = 40
BANK_COLORS = {"left": "#5d3790", "right": "#e08214", "both": "#988dbe"}


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


def _unwrap(url: str) -> str:
    """An address without the punctuation and closing brackets of the sentence around it (a ')' stays when the
    address opened one, as in wiki page names)."""
    url = url.rstrip(".,;:")
    while url.endswith(")") and url.count(")") > url.count("("):
        url = url[:-1].rstrip(".,;:")
    return url


def source_links(source: str) -> list[tuple[str, str]]:
    """(host, URL) of each web address in a source text, one per host, in order. Addresses without a scheme
    (``github.com/owner/repo``) must have a path and get https://; nothing but http(s) ever becomes a link."""
    links: dict[str, str] = {}
    for match in _ADDRESS.finditer(source):
        url = _unwrap(match.group(0))
        if not url.lower().startswith(("http://", "https://")):
            url = "https://" + url
        host = re.sub(r"^https?://(www\.)?", "", url, flags=re.IGNORECASE).split("/")[0].lower()
        links.setdefault(host, url)
    return list(links.items())


def short_source(source: str, limit: int = SOURCE_LABEL_CHARS) -> str:
    """The first words of a source without an address, cut at a word boundary with an ellipsis."""
    text = " ".join(source.split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0] or text[:limit]
    return cut.rstrip(" ,;:(") + "…"


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
    rest = _ADDRESS.sub(lambda m: m.group(0)[len(_unwrap(m.group(0))):], source)
    if re.search(r"\w", rest):
        parts.append(html.Span(" …", className="small more", title=source, tabIndex=0, role="note",
                               **{"aria-label": source}))
    return html.Span(parts, title=source, className="source")


def column_head(short_key: str, full_key: str, lang: str) -> html.Th:
    """A table header with a short label that fits a narrow column; the full label is its tooltip."""
    return html.Th(t(short_key, lang), title=t(full_key, lang), scope="col")


def flags_view(flags: tuple[str, ...] | list[str], lang: str) -> html.Span:
    if not flags:
        return html.Span(t("none_flags", lang), className="flags none")
    return html.Span([html.Span(flag_label(f, lang), className="flag", title=t("flag_title", lang, code=f),
                                **{"data-flag": f}) for f in flags], className="flags")


def row_flags_view(flags: tuple[str, ...], shared: bool, lang: str) -> html.Span:
    """A row's own flags; a dash (not 'none') when the row carries only the flags shared by every row."""
    return flags_view(flags, lang) if flags or not shared else html.Span("–", className="flags none")


def cite(fig: Figure, lang: str) -> html.Dl:
    """Period, source, confidence, note and method of one figure."""
    rows = [html.Dt(t("period", lang)), html.Dd(fig.period_label),
            html.Dt(t("source", lang)), html.Dd(source_view(fig.source, lang)),
            html.Dt(t("confidence", lang)), html.Dd(flags_view(fig.confidence, lang))]
    if fig.note:
        rows += [html.Dt(t("note", lang)), html.Dd(fig.note, className="small")]
    if fig.derived:
        rows += [html.Dt(t("method", lang)), html.Dd(fig.method or "", className="small")]
    return html.Dl(rows, className="cite")


def place_name(vm: ViewModel, fid: str, lang: str) -> str:
    return t(fid, lang) if fid in CITIES else vm.name(fid, lang)


def legend_view(cls: Classification | None, colors: list[str], series: Series | None, lang: str,
                has_missing: bool) -> html.Div:
    """Only classes that hold data, then the no-data swatch with its meaning when any value is missing."""
    items = []
    if cls is not None and series is not None:
        for color, low, high, count in legend_entries(cls, colors):
            items.append(html.Li([html.Span(className="swatch", style={"background": color}),
                                  fmt_value(high, series.unit, lang) if low == high else
                                  f"{fmt_value(low, series.unit, lang)} – {fmt_value(high, series.unit, lang)}",
                                  html.Span(f" ({count})", className="small")]))
    if has_missing:
        items.append(html.Li([html.Span(className="swatch nodata", style={"background": NO_DATA_COLOR}),
                              t("no_data", lang)]))
    body = [html.H3(t("legend", lang)), html.Ul(items, className="legend-list")]
    if has_missing:
        body.append(html.P(t("no_data_explained", lang), className="small"))
    return html.Div(body, className="legend", id="legend-box")


def district_table(vm: ViewModel, series: Series, state: ViewState, ids: list[str]) -> html.Div:
    """Districts by rank; flags shared by every value are said once above the table, each row keeps its own."""
    lang = state.lang
    flag_sets = [set(series.figures[i].confidence) for i in ids if i in series.figures]
    common = set.intersection(*flag_sets) if len(flag_sets) > 1 else set()
    shared = [f for f in next(iter(series.figures.values())).confidence if f in common] if common else []
    # The unit goes in the header once (not in every narrow cell); percent stays beside each value.
    cell_unit = series.unit if series.unit in ("percent", "%") else None
    unit = "" if cell_unit else unit_label(series.unit, lang)
    value_head = f"{t('value', lang)}, {unit}" if unit else t("value", lang)
    head = html.Thead(html.Tr([html.Th(t("city" if state.city == "Kazakhstan" else "district", lang), scope="col"),
                               html.Th(value_head, scope="col"), column_head("col_rank", "rank", lang),
                               column_head("col_flags", "confidence", lang)]))
    rows = []
    ordered = sorted(ids, key=lambda i: series.ranks.get(i, (10**6, 0))[0])
    for did in ordered:
        fig = series.figures.get(did)
        rank = series.ranks.get(did)
        rows.append(html.Tr([
            html.Th(place_name(vm, did, lang), scope="row"),
            html.Td(fmt_value(fig.value if fig else None, cell_unit, lang),
                    className="num" + ("" if fig and fig.value is not None else " missing")),
            html.Td(t("rank_of", lang, rank=rank[0], n=rank[1]) if rank else "–"),
            html.Td(row_flags_view(tuple(f for f in fig.confidence if f not in common) if fig else (), bool(common),
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
    fig = series.figures.get(did)
    rank = series.ranks.get(did)
    body = [html.H3(place_name(vm, did, lang)),
            html.P([html.Strong(fmt_value(fig.value if fig else None, series.unit, lang)), " · ",
                    indicator_label(series.indicator, lang)], className="big")]
    if rank:
        body.append(html.P(f"{t('rank', lang)}: {t('rank_of', lang, rank=rank[0], n=rank[1])}"))
    if fig:
        body.append(cite(fig, lang))
    history, seen = [], set()
    entries = vm.district_history.get((state.city, series.indicator, did), [])
    for key, f in sorted(entries, key=lambda e: e[1].derived):  # published before derived re-aggregations
        if f.value is not None and f.period_label not in seen:
            seen.add(f.period_label)
            history.append((f.period_end or f.period_start or "9999", f.period_label, f.value))
    history = [(label, value) for _, label, value in sorted(history)]
    if len(history) > 1:
        body.append(line_chart(history, lambda v: fmt_value(v, series.unit, lang),
                               f"{t('over_time', lang)}: {indicator_label(series.indicator, lang)}",
                               chart_id="district-chart"))
    return html.Div(body, className="details", id="district-details")


def places_view(vm: ViewModel, city: str, lang: str) -> html.Div:
    """Migrant settlement places of a city that have no coordinates: listed with evidence, not mapped."""
    rows = [p for p in vm.places if p.get("city") == city and p["lat"] is None]
    if not rows:
        return html.Div()
    items = [html.Li([html.Strong(place_name_of(p, lang)), f" · {p.get('kind') or ''} · ",
                      html.Em(f"{t('migrant_link', lang)}: {t('link_' + str(p.get('migrant_link')), lang)}"
                              if p.get("migrant_link") in ("yes", "no", "unclear", "n/a") else ""),
                      html.Details([html.Summary(t("evidence", lang)), html.P(p.get("evidence") or ""),
                                    html.P(source_view(p.get("source"), lang))])]) for p in rows]
    return html.Div([html.H3(t("places_no_coords", lang)), html.Ul(items, className="places")], id="places-list")


def place_name_of(place: dict, lang: str) -> str:
    for code in (lang, "en", "ru", "kk"):
        if place.get(f"name_{code}"):
            return str(place[f"name_{code}"])
    return str(place.get("place_id") or "?")


def decimal_year(iso: str | None) -> float | None:
    """'2013-09-01' -> 2013.67, for placing dated points on a time axis."""
    if not iso or not re.match(r"\d{4}-\d{2}", iso):
        return None
    return int(iso[:4]) + (int(iso[5:7]) - 1) / 12


def short_period(label: str) -> str:
    """A period label short enough for a chart axis: 'YYYY-MM' when it starts with one, else its year."""
    return label[:7] if re.match(r"\d{4}-\d{2}", label) else label[:4]


def leftbank_view(vm: ViewModel, state: ViewState) -> list:
    """Institutions per bank (with n), the left bank's population share over time, 2015 migration, finding."""
    lang = state.lang
    counts, n, unmapped = vm.institutions_by_bank()
    out: list = [html.H3(t("institutions", lang))]
    shares = [html.Li(t("institutions_share", lang, bank=t(f"bank_{bank}", lang) if bank in BANK_COLORS else bank,
                        count=count, n=n, pct=f"{100 * count / n:.0f} %"))
              for bank, count in sorted(counts.items())] if n else []
    out.append(html.Ul(shares, id="institution-shares"))
    if unmapped:
        out.append(html.P(t("institutions_unmapped", lang, n=unmapped), className="small"))
    out.append(html.H3(t("left_share_title", lang)))
    if vm.left_share:
        rows = sorted(vm.left_share, key=lambda r: r["end"] or "")
        points = [(short_period(row["label"]), 100 * row["share"]) for row in rows]
        out.append(line_chart(points, lambda v: f"{v:.1f} %", t("left_share_title", lang), chart_id="left-share-chart",
                              y_range=(0.0, min(100.0, 10.0 * (max(v for _, v in points) // 10 + 2))), xs=[decimal_year(row["end"]) for row in rows],
                              hollow=frozenset(i for i, r in enumerate(rows) if r["bank_basis"] == ["published"]),
                              dashed=frozenset(i for i in range(1, len(rows))
                                               if rows[i]["vintage"] != rows[i - 1]["vintage"])))
        out.append(html.P(t("left_share_marks", lang), className="small", id="left-share-marks"))
        head = html.Thead(html.Tr([html.Th(t("period", lang)), html.Th(t("left_share_short", lang)),
                                   html.Th(t("bank_basis", lang)), column_head("source", "source_and_flags", lang)]))
        table = [html.Tr([html.Th(row["label"], scope="row"), html.Td(f"{100 * row['share']:.1f} %", className="num"),
                          html.Td(f"{row['vintage'] or ''}: "
                                  + ", ".join(t(f"bank_basis_{b}", lang) for b in row["bank_basis"])),
                          html.Td([*[source_view(s, lang) for s in row["sources"]], " ",
                                   flags_view(row["confidence"], lang)])]) for row in rows]
        out.append(html.Table([head, html.Tbody(table)], className="table small", id="left-share-table"))
        out.append(html.P(t("left_share_method", lang), className="small"))
        for row in vm.left_share:
            for did, share in row["split"]:
                out.append(html.P(t("left_share_split", lang, name=vm.name(did, lang), pct=f"{100 * share:.0f} %"),
                                  className="small split-note"))
    else:
        out.append(html.P(t("left_share_none", lang), className="missing"))
    if vm.bank_migration:
        out.append(html.H3(t("migration_by_bank", lang)))
        rows = [(vm.name(r["district_id"], lang), r["value"], BANK_COLORS.get(r["bank"], NO_DATA_COLOR),
                 t(f"bank_{r['bank']}", lang) if r["bank"] in BANK_COLORS else t("no_data", lang))
                for r in sorted(vm.bank_migration, key=lambda r: (r["period"], str(r["bank"])))]
        first = vm.bank_migration[0]
        out.append(html.P(f"{indicator_label('net_migration', lang)}, {first['period']}"))
        out.append(bar_list(rows, lambda v: fmt_value(v, "persons", lang), t("no_data", lang)))
        out.append(html.P([t("source", lang), ": ", source_view(first["source"], lang), " · ",
                           flags_view(first["confidence"], lang)], className="small"))
        if not any(f"v-{r['vintage']}" in vm.geo for r in vm.bank_migration):
            out.append(html.P(t("boundaries_missing", lang), className="small"))
    findings = [s for s in vm.statements if s.get("source_kind") == "author_finding"
                and s.get("migrant_category") == "civil_servants"]
    out.append(html.H3(t("finding_title", lang)))
    for s in findings:
        out.append(html.Div([html.P(s.get("paraphrase") or ""),
                             html.P(f"{s.get('id')} · {s.get('source_ref') or ''}", className="small")],
                            className="finding", id="finding"))
    if findings:
        out.append(html.P(t("paraphrase_note", lang), className="small"))
    out.append(html.P(t("no_counts", lang), className="caveat"))
    return out


def perception_view(vm: ViewModel, state: ViewState) -> list:
    """Scores with n for the three cities, the statements behind the chosen city's score, the study's
    conclusions apart, the city's image tags, and the origins of its newcomers."""
    lang, category = state.lang, state.category
    city = state.city if state.city in CITIES else "Astana"
    out: list = [html.H3(f"{t('mean_stance', lang)} · {t('cat_' + category, lang)}"),
                 html.P(t("stance_scale", lang), className="small")]
    rows = []
    for c in CITIES:
        mean, n = vm.stance(c, category)
        rows.append(html.Tr([html.Th(t(c, lang), scope="row"),
                             html.Td(html.Span(className="swatch", style={"background": stance_color(mean)})),
                             html.Td(f"{mean:+.2f}" if mean is not None else t("no_data", lang), className="num"),
                             html.Td(t("n_statements", lang, n=n))], className="selected" if c == city else ""))
    out += [html.Table(html.Tbody(rows), className="table", id="stance-table"),
            html.P(t("indication_only", lang), className="caveat")]
    statements = vm.statements_for(city, category, "participant_statement")
    out.append(html.H3(f"{t('statements', lang)} · {t(city, lang)} (n = {len(statements)})"))
    items = []
    for s in statements:
        sex = t(f"sex_{s.get('participant_sex')}", lang) if s.get("participant_sex") in ("f", "m") else "?"
        age = s.get("participant_age")
        items.append(html.Li([html.Span(f"{s.get('stance'):+d} " if isinstance(s.get("stance"), int) else
                                        f"{float(s.get('stance') or 0):+.0f} ", className="stance"),
                              html.Span(s.get("paraphrase") or "", className="paraphrase"),
                              html.Span(f" — {t('speaker', lang, sex=sex, age=int(age) if age is not None else '?')}"
                                        f" · {s.get('id')}", className="small")]))
    out.append(html.Ul(items, id="statement-list") if items else html.P(t("no_data", lang), className="missing"))
    out.append(html.P(t("paraphrase_note", lang), className="small"))
    findings = vm.statements_for(city, category, "author_finding")
    out.append(html.H3(t("author_findings", lang)))
    out.append(html.Ul([html.Li([html.Span(s.get("paraphrase") or ""), html.Span(f" · {s.get('id')}", className="small")])
                        for s in findings], id="finding-list") if findings else
               html.P(t("no_data", lang), className="missing"))
    tags = [i for i in vm.images if i.get("city") == city]
    out.append(html.H3(f"{t('image_tags', lang)} · {t(city, lang)}"))
    out.append(html.Ul([html.Li([html.Span(i.get("image_tag") or "", className="tag"),
                                 html.Span(f" ({i.get('evidence_ids')})", className="small")]) for i in tags],
                       className="tags"))
    return out


def origins_view(vm: ViewModel, state: ViewState, colors: dict[str, str]) -> list:
    lang = state.lang
    city = state.city if state.city in CITIES else "Astana"
    entry = vm.origins.get((city, state.period or ""))
    out: list = [html.H3(f"{t('origins', lang)} · {t(city, lang)}")]
    if not entry:
        return out + [html.P(t("no_figures", lang), className="missing")]
    out.append(html.P(f"{t('period', lang)}: {entry['label']} · {indicator_label(entry['indicator'], lang)}"))
    rows = [(vm.name(i["region_id"], lang) if i["region_id"] else i["origin"], i["value"],
             colors.get(i["region_id"] or "", NO_DATA_COLOR), "" if i["region_id"] else t("origins_unmapped", lang))
            for i in entry["items"]]
    out.append(bar_list(rows, lambda v: fmt_value(v, entry["items"][0]["unit"], lang), t("no_data", lang)))
    sources = sorted({i["source"] for i in entry["items"] if i["source"]})
    flags = sorted({f for i in entry["items"] for f in i["confidence"]})
    out.append(html.P([t("source", lang), ": ", *[source_view(s, lang) for s in sources], " · ",
                       flags_view(flags, lang)], className="small"))
    return out
