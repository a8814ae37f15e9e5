"""The brief's values table and its sources, on hand-made rows (no build): every value with its numbered source,
a column every row shares said once above the table, survey estimates in columns of their own, and the full
source texts listed with their links."""

import re

from dashboard.brief.document import _linked, _source_label, values_table
from dashboard.brief.parts import ValueRow
from dashboard.state.query import ViewState

GOV = "https://www.gov.kz/memleket/entities/almaty/press/article 2024 population"
STAT = "stat.gov.kz bulletin, 2025 (no link)"


def row(fid, name, value, *, unit="persons", period="2025", source=GOV, flags=("secondary",), estimate=None,
        withheld=False):
    return ValueRow(fid, name, value, unit, period, source, flags, estimate, withheld)


def _cells(html, tag="td"):
    return re.findall(rf"<{tag}(?:\s[^>]*)?>(.*?)</{tag}>", html)


def test_columns_the_rows_share_are_said_once_above_and_left_out_of_the_table():
    table, sources = values_table([row("a", "Alpha", "10"), row("b", "Beta", "20")], ViewState(lang="en"))
    above = re.search(r'<p class="shared">(.*?)</p>', table).group(1)
    assert above == "Unit: persons · Period: 2025 · Source: [1] gov.kz · Confidence flags: secondary"
    assert _cells(table, "th") == ["District", "Value", "Alpha", "Beta"]  # only what differs stays a column
    assert _cells(table) == ['10', '20']
    assert sources == f'<ol class="sources"><li value="1">{_linked(GOV)}</li></ol>'


def test_columns_that_differ_stay_in_the_table_with_each_rows_source_numbered_in_order():
    rows = [row("a", "Alpha", "10", unit="persons", period="2025", source=STAT, flags=()),
            row("b", "Beta", None, unit="%", period="2024", source=None, flags=("approx", "x2")),
            row("c", "Gamma", None, unit="%", period="2024", source=None, flags=(), withheld=True)]
    table, sources = values_table(rows, ViewState(lang="en", district="b"))
    assert '<p class="shared">' not in table
    assert _cells(table, "th")[:6] == ["District", "Value", "Unit", "Period", "Source", "Confidence flags"]
    lines = re.findall(r"<tr[^>]*>.*?</tr>", table)[1:]
    assert lines[1].startswith('<tr class="selected">') and not lines[0].startswith('<tr class="selected">')
    # a source without a link is named by its first words, cut at a word within 32 characters
    assert _cells(lines[0]) == ["10", "persons", "2025", "[1] stat.gov.kz bulletin, 2025 (no…", "–"]
    assert _cells(lines[1]) == ["No data", "%", "2024", "No data", "approx, x2"]  # no value, no source
    # the build has Gamma's value but no source for it: withheld, and the reader told why
    assert _cells(lines[2]) == ["not shown: no source", "%", "2024", "No data", "–"]
    assert sources.count("<li") == 1 and '<li value="1">stat.gov.kz' in sources


def test_one_row_is_never_folded_into_a_shared_line():
    table, _ = values_table([row("a", "Alpha", "10")], ViewState(lang="en"))
    assert '<p class="shared">' not in table and _cells(table)[:3] == ["10", "persons", "2025"]


def test_survey_estimates_take_four_columns_and_a_withheld_one_spans_them():
    rows = [row("a", "Alpha", "3.40", estimate=("3.40", "3.10–3.70", "40", "good")),
            row("b", "Beta", None, estimate=None), row("c", "Gamma", "2.00", estimate=("2.00", "1.5–2.5", "12", "poor"))]
    table, _ = values_table(rows, ViewState(lang="en"))
    assert _cells(table, "th")[:5] == ["District", "Mean", "95 % interval", "n", "Reliability"]
    assert '<td colspan="4" class="missing">' in table
    assert _cells(table)[:4] == ["3.40", "3.10–3.70", "40", "good"]


def test_the_national_view_lists_cities_and_numbers_continue_from_earlier_tables():
    numbers = {"earlier source": 1}
    table, sources = values_table([row("Astana", "Astana", "1"), row("Almaty", "Almaty", "2", source=STAT)],
                                  ViewState(city="Kazakhstan", lang="ru"), numbers)
    assert _cells(table, "th")[0] == "Город"
    assert "[2] gov.kz" in table and "[3] stat.gov.kz" in table
    assert [n for n in re.findall(r'<li value="(\d+)">', sources)] == ["1", "2", "3"]


def test_source_labels_and_links():
    numbers: dict[str, int] = {}
    assert _source_label(GOV, numbers) == "[1] gov.kz" and _source_label(STAT, numbers).startswith("[2] ")
    assert _source_label(GOV, numbers) == "[1] gov.kz"  # cited again: the same number
    long = "A curated compilation of district figures from many bulletins and news reports, 2010-2025"
    assert _source_label(long, numbers) == "[3] A curated compilation of…"
    linked = _linked("see https://a.kz/x and https://a.kz/x again <b>")
    assert linked.count('<a href="https://a.kz/x">https://a.kz/x</a>') == 1 and "&lt;b&gt;" in linked


def test_empty_shared_columns_say_nothing_and_a_label_names_the_first_link():
    rows = [row("a", "Alpha", "10", unit="", source="", flags=()), row("b", "Beta", "20", unit="", source="", flags=())]
    table, sources = values_table(rows, ViewState(lang="en"))
    assert re.search(r'<p class="shared">(.*?)</p>', table).group(1) == "Period: 2025"  # no empty unit/source/flags
    assert sources == ""
    two = "first https://stat.gov.kz/a then https://www.inform.kz/b"
    assert _source_label(two, {}) == "[1] stat.gov.kz"


def test_a_swatch_drawn_hatched_in_the_legend_is_printed_hatched_without_the_generic_hatch_line():
    from dash import html

    from dashboard.brief.legend import legend_html, legend_items
    from dashboard.views.base import MapLayer, MapView

    legend = html.Ul([html.Li([html.Span(style={"background": "#abc"}), "2.2–2.5"]),
                      html.Li([html.Span(className="swatch hatched", style={"backgroundColor": "#6e6e6e"}),
                               "Suppressed: fewer than 10 respondents"])])
    items, _ = legend_items(legend)
    assert items == [("#abc", "2.2–2.5", False), (None, "Suppressed: fewer than 10 respondents", True)]
    empty = MapLayer("empty", None, None)
    page = legend_html(MapView(choropleth=empty, context=empty, bounds=((0, 0), (1, 1)), legend=legend), True, "en")
    assert page.count('class="sw hatch"') == 1 and "confidence flag" not in page
