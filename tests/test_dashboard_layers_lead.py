"""Layers lead with their own evidence (issue 19 item 6).

Layer 3 opens on perception: the coded statements' mean stance per city with its n heads the panel and is what
the map colours (the regions only outlined), the origins of newcomers come second. Layer 2's headline states the n
of placed institutions its share rests on, and what institutions cannot show. Flows: an arrowhead at the city end
of every line, widths proportional to the value (14,500 and 7,000 at least WIDTH_FACTOR apart), a width legend in
real values from the shown range, lines that stop a stated distance before the city's point, and the period named
over the map. Expectations are counted or computed here from the build's files (read with pandas / geo.store)."""

from __future__ import annotations

import math
import re
from urllib.parse import unquote

import pandas as pd
import pytest

from dashboard.i18n import LANGS, t
from tests.components import text_of, walk

NNBSP = "\u202f"


def _ids(nodes) -> list[str]:
    return [n.id for n in walk(list(nodes)) if isinstance(getattr(n, "id", None), str)]


@pytest.fixture(scope="module")
def vm(built):
    from dashboard import views
    from dashboard.state.viewmodel import ViewModel

    views.clear_render_cache()
    return ViewModel.load()


def _first(vm, search: str):
    from dashboard import views

    state, notices, view = views.first_view(vm, search, None)
    assert notices == []
    return state, view


# ------------------------------------------------------------------ layer 3
def _stances(built) -> dict[str, tuple[float, int]]:
    """Each city's mean stance and n of its participant statements, from the coded rows themselves."""
    rows = pd.read_parquet(built / "perception.parquet")
    rows = rows[(rows.source_kind == "participant_statement") & rows.stance.notna()]
    return {city: (float(g.stance.astype(float).mean()), len(g)) for city, g in rows.groupby("city")}


@pytest.mark.parametrize("lang", LANGS)
def test_layer3_first_view_leads_with_stance_per_city_and_n(vm, built, lang):
    from dashboard.classify import stance_color

    expected = _stances(built)
    assert set(expected) == {"Astana", "Almaty", "Shymkent"}
    assert expected["Astana"] == (0.5, 6) and expected["Shymkent"][1] == 3  # the mirror's 16 coded statements
    _, view = _first(vm, f"?layer=perception&city=Almaty&lang={lang}")
    # the panel: the layer's title, then at once the stance table with each city's mean and n
    assert _ids(view.heading)[:2] == ["stance-lead", "stance-table"]
    table = next(n for n in walk(list(view.heading)) if getattr(n, "id", None) == "stance-table")
    for city, (mean, n) in expected.items():
        row = next(r for r in table.children.children if text_of(r.children[0]) == t(city, lang))
        assert f"{mean:+.2f}" in text_of(row) and t("n_statements", lang, n=n) in text_of(row)
    ids = _ids(view.panel)
    assert ids.index("stance-table") < ids.index("statement-list") < ids.index("origins-title")
    # the map: the cities in their stance colour with "mean · n = N" beside each; the regions outlined only
    assert view.context.style.hideout().get("outline") is True and not view.context.style.classes
    markers = [p for p in view.points if type(p).__name__ == "CircleMarker"]
    assert len(markers) == 3
    labels = {text_of(m.children[0]): m.fillColor for m in markers}
    for mean, n in expected.values():
        assert labels[f"{mean:+.2f} · n = {n}"] == stance_color(mean)
    assert all(m.children[0].permanent for m in markers)
    assert t("stance_map_shows", lang) in text_of(view.legend)


def test_layer3_origins_second_with_a_link_to_the_flows_map(vm):
    _, view = _first(vm, "?layer=perception&city=Shymkent&period=2024-01..06 · arrivals_from&lang=ru")
    link = next(n for n in walk(list(view.details)) if getattr(n, "id", None) == "origins-map-link")
    assert link.href == ("?city=Kazakhstan&layer=concentration&ind=arrivals_from&period=2024-01..06"
                         "&scheme=quantiles&k=5&pal=viridis&lang=ru&cat=all")
    assert "origins-title" not in _ids(view.heading) and t("origins_second", "ru") in text_of(view.details)


# ------------------------------------------------------------------ layer 2
def _placed_institutions() -> tuple[int, int]:
    """(on the left bank, placed) among the build's state institutions with a point."""
    from geo import store

    places = store.load_layer("places")
    placed = places[(places.list == "state_institution") & places.geometry.notna() & ~places.geometry.is_empty]
    return int((placed.bank == "left").sum()), len(placed)


