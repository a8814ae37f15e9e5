"""Layer 2's own evidence on where civil servants live: published surveys' share items by bank of the Esil.

No public source says where civil servants live; a research survey with a sector column does (``qala join
--score Сектор=госслужба``). For every published dataset with such a share item over Astana, the left and the
right bank's share with its 95% interval and n, left minus right with its interval and what it allows one to
say, and the districts ranked with their intervals. Everything comes released from geo (the banks table is
withheld by the gate where it would give a hidden district back, and then says so).
"""

from __future__ import annotations

from collections.abc import Callable

from dash import html
from dash.development.base_component import Component

from dashboard.i18n import t
from dashboard.state.published import Dataset, dataset_title
from dashboard.state.surveytables import BankFigure
from dashboard.state.viewmodel import ViewModel
from dashboard.views import ranked

CITY = "Astana"
HOW_TO = "qala join survey.csv --score Сектор=госслужба … -o out/ && qala publish out/ --name …"  # a command


def share_items(vm: ViewModel) -> list[tuple[Dataset, str, dict[str, BankFigure]]]:
    """(dataset, item, figures per bank) for every published share item with bank figures over Astana."""
    return [(ds, item, figures) for _, ds in sorted(vm.published.datasets.items())
            for (city, item), figures in sorted(ds.banks.items())
            if city == CITY and any(f.share for f in figures.values())]


def pct(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.1f} %"


def points(value: float | None) -> str:
    """A difference of shares in percentage points, signed."""
    return "–" if value is None else f"{100 * value:+.1f}"


def span(f: BankFigure, fmt: Callable[[float | None], str] = pct) -> str:
    return "–" if f.ci_low is None or f.ci_high is None else f"{fmt(f.ci_low)} … {fmt(f.ci_high)}"


def verdict(diff: BankFigure | None, lang: str) -> str:
    """What the difference's interval allows one to say."""
    if diff is None or diff.suppressed or diff.ci_low is None or diff.ci_high is None:
        return t("banks_withheld", lang)
    if diff.ci_low > 0:
        return t("banks_more_left", lang)
    if diff.ci_high < 0:
        return t("banks_more_right", lang)
    return t("banks_cannot_tell", lang)


def headline(vm: ViewModel, lang: str) -> list[Component]:
    """One line per share item for the layer's lead: left and right share, n, and the verdict."""
    out: list[Component] = []
    for ds, item, figures in share_items(vm):
        left, right = figures.get("left"), figures.get("right")
        if left is None or right is None or left.suppressed or right.suppressed:
            continue
        out.append(html.P(t("banks_headline", lang, item=item, left=pct(left.value), right=pct(right.value),
                            n_left=f"{left.n:.0f}", n_right=f"{right.n:.0f}",
                            verdict=verdict(figures.get("left-right"), lang),
                            title=dataset_title(ds, lang)), className="banks-lead", id=f"banks-headline-{ds.name}"))
    return out


def section(vm: ViewModel, lang: str, selected: str | None = None) -> list[Component]:
    """The panel's section: per share item, the banks table, the difference and the districts ranked."""
    found = share_items(vm)
    if not found:
        return [html.H3(t("banks_title", lang)),
                html.P([t("banks_none", lang), " ", html.Code(HOW_TO, lang="en")], className="small",
                       id="banks-none")]
    out: list[Component] = []
    for ds, item, figures in found:
        out += [html.H3(t("banks_title", lang)),
                html.P(f"{dataset_title(ds, lang)} · {item} · {ds.meta.get('period') or '–'} · "
                       f"{t('source', lang)}: {ds.meta.get('source') or '–'}", className="small")]
        rows = [html.Tr([html.Th(t(f"bank_{b}", lang) if b != "left-right" else t("banks_difference", lang),
                                 scope="row"),
                         html.Td(pct(f.value) if b != "left-right" else points(f.value), className="num"),
                         html.Td(span(f) if b != "left-right" else span(f, points), className="num"),
                         html.Td("–" if f.n is None else f"{f.n:.0f}", className="num")])
                for b in ("left", "right", "left-right") if (f := figures.get(b)) is not None]
        head = html.Thead(html.Tr([html.Th(t("banks_bank", lang)), html.Th(t("banks_share", lang)),
                                   html.Th(t("col_ci", lang)), html.Th("n")]))
        out += [html.Table([head, html.Tbody(rows)], className="table small", id=f"banks-table-{ds.name}"),
                html.P(verdict(figures.get("left-right"), lang), className="caveat", id=f"banks-verdict-{ds.name}"),
                html.P(t("banks_method", lang), className="small")]
        out += _districts(vm, ds, item, lang, selected)
    return out


def _districts(vm: ViewModel, ds: Dataset, item: str, lang: str, selected: str | None) -> list[Component]:
    """Astana's districts ranked by the share, with intervals and rank ranges."""
    cells = ds.cells.get(item, {})
    entries = [ranked.Entry(fid, vm.place_name(fid, lang), c.value, c.ci_low, c.ci_high, c.suppressed)
               for fid, c in cells.items() if ds.city_of.get(fid) == CITY]
    whole = ds.city_cells.get((item, CITY))
    city_value = whole.value if whole is not None and not whole.suppressed else None
    chart = ranked.ranked_chart(entries, pct, lang, city_value, selected, chart_id=f"banks-ranked-{ds.name}")
    return [] if chart is None else [html.H4(t("banks_districts", lang)), chart]
