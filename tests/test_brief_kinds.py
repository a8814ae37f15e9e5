"""Every kind of brief as a reader gets it — a city's map, a district's profile, two dates side by side and a
published survey's estimates — in Kazakh, Russian and English: one or two A4 pages whose text (pdftotext) holds
every district's name and value (no column cut off the page), the reading sentences, the ranked chart and the
city total where the indicator adds up; and the reading aids themselves against hand-worked numbers."""

from __future__ import annotations

import os
import re
import subprocess

import pytest

from dashboard.brief import document as brief
from dashboard.brief.parts import Ranked, chart_svg, city_total, district_profile, ranked, reading
from dashboard.i18n import t
from dashboard.state.viewmodel import ViewModel
from dashboard.views import clear_render_cache, first_view, profile_rows
from dashboard.views.concentration import current_series
from tests.test_dashboard_published import demo_datasets  # noqa: F401 -- the published SYNTHETIC demo survey

ESIL = "711210000"
KINDS = {"city": "?city=Almaty", "district": f"?city=Astana&district={ESIL}", "two_dates": "?city=Astana&cmpdate=2019",
         "survey": "?layer=perception&ds=demo&item=Q1&city=Almaty"}


@pytest.fixture(scope="module")
def vm(demo_datasets):  # noqa: F811 -- the fixture imported above
    saved = os.environ.get("QALA_DATASETS")
    os.environ["QALA_DATASETS"] = str(demo_datasets / "datasets")
    clear_render_cache()
    try:
        yield ViewModel.load()
    finally:
        if saved is None:
            os.environ.pop("QALA_DATASETS", None)
        else:
            os.environ["QALA_DATASETS"] = saved
        clear_render_cache()


def test_reading_says_highest_lowest_and_whether_their_difference_is_sure():
    rows = [Ranked("A", 3.4, 3.1, 3.7), Ranked("B", 2.9, 2.5, 3.3), Ranked("C", 2.0, 1.2, 2.8),
            Ranked("D", None, hidden=True), Ranked("E", None)]
    assert reading(rows, "en") == [t("brief_read_range", "en", high="A", hv="3.40", low="C", lv="2.00"),
                                   t("brief_read_sure", "en", high="A", low="C"),  # 2.8 < 3.1: apart
                                   t("brief_read_hidden", "en", n=1), t("brief_read_missing", "en", n=1)]
    touching = [Ranked("A", 3.4, 2.8, 3.7), Ranked("C", 2.0, 1.2, 2.8)]  # 2.8 is not below 2.8: not sure
    assert reading(touching, "ru")[1] == t("brief_read_unsure", "ru", high="A", low="C")
    counts = [Ranked("A", 362200.0), Ranked("B", 173972.0)]  # no intervals: no sentence about sureness
    assert reading(counts, "kk") == [t("brief_read_range", "kk", high="A", hv="362\u202f200", low="B",
                                       lv="173\u202f972")]
    assert reading([Ranked("A", 1.0)], "en") == []


def test_the_chart_draws_intervals_where_they_are_and_bars_where_not():
    survey = chart_svg([Ranked("A", 3.4, 3.1, 3.7), Ranked("C", 2.0, 1.2, 2.8), Ranked("D", None, hidden=True)],
                       "en")
    assert survey.count("<circle") == 2 and survey.count("<line") == 2 and "<rect" not in survey
    assert ">D<" not in survey  # a suppressed district is not drawn, only counted in the reading
    xs = [float(x) for x in re.findall(r'<circle cx="([\d.]+)"', survey)]
    assert xs[0] > xs[1]  # A's dot right of C's
    lows = re.findall(r'<line x1="([\d.]+)" y1="[\d.]+" x2="([\d.]+)"', survey)
    # the axis spans the intervals' ends (1.2 .. 3.7): C's interval starts at the plot's left edge
    assert float(lows[1][0]) == pytest.approx(190 + 6)
    counts = chart_svg([Ranked("A", 300.0), Ranked("B", 100.0)], "en")
    widths = [float(w) for w in re.findall(r'width="([\d.]+)" fill', counts)]
    assert counts.count("<rect") == 2 and widths[0] == pytest.approx(3 * widths[1], abs=0.2)  # bars from zero
    assert chart_svg([Ranked("A", 1.0)], "en") == ""


@pytest.fixture(scope="module")
def built_vm(built):
    """The real build's view model, without published datasets (enough for the city views)."""
    return ViewModel.load()


def test_the_city_total_is_a_full_sum_of_an_additive_indicator_only(built_vm):
    vm = built_vm
    state, _notices, _view = first_view(vm, "?city=Almaty&lang=en", None)
    series = current_series(vm, state)
    total = sum(f.value for f in series.figures.values())
    assert len(series.figures) == 8
    assert city_total(vm, state) == t("brief_city_total", "en", n=8, total=f"{total:,.0f}".replace(",", "\u202f"),
                                      unit="persons")
    density, _n, _v = first_view(vm, "?city=Almaty&ind=density&lang=en", None)
    assert city_total(vm, density) is None  # a density does not add up


