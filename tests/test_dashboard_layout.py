"""The page drawn per link: the first view (controls, layer URLs, styles, panel, notices) needs no callback."""

from __future__ import annotations

import flask
import pytest

from dashboard.classify import palette
from dashboard.page.layout import page_search, serve_layout
from dashboard.state.query import ViewState, to_query
from dashboard.state.viewmodel import ViewModel
from dashboard.views import geo_url, render


@pytest.fixture(scope="module")
def vm(built):
    return ViewModel.load()


def by_id(layout) -> dict:
    """Components of the layout keyed by their (string) id."""
    return {c.id: c for c in [layout, *layout._traverse()] if isinstance(getattr(c, "id", None), str)}


def test_the_link_is_drawn_into_the_layout(vm):
    page = by_id(serve_layout(vm, "?city=Shymkent&lang=ru&pal=cividis&scheme=equal_interval&k=3", "en-GB"))
    state = ViewState(**page["view"].data["state"])
    assert (state.city, state.lang, state.palette, state.scheme, state.k) == ("Shymkent", "ru", "cividis",
                                                                             "equal_interval", 3)
    assert page["view"].data["notices"] == []
    assert page["url"].search == to_query(state)  # the canonical link, put in the address bar by the browser
    view = render(vm, state, [])
    assert view.choropleth.name.startswith("v-shymkent")
    assert page["choropleth"].url == geo_url(vm, view.choropleth.name) == view.choropleth.url
    assert page["choropleth"].hideout == view.choropleth.style.hideout()
    assert page["choropleth"].hideout["colors"] == palette("cividis", len(page["choropleth"].hideout["colors"]))
    assert page["choropleth"].hideout["classes"] and page["choropleth"].hideout["lang"] == "ru"
    assert page["context"].url is None  # no layer: nothing requested (no empty.geojson round trip)
    for control, field in (("ctl-city", "city"), ("ctl-scheme", "scheme"), ("ctl-k", "k"), ("ctl-palette", "palette"),
                           ("ctl-lang", "lang"), ("ctl-indicator", "indicator"), ("ctl-period", "period")):
        assert page[control].value == getattr(state, field), control
    assert state.period in [o["value"] for o in page["ctl-period"].options]
    assert page["root"].lang == "ru" and page["default-lang"].data == "en"
    assert "Шымкент" in str(page["panel"].children)
    south_west, north_east = page["map"].bounds
    assert south_west[0] < 42.4 < north_east[0] and south_west[1] < 69.6 < north_east[1]  # Shymkent is framed


def test_bad_link_values_fall_back_with_notices_in_the_layout(vm):
    page = by_id(serve_layout(vm, "?city=Atlantis&k=99&layer=%3Cb%3Ex%3C%2Fb%3E", "kk"))
    state = ViewState(**page["view"].data["state"])
    assert state.city == "Astana" and state.k == 5 and state.layer == "concentration" and state.lang == "kk"
    given = {n["value"] for n in page["view"].data["notices"]}
    assert {"Atlantis", "99", "<b>x</b>"} <= given
    notices = str(page["notices"].children)
    assert "Atlantis" in notices and "<b>x</b>" in notices  # as text in Div children, never as markup
    assert page["url"].search == to_query(state)


def test_unknown_page_address_leaves_the_url_to_the_browser(vm):
    page = by_id(serve_layout(vm, None, None))
    assert getattr(page["url"], "search", None) is None  # dcc.Location reports it, the URL callback redraws
    state = ViewState(**page["view"].data["state"])
    assert (state.city, state.layer, state.indicator, state.lang) == ("Astana", "concentration", "population", "en")
    assert page["choropleth"].url and page["panel"].children  # the default view is drawn meanwhile


def test_page_search_reads_the_page_query_or_the_referer_of_the_layout_request():
    app = flask.Flask(__name__)
    with app.test_request_context("/?city=Almaty&lang=kk"):
        assert page_search() == "?city=Almaty&lang=kk"
    with app.test_request_context("/"):
        assert page_search() == ""
    with app.test_request_context("/_dash-layout", base_url="http://127.0.0.1:8050",
                                  headers={"Referer": "http://127.0.0.1:8050/?city=Almaty&k=3"}):
        assert page_search() == "?city=Almaty&k=3"
    with app.test_request_context("/_dash-layout", base_url="http://127.0.0.1:8050",
                                  headers={"Referer": "http://elsewhere.example/?city=Almaty"}):
        assert page_search() is None
    with app.test_request_context("/_dash-layout"):
        assert page_search() is None


