"""A printable brief of one view (city or district): title, map, legend, values with their sources, the link
that reopens the view, the build, the attribution; as one self-contained HTML page that headless Chromium
prints to an A4 PDF or a PNG (dashboard.brief_render). Also the ``qala-brief`` command.

The view is read like a link (dashboard.layout.first_view: unknown values fall back, with notices) and drawn
by the same views as the page, so a brief shows what the dashboard shows. Every text from the data is
escaped; no number is printed without its source (a value without one is replaced by a note saying so).
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from pathlib import Path

from dash.development.base_component import Component

from dashboard import brief_render
from dashboard.brief_map import hatched_ids, svg_map
from dashboard.i18n import flag_label, t, unit_label
from dashboard.layout import first_view
from dashboard.panels import fmt_value, place_name
from dashboard.records import short_source, source_links
from dashboard.state import ViewState, to_query
from dashboard.viewmodel import ViewModel
from dashboard.views import MapView, export_table
from dashboard.views.concentration import current_series
from geo import store
from geo.errors import QalaError
from geo.settings import CITIES, build_dir, public_url

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
""".replace("FONTS", FONTS)


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


def component_text(node: object) -> str:
    """The text a Dash component tree shows (children only, attributes left out)."""
    if node is None or isinstance(node, bool):
        return ""
    if isinstance(node, (str, int, float)):
        return str(node)
    if isinstance(node, (list, tuple)):
        return "".join(component_text(n) for n in node)
    if isinstance(node, Component):
        return component_text(getattr(node, "children", None))
    return ""


def _walk(node: object) -> list[Component]:
    if isinstance(node, (list, tuple)):
        return [c for n in node for c in _walk(n)]
    if not isinstance(node, Component):
        return []
    return [node, *_walk(getattr(node, "children", None))]


def legend_items(legend: Component | None) -> tuple[list[tuple[str | None, str, bool]], list[str]]:
    """From the view's legend: (swatch colour, text, hatched) per entry, and its explanatory sentences."""
    items, notes = [], []
    for node in _walk(legend):
        kind = type(node).__name__
        if kind == "Li":
            color, hatch = None, False
            for child in _walk(node.children):
                style = getattr(child, "style", None) or {}
                if isinstance(style, dict) and style.get("background"):
                    color = str(style["background"])
                hatch = hatch or "hatch" in str(getattr(child, "className", "") or "")
            items.append((color, component_text(node.children).strip(), hatch))
        elif kind == "P" and any("hatch" in str(getattr(c, "className", "") or "") for c in _walk(node.children)):
            items.append((None, component_text(node.children).strip(), True))  # the hatching's own entry
        elif kind == "P":
            notes.append(component_text(node).strip())
    return items, [n for n in notes if n]


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
            rows.append(ValueRow(fid, place_name(vm, fid, lang), shown, unit_label(fig.unit, lang),
                                 fig.period_text().text(lang), fig.source,
                                 tuple(flag_label(f, lang) for f in fig.confidence)))
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
        rows.append(ValueRow(fid, place_name(vm, fid, lang) if fid else "–", shown or None,
                             unit_label(row.get("unit"), lang), str(row.get("period_label") or state.period or "–"),
                             source, flags))
    return rows


def _survey_row(vm: ViewModel, row: dict, state: ViewState) -> ValueRow:
    """A published survey estimate as a reader takes it: "2.40 (2.06–2.73), n 51 · good", or "suppressed"
    (the release gate hid it), with the dataset's own period and source."""
    lang = state.lang
    if row.get("suppressed"):
        shown: str | None = t("pub_suppressed_cell", lang)
    elif row.get("value") is None:
        shown = None
    else:
        fmt = (lambda v: fmt_value(float(v), None, lang)) if row.get("kind") == "count" else (lambda v: f"{v:.2f}")
        shown = fmt(row["value"])
        if row.get("ci_low") is not None and row.get("ci_high") is not None:
            shown += f" ({fmt(row['ci_low'])}–{fmt(row['ci_high'])})"
        if row.get("n") is not None:
            shown += f", n {int(row['n'])}"
        if row.get("reliability") in ("good", "fair", "poor"):
            shown += f" · {t('pub_rel_' + row['reliability'], lang)}"
    unit = t("pub_scale", lang, scale=row["scale"]) if row.get("scale") else ""
    fid = str(row.get("fid") or "")
    return ValueRow(fid, place_name(vm, fid, lang) if fid else "–", shown, unit, str(row.get("period") or "–"),
                    row.get("source"), ())


