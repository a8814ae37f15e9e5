"""Read the dashboard as a Kazakh or Russian reader does, on every layer and in every city (and the national
overview): the side panel, the legend, the controls (each picker's shown value or placeholder, and the choices
of the indicator and period pickers when opened), the map's labels and the tooltip of one hovered district,
then the same after clicking that district (its figures, source and curators' note).

On every page: no Latin-script word but the few proper names, formats and symbols of ``ALLOWED`` (addresses,
quotations as published and text marked as another language are set aside); no internal code (boundary-set,
layer, dataset codes, snake_case identifiers); and on Kazakh pages no word that the interface catalogue uses only
in Russian. A last test switches the language on the page and checks every picker's placeholder follows.
"""

from __future__ import annotations

import re
import time

import pytest
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from dashboard import i18n
from tests.browser.test_dashboard_browser import PATHS, click_radio, wait

pytestmark = pytest.mark.browser

CITIES = ("Astana", "Almaty", "Shymkent", "Kazakhstan")
VIEWS = [("concentration", city) for city in CITIES] + [("leftbank", "Astana")] + \
    [("perception", city) for city in CITIES]

# The Latin-script words a Kazakh or Russian page may show, and why: the project's and the map's proper names,
# colour schemes named after their authors, file formats, keyboard keys, and symbols.
ALLOWED = frozenset({
    "Qala", "Atlas",  # the project's name
    "OpenStreetMap", "Leaflet", "geokz", "GeoNames", "Wikipedia",  # map and gazetteer sources
    "Tengrinews", "Informburo", "IWPR",  # news sources by their own (Latin) names, as the evidence cites them
    "Viridis", "Cividis", "ColorBrewer",  # palettes by their names
    "CSV", "GeoJSON", "Excel", "SPSS", "Stata", "sav", "dta", "PDF", "PNG",  # file formats
    "Tab", "Enter",  # keys
    "n",  # the count of statements, n = 6
})
# Set aside before reading: quotations as published ('…', "…", «…», “…”, incl. an original after its
# translation: «свои» ('ours')), web addresses and hosts, the study's statement references (FG-AST-01).
QUOTED = re.compile(r"'[^'\n]{1,200}'|\"[^\"\n]{1,200}\"|«[^»\n]{1,300}»|“[^”\n]{1,300}”")
ADDRESS = re.compile(r"(?:https?://|www\.)\S+|\b[\w.-]+\.(?:kz|ru|com|org|net|info|media|tv|uz|vn|li|shop)\b\S*",
                     re.IGNORECASE)
STATEMENT = re.compile(r"\b(?:FG|AF)-[A-Z]{3}-\d{2}\b")
LATIN = re.compile(r"[A-Za-z][A-Za-z'’]*")
CODES = {
    "boundary-set code": re.compile(r"\b(?:astana|almaty|shymkent)-\d+\b", re.IGNORECASE),
    "served-layer code": re.compile(r"\b(?:v|pub)-[a-z]"),
    "snake_case identifier": re.compile(r"\b[a-z]+_[a-z_]+\b"),
    "layer code": re.compile(r"\b(?:concentration|leftbank|perception)\b"),
    "curators' shorthand": re.compile(r"->|\[[a-z][\w ;-]*\]"),
}

# Walk the live page: text a reader sees (no hidden element, no <script>), with tooltips (title) and
# placeholders, skipping source titles and text marked as being in another language.
READ = """
const root = arguments[0], skip = arguments[1], out = [];
const walk = (node) => {
  if (node.nodeType === 3) { out.push(node.nodeValue); return; }
  if (node.nodeType !== 1 || node.matches(skip) || node.hidden) return;
  if (['SCRIPT', 'STYLE', 'NOSCRIPT'].includes(node.tagName)) return;
  const style = getComputedStyle(node);
  if (style.display === 'none' || style.visibility === 'hidden') return;
  if (node.title) out.push('\\n' + node.title + '\\n');
  if (node.placeholder) out.push('\\n' + node.placeholder + '\\n');
  node.childNodes.forEach(walk);
  out.push(style.display === 'inline' ? '' : '\\n');
};
if (root) walk(root);
return out.join('');
"""


