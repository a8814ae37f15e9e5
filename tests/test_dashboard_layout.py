"""The page drawn per link: the first view (controls, layer URLs, styles, panel, notices) needs no callback."""

from __future__ import annotations

import flask
import pytest

from dashboard.callbacks import geo_url, render
from dashboard.classify import palette
from dashboard.layout import page_search, serve_layout
from dashboard.state import ViewState, to_query
from dashboard.viewmodel import ViewModel


@pytest.fixture(scope="module")
def vm(built):
    return ViewModel.load(built)


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
    out = render(vm, state, [])
    assert out["choropleth"].startswith("v-shymkent")
    assert page["choropleth"].url == geo_url(vm, out["choropleth"])
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
