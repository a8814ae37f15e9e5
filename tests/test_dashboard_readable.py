"""What a reader sees instead of codes and shorthand: curators' notes as flag chips and a plain sentence,
boundary sets named by their dates, one period label per date, today's city names on maps, the change map's
refusals and a link's notices in the page's language, and a placeholder on every picker."""

from __future__ import annotations

import json
import re

import pytest
from dash import html

from dashboard import i18n
from dashboard.state.readable import current_names, kazakh_spelling, note_parts, vintage_names
from dashboard.state.records import Localized
from dashboard.views.panels import note_view
from dashboard.views.reasons import Words, refusal_text

NOTE_RU = ("[secondary][uncertain] значение из планировочного PDF на gov.kz в том виде, как его переписал "
           "сторонний репозиторий -> перед использованием проверьте дату")


@pytest.fixture(scope="module")
def vm(built):
    from dashboard.state.viewmodel import ViewModel

    return ViewModel.load()


def _flat(component) -> str:
    """The text a reader sees of a component (its children's strings), attributes left out."""
    if isinstance(component, str):
        return component
    if isinstance(component, (list, tuple)):
        return "".join(_flat(c) for c in component)
    children = getattr(component, "children", None)
    return "" if children is None else _flat(children)


def test_a_note_s_markers_become_flags_and_its_sentence_loses_brackets_and_arrows():
    flags, text = note_parts(NOTE_RU)
    assert flags == ("secondary", "uncertain")
    assert text.startswith("Значение из планировочного PDF") and "[" not in text and "->" not in text
    assert "→ перед использованием" in text
    assert note_parts("[added 2026-11-30] [uncertain date] LOWER BOUND: 'more than 358 thousand'") == (
        ("uncertain_date", "lower_bound"), "'more than 358 thousand'")
    assert note_parts("[uncertain year; probably Dec 2013] самые дорогие") == (
        ("uncertain_year",), "(probably Dec 2013) самые дорогие")
    assert note_parts("[added 2026-11-30]") == ((), "")
    assert note_parts("[a curators' aside] text") == ((), "(a curators' aside) text")  # unknown: kept, as words
    for code in (*note_parts("[x2][approx][secondary copy][uncertain type][uncertain period]")[0], "lower_bound"):
        assert i18n.has(f"flag_{code}"), code  # every flag a marker gives has a label in three languages


def test_a_note_is_shown_as_labelled_chips_and_text_in_the_interface_language():
    note = Localized("[secondary][uncertain date] 'district passport'", "[secondary][uncertain date] «паспорт "
                     "района» ('district passport')", "[secondary][uncertain date] «аудан паспорты» ('district "
                     "passport')")
    view = note_view(note, "kk", shown=("secondary",))  # the figure's own flags are shown beside it already
    chips, _, sentence = view.children
    assert [c.children for c in chips.children] == ["күні күмәнді"]  # only what the flags row does not say
    assert _flat(sentence).count("«аудан паспорты» ('district passport')") == 1
    assert "[" not in _flat(view) and "uncertain" not in _flat(view)
    english = note_view(Localized("[approx] akim's statement"), "ru")  # no translation: English, marked (en)
    assert "Akim's statement" in _flat(english) and "(en)" in _flat(english)
    assert note_view(Localized("[added 2026-11-30]"), "ru") is None  # nothing left to say: no note row


def test_boundary_sets_are_named_by_their_dates_never_by_code():
    rows = [{"vintage": "astana-4", "city": "Astana", "valid_from": "2018-03-16", "valid_to": "2022-12-01"},
            {"vintage": "astana-6", "city": "Astana", "valid_from": "2024-05-23", "valid_to": "", "latest": True},
            {"vintage": "almaty-7", "city": "Almaty", "valid_from": "", "valid_to": "2014-07-02"},
            {"vintage": "shymkent-5", "city": "Shymkent", "valid_from": "", "valid_to": "", "latest": True}]
    names = vintage_names(rows)
    assert names["astana-4"] == Localized("boundaries 2018–2022", "границы 2018–2022", "2018–2022 шекаралары")
    assert names["astana-6"].text("ru") == "границы с 2024 г." and names["astana-6"].text("kk") == \
        "2024 жылдан бергі шекаралар"
    assert names["almaty-7"].text("en") == "boundaries until 2014"
    assert names["shymkent-5"].text("kk") == "қазіргі шекаралар"
    # two sets of one city within the same years are told apart by their months
    twins = vintage_names([{"vintage": "a-1", "city": "A", "valid_from": "2022-01-01", "valid_to": "2022-06-01"},
                           {"vintage": "a-2", "city": "A", "valid_from": "2022-06-01", "valid_to": "2022-12-01"}])
    assert twins["a-1"].en == "boundaries 2022-01–2022-06" and twins["a-2"].en == "boundaries 2022-06–2022-12"



