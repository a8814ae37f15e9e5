"""One table of city facts (data/reference/cities.csv): every city constant of the code is read from it, and no
module writes a city's code, zone or name again."""

import ast
from pathlib import Path

import pytest

from geo import settings

ROOT = Path(__file__).resolve().parent.parent
TABLE = "city,kato,utm_crs,name_en,name_ru,name_kk,demo_share,source\n"


def test_the_constants_come_from_the_table():
    assert settings.CITIES == ("Astana", "Almaty", "Shymkent")
    assert settings.CITY_KATO == {"Astana": "710000000", "Almaty": "750000000", "Shymkent": "790000000"}
    assert settings.UTM_CRS == {"Astana": "EPSG:32642", "Almaty": "EPSG:32643", "Shymkent": "EPSG:32642"}
    assert settings.CITY_FACTS["Almaty"].names == {"en": "Almaty", "ru": "Алматы", "kk": "Алматы"}
    assert sum(f.demo_share for f in settings.CITY_FACTS.values()) == pytest.approx(1.0)


def test_a_fourth_city_is_one_row(tmp_path, monkeypatch):
    (tmp_path / "reference").mkdir()
    rows = (ROOT / "data" / "reference" / "cities.csv").read_text(encoding="utf-8")
    rows += 'Aktobe,150000000,EPSG:32640,Aktobe,Актобе,Ақтөбе,0.1,"made up for this test"\n'
    (tmp_path / "reference" / "cities.csv").write_text(rows, encoding="utf-8")
    monkeypatch.setattr(settings, "DATA_DIR", tmp_path)
    facts = settings._city_facts()
    assert tuple(facts) == ("Astana", "Almaty", "Shymkent", "Aktobe")
    assert facts["Aktobe"] == settings.CityFacts("150000000", "EPSG:32640",
                                                 {"en": "Aktobe", "ru": "Актобе", "kk": "Ақтөбе"}, 0.1)


def test_the_page_and_the_demo_name_cities_from_the_table():
    from dashboard.i18n import t
    from geo.engines.synthetic_survey import CITY_RU, CITY_SHARES

    for city, facts in settings.CITY_FACTS.items():
        assert [t(city, lang) for lang in ("en", "ru", "kk")] == [facts.names[k] for k in ("en", "ru", "kk")]
        assert CITY_RU[city] == facts.names["ru"] and CITY_SHARES[city] == facts.demo_share


def _literals(path: Path) -> set[str]:
    return {n.value for n in ast.walk(ast.parse(path.read_text())) if isinstance(n, ast.Constant)
            and isinstance(n.value, str)}


def test_no_module_writes_a_city_fact_again():
    facts = {v for f in settings.CITY_FACTS.values() for v in (f.kato, f.names["ru"], f.names["kk"])}
    found = {f"{p.relative_to(ROOT)}: {v}" for package in ("geo", "dashboard") for p in (ROOT / package).rglob("*.py")
             for v in _literals(p) & facts}
    assert found == set()