@pytest.mark.parametrize("lang", LANGS)
def test_layer2_headline_states_its_n_and_what_it_cannot_show(vm, built, lang):
    left, n = _placed_institutions()
    assert (left, n) == (4, 5)
    _, view = _first(vm, f"?layer=leftbank&city=Astana&lang={lang}")
    assert _ids(view.heading)[:2] == ["leftbank-headline", "leftbank-cannot"]
    head = text_of(view.heading[1])
    assert head == t("leftbank_headline", lang, count=left, n=n)
    assert re.search(rf"\b{left}\b", head) and re.search(rf"\b{n}\b", head) and "%" not in head
    assert text_of(view.heading[2]) == t("leftbank_cannot_show", lang)
    if lang == "en":
        assert head == "4 of 5 placed state institutions on the left bank"
        assert "not where civil servants live" not in head and "no public source" in text_of(view.heading[2])


# ------------------------------------------------------------------ flows
def _merc(lat: float) -> float:
    return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def _km(a, b) -> float:
    la1, lo1, la2, lo2 = map(math.radians, (*a, *b))
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def _oracle():
    from geo import store

    return store.load_layer("flows").to_crs(4326)


def _flow_view(vm, indicator: str, period: str, lang: str = "en"):
    from dashboard import views
    from dashboard.controls.sync import sync_state

    state, notices = sync_state(vm, "url", f"?city=Kazakhstan&layer=concentration&ind={indicator}"
                                f"&period={period}&lang={lang}", {}, None, "en")
    assert notices == [] and state.period == period
    return views.render(vm, state)


def _lines(view):
    return [p for p in view.points if type(p).__name__ == "Polyline"]


def _arrows(view):
    return [p for p in view.points if type(p).__name__ == "Marker" and p.icon.get("className") == "qala-flow-arrow"]


def test_every_line_has_an_arrowhead_pointing_into_its_city(vm):
    oracle = _oracle()
    for (indicator, period), rows in oracle.groupby(["indicator", "period_label"]):
        view = _flow_view(vm, str(indicator), str(period))
        lines, arrows = _lines(view), _arrows(view)
        assert len(lines) == len(arrows) == len(rows) > 0
        heads = {tuple(a.position): a for a in arrows}
        for line in lines:
            (lat1, lon1), (lat2, lon2) = line.positions[-2], line.positions[-1]
            arrow = heads[(lat2, lon2)]  # the head sits on the line's end
            angle = math.degrees(math.atan2(-(_merc(lat2) - _merc(lat1)), math.radians(lon2 - lon1)))
            svg = unquote(arrow.icon["iconUrl"])
            assert svg.startswith("data:image/svg+xml") and "<polygon" in svg
            drawn = float(re.search(r"rotate\((-?[\d.]+) ", svg).group(1))
            assert drawn == pytest.approx(angle, abs=0.06)
            size = arrow.icon["iconSize"][0]
            assert size >= line.weight + 6 and arrow.interactive is False and arrow.keyboard is False


def test_widths_monotone_and_14500_vs_7000_distinguishable(vm):
    from dashboard.views.flows import MAX_WIDTH, WIDTH_FACTOR_14500_7000

    oracle = _oracle()
    for (indicator, period), rows in oracle.groupby(["indicator", "period_label"]):
        view = _flow_view(vm, str(indicator), str(period))
        by_origin = {text_of(line.children[0]).split(" → ")[0]: line.weight for line in _lines(view)}
        measure = rows.share if rows.share.notna().all() else rows.value
        pairs = sorted(zip(measure, (by_origin[name] for name in rows.name_en), strict=True))
        assert [w for _, w in pairs] == sorted(w for _, w in pairs)  # never thinner for a larger value
    astana = oracle[(oracle.period_label == "2025-01..06") & (oracle.city == "Astana")]
    assert sorted(astana.value) == [7000, 7900, 14500]
    view = _flow_view(vm, "arrivals_from", "2025-01..06")
    weight = {text_of(line.children[0]).split(" → ")[0]: line.weight for line in _lines(view)}
    assert weight["Akmola"] == MAX_WIDTH == 14.0
    assert weight["Almaty (city)"] == pytest.approx(14.0 * 7000 / 14500, abs=0.01)  # 6.76: proportional
    assert WIDTH_FACTOR_14500_7000 == 2.0 and weight["Akmola"] / weight["Almaty (city)"] >= 2.0


def test_width_legend_in_real_values_of_the_shown_range(vm):
    view = _flow_view(vm, "arrivals_from", "2025-01..06", "ru")
    items = [n for n in walk(view.legend) if getattr(n, "className", None) == "flow-legend-item"]
    labels = [text_of(i.children[1]) for i in items]
    # the largest and smallest shown, and the round value nearest their geometric middle (sqrt(14500 * 7000) =
    # 10,075 -> 10,000)
    assert labels == [f"14{NNBSP}500 чел.", f"10{NNBSP}000 чел.", f"7{NNBSP}000 чел."]
    heights = [float(i.children[0].style["height"].removesuffix("px")) for i in items]
    assert heights == pytest.approx([14.0, 14.0 * 10000 / 14500, 14.0 * 7000 / 14500], abs=0.06)
    oracle = _oracle()
    for (indicator, period), rows in oracle.groupby(["indicator", "period_label"]):
        shown = _flow_view(vm, str(indicator), str(period), "en")
        by_share = rows.share.notna().all()
        values = rows.share * 100 if by_share else rows.value
        texts = [text_of(n.children[1]) for n in walk(shown.legend)
                 if getattr(n, "className", None) == "flow-legend-item"]
        numbers = [float(re.sub(r"[^\d.]", "", x)) for x in texts]  # "30 400 persons", "21.2 %"
        assert len(numbers) == 1 if len(set(values)) == 1 else 2 <= len(numbers) <= 3
        assert numbers[0] == pytest.approx(values.max(), abs=0.05)
        assert numbers[-1] == pytest.approx(values.min(), abs=0.05)
        assert all(values.min() - 0.05 <= v <= values.max() + 0.05 for v in numbers)


