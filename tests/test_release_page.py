"""The disclosure report page (geo/release/page.py): three languages, escaped labels, the steward's private copy
marked as such, and unknown codes shown rather than dropped."""

from __future__ import annotations

import copy
import re
import string

import pytest

from geo.release import page

HOSTILE = "<script>alert(1)</script>"
KAZAKH_LETTERS = set("әғқңөұүһіӘҒҚҢӨҰҮҺІ")


def _report(**changes) -> dict:
    report = {
        "format": 1,
        "dataset": {"name": "attitudes", "version": "v2", "title": "Attitudes to newcomers", "synthetic": True},
        "min_n": 10,
        "rules": {"threshold": {"min_n": 10}, "n_eff": {"min": 10}, "dominance": {"top1": 0.5, "top2": 0.75},
                  "protection": {"count_half_width": 5.0, "count_upper_at_least": 10,
                                 "weighted_half_width_respondents": 5.0}},
        "cells": {"published": 240, "hidden": 12},
        "tables": [{"table": "districts", "rows": 19, "hidden_rows": 3},
                   {"table": "score_differences", "rows": 120, "hidden_rows": 20}],
        "hidden": [{"city": "Almaty", "district_id": "751110000",
                    "names": {"en": "Alatau", "ru": "Алатауский", "kk": "Алатау"}, "group": "all",
                    "level": "district", "n_interval": [0, 33], "weight_interval": [0.0, 40.2]},
                   {"city": "Shymkent", "district_id": "511610000", "names": {"en": "Abay"}, "group": "women",
                    "level": "district", "n_interval": [2, 19], "weight_interval": [1.5, 30]}],
        "left_out": [{"output": "indices", "city": "Almaty", "why": "hidden_cells"},
                     {"output": "hexagons", "city": "Astana", "resolution": 8, "why": "small_hexagons"}],
        "versions": {"audited_with": ["v1"], "rule": "difference"},
        "audit": {"solver": "HiGHS (scipy.optimize.linprog)", "programs": 624, "seconds": 0.8, "passes": 2,
                  "all_protected": True},
        "limits": ["known_answers", "second_moments", "zero_cells"],
    }
    report.update(changes)
    return report


def _with_reasons(report: dict, *reasons: str) -> dict:
    report = copy.deepcopy(report)
    for cell, reason in zip(report["hidden"], reasons, strict=False):
        cell["reason"] = reason
    return report


