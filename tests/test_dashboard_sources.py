"""Sources are shown short (host links or first words) with the whole text as tooltip; only http(s) links."""

from __future__ import annotations

from dash import html

from dashboard.views.panels import short_source, source_links, source_view

GITHUB = ("github.com/Messer490/city1-kazakhstan-proxy-population data/external/district_benchmark/"
          "astana_district_population_reference_v2.csv (cites https://www.gov.kz/uploads/2025/12/11/x.pdf)")


def shown_text(component) -> str:
    """The text a reader sees (children only, not tooltips)."""
    if isinstance(component, str):
        return component
    children = getattr(component, "children", None)
    children = children if isinstance(children, list) else [children] if children is not None else []
    return "".join(shown_text(c) for c in children)


def links_of(component) -> list[html.A]:
    return [c for c in [component, *component._traverse()] if isinstance(c, html.A)]


def test_a_long_path_source_shows_hosts_as_links_and_keeps_the_whole_text_as_tooltip():
    view = source_view(GITHUB, "en")
    assert shown_text(view) == "github.com · gov.kz …"
    assert view.title == GITHUB
    links = links_of(view)
    assert [a.href for a in links] == ["https://github.com/Messer490/city1-kazakhstan-proxy-population",
                                       "https://www.gov.kz/uploads/2025/12/11/x.pdf"]
    assert all(a.rel == "noopener noreferrer" and a.title == a.href for a in links)


def test_wiki_addresses_keep_their_brackets_and_sentence_punctuation_is_dropped():
    text = "https://perceptiode.com/Есильский_район_(Астана) (mirror) | see (https://a.kz/b)."
    assert source_links(text) == [("perceptiode.com", "https://perceptiode.com/Есильский_район_(Астана)"),
                                  ("a.kz", "https://a.kz/b")]


def test_one_link_per_host_and_a_plain_url_source_has_no_ellipsis():
    text = "https://www.caravan.kz/news/a (8 Jul 2022) | https://www.caravan.kz/news/b (autumn 2022)"
    assert source_links(text) == [("caravan.kz", "https://www.caravan.kz/news/a")]
    assert shown_text(source_view("https://parlam.kz/en/x", "en")) == "parlam.kz"


def test_text_sources_show_first_words_and_never_become_links():
    text = "Who's On First admin-kz @ 65a9c3ae; GeoNames 1526384.0"
    view = source_view(text, "en")
    assert shown_text(view) == short_source(text) and shown_text(view).endswith("…") and len(shown_text(view)) <= 41
    assert view.title == text and not links_of(view)
    hostile = 'javascript:alert(1) <img src=x onerror="alert(2)"> data:text/html,<b>x</b>'
    view = source_view(hostile, "en")
    assert not links_of(view)  # no scheme but http(s) is linked; the text is a React text child, escaped
    assert view.title == hostile and "<img" in shown_text(view)
    assert shown_text(source_view(None, "ru")) == "Нет данных"  # missing stays missing