def test_a_boundary_change_dated_by_a_window_is_named_by_it_on_both_sides():
    # Turan formed between 1 Jan 2021 (still four districts) and 1 Aug 2022 (named as the fifth): the day used
    # is the later one, and both sets say the change is only known to a window.
    names = vintage_names([
        {"vintage": "shymkent-4", "city": "Shymkent", "valid_from": "", "valid_to": "2022-08-01"},
        {"vintage": "shymkent-5", "city": "Shymkent", "valid_from": "2022-08-01", "valid_to": "",
         "valid_from_earliest": "2021-01-01", "latest": True},
        {"vintage": "x-1", "city": "X", "valid_from": "2019-01-01", "valid_to": "2023-01-01",
         "valid_from_earliest": "2018-06-01"},
        {"vintage": "x-2", "city": "X", "valid_from": "2023-01-01", "valid_to": "",
         "valid_from_earliest": "2023-01-01"}])  # a window within the named year says nothing more
    assert names["shymkent-4"] == Localized("boundaries until 2021–2022 (date uncertain)",
                                            "границы до 2021–2022 гг. (дата неточна)",
                                            "2021–2022 жылдарға дейінгі шекаралар (күні күмәнді)")
    assert names["shymkent-5"].text("ru") == "границы с 2021–2022 гг. (дата неточна)"
    assert names["x-1"].en == "boundaries 2019–2023 (a date uncertain)"
    assert names["x-2"].en == "boundaries since 2023"

def test_the_built_boundary_sets_and_period_choices_read_without_codes(vm):
    assert set(vm.vintage_names) >= {"astana-3", "astana-4", "astana-5", "astana-6", "almaty-8", "shymkent-5"}
    assert vm.vintage_name("astana-4", "ru") == "границы 2018–2022"
    assert vm.vintage_name("no-such-9", "ru") == "no-such-9"  # an unknown code is shown, never hidden
    code = re.compile(r"\b(?:astana|almaty|shymkent)-\d\b|расчётные|▫")
    for lang in ("ru", "kk"):
        labels = [vm.period_label("Astana", "population", p, lang) for p in vm.periods("Astana", "concentration",
                                                                                        "population")]
        assert not [label for label in labels if code.search(label)], labels
        assert len(set(labels)) == len(labels)  # one label per choice; a second of a date says why it is there
    start = [vm.period_label("Astana", "population", p, "ru") for p in vm.periods("Astana", "concentration",
                                                                                 "population")
             if p.startswith("2025 (start)")]
    assert start[0] == "2025 (начало года)" and all("пересчитано на границы" in s for s in start[1:])


def test_maps_name_the_cities_as_they_are_called_today():
    assert current_names("790000000", {"en": "Shymkent (city)", "ru": "Чимкент", "kk": "Шымкент (қала)"}) == {
        "en": "Shymkent", "ru": "Шымкент", "kk": "Шымкент"}
    assert current_names("590000000", {"en": "North Kazakhstan", "ru": "Северо-Казахстанская",
                                       "kk": "Солтүстiк Қазақстан"})["kk"] == "Солтүстік Қазақстан"
    assert kazakh_spelling("Esil / Есiл") == "Esil / Есіл"  # Latin words keep their i


def test_the_built_map_layers_say_shymkent(vm):
    for layer in ("regions", "cities"):
        names = [f["properties"]["name_ru"] for f in json.loads(vm.geo[layer].raw)["features"]]
        assert "Шымкент" in names and "Чимкент" not in names, layer