def catalogue_words(lang: str) -> set[str]:
    """Every word of the interface catalogue (dashboard.i18n) in ``lang``, lower case."""
    at = i18n.LANGS_ORDER[lang]
    words: set[str] = set()
    for key in i18n.all_keys():
        for text in (i18n._PLURALS[key][at] if key in i18n._PLURALS else (i18n._STRINGS[key][at],)):
            words |= {w.lower() for w in re.findall(r"[^\W\d_]+", text) if not re.search("[A-Za-z]", w)}
    return words


RUSSIAN_ONLY = frozenset(w for w in catalogue_words("ru") - catalogue_words("kk") if len(w) > 3)


def skipped(lang: str) -> str:
    other = [code for code in ("en", "ru", "kk") if code != lang]
    return ".source, .lang-tag, .leaflet-control-attribution, " + ", ".join(f"[lang='{c}']" for c in other)


def read(driver, css: str, lang: str) -> str:
    return "\n".join(driver.execute_script(READ, e, skipped(lang)) or ""
                     for e in driver.find_elements(By.CSS_SELECTOR, css))


def problems(text: str, lang: str) -> list[str]:
    """What a reader of ``lang`` should not meet in ``text``: stray Latin words, codes, Russian words on a
    Kazakh page; each with the line it was found in."""
    found = []
    for line in {ln.strip() for ln in text.splitlines() if ln.strip()}:
        plain = STATEMENT.sub(" ", ADDRESS.sub(" ", line))
        for what, pattern in CODES.items():
            if pattern.search(plain):
                found.append(f"{what}: {line}")
        words = set(LATIN.findall(QUOTED.sub(" ", plain))) - ALLOWED
        if words:
            found.append(f"Latin {sorted(words)}: {line}")
        if lang == "kk":
            russian = {w for w in re.findall(r"[^\W\d_]+", QUOTED.sub(" ", plain)) if w.lower() in RUSSIAN_ONLY}
            if russian:
                found.append(f"Russian {sorted(russian)}: {line}")
    return sorted(found)


def picker_choices(driver, control_id: str) -> str:
    """The choices of a picker as a reader sees them when opening it (every option is in the open list)."""
    button = driver.find_elements(By.ID, control_id)
    if not button or not button[0].is_displayed():
        return ""
    try:
        button[0].click()
        options = wait(driver, lambda d: d.find_elements(
            By.CSS_SELECTOR, ".dash-dropdown-content[data-state=open] [role=option]"), 5)
        seen = [o.get_attribute("textContent") for o in options]
    except (StaleElementReferenceException, WebDriverException):
        seen = []
    finally:
        ActionChains(driver).send_keys(Keys.ESCAPE).perform()
        wait(driver, lambda d: not d.find_elements(By.CSS_SELECTOR, ".dash-dropdown-content[data-state=open]"), 5)
    return "\n".join(seen)


def hover_tooltip(driver, lang: str) -> str:
    """The tooltip of the largest district (or city) under the pointer."""
    paths = [p for p in driver.find_elements(By.CSS_SELECTOR, PATHS + "[role=button]") if p.is_displayed()]
    if not paths:
        return ""
    target = max(paths, key=lambda p: p.size["width"] * p.size["height"])
    try:
        ActionChains(driver).move_to_element(target).perform()
        wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, ".qala-tooltip"), 5)
    except (StaleElementReferenceException, WebDriverException):
        return ""
    return read(driver, ".qala-tooltip", lang)


def page_text(driver, lang: str) -> dict[str, str]:
    driver.execute_script("document.querySelectorAll('#panel details').forEach(d => d.open = true);")
    return {"panel": read(driver, "#panel", lang),
            "notices": read(driver, "#notices", lang) + read(driver, ".map-caption", lang),
            "controls": read(driver, "#controls-drawer", lang),
            "choices": "\n".join(picker_choices(driver, cid) for cid in ("ctl-indicator", "ctl-period",
                                                                        "ctl-compare_date")),
            "labels": read(driver, ".qala-label", lang), "tooltip": hover_tooltip(driver, lang)}


