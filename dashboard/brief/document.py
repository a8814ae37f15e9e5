"""A printable brief of one view (city or district): title, map, legend, values with their sources, the link
that reopens the view, the build, the attribution; as one self-contained HTML page that headless Chromium
prints to an A4 PDF or a PNG (dashboard.brief.render). Also the ``qala-brief`` command.

The view is read like a link (dashboard.views.first_view: unknown values fall back, with notices) and drawn
by the same views as the page, so a brief shows what the dashboard shows. Every text from the data is
escaped; no number is printed without its source (a value without one is replaced by a note saying so).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
from collections.abc import Sequence
from html import escape
from pathlib import Path
from typing import Any

from dashboard import views
from dashboard.brief import render as brief_render
from dashboard.brief.legend import component_text, legend_html
from dashboard.brief.mapsvg import BOX_MM, Setting, hatched_ids, svg_map
from dashboard.brief.parts import (
    ValueRow,
    chart_svg,
    city_total,
    district_profile,
    ranked,
    reading,
    value_rows,
)
from dashboard.i18n import t
from dashboard.state.query import ViewState, to_query
from dashboard.state.records import short_source, source_links
from dashboard.state.viewmodel import ViewModel
from dashboard.views import MapView, current_series, export_table, first_view
from geo import store
from geo.errors import QalaError
from geo.settings import public_url

FORMATS = {"pdf": "application/pdf", "png": "image/png"}
FONTS = '"DejaVu Sans", "Noto Sans", "Liberation Sans", Arial, sans-serif'  # Debian's, with Kazakh letters

CSS = """
@page { size: A4; margin: 11mm 12mm; }
* { box-sizing: border-box; }
html { background: #fff; }
body { font-family: FONTS; font-size: 8.6pt; color: #111; margin: 0; line-height: 1.3; }
@media screen { body { width: 210mm; min-height: 297mm; padding: 11mm 12mm; } }
header { border-bottom: 2px solid #222; margin-bottom: 2.5mm; padding-bottom: 1.5mm; }
.kicker { font-size: 8pt; color: #555; text-transform: uppercase; letter-spacing: .04em; }
h1 { font-size: 15pt; margin: .6mm 0 .8mm; }
h2 { font-size: 10pt; margin: 2.5mm 0 1mm; }
.sub { color: #333; }
.notice { background: #fff4d6; border-left: 3px solid #e0a800; padding: .8mm 2mm; margin: 1mm 0; }
svg.map { display: block; margin: 0 auto; border: 1px solid #ccc; }
svg.map text { fill: #111; stroke: #fff; stroke-width: 3.5px; paint-order: stroke; stroke-linejoin: round;
  font-family: FONTS; font-weight: bold; }
.mapnote { font-size: 7pt; color: #555; margin: .5mm 0 0; }
.legend { display: flex; flex-wrap: wrap; gap: .6mm 5mm; margin: 1.5mm 0 0; padding: 0; list-style: none; }
.legend li { display: flex; align-items: center; gap: 1.5mm; }
.sw { display: inline-block; width: 5mm; height: 3.4mm; border: 1px solid #555; }
.legend-grid { border-collapse: collapse; font-size: 7pt; } .legend-grid td { padding: 0 1mm; text-align: center; }
.sw.hatch { background: repeating-linear-gradient(45deg, #111 0 1px, #fff 1px 3px); }
.legend-note { font-size: 7.4pt; color: #333; margin: .8mm 0 0; }
table { border-collapse: collapse; width: 100%; font-size: 7.4pt; }
th, td { border-bottom: 1px solid #ddd; padding: .5mm 1.2mm; text-align: left; vertical-align: top; }
thead th { border-bottom: 1.5px solid #333; }
td.num { text-align: right; white-space: nowrap; }
tr.selected td, tr.selected th { background: #eef3ff; font-weight: bold; }
td.missing { color: #777; font-style: italic; }
ol.sources { font-size: 7pt; margin: 1mm 0 0; padding-left: 5mm; color: #222; word-break: break-word; }
a { color: #1a4c9c; }
footer { border-top: 1px solid #999; margin-top: 3mm; padding-top: 1.2mm; font-size: 7.2pt; color: #333; }
footer p { margin: .5mm 0; }
.link { word-break: break-all; }
.reading p { margin: .8mm 0; } p.shared { margin: .5mm 0 1mm; } svg.chart text { fill: #111; font-family: FONTS; }
.cols { display: flex; gap: 4mm; align-items: flex-start; } .cols > * { flex: 1 1 0; min-width: 0; }
.pair { display: flex; gap: 3mm; } .pair figure { margin: 0; flex: 1 1 0; } .pair figcaption { font-size: 7.4pt; }
""".replace("FONTS", FONTS)


def title_parts(vm: ViewModel, state: ViewState, view: MapView) -> tuple[str, str]:
    """(title, period line): the view's own heading (indicator · city), the district when one is chosen."""
    title = next((component_text(h) for h in view.heading if type(h).__name__ == "H2"), "") or \
        f"{t('layer_' + state.layer, state.lang)} · {t(state.city, state.lang)}"
    if state.district:
        title += f" · {vm.place_name(state.district, state.lang)}"
    series = current_series(vm, state)
    if series is not None:
        period = f"{t('period', state.lang)}: {series.period_text().text(state.lang)}"
        if series.vintage:
            period += f" · {vm.vintage_name(series.vintage, state.lang)}"
    else:
        exported = export_table(vm, state).rows
        stated = exported[0].get("period") if exported and "dataset" in exported[0] else state.period
        period = f"{t('period', state.lang)}: {stated}" if stated else ""
        dataset = vm.published.datasets.get(state.dataset) if state.dataset else None
        if dataset is not None:  # a published survey: its source and licence beside its period
            meta = dataset.meta
            period += "".join(f" · {t(key, state.lang)}: {meta[field]}" for key, field in
                              (("source", "source"), ("pub_licence", "licence")) if meta.get(field))
    return title, period


def build_stamp() -> tuple[str, str]:
    """(version, date) of the build: the manifest's hash and the day it was written (UTC)."""
    return store.version(), store.built_on()


def _source_label(source: str, numbers: dict[str, int]) -> str:
    """"[n] host or short title", numbered in the order sources are first cited (escaped)."""
    n = numbers.setdefault(source, len(numbers) + 1)
    links = source_links(source)
    return f"[{n}] {escape(links[0][0] if links else short_source(source, 32))}"


def _source_cell(source: str | None, numbers: dict[str, int], lang: str) -> str:
    if not source:
        return f'<td class="missing">{escape(t("no_data", lang))}</td>'
    return f'<td class="source">{_source_label(source, numbers)}</td>'


def values_table(rows: list[ValueRow], state: ViewState, numbers: dict[str, int] | None = None) -> tuple[str, str]:
    """The table (district, value, unit, period, source, flags) and the numbered list of every source cited
    (``numbers``: those cited before it); a column every row shares (the same period, source or flags) is said
    once above the table instead."""
    lang = state.lang
    numbers = {} if numbers is None else numbers
    shared = {k: vals.pop() for k, vals in (("unit", {r.unit for r in rows}), ("period", {r.period for r in rows}),
                                            ("source", {r.source for r in rows}), ("flags", {r.flags for r in rows}))
              if len(rows) > 1 and len(vals) == 1}
    estimates = any(r.estimate for r in rows)  # a survey: mean, interval, n and reliability in columns of their own
    body = []
    for row in rows:
        value = f'<td class="num">{escape(row.value)}</td>' if row.value is not None else \
            f'<td class="missing">{escape(t("brief_no_source" if row.withheld else "no_data", lang))}</td>'
        if estimates:
            value = "".join(f'<td class="num">{escape(x)}</td>' for x in row.estimate) if row.estimate else \
                value.replace("<td ", '<td colspan="4" ', 1)
        cls = ' class="selected"' if row.fid and row.fid == state.district else ""
        body.append(f'<tr{cls}><th scope="row">{escape(row.name)}</th>{value}'
                    + ("" if "unit" in shared else f"<td>{escape(row.unit)}</td>")
                    + ("" if "period" in shared else f"<td>{escape(row.period)}</td>")
                    + ("" if "source" in shared else _source_cell(row.source, numbers, lang))
                    + ("" if "flags" in shared else f'<td>{escape(", ".join(row.flags) or "–")}</td>') + "</tr>")
    first = "wave_change" if estimates and all(r.change for r in rows) else "col_mean"
    values = ((first, ""), ("col_ci", ""), ("n", ""), ("pub_reliability", "")) if estimates else (("value", ""),)
    keys = [k for k, field in (("city" if state.city == "Kazakhstan" else "district", ""), *values,
                               ("brief_unit", "unit"), ("period", "period"), ("source", "source"),
                               ("confidence", "flags")) if field not in shared]
    head = "".join(f'<th scope="col">{escape(k if k == "n" else t(k, lang))}</th>' for k in keys)
    said = []
    unit, period, source, flags = (shared.get(k) for k in ("unit", "period", "source", "flags"))
    if isinstance(unit, str) and unit:
        said.append(f'{escape(t("brief_unit", lang))}: {escape(unit)}')
    if isinstance(period, str):  # every row's period is text: shared when the rows share it
        said.append(f'{escape(t("period", lang))}: {escape(period)}')
    if isinstance(source, str) and source:
        said.append(f'{escape(t("source", lang))}: {_source_label(source, numbers)}')
    if isinstance(flags, tuple) and flags:
        said.append(f'{escape(t("confidence", lang))}: {escape(", ".join(flags))}')
    above = f'<p class="shared">{" · ".join(said)}</p>' if said else ""
    table = f'{above}<table class="values"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'
    sources = "".join(f'<li value="{n}">{_linked(s)}</li>' for s, n in numbers.items())
    return table, (f'<ol class="sources">{sources}</ol>' if sources else "")


def _linked(source: str) -> str:
    """A full source text, escaped, its http(s) addresses as links."""
    text = escape(source)
    for _host, url in source_links(source):
        bare = re.sub(r"^https://", "", url) if url not in source else url
        if escape(bare) in text:
            text = text.replace(escape(bare), f'<a href="{escape(url)}">{escape(bare)}</a>', 1)
    return text


def brief_html(vm: ViewModel, state: ViewState, view: MapView, base_url: str | None,
               today: dt.date | None = None) -> str:
    """The whole brief as one self-contained HTML page (inline CSS and SVG; no script, font or image URL).
    ``base_url`` is the dashboard's public address (``QALA_PUBLIC_URL``); without one the view's query is
    printed instead of a link."""
    lang = state.lang
    title, period = title_parts(vm, state, view)
    maps = _maps(vm, state, view)
    numbers: dict[str, int] = {}  # the sources, numbered in the order the page cites them
    profile = district_profile(vm, state)
    profile_rows = "".join(
        f'<tr><th scope="row">{escape(a)}</th><td class="num">{escape(b)}</td><td>{escape(c)}</td>'
        f'<td class="num">{escape(d)}</td><td class="source">{_source_label(e, numbers)}</td></tr>'
        for a, b, c, d, e in profile)
    table, sources = values_table(value_rows(vm, state), state, numbers)
    if base_url:
        link = base_url.rstrip("/") + "/" + to_query(state)
        reopen = f'{escape(t("brief_reopen", lang))}: <a class="link" href="{escape(link)}">{escape(link)}</a>'
    else:
        reopen = f'{escape(t("brief_view_query", lang))}: <span class="link">{escape(to_query(state))}</span>'
    rows = ranked(vm, state)
    total = city_total(vm, state)
    read = "".join(f"<p>{escape(x)}</p>" for x in ([total] if total else []) + reading(rows, lang))
    chart = chart_svg(rows, lang)
    ranks = (f'<section><h2>{escape(t("brief_ranked", lang))}</h2>{chart}'
             f'<p class="mapnote">{escape(t("ranked_explain", lang))}</p></section>') if chart else ""
    profile_html = (f'<section><h2>{escape(t("brief_profile", lang, district=vm.place_name(state.district, lang)))}'
                    f'</h2><table class="values"><tbody>{profile_rows}</tbody></table></section>'
                    ) if profile and state.district else ""
    version, built = build_stamp()
    made = (today or dt.date.today()).isoformat()
    notices = "".join(f'<p class="notice">{escape(x)}</p>' for x in view.notices)
    return f"""<!DOCTYPE html>
<html lang="{escape(lang)}"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>{escape(t("brief_title", lang))}: {escape(title)}</title><style>{CSS}</style></head>
<body>
<header><div class="kicker">{escape(t("brief_title", lang))}</div><h1>{escape(title)}</h1>
<div class="sub">{escape(period)}</div></header>
{notices}
<section class="mapbox">{maps}
<p class="mapnote">{escape(t("brief_map_note", lang))}</p></section>
<div class="cols"><div>{legend_html(view, bool(hatched_ids(view.choropleth.style.hideout())), lang)}</div>
<div>{ranks}<section class="reading">{read}</section></div></div>
{profile_html}
<section><h2>{escape(t("brief_values", lang))}</h2>{table}{sources}</section>
<footer>
<p>{reopen}</p>
<p>{escape(t("brief_build", lang, version=version, date=built))} · {escape(t("brief_made", lang, date=made))}</p>
<p>{escape(t("attribution", lang))}</p>
</footer>
</body></html>
"""


def _maps(vm: ViewModel, state: ViewState, view: MapView) -> str:
    """The view's map as SVG on its city's outline, under the river, with a scale bar and north arrow; with two
    dates side by side, both maps, each under its caption, at half the width."""
    lang = state.lang
    city = json.loads(vm.geo["cities"].raw) if "cities" in vm.geo else {"features": []}
    outline = {"type": "FeatureCollection", "features": [f for f in city["features"]
                                                          if f["properties"].get("fid") == state.city]}
    setting = Setting(json.dumps(outline).encode(), store.web_bytes("river"), t("brief_km", lang),
                      t("brief_north", lang))
    (s, w), (n, e) = view.bounds
    context = vm.geo[view.context.name].raw if view.context.name in vm.geo and view.context.url else None

    def names(fid: str, _props: dict) -> str:
        return vm.place_name(fid, lang) if fid else ""

    def one(layer: Any, box: tuple[float, float]) -> str:
        raw = vm.geo[layer.name].raw if layer.name in vm.geo else None
        return svg_map(raw, layer.style.hideout(), names, (w, s, e, n), context, state.district, setting, box)

    second = views.second_map(vm, state)
    if second is None:
        return one(view.choropleth, BOX_MM)
    half = (BOX_MM[0] / 2 - 2, BOX_MM[1])
    return ('<div class="pair">' + "".join(f'<figure><figcaption>{escape(c)}</figcaption>{one(layer, half)}</figure>'
                                           for c, layer in ((second.first_caption, view.choropleth),
                                                            (second.caption, second.choropleth))) + "</div>")


def file_name(state: ViewState, fmt: str) -> str:
    """An ASCII file name for the brief of a state: qala_brief_<city>[_<district>]_<indicator>_<lang>.<fmt>."""
    parts = [state.city, state.district or "", state.indicator or state.layer, state.lang]
    stem = "qala_brief_" + "_".join(re.sub(r"[^A-Za-z0-9-]+", "-", p).strip("-") for p in parts if p)
    return f"{stem[:120]}.{fmt}"


def make_brief(vm: ViewModel, state: ViewState, view: MapView, fmt: str, base_url: str | None) -> bytes:
    """The brief of a view as PDF or PNG bytes (BriefError, one line, when Chromium cannot make it)."""
    return brief_render.render(brief_html(vm, state, view, base_url), fmt)


def query_of(args: Sequence[str]) -> str:
    """One URL query from ``?a=b&c=d`` texts and ``key=value`` words, in order."""
    parts = []
    for arg in args:
        text = arg.strip().lstrip("?")
        if text:
            parts.append(text)
    return "?" + "&".join(parts)


def main(argv: list[str] | None = None) -> int:
    """``qala-brief "?city=Almaty&lang=kk" -o almaty_kk.pdf [--png almaty.png]``; one-line errors, exit 2."""
    parser = argparse.ArgumentParser(prog="qala-brief", description="A printable brief (A4 PDF and/or PNG) of "
                                     "a dashboard view, given by its URL query or key=value words.")
    parser.add_argument("view", nargs="*", help='the view: "?city=Almaty&lang=kk" or city=Almaty lang=kk')
    parser.add_argument("-o", "--output", help="the PDF to write (default: a name made from the view)")
    parser.add_argument("--png", help="also (or only, with no -o) write a PNG of the page here")
    parser.add_argument("--base", default=public_url(),
                        help="the dashboard's public address, for the link that reopens the view (default "
                        "QALA_PUBLIC_URL; without one the view's query is printed)")
    args = parser.parse_args(argv)
    try:
        for arg in args.view:
            if "=" not in arg:
                raise QalaError(f"view argument '{arg[:60]}' is not a query; fix: give ?key=value&... or "
                                "key=value words (city=Almaty lang=kk)")
        vm = ViewModel.load()
        state, notices, view = first_view(vm, query_of(args.view), None)
        for notice in view.notices[:len(notices)]:
            print(f"qala-brief: note: {notice}", file=sys.stderr)
        targets = [(args.output, "pdf")] if args.output or not args.png else []
        targets += [(args.png, "png")] if args.png else []
        for path, fmt in targets:
            out = Path(path or file_name(state, fmt))
            data = make_brief(vm, state, view, fmt, args.base)
            try:
                out.write_bytes(data)
            except OSError as exc:
                raise QalaError(f"cannot write {out} ({exc.strerror}); fix: choose a writable path") from None
            print(f"qala-brief: wrote {out} ({len(data) // 1024} KB)")
    except QalaError as exc:
        print(f"qala-brief: error: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}",
              file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