def _text(html_page: str) -> str:
    """The page's visible text: tags and the style sheet removed, entities kept (so escaping stays visible)."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", re.sub(r"<style>.*?</style>", "", html_page, flags=re.S)))


@pytest.mark.parametrize("lang", page.LANGS)
def test_a_complete_standalone_page_in_each_language(lang):
    html_page = page.render(_report(), lang)
    assert html_page.startswith("<!DOCTYPE html>")
    assert f'<html lang="{lang}">' in html_page
    assert '<meta charset="utf-8">' in html_page and html_page.rstrip().endswith("</html>")
    lowered = html_page.lower()
    for outside in ("<script", "<link", "src=", "http://", "https://", "@import", "url("):
        assert outside not in lowered


def test_district_names_follow_the_page_language_with_english_then_id_as_fallback():
    report = _report()
    report["hidden"].append({"city": "Astana", "district_id": "711510000", "group": "all", "level": "district",
                             "n_interval": [0, 9], "weight_interval": [0, 12]})
    ru, kk, en = (page.render(report, lang) for lang in ("ru", "kk", "en"))
    assert "<td>Алатауский</td>" in ru and "<td>Алатау</td>" in kk and "<td>Alatau</td>" in en
    assert "Алатауский" not in kk and "Alatau" not in ru
    assert "<td>Abay</td>" in ru and "<td>Abay</td>" in kk  # no ru/kk name: the English one
    assert "<td>711510000</td>" in ru  # no names at all: the district's id


def test_city_names_and_all_respondents_are_translated():
    ru, kk, en = (page.render(_report(), lang) for lang in ("ru", "kk", "en"))
    for text in (ru, kk):
        assert "<td>Алматы</td>" in text and "<td>Шымкент</td>" in text and "(Астана)" in text
    assert "<td>Almaty</td>" in en and "<td>Shymkent</td>" in en
    assert "<td>все респонденты</td>" in ru and "<td>барлық респонденттер</td>" in kk
    assert "<td>all respondents</td>" in en and "<td>women</td>" in en


def test_intervals_use_an_en_dash_and_weights_two_decimals_in_the_language_s_notation():
    en, ru, kk = (page.render(_report(), lang) for lang in ("en", "ru", "kk"))
    assert '<td class=n>0–33</td><td class=n>0.00–40.20</td>' in en
    assert '<td class=n>2–19</td><td class=n>1.50–30.00</td>' in en
    assert '<td class=n>0–33</td><td class=n>0,00–40,20</td>' in ru
    assert "0,00–40,20" in kk and "0.00–40.20" not in kk


def test_hostile_labels_come_out_escaped():
    report = _report(dataset={"name": HOSTILE, "version": HOSTILE, "title": HOSTILE, "synthetic": True},
                     tables=[{"table": HOSTILE, "rows": HOSTILE, "hidden_rows": 1}],
                     left_out=[{"output": HOSTILE, "city": HOSTILE, "why": HOSTILE}],
                     versions={"audited_with": [HOSTILE], "rule": HOSTILE},
                     audit={"solver": HOSTILE, "all_protected": True}, limits=[HOSTILE])
    report["hidden"][0].update(group=HOSTILE, city=HOSTILE, names={"en": HOSTILE, "ru": HOSTILE, "kk": HOSTILE})
    report["hidden"][1].update(district_id=HOSTILE, names={}, level=HOSTILE, reason=HOSTILE)
    report["rules"]["extra" + HOSTILE] = {"x": HOSTILE}
    for lang in page.LANGS:
        html_page = page.render(report, lang)
        assert "<script" not in html_page.lower()
        assert html_page.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 12


def test_reason_column_and_private_banner_only_when_reasons_are_present():
    public = page.render(_report(), "en")
    assert "Reason" not in public and 'class="banner"' not in public and "private copy" not in public
    private = page.render(_with_reasons(_report(), "threshold", "complement"), "en")
    assert "<th>Reason</th>" in private and 'class="banner"' in private and "do not publish" in private
    assert "<td>too few respondents</td>" in private
    assert "<td>hidden so that a small cell cannot be worked back</td>" in private
    ru = page.render(_with_reasons(_report(), "dominance"), "ru")
    assert "<th>Причина</th>" in ru and "нельзя публиковать" in ru
    assert "<td>вес определяют один-два респондента</td>" in ru
    assert "<td></td>" in ru  # the second cell has no reason: an empty cell, not a crash


def test_every_catalogue_key_has_english_russian_and_kazakh():
    assert page._CAT
    fields = string.Formatter()
    for key, texts in page._CAT.items():
        assert len(texts) == 3, key
        en, ru, kk = texts
        assert en.strip() and ru.strip() and kk.strip(), key
        assert ru != en and kk != en, key
        for text in (ru, kk):  # no English left behind: only placeholders and "H3" are in Latin letters
            assert not re.search("[A-Za-z]", re.sub(r"\{\w+\}|H3", "", text)), key
        names = [{f for _, f, _, _ in fields.parse(text) if f} for text in texts]
        assert names[0] == names[1] == names[2], key  # every language fills in the same values


def test_the_kazakh_page_is_written_with_kazakh_letters():
    kk = _text(page.render(_report(), "kk"))
    assert KAZAKH_LETTERS & set(kk)
    assert "Жасырын ұяшықтар" in kk
    assert not KAZAKH_LETTERS & set(_text(page.render(_report(), "ru")))


def test_rules_left_out_versions_audit_and_limits_are_explained():
    en = _text(page.render(_report(), "en"))
    for phrase in ("fewer than 10 respondents", "Kish effective sample size is below 10", "more than 50%",
                   "more than 75%", "±5 respondents", "upper end of at least 10",
                   "Segregation indices (Almaty): left out, because they would narrow hidden cells",
                   "H3 hexagons, resolution 8 (Astana): left out, because some hexagons have fewer than 10",
                   "earlier versions: v1", "either no respondent or at least 10", "624", "0.8 s",
                   "Every hidden cell keeps the required margin", "knows nothing about individual respondents",
                   "second-moment", "A published zero", "Cells published: 240; hidden: 12",
                   "differences between groups", "SYNTHETIC DATA"):
        assert phrase in en, phrase
    ru = _text(page.render(_report(), "ru"))
    assert "0,8 с" in ru and "больше 50%" in ru and "Индексы сегрегации (Алматы)" in ru


def test_unknown_codes_are_shown_as_they_are():
    report = _report(left_out=[{"output": "flows", "city": "Aktobe", "why": "new_reason"}],
                     versions={"rule": "newer_rule"}, limits=["known_answers", "odd_limit"],
                     tables=[{"table": "cities", "rows": 3, "hidden_rows": 0}])
    report["hidden"][0]["level"] = "region"
    report["hidden"][0]["reason"] = "mystery"
    for lang in page.LANGS:
        text = _text(page.render(report, lang))
        for code in ("flows (Aktobe)", "new_reason", "newer_rule", "odd_limit", "cities", "mystery", "(region)"):
            assert code in text, (lang, code)


def test_any_code_renders_even_one_that_spells_a_catalogue_key():
    """Codes are looked up as prefix_code in the catalogue: no code, however chosen, may reach a text whose
    placeholders the caller does not fill."""
    codes = sorted({part for key in page._CAT for part in (key, key.split("_", 1)[-1])} | {"", "_", "{n}"})
    report = _report(left_out=[{"output": c, "city": c, "why": c, "resolution": c} for c in codes],
                     tables=[{"table": c} for c in codes], limits=codes, versions={"rule": "difference"},
                     hidden=[{"city": c, "level": c, "group": c, "names": {"en": c}, "reason": c} for c in codes])
    for lang in page.LANGS:
        assert "{n}" in page.render(report, lang)
    for rule in codes:
        page.render(_report(versions={"rule": rule}), "en")


def test_city_and_national_cells_name_the_city_and_all_cities():
    report = _report(hidden=[
        {"city": "Astana", "level": "city", "group": "all", "n_interval": [0, 40], "weight_interval": [0, 50]},
        {"level": "national", "group": "men", "n_interval": [5, 60], "weight_interval": [4, 70]}])
    ru = page.render(report, "ru")
    assert "<tr><td>Астана</td><td>Астана</td><td>все респонденты</td>" in ru
    assert "<tr><td>все города</td><td>все города</td><td>men</td>" in ru


def test_synthetic_label_and_failed_audit():
    real = _report(dataset={"name": "attitudes", "title": "Attitudes", "synthetic": False},
                   audit={"all_protected": False})
    en = page.render(real, "en")
    assert "SYNTHETIC" not in en and "Dataset: attitudes<" in en
    assert 'class="warn"' in en and "must not go out" in en
    assert "Solver" not in en  # audit facts not in the report are not shown


def test_a_minimal_report_renders_and_says_nothing_is_hidden():
    minimal = {"format": 1, "min_n": 10, "rules": {"threshold": {"min_n": 10}}, "hidden": []}
    for lang, words in (("en", "No cell is hidden."), ("ru", "Ни одна ячейка не скрыта."),
                        ("kk", "Бірде-бір ұяшық жасырылмаған.")):
        html_page = page.render(minimal, lang)
        assert words in html_page
        assert "<table>" not in html_page and "<h2>" in html_page
    en = page.render(minimal, "en")
    for absent in ("Audit", "Versions", "Left out", "Summary", "does not cover", "SYNTHETIC", "Dominance"):
        assert absent not in en


@pytest.mark.parametrize("lang", ["de", "EN", "", "kz"])
def test_unknown_language_is_refused(lang):
    with pytest.raises(ValueError, match="unknown language"):
        page.render(_report(), lang)


def test_write_pages_writes_three_pages_equal_to_render(tmp_path):
    report = _with_reasons(_report(), "threshold")
    paths = page.write_pages(report, tmp_path / "out")
    assert [p.name for p in paths] == ["disclosure_kk.html", "disclosure_ru.html", "disclosure_en.html"]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(p.name for p in paths)
    for path, lang in zip(paths, page.LANGS, strict=True):
        assert path.read_bytes().decode("utf-8") == page.render(report, lang)
    page.write_pages(_report(hidden=[]), tmp_path / "out")  # written again: replaced, still three files
    assert len(list((tmp_path / "out").iterdir())) == 3
    assert "No cell is hidden." in (tmp_path / "out" / "disclosure_en.html").read_text(encoding="utf-8")


def test_a_score_item_left_out_is_named_and_explained_escaped():
    report = {"format": 1, "min_n": 10, "rules": {}, "hidden": [],
              "left_out": [{"output": "item", "item": "<b>Q7</b>", "why": "too_few_answers"}]}
    ru = page.render(report, "ru")
    assert "Вопрос &lt;b&gt;Q7&lt;/b&gt;: не опубликовано, так как на него ответило слишком мало людей" in ru
    assert "<b>Q7" not in ru
    assert "Score item &lt;b&gt;Q7&lt;/b&gt;: left out, because too few answered it" in page.render(report, "en")


def test_the_gate_s_levels_name_their_place():
    # "group": a group within a district (the district's name; the group in its column); "city_group": a group
    # within a city (the city itself)
    report = {"format": 1, "min_n": 10, "rules": {}, "hidden": [
        {"city": "Astana", "district_id": "711110000", "names": {"ru": "Алматы"}, "group": "мигрант",
         "level": "group", "n_interval": [0, 24], "weight_interval": [0.0, 31.8]},
        {"city": "Shymkent", "district_id": None, "names": None, "group": "мигрант", "level": "city_group",
         "n_interval": [63, None], "weight_interval": [82.4, None]}]}
    text = page.render(report, "ru")
    assert "<td>Астана</td><td>Алматы</td><td>мигрант</td>" in text.replace("\n", "")
    assert "<td>Шымкент</td><td>Шымкент</td><td>мигрант</td>" in text.replace("\n", "")
    assert "(group)" not in text and "(city_group)" not in text
    assert "<td class=n>63–∞</td><td class=n>82,40–∞</td>" in text  # no published figure bounds it above
