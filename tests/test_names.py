"""District name matching across Kazakh, Russian, English and transliterations."""

import pytest

from geo.domain.names import match_city, match_district, match_districts, name_key, transliterate
from geo.errors import UnknownName

SPELLINGS = [
    # (name as found, city, district id)
    ("Есиль", "Astana", "711210000"), ("Есіл", "Astana", "711210000"), ("Yesil", "Astana", "711210000"),
    ("Esil District", "Astana", "711210000"), ("Есильский район", None, "711210000"),
    ("Бостандыкский район", "Almaty", "751410000"), ("Бостандық", None, "751410000"),
    ("Bostandyq", "Almaty", "751410000"), ("Байконур", "Astana", "711410000"), ("Байқоңыр", None, "711410000"),
    ("Baikonyr", None, "711410000"), ("Baykonyr", "Astana", "711410000"), ("Сарайшык", None, "osm-relation-19733918"),
    ("Saraiyshyq", "Astana", "osm-relation-19733918"), ("Сарайшық ауданы", None, "osm-relation-19733918"),
    ("Аль-Фарабийский район", "Shymkent", "791310000"), ("Әл Фараби", None, "791310000"),
    ("Qaratau", "Shymkent", "791710000"), ("Каратауский", None, "791710000"), ("Abai", "Shymkent", "791110000"),
    ("Әуезов ауданы", "Almaty", "751310000"), ("Ауэзовский", None, "751310000"), ("Жетісу", "Almaty", "751510000"),
    ("Түркісіб", None, "751910000"), ("Нұра ауданы", "Astana", "711510000"), ("Сарыаркинский", None, "711310000"),
    ("Saryarqa", "Astana", "711310000"), ("Туранский", None, "791910000"), ("Алматинский", "Astana", "711110000"),
]


@pytest.mark.parametrize("name,city,expected", SPELLINGS)
def test_every_spelling_matches_its_district(name, city, expected):
    assert match_district(name, city) == expected


def test_almaty_is_a_district_of_astana_but_not_of_almaty():
    assert match_district("Almaty", "Astana") == "711110000"
    assert match_district("Almaty", "Almaty") is None


def test_unknown_and_ambiguous_names_are_reported_not_dropped():
    report = match_districts(["Esil", "Moscow", "Esil", "", "Nura"], city="Astana")
    assert report.matched == {"Esil": "711210000", "Nura": "711510000"}
    assert set(report.unmatched) == {"Moscow", ""}
    assert "no district" in report.unmatched["Moscow"]


def test_unknown_city_is_an_error():
    with pytest.raises(UnknownName, match="unknown city 'Paris'"):
        match_district("Esil", "Paris")


def test_transliteration_and_keys():
    assert transliterate("Қаратау") == "karatau"
    assert name_key("Бостандыкский район") == "bostandykskii"
    assert name_key("Yesil district") == "esil"


def test_city_names():
    assert match_city("Нур-Султан") == "Astana"
    assert match_city("Almaty (city)") == "Almaty"
    assert match_city("Шымкент") == "Shymkent"
    assert match_city("Karaganda") is None