def test_a_district_profile_lists_every_indicator_with_value_period_rank_and_source(built_vm):
    vm = built_vm
    state, _notices, _view = first_view(vm, f"?city=Astana&district={ESIL}&lang=en", None)
    profile = district_profile(vm, state)
    shown = current_series(vm, state)
    fig = shown.figures[ESIL]
    first = profile[0]  # the shown indicator comes at the shown period
    assert first[1].startswith(f"{fig.value:,.0f}".replace(",", "\u202f")) and first[2] == fig.period_text().text("en")
    rank = shown.ranks[ESIL]
    assert first[3] == t("rank_of", "en", rank=rank[0], n=rank[1]) and first[4] == fig.source
    assert len(profile) >= 5 and all(row[4] for row in profile)  # every value with its source
    assert {row[0] for row in profile} >= {t("ind_population", "en"), t("ind_density", "en")}
    # a row on older boundaries names them (Esil of 2015 is not today's Esil); today's rows do not
    older = [row for row, r in zip(profile, profile_rows(vm, state), strict=True)
             if r.figure.vintage != vm.latest_vintage["Astana"]]
    assert older and all(row[2].endswith(" · " + vm.vintage_name(r.figure.vintage, "en")) for row, r in
                         zip(profile, profile_rows(vm, state), strict=True) if row in older)
    assert " · boundaries" not in first[2]


@pytest.mark.parametrize("kind", list(KINDS))
def test_each_brief_kind_prints_whole_in_three_languages(vm, tmp_path, kind):
    for lang in ("kk", "ru", "en"):
        state, _notices, view = first_view(vm, f"{KINDS[kind]}&lang={lang}", None)
        data = brief.make_brief(vm, state, view, "pdf", "https://atlas.example/")
        out = tmp_path / f"{kind}_{lang}.pdf"
        out.write_bytes(data)
        info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True, check=True).stdout
        pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
        assert "(A4)" in info and pages <= (2 if kind == "district" else 1), (kind, lang, pages)
        text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True,
                              check=True).stdout
        flat = " ".join(text.split())
        for row in brief.value_rows(vm, state):  # every name and value reached the page: no column cut
            assert row.name in flat, (kind, lang, row.name)
            for shown in row.estimate or ((row.value,) if row.value else ()):  # a survey's columns, apart
                assert " ".join(shown.split()) in flat, (kind, lang, shown)
        rows = ranked(vm, state)
        # sentences in reading order: the layout text interleaves the two columns' lines
        prose = " ".join(subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True,
                                        check=True).stdout.split())
        for sentence in reading(rows, lang):
            assert " ".join(sentence.split())[:40] in prose, (kind, lang, sentence)
        assert t("brief_ranked", lang).split()[0] in flat
        if kind == "survey":
            assert "SYNTHETIC" in flat or t("synthetic_label", lang) in flat
        if kind == "two_dates":
            assert flat.count(t("brief_km", lang)) >= 2  # two maps, each with its scale bar


def test_numbers_are_read_strictly_and_shown_by_their_size():
    from dashboard.brief.parts import _fmt, _num

    assert _num(float("nan")) is None and _num(True) is None and _num("3") is None and _num(None) is None
    assert _num(3) == 3.0 and _num(2.5) == 2.5
    assert _fmt(99.994, "en") == "99.99" and _fmt(100.0, "en") == "100" and _fmt(1234567.0, "ru") == "1\u202f234\u202f567"
    assert Ranked("A", 1.0, 0.5, None).has_interval is False and Ranked("A", 1.0, None, 2.0).has_interval is False


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_a_brief_reads_like_a_reader_of_its_language(vm, lang):
    """The reader test of the pages (tests/browser/test_reader.py), on every kind of brief: no stray Latin word,
    no internal code, no Russian word on a Kazakh brief. Source titles, addresses and the dataset's own title
    (the researcher's words, shown as written) are set aside, as on the page."""
    from tests.browser.test_reader import problems

    for kind, query in KINDS.items():
        state, _notices, view = first_view(vm, f"{query}&lang={lang}", None)
        page = brief.brief_html(vm, state, view, "https://atlas.example/")
        dataset = vm.published.datasets.get(state.dataset) if state.dataset else None
        if dataset is not None:
            page = page.replace(dataset.meta["title"], " ").replace(dataset.meta.get("source") or "\x00", " ")
        for pattern in (r"<style>.*?</style>", r"<title>.*?</title>", r'<ol class="sources">.*?</ol>',
                        r'<td class="source">.*?</td>', r'<span class="link">.*?</span>', r"<a [^>]*>.*?</a>",
                        r"\[\d+\] [^<·]+", r"\bODbL\b|\bCC[ -]BY(?:-SA)?(?: [\d.]+)?",  # licences by their names
                        r"\b[0-9a-f]{12}\b"):  # the build's id, to cite the data exactly
            page = re.sub(pattern, " ", page, flags=re.DOTALL)
        text = re.sub(r"<[^>]+>", "\n", page).replace("&amp;", "&").replace("&#x27;", "'").replace("&quot;", '"')
        found = problems(text, lang)
        assert found == [], (kind, lang, found)