def title_parts(vm: ViewModel, state: ViewState, view: MapView) -> tuple[str, str]:
    """(title, period line): the view's own heading (indicator · city), the district when one is chosen."""
    title = next((component_text(h) for h in view.heading if type(h).__name__ == "H2"), "") or \
        f"{t('layer_' + state.layer, state.lang)} · {t(state.city, state.lang)}"
    if state.district:
        title += f" · {place_name(vm, state.district, state.lang)}"
    series = current_series(vm, state)
    if series is not None:
        period = f"{t('period', state.lang)}: {series.period_text().text(state.lang)}"
        if series.vintage:
            period += f" · {t('vintage', state.lang)}: {series.vintage}"
    else:
        exported = export_table(vm, state).rows
        stated = exported[0].get("period") if exported and "dataset" in exported[0] else state.period
        period = f"{t('period', state.lang)}: {stated}" if stated else ""
    return title, period


def build_stamp() -> tuple[str, str]:
    """(version, date) of the build: the manifest's hash and the day it was written (UTC)."""
    stamp = dt.datetime.fromtimestamp((build_dir() / "manifest.json").stat().st_mtime, dt.UTC)
    return store.version(), stamp.date().isoformat()


def _source_cell(source: str | None, numbers: dict[str, int], lang: str) -> str:
    if not source:
        return f'<td class="missing">{escape(t("no_data", lang))}</td>'
    n = numbers.setdefault(source, len(numbers) + 1)
    links = source_links(source)
    label = links[0][0] if links else short_source(source, 32)
    return f'<td class="source">[{n}] {escape(label)}</td>'


def values_table(rows: list[ValueRow], state: ViewState) -> tuple[str, str]:
    """The table (district, value, unit, period, source, flags) and the numbered list of full sources."""
    lang = state.lang
    numbers: dict[str, int] = {}
    body = []
    for row in rows:
        value = f'<td class="num">{escape(row.value)}</td>' if row.value is not None else \
            f'<td class="missing">{escape(t("brief_no_source" if row.source else "no_data", lang))}</td>'
        cls = ' class="selected"' if row.fid and row.fid == state.district else ""
        body.append(f'<tr{cls}><th scope="row">{escape(row.name)}</th>{value}<td>{escape(row.unit)}</td>'
                    f'<td>{escape(row.period)}</td>{_source_cell(row.source, numbers, lang)}'
                    f'<td>{escape(", ".join(row.flags) or "–")}</td></tr>')
    head = "".join(f'<th scope="col">{escape(t(k, lang))}</th>' for k in
                   ("city" if state.city == "Kazakhstan" else "district", "value", "brief_unit", "period",
                    "source", "confidence"))
    table = f'<table class="values"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'
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


def legend_html(view: MapView, hatched: bool, lang: str) -> str:
    items, notes = legend_items(view.legend)
    lis = []
    for color, text, hatch in items:
        swatch = '<span class="sw hatch"></span>' if hatch else \
            f'<span class="sw" style="background:{escape(color or "#fff")}"></span>'
        lis.append(f"<li>{swatch}{escape(text)}</li>")
    if hatched and not any(h for _, _, h in items):
        lis.append(f'<li><span class="sw hatch"></span>{escape(t("brief_hatched", lang))}</li>')
    note = "".join(f'<p class="legend-note">{escape(n)}</p>' for n in notes)
    return f'<h2>{escape(t("legend", lang))}</h2><ul class="legend">{"".join(lis)}</ul>{note}' if lis else note


def brief_html(vm: ViewModel, state: ViewState, view: MapView, base_url: str | None,
               today: dt.date | None = None) -> str:
    """The whole brief as one self-contained HTML page (inline CSS and SVG; no script, font or image URL).
    ``base_url`` is the dashboard's public address (``QALA_PUBLIC_URL``); without one the view's query is
    printed instead of a link."""
    lang = state.lang
    title, period = title_parts(vm, state, view)
    hideout = view.choropleth.style.hideout()
    raw = vm.geo[view.choropleth.name].raw if view.choropleth.name in vm.geo else None
    context = vm.geo[view.context.name].raw if view.context.name in vm.geo and view.context.url else None
    (s, w), (n, e) = view.bounds
    names = lambda fid, props: place_name(vm, fid, lang) if fid else ""  # noqa: E731
    svg = svg_map(raw, hideout, names, (w, s, e, n), context, state.district)
    table, sources = values_table(value_rows(vm, state), state)
    if base_url:
        link = base_url.rstrip("/") + "/" + to_query(state)
        reopen = f'{escape(t("brief_reopen", lang))}: <a class="link" href="{escape(link)}">{escape(link)}</a>'
    else:
        reopen = f'{escape(t("brief_view_query", lang))}: <span class="link">{escape(to_query(state))}</span>'

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
<section class="mapbox">{svg}
<p class="mapnote">{escape(t("brief_map_note", lang, layer=view.choropleth.name))}</p>
{legend_html(view, bool(hatched_ids(hideout)), lang)}</section>
<section><h2>{escape(t("brief_values", lang))}</h2>{table}{sources}</section>
<footer>
<p>{reopen}</p>
<p>{escape(t("brief_build", lang, version=version, date=built))} · {escape(t("brief_made", lang, date=made))}</p>
<p>{escape(t("attribution", lang))}</p>
</footer>
</body></html>
"""


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