def shown_controls(page: dict) -> set[str]:
    """Ids of the controls a user sees: those not inside a hidden group."""
    layout_root = page["root"]
    hidden_ids: set[str] = set()

    def walk(component, hidden: bool) -> None:
        hidden = hidden or bool(getattr(component, "hidden", False))
        cid = getattr(component, "id", None)
        if hidden and isinstance(cid, str):
            hidden_ids.add(cid)
        children = getattr(component, "children", None)
        for child in children if isinstance(children, list) else [children]:
            if hasattr(child, "to_plotly_json"):
                walk(child, hidden)

    walk(layout_root, False)
    return {cid for cid in page if cid.startswith("ctl-")} - hidden_ids


@pytest.mark.parametrize("query, shown", [
    ("?layer=concentration&city=Astana",
     {"ctl-city", "ctl-layer", "ctl-indicator", "ctl-period", "ctl-scheme", "ctl-k", "ctl-palette", "ctl-district",
      "ctl-lang", "ctl-time", "ctl-play", "ctl-change", "ctl-twomaps", "ctl-compare_date"}),
    ("?layer=concentration&city=Almaty&scheme=user_defined&breaks=100000",
     {"ctl-city", "ctl-layer", "ctl-indicator", "ctl-period", "ctl-scheme", "ctl-k", "ctl-breaks", "ctl-palette",
      "ctl-district", "ctl-lang", "ctl-time", "ctl-play", "ctl-change", "ctl-twomaps", "ctl-compare_date"}),
    ("?layer=leftbank", {"ctl-city", "ctl-layer", "ctl-lang"}),
    ("?layer=perception&city=Almaty", {"ctl-city", "ctl-layer", "ctl-indicator", "ctl-period", "ctl-category",
                                       "ctl-lang"}),
    ("?layer=perception&city=Kazakhstan", {"ctl-city", "ctl-layer", "ctl-category", "ctl-lang"}),
])
def test_only_the_controls_of_the_current_layer_are_shown(vm, query, shown):
    page = by_id(serve_layout(vm, query, "en"))
    assert shown_controls(page) == shown
    for cid in ("ctl-indicator", "ctl-period", "ctl-category", "ctl-scheme", "ctl-breaks", "ctl-district"):
        assert cid in page  # hidden controls stay in the page: their values still travel in the URL
    for cid in shown - {"ctl-city", "ctl-layer", "ctl-lang"}:
        if cid in ("ctl-indicator", "ctl-period"):
            assert page[cid].options, (query, cid)  # a shown picker always has something to pick


def test_left_bank_offers_only_astana_and_says_why(vm):
    page = by_id(serve_layout(vm, "?layer=leftbank", "ru"))
    disabled = {o["value"] for o in page["ctl-city"].options if o.get("disabled")}
    assert disabled == {"Almaty", "Shymkent", "Kazakhstan"}
    assert not page["grp-city-note"].hidden and not page["grp-fixed-note"].hidden
    assert "Астан" in str(page["grp-city-note"].children)
    layer1 = by_id(serve_layout(vm, "?layer=concentration", "ru"))
    assert not any(o.get("disabled") for o in layer1["ctl-city"].options)
    assert layer1["grp-city-note"].hidden and layer1["grp-fixed-note"].hidden


def test_app_factory_serves_the_page_with_preloads_and_the_layers_by_etag(vm):
    import html

    from dashboard.app import create_app

    client = create_app(vm).server.test_client()
    page = client.get("/?city=Almaty&lang=en").get_data(as_text=True)
    view = render(vm, ViewState(city="Almaty", period=vm.preferred_period("Almaty", "concentration", "population")))
    assert f'rel="preload" as="fetch" crossorigin="anonymous" href="{html.escape(view.choropleth.url)}"' in page
    layer = vm.geo[view.choropleth.name]
    response = client.get(view.choropleth.url, headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200 and response.headers["Content-Encoding"] == "gzip"
    assert response.headers["ETag"].strip('"') == layer.etag
    assert client.get(view.choropleth.url, headers={"If-None-Match": f'"{layer.etag}"'}).status_code == 304
    assert client.get("/qala/geo/nothing.geojson").status_code == 404


def test_the_sync_callback_gives_one_value_per_output_in_every_kind_of_view(built):
    """A value too many or too few makes Dash refuse every interaction (HTTP 400 on each click): counted for
    views that bring extra choices (time, Play, profile, change map, dataset, another layer)."""
    from dashboard.controls.sync import sync_state
    from dashboard.page.callbacks import SYNC_OUTPUTS, sync_values
    from dashboard.state.viewmodel import ViewModel

    vm = ViewModel.load()
    for query in ("", "?city=Astana&district=711210000&profile=1", "?city=Astana&chg=abs",
                  "?city=Kazakhstan", "?layer=leftbank", "?layer=perception&city=Almaty&lang=kk"):
        state, notices = sync_state(vm, "url", query, {}, None, "en")
        values = sync_values(vm, state, notices, query, "url", ())
        assert len(values) == len(SYNC_OUTPUTS), query
    assert len(set(SYNC_OUTPUTS)) == len(SYNC_OUTPUTS)  # no output written twice