def test_lines_stop_short_of_the_city_point_and_start_apart_from_cities(vm):
    from dashboard.views.flows import END_GAP_KM, SHORT_LINE, START_GAP_KM

    oracle = _oracle()
    city_point = {city: (g.geometry.iloc[0].coords[-1][1], g.geometry.iloc[0].coords[-1][0])
                  for city, g in oracle.groupby("city")}
    assert (END_GAP_KM, START_GAP_KM, SHORT_LINE) == (110.0, 70.0, 0.4)
    checked_start = 0
    for (indicator, period), rows in oracle.groupby(["indicator", "period_label"]):
        view = _flow_view(vm, str(indicator), str(period))
        by_origin = {text_of(line.children[0]).split(" → ")[0]: line for line in _lines(view)}
        for _, row in rows.iterrows():
            line = by_origin[row.name_en]
            (lon0, lat0), (lon1, lat1) = row.geometry.coords[0], row.geometry.coords[-1]
            length = _km((lat0, lon0), (lat1, lon1))
            gap = _km(tuple(line.positions[-1]), city_point[row.city])
            assert gap == pytest.approx(min(END_GAP_KM, SHORT_LINE * length), abs=0.5)
            # the start: where the build put it, unless it lay on another city's point
            others = [p for c, p in city_point.items() if c != row.city]
            if min(_km((lat0, lon0), p) for p in others) < START_GAP_KM:
                assert min(_km(tuple(line.positions[0]), p) for p in others) == pytest.approx(START_GAP_KM, abs=0.5)
                checked_start += 1
            else:
                assert line.positions[0] == pytest.approx([lat0, lon0], abs=1e-5)
    assert checked_start >= 3  # Almaty (city) -> Astana, Shymkent (city) -> Almaty, Astana (city) -> Shymkent


def test_turkestan_line_into_shymkent_ends_apart_from_its_label(vm):
    """Jan-Jun 2024: the Turkestan region's line (135 km) stops 40 % of its length (54 km) before Shymkent."""
    view = _flow_view(vm, "arrivals_from", "2024-01..06")
    line = next(p for p in _lines(view) if text_of(p.children[0]).startswith("Turkestan → Shymkent"))
    assert _km(tuple(line.positions[-1]), (42.29408, 69.63852)) == pytest.approx(0.4 * 135.2, abs=1.0)


@pytest.mark.parametrize("lang", LANGS)
def test_each_flows_period_reachable_and_named_over_the_map(vm, lang):
    from dashboard.i18n import indicator_label
    from dashboard.state.viewmodel import NATIONAL

    oracle = _oracle()
    for indicator, rows in oracle.groupby("indicator"):
        periods = vm.periods(NATIONAL, "concentration", str(indicator))
        assert set(periods) == set(rows.period_label)
        for period in periods:
            view = _flow_view(vm, str(indicator), period, lang)
            label = rows[rows.period_label == period].iloc[0]
            shown = label["period_label" if lang == "en" else f"period_label_{lang}"] or period
            assert view.notices == (t("flows_map_period", lang, what=indicator_label(str(indicator), lang),
                                      period=shown),)
            assert str(shown) in view.notices[0]


NEW_KEYS = ("flows_width_scale", "flows_arrow_note", "flows_map_period", "leftbank_headline_none",
            "leftbank_cannot_show", "stance_map_shows", "origins_second", "origins_on_map")


def test_new_words_exist_in_kazakh_russian_and_english():
    fmt = {"px": "1.5", "km": "110", "what": "X", "period": "2020"}
    for key in NEW_KEYS:
        texts = {lang: t(key, lang, **fmt) for lang in LANGS}
        assert len(set(texts.values())) == 3 and all(texts.values()), key
        assert re.search("[а-яё]", texts["ru"]) and re.search("[әіңғүұқөһ]", texts["kk"]), key
    for n in (1, 2, 5, 21):
        forms = {lang: t("leftbank_headline", lang, count=1, n=n) for lang in LANGS}
        assert all(str(n) in text for text in forms.values())
    assert t("leftbank_headline", "ru", count=1, n=21).endswith("госучреждения")
    assert t("leftbank_headline", "ru", count=4, n=5).endswith("госучреждений")