def test_a_refused_change_is_said_in_the_page_s_language():
    words = Words("ru", {"2019": Localized("2019"), "2008 (creation)": Localized("2008 (creation)", "2008 (создание)")},
                  {"Esil": "Есиль", "Nura": "Нура", "Saryarka": "Сарыарка"}.get,
                  {"astana-3": "границы 2008–2018", "astana-4": "границы 2018–2022"}.get)
    reason = ("no figure for 2008 (creation) in Saryarka (astana-3); Esil (astana-3) -> Esil + Nura (astana-4) "
              "not comparable: Esil (astana-4): continues (gained land when the city grew on 7 Feb 2017: not "
              "comparable across that date)")
    said = refusal_text(reason, words).text("ru")
    assert said.startswith("нет значения за 2008 (создание): Сарыарка (границы 2008–2018); Есиль (границы 2008–2018)"
                           " → Есиль + Нура (границы 2018–2022) несопоставимы")
    assert not re.search(r"[A-Za-z]", said)
    unknown = refusal_text("something new", words)
    assert unknown == Localized("something new")  # shown as the build wrote it, marked English by the view
    growth = refusal_text("boundaries changed on 2018-03-16 (astana-3 -> astana-4) and growth_rate is not additive",
                          words).text("ru")
    assert "«Рост населения»" in growth and "growth_rate" not in growth


def test_a_bad_link_value_is_answered_by_name_not_by_code(vm):
    from dashboard.views import first_view

    _, _, view = first_view(vm, "?layer=bogus&lang=kk", None)
    assert view.notices and "concentration" not in view.notices[0]
    assert i18n.t("layer_concentration", "kk") in view.notices[0]
    _, _, view = first_view(vm, "?ind=bogus&lang=ru", None)
    assert "«Численность населения»" in view.notices[0] and "population" not in view.notices[0]


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_every_picker_has_a_placeholder_in_the_page_s_language(vm, lang):
    from dashboard.page.layout import serve_layout

    page = serve_layout(vm, f"?city=Astana&lang={lang}")
    found: dict[str, str] = {}

    def walk(node) -> None:
        if isinstance(node, (list, tuple)):
            for child in node:
                walk(child)
            return
        if isinstance(getattr(node, "id", None), str) and node.id in i18n.PLACEHOLDERS:
            found[node.id] = getattr(node, "placeholder", None)
        children = getattr(node, "children", None)
        if children is not None and not isinstance(children, str):
            walk(children)

    walk(page)
    assert found == {cid: i18n.t(key, lang) for cid, key in i18n.PLACEHOLDERS.items()}


def test_a_russian_place_name_on_a_kazakh_page_says_so():
    from dashboard.views.panels import place_label

    marked = place_label({"name_ru": "дачный посёлок у вокзала «Нурлы жол»", "name_en": "Dacha settlement"}, "kk")
    name, _, tag = marked.children
    assert name.lang == "ru" and tag.children == "(орысша)"
    plain = place_label({"name_ru": "Коктал", "name_kk": "Көктал"}, "kk")
    assert plain.children == "Көктал"
    assert isinstance(place_label({"name_ru": "Коктал"}, "ru"), html.Span)


def test_study_terms_are_translated_with_the_original_quoted_after():
    import pandas as pd

    from geo.settings import reference_dir

    table = pd.read_csv(reference_dir() / "translations.csv", dtype=str, keep_default_na=False)
    shown = " ".join(table["ru"]) + " ".join(table["kk"])
    assert "«свои» ('ours')" in shown and "«біз» ('ours')" in shown and "«разнорабочие» ('Handymen')" in shown
    # never the English term first with its gloss after, and no curators' shorthand in a translation
    assert not re.search(r"'(?:ours|strangers|good|mentality|Handymen)' \(", shown)
    assert "в переписи" not in shown and "->" not in shown
    assert not re.search(r"\b[a-z]+_[a-z]+\d*\b|\b(?:egemen|khabar|zakon|baq|draft|bes)20\d\d\b",
                         re.sub(r"https?://\S+", "", shown))
