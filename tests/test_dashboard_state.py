"""URL <-> view state: round trips, and unknown values falling back to defaults with a notice."""

from dashboard.state.query import Options, ViewState, parse_query, to_query

INDICATORS = {"Astana": ["population", "net_migration"], "Almaty": ["population"], "Shymkent": ["population"],
              "Kazakhstan": ["net_migration_interregional"]}
PERIODS = {("Astana", "population"): ["2013-09-01", "2025 (start)"], ("Astana", "net_migration"): ["2015-01..07"]}
DISTRICTS = {"Astana": ["711210000", "711510000"]}

CATEGORIES = ("all", "rural", "youth", "southerners")

OPTIONS = Options(lambda city, layer: [] if layer == "leftbank" else INDICATORS.get(city, []),
                  lambda city, layer, ind: PERIODS.get((city, ind), []),
                  lambda city: DISTRICTS.get(city, []), categories=CATEGORIES)


def test_round_trip_keeps_every_field():
    state = ViewState(city="Astana", layer="concentration", indicator="population", period="2013-09-01",
                      scheme="fisher_jenks", k=4, breaks="100000, 200000", palette="cividis", lang="kk",
                      district="711510000", category="youth")
    parsed, notices = parse_query(to_query(state), "en", OPTIONS)
    assert parsed == state
    assert notices == []


def test_empty_query_gives_defaults_and_browser_language():
    state, notices = parse_query("", "ru", OPTIONS)
    assert (state.city, state.layer, state.indicator, state.lang) == ("Astana", "concentration", "population", "ru")
    assert state.period == "2025 (start)"  # latest period by default
    assert notices == []


def test_unknown_values_fall_back_with_one_notice_each():
    query = "?city=Atlantis&layer=x&ind=gdp&scheme=magic&k=99&pal=rainbow&lang=fr&district=123&cat=aliens"
    state, notices = parse_query(query, "en", OPTIONS)
    assert state == ViewState(period="2025 (start)")
    assert {n.what for n in notices} == {"city", "layer", "indicator", "scheme", "k", "palette", "lang", "district",
                                         "category"}
    city_notice = next(n for n in notices if n.what == "city")
    assert (city_notice.value, city_notice.default) == ("Atlantis", "Astana")


def test_period_of_another_indicator_is_rejected():
    state, notices = parse_query("?city=Astana&ind=net_migration&period=2013-09-01", "en", OPTIONS)
    assert state.period == "2015-01..07"
    assert [n.what for n in notices] == ["period"]


def test_left_bank_layer_forces_astana_and_says_so():
    state, notices = parse_query("?city=Almaty&layer=leftbank", "en", OPTIONS)
    assert state.city == "Astana" and state.layer == "leftbank"
    assert [n.what for n in notices] == ["astana_only"]


def test_hostile_and_malformed_queries_never_raise():
    for query in ("?city=%3Cscript%3E", "?k=-1", "?k=3.5", "?" + "a=1&" * 500, "?period=" + "x" * 10000, "%%%",
                  "?district=%00"):
        state, _ = parse_query(query, "en", OPTIONS)
        assert state.city in ("Astana", "Almaty", "Shymkent", "Kazakhstan")


def test_categories_are_those_the_data_offers():
    state, notices = parse_query("?cat=youth", "en", OPTIONS)
    assert state.category == "youth" and notices == []
    only_all = Options(OPTIONS.indicators, OPTIONS.periods, OPTIONS.districts)
    state, notices = parse_query("?cat=youth", "en", only_all)
    assert state.category == "all" and [(n.what, n.value) for n in notices] == [("category", "youth")]
