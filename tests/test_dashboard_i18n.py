"""Every interface string exists in Kazakh, Russian and English; the browser's language picks the default."""

import re

import pytest

from dashboard import i18n
from dashboard.classify import PALETTES, SCHEMES
from dashboard.state.query import CITY_VIEWS, LAYERS


def test_every_string_has_three_distinct_non_empty_translations_with_same_placeholders():
    for key in i18n.all_keys():
        texts = i18n.texts_of(key)
        assert len(texts) >= 3 and all(text.strip() for text in texts), key
        fields = [sorted(re.findall(r"{(\w+)}", text)) for text in texts]
        assert all(f == fields[0] for f in fields), key


@pytest.mark.parametrize("lang, n, expected", [
    ("en", 0, "n = 0 statements"), ("en", 1, "n = 1 statement"), ("en", 2, "n = 2 statements"),
    ("en", 11, "n = 11 statements"), ("en", 21, "n = 21 statements"),
    ("ru", 1, "n = 1 высказывание"), ("ru", 2, "n = 2 высказывания"), ("ru", 4, "n = 4 высказывания"),
    ("ru", 5, "n = 5 высказываний"), ("ru", 0, "n = 0 высказываний"), ("ru", 11, "n = 11 высказываний"),
    ("ru", 12, "n = 12 высказываний"), ("ru", 14, "n = 14 высказываний"), ("ru", 21, "n = 21 высказывание"),
    ("ru", 22, "n = 22 высказывания"), ("ru", 111, "n = 111 высказываний"), ("ru", 101, "n = 101 высказывание"),
    ("kk", 1, "n = 1 пікір"), ("kk", 5, "n = 5 пікір"),
])
def test_counts_take_the_plural_form_of_their_language(lang, n, expected):
    assert i18n.t("n_statements", lang, n=n) == expected


def test_every_counted_string_agrees_with_its_count():
    assert i18n.t("institutions_unmapped", "en", n=1).startswith("1 more institution is ")
    assert i18n.t("institutions_unmapped", "en", n=15).startswith("15 more institutions are ")
    assert i18n.t("institutions_unmapped", "ru", n=1) == "Ещё 1 учреждение описано только адресом и не учтено."
    assert "3 учреждения описаны" in i18n.t("institutions_unmapped", "ru", n=3)
    assert "15 учреждений" in i18n.t("institutions_unmapped", "ru", n=15)
    assert i18n.t("set_aside_more", "en", n=1).startswith("1 more row is ")
    assert "2 строки здесь не показаны" in i18n.t("set_aside_more", "ru", n=2)
    assert i18n.t("notice_k", "en", n=1, k=5) == "Only 1 distinct value: 5 classes were reduced to 1."
    assert i18n.t("notice_k", "en", n=3, k=5) == "Only 3 distinct values: 5 classes were reduced to 3."
    with pytest.raises(KeyError):
        i18n.t("n_statements", "en")  # a counted string without its count is a bug, not a guess


def test_controls_vocabulary_is_translated(built):
    from dashboard.state.viewmodel import ViewModel

    categories = ViewModel.load().categories  # the migrant categories of the build's perception scores
    assert len(categories) > 1
    needed = [*CITY_VIEWS, *(f"layer_{x}" for x in LAYERS), *(f"cat_{c}" for c in categories),
              *(f"scheme_{s}" for s in SCHEMES), *(f"palette_{p}" for p in PALETTES)]
    missing = [k for k in needed if not i18n.has(k)]
    assert missing == []
    assert i18n.t("layer_leftbank", "kk") != i18n.t("layer_leftbank", "en")


def test_missing_key_is_an_error_not_a_silent_fallback():
    with pytest.raises(KeyError):
        i18n.t("no_such_key", "en")


