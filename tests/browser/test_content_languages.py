"""Every layer in Russian and Kazakh shows no English content: the side panel, the legend, and the map's
tooltips and popups are read as a user sees them; proper names, codes, numbers, addresses, source titles
(class ``source``) and quotations are set aside, and no word of a small English stop-list may remain.

Screenshots: tests/screenshots/content_<layer>_<lang>.png at 1400x900.
"""

from __future__ import annotations

import re
import time

import pytest
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

pytestmark = pytest.mark.browser

PATHS = "#map path.leaflet-interactive"
VIEWS = {
    "concentration": "?city=Astana&layer=concentration",
    "leftbank": "?city=Astana&layer=leftbank",
    "perception": "?city=Almaty&layer=perception",
    "overview": "?city=Kazakhstan&layer=concentration",
}
STOP_WORDS = frozenset(re.split(r"\s+", """
the of and from in with district districts city cities population migrants migrant not date given to for on by
is are was were no data year years start late bank left right residents newcomers period share arrivals
departures housing average price village villages settlement settlements built people their they this that
shown only exist exists where live lives per count counts see your own survey upload which who what about
""".strip()))
# Text of these elements is not content to translate: source titles, quotations, tooltips' codes.
SET_ASIDE = ".source, .quote, .lang-tag, q, blockquote, code"
# Quotations inside a translated sentence stay as published (TRANSLATIONS.md): '…', "…", «…», “…”.
QUOTED = re.compile(r"'[^'\n]{1,120}'|\"[^\"\n]{1,120}\"|«[^»\n]{1,200}»|“[^”\n]{1,200}”")
URL = re.compile(r"(?:https?://|www\.)\S+|\b[\w.-]+\.(?:kz|ru|com|org|net|info|fr|de)\b\S*", re.IGNORECASE)
CODE = re.compile(r"\b\w*[\d_]\w*\b")  # ids, vintages, codes with digits or underscores

VISIBLE_TEXT = """
const root = arguments[0], skip = arguments[1];
const copy = root.cloneNode(true);
copy.querySelectorAll(skip).forEach(e => e.remove());
copy.querySelectorAll('details').forEach(e => e.setAttribute('open', ''));
return copy.textContent;
"""


def wait(driver, condition, timeout=20):
    return WebDriverWait(driver, timeout, ignored_exceptions=(StaleElementReferenceException,)).until(condition)


def english_words(text: str) -> list[str]:
    """Stop-list words left in ``text`` once quotations, addresses and codes are set aside."""
    text = URL.sub(" ", QUOTED.sub(" ", text))
    text = CODE.sub(" ", text)
    return sorted({w.lower() for w in re.findall(r"[A-Za-z]+", text) if w.lower() in STOP_WORDS})


def visible(driver, css: str) -> str:
    return "\n".join(driver.execute_script(VISIBLE_TEXT, e, SET_ASIDE) or ""
                     for e in driver.find_elements(By.CSS_SELECTOR, css))


def map_texts(driver) -> list[str]:
    """Tooltip of every feature and marker (hover), and popup of every marker (click)."""
    texts = []
    count = len(driver.find_elements(By.CSS_SELECTOR, PATHS))
    for i in range(count):
        try:
            kind = driver.execute_script("""
                const el = document.querySelectorAll(arguments[0])[arguments[1]];
                if (!el) return null;
                el.dispatchEvent(new MouseEvent('mouseover', {bubbles: true}));
                el.dispatchEvent(new MouseEvent('mousemove', {bubbles: true, clientX: 700, clientY: 450}));
                return /a/i.test(el.getAttribute('d') || '') ? 'marker' : 'area';""", PATHS, i)
            time.sleep(0.15)
            texts.append(visible(driver, ".leaflet-tooltip"))
            if kind == "marker":
                driver.execute_script("document.querySelectorAll(arguments[0])[arguments[1]]"
                                      ".dispatchEvent(new MouseEvent('click', {bubbles: true}));", PATHS, i)
                time.sleep(0.2)
                texts.append(visible(driver, ".leaflet-popup-content"))
            driver.execute_script("document.querySelectorAll(arguments[0])[arguments[1]]"
                                  ".dispatchEvent(new MouseEvent('mouseout', {bubbles: true}));", PATHS, i)
        except (StaleElementReferenceException, WebDriverException):
            continue
    return [t for t in texts if t.strip()]


@pytest.mark.parametrize("lang", ["ru", "kk"])
@pytest.mark.parametrize("name", list(VIEWS))
def test_no_english_content_in_the_other_languages(browser, server_url, screenshot_dir, name, lang):
    browser.set_window_size(1400, 900)
    browser.get(f"{server_url}/{VIEWS[name]}&lang={lang}")
    wait(browser, lambda d: len(d.find_elements(By.CSS_SELECTOR, PATHS)) > 0)
    wait(browser, lambda d: d.find_element(By.ID, "panel").text.strip() != "")
    time.sleep(0.5)
    browser.save_screenshot(str(screenshot_dir / f"content_{name}_{lang}.png"))
    browser.execute_script("const p = document.getElementById('panel');"
                           "(p.closest('[style*=overflow], aside') || p).scrollTop = 1e6;"
                           "p.scrollIntoView(false); p.lastElementChild && p.lastElementChild.scrollIntoView(false);")
    time.sleep(0.3)
    browser.save_screenshot(str(screenshot_dir / f"content_{name}_{lang}_end.png"))
    panel = visible(browser, "#panel")
    found = {"panel": english_words(panel)}
    for text in map_texts(browser):
        words = english_words(text)
        if words:
            found.setdefault("map", []).extend(w for w in words if w not in found.get("map", []))
    found = {where: words for where, words in found.items() if words}
    assert found == {}, f"English words on {name} in {lang}: {found}"
    assert panel.strip(), "the side panel is empty"


def test_english_view_keeps_english_and_marks_no_translation(browser, server_url):
    """The check above is not vacuous: the same reading finds the stop-words on the English page."""
    browser.get(f"{server_url}/?city=Almaty&layer=perception&lang=en")
    wait(browser, lambda d: "Almaty" in d.find_element(By.ID, "panel").text)
    assert {"the", "from"} <= set(english_words(visible(browser, "#panel")))
    assert "Qala Atlas." not in browser.find_element(By.ID, "panel").text  # no translation note in English
    browser.get(f"{server_url}/?city=Astana&layer=leftbank&lang=en")
    wait(browser, lambda d: len(d.find_elements(By.CSS_SELECTOR, PATHS)) > 3)
    deadline = time.monotonic() + 15  # the banks layer may arrive after the districts: read again until it is
    while True:
        texts = map_texts(browser)  # the map's tooltips and popups are really read
        if any("Left bank" in text for text in texts) or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert any("Left bank" in text for text in texts) and len(texts) > 5, texts