@pytest.mark.parametrize("lang", ["kk", "ru"])
@pytest.mark.parametrize("layer, city", VIEWS)
def test_a_reader_meets_no_code_no_stray_latin_and_no_other_language(browser, server_url, layer, city, lang):
    browser.set_window_size(1400, 900)
    browser.get(f"{server_url}/?city={city}&layer={layer}&lang={lang}")
    wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, PATHS))
    wait(browser, lambda d: d.find_element(By.ID, "panel").text.strip() != "")
    time.sleep(0.4)  # the map's labels are placed once the layer is drawn
    seen = page_text(browser, lang)
    if layer == "concentration":  # then one district chosen on the map: its figures, source and note
        targets = browser.find_elements(By.CSS_SELECTOR, PATHS + "[role=button]")
        if targets:
            ActionChains(browser).move_to_element(targets[0]).click().perform()
            wait(browser, lambda d: d.find_elements(By.ID, "district-details") or d.find_elements(
                By.CSS_SELECTOR, "#district-table tr.selected"))
            seen["district"] = read(browser, "#panel", lang)
    found = {where: problems(text, lang) for where, text in seen.items()}
    found = {where: lines for where, lines in found.items() if lines}
    assert found == {}, f"{layer} · {city} · {lang}: {found}"
    assert seen["panel"].strip() and seen["controls"].strip() and seen["tooltip"].strip()  # really read
    shown = [e for cid in ("ctl-indicator", "ctl-period") for e in browser.find_elements(By.ID, cid) if e.is_displayed()]
    assert seen["choices"].strip() or not shown  # the pickers shown were opened and read


def test_the_check_is_not_vacuous():
    """The reading rules find what they are meant to find, and leave what a reader may meet."""
    assert problems("Период: 2025 · Набор границ: almaty-8", "ru") == [
        "Latin ['almaty']: Период: 2025 · Набор границ: almaty-8",
        "boundary-set code: Период: 2025 · Набор границ: almaty-8"]
    assert problems("Показатель: arrivals_from", "ru") == [
        "Latin ['arrivals', 'from']: Показатель: arrivals_from", "snake_case identifier: Показатель: arrivals_from"]
    assert problems("[secondary] значение -> проверить", "ru") == [
        "Latin ['secondary']: [secondary] значение -> проверить",
        "curators' shorthand: [secondary] значение -> проверить"]
    assert problems("деление на «свои» ('ours')", "ru") == []  # the original quoted after its translation
    assert problems("Аудан · Выберите дату…", "kk") == ["Russian ['Выберите', 'дату']: Аудан · Выберите дату…"]
    assert problems("Шымкент · geokz · n = 6 · https://stat.gov.kz/x_y · FG-AST-01", "kk") == []


def test_every_placeholder_follows_a_language_switch(browser, server_url):
    """The compare date's placeholder (and every other picker's) changes with the language, on the page."""
    browser.get(f"{server_url}/?city=Astana&layer=concentration&lang=ru")
    wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, PATHS))
    placeholder = "#ctl-compare_date .dash-dropdown-placeholder"
    wait(browser, lambda d: d.find_element(By.CSS_SELECTOR, placeholder).get_attribute("textContent")
         == i18n.t("twomaps_pick", "ru"))
    click_radio(browser, "ctl-lang", "kk")
    wait(browser, lambda d: d.find_element(By.CSS_SELECTOR, placeholder).get_attribute("textContent")
         == i18n.t("twomaps_pick", "kk"))
    shown = {cid: browser.execute_script(
        "const p = document.querySelector(arguments[0]); return p ? p.textContent : null;",
        f"#{cid} .dash-dropdown-placeholder") for cid in i18n.PLACEHOLDERS}
    for cid, text in shown.items():
        assert text in (None, i18n.t(i18n.PLACEHOLDERS[cid], "kk")), (cid, text)
    assert not problems(read(browser, "#controls-drawer", "kk"), "kk")