@pytest.mark.parametrize("header, expected", [
    ("kk-KZ,kk;q=0.9,ru;q=0.8", "kk"),
    ("ru-RU,ru;q=0.9,en-US;q=0.8", "ru"),
    ("de-DE,de;q=0.9,ru;q=0.5,en;q=0.7", "en"),
    ("en;q=0.2, kk;q=0.8", "kk"),
    ("fr-FR", "en"),
    ("", "en"),
    (None, "en"),
    ("ru;q=abc, kk;q=0", "en"),
])
def test_accept_language(header, expected):
    assert i18n.pick_language(header) == expected


def test_place_names_follow_language_with_fallback():
    row = {"name_en": "Esil", "name_ru": "Есиль", "name_kk": "Есіл"}
    assert [i18n.name_of(row, lang) for lang in ("kk", "ru", "en")] == ["Есіл", "Есиль", "Esil"]
    assert i18n.name_of({"name_en": "Nura", "name_kk": None}, "kk") == "Nura"


def test_every_confidence_flag_in_the_built_figures_has_a_label_in_three_languages(built):
    import pandas as pd

    figures = pd.read_parquet(built / "figures.parquet", columns=["confidence"])
    flags = {f.strip() for text in figures["confidence"].dropna() for f in str(text).split(";") if f.strip()}
    assert "x2" in flags  # the build really carries flags: this test is not vacuous
    missing = sorted(f for f in flags if not i18n.has(f"flag_{f}"))
    assert missing == []
    for flag in flags:
        labels = [i18n.flag_label(flag, lang) for lang in ("kk", "ru", "en")]
        assert all(label != flag for label in labels[:2]), (flag, labels)  # kk and ru are not the English code
        assert labels[1] != labels[2], flag


def test_flag_view_shows_label_and_keeps_code_out_of_sight():
    from dashboard.views.panels import flags_view

    view = flags_view(("x2", "no_such_flag"), "ru")
    known, unknown = view.children
    assert known.children == "2 источника" and known.title == "Отметка надёжности: 2 источника"
    assert getattr(known, "data-flag") == "x2"  # the code for scripts and tests, never in the reader's tooltip
    assert unknown.children == "no_such_flag"  # an unknown flag is shown by its code, never dropped


def test_every_indicator_and_unit_in_the_built_figures_has_a_label_in_three_languages(built):
    """No snake_case indicator name or English unit code reaches the page."""
    import pandas as pd

    figures = pd.read_parquet(built / "figures.parquet", columns=["indicator", "unit"])
    missing = sorted(i for i in set(figures["indicator"]) if not i18n.has(f"ind_{i}"))
    assert missing == []
    for indicator in set(figures["indicator"]):
        ru, kk = (i18n.indicator_label(indicator, lang) for lang in ("ru", "kk"))
        assert indicator not in ru and indicator not in kk and re.search(r"[а-яё]", ru + kk, re.IGNORECASE)
    units = {u for u in figures["unit"].dropna() if u not in ("category", "text", "date")}
    assert all(not re.search(r"[a-z]", i18n.unit_label(u, "ru")) for u in units), units


def test_method_sentences_of_derived_figures_are_translated():
    from dashboard.views.panels import method_text

    boundaries = {"astana-3": "границы 2008–2018", "astana-6": "қазіргі шекаралар"}.get
    growth = method_text("(population at end - at start) / at start, 0.6 years apart, same boundaries (astana-3)",
                         "ru", boundaries=boundaries)
    assert growth.get("ru") == ("(население на конец − на начало) / на начало, интервал 0,6 г., границы 2008–2018 "
                                "на обе даты", False)
    total = method_text("sum of successor districts 711110000, 711210000 of astana-6 on the same date", "kk",
                        {"711110000": "Алматы", "711210000": "Есіл"}.get, boundaries)
    assert total.get("kk")[0] == "мұрагер аудандардың (Алматы, Есіл) сол күнгі қосындысы (қазіргі шекаралар)"
    bare = method_text("sum of successor districts 711110000 of astana-6 on the same date", "en")
    assert bare.get("en")[0] == "sum of the successor districts (711110000) on the same date (astana-6)"
    assert method_text("some new method", "kk").get("kk") == ("some new method", True)  # English, marked
