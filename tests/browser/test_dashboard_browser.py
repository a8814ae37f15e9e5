"""Drive the dashboard in headless Chromium: layers, controls, hover/click, shared URL, back, download.

Runs against the real build under gunicorn (see conftest). Basemap tiles point at a closed loopback port,
which is the 'no network' case: the vector layers must still render and a note must say so.
"""

from __future__ import annotations

import json
import time
from urllib.parse import parse_qs, urlparse

import pytest
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

pytestmark = pytest.mark.browser
PATHS = "#map path.leaflet-interactive"


def wait(driver, condition, timeout=15):
    # An element re-rendered between finding and reading it (Dash replaced the panel) means "not yet", not failure.
    return WebDriverWait(driver, timeout, ignored_exceptions=(StaleElementReferenceException,)).until(condition)


def panel_text(driver) -> str:
    return driver.find_element(By.ID, "panel").text


def query(driver) -> dict:
    return {k: v[0] for k, v in parse_qs(urlparse(driver.current_url).query).items()}


def open_view(driver, base, search="", expect="") -> None:
    driver.get(base + "/" + search)
    wait(driver, lambda d: len(d.find_elements(By.CSS_SELECTOR, PATHS)) > 0)
    if expect:
        wait(driver, lambda d: expect in panel_text(d))


def drop_and_join(driver, path, timeout=40) -> None:
    """Drop a file on the page, wait for the column form, accept what it proposes and join."""
    wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#upload input[type=file]"))[0].send_keys(str(path))
    wait(driver, EC.visibility_of_element_located((By.ID, "upload-join")), timeout=timeout)
    driver.find_element(By.ID, "upload-join").click()


def click_radio(driver, control_id: str, value: str) -> None:
    driver.find_element(By.CSS_SELECTOR, f"#{control_id} input[value='{value}']").click()


def geo_fetches(driver) -> int:
    return driver.execute_script(
        "return performance.getEntriesByType('resource').filter(e => e.name.includes('/qala/geo/')).length")


def test_first_view_is_drawn_without_callbacks(browser, server_url):
    browser.get(server_url + "/?city=Shymkent&lang=ru&pal=cividis&k=3")
    wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, PATHS + "[role=button]"))  # the district layer
    assert "Шымкент" in panel_text(browser)
    assert browser.find_element(By.CSS_SELECTOR, "#ctl-city input[value='Shymkent']").is_selected()
    assert query(browser)["layer"] == "concentration" and query(browser)["k"] == "3"  # canonical link in place
    entries = browser.execute_script(
        "return performance.getEntriesByType('resource').map(e => [e.name, e.startTime])")
    assert not [name for name, _ in entries if "_dash-update-component" in name]
    geo = [(name, start) for name, start in entries if "/qala/geo/" in name]
    layout_start = next(start for name, start in entries if name.endswith("/_dash-layout"))
    assert len(geo) == 1 and "/qala/geo/v-shymkent" in geo[0][0]
    assert geo[0][1] < layout_start  # preloaded by the page, not requested after the layout


def test_concentration_map_hover_click_and_no_basemap(browser, server_url, screenshot_dir):
    open_view(browser, server_url, "?city=Astana&lang=en", "Population · Astana")
    paths = browser.find_elements(By.CSS_SELECTOR, PATHS)
    assert len(paths) >= 6  # six districts of the latest boundary set (plus the city outline)
    rank_head = browser.find_element(By.CSS_SELECTOR, "#district-table thead th[title='Rank in city']")
    assert rank_head.text == "Rank" and "Source" not in query(browser)
    wait(browser, lambda d: d.find_element(By.ID, "basemap-note").is_displayed())
    assert "Basemap unavailable" in browser.find_element(By.ID, "basemap-note").text
    legend = browser.find_element(By.ID, "legend-box").text
    assert "Legend" in legend and "persons" in legend
    target = max(paths, key=lambda p: p.size["width"] * p.size["height"])
    ActionChains(browser).move_to_element(target).perform()
    tooltip = wait(browser, EC.visibility_of_element_located((By.CSS_SELECTOR, ".qala-tooltip")))
    assert "persons" in tooltip.text or "No data" in tooltip.text
    hovered_name = tooltip.text.splitlines()[0]
    ActionChains(browser).move_to_element(target).click().perform()
    details = wait(browser, EC.visibility_of_element_located((By.ID, "district-details")))
    assert hovered_name in details.text
    assert "Rank in city" in details.text and "Period" in details.text and "Confidence flags" in details.text
    assert "district" in query(browser)
    browser.save_screenshot(str(screenshot_dir / "layer1_concentration_astana.png"))


def test_switch_city_scheme_indicator_and_language(browser, server_url, screenshot_dir):
    open_view(browser, server_url, "?city=Astana&lang=en", "Population · Astana")
    click_radio(browser, "ctl-city", "Almaty")
    wait(browser, lambda d: "Population · Almaty" in panel_text(d))
    assert query(browser)["city"] == "Almaty"
    fetched = geo_fetches(browser)
    colors_before = [p.get_attribute("fill") for p in browser.find_elements(By.CSS_SELECTOR, PATHS)]
    click_radio(browser, "ctl-scheme", "equal_interval")
    wait(browser, lambda d: query(d).get("scheme") == "equal_interval")
    time.sleep(0.5)
    colors_after = [p.get_attribute("fill") for p in browser.find_elements(By.CSS_SELECTOR, PATHS)]
    assert len(colors_after) == len(colors_before)
    assert geo_fetches(browser) == fetched  # colours changed in the browser: geometry not fetched again
    browser.find_element(By.CSS_SELECTOR, "#ctl-indicator").click()
    option = wait(browser, EC.element_to_be_clickable((By.XPATH, "//*[@role='option'][contains(., 'density')]")))
    option.click()
    wait(browser, lambda d: query(d).get("ind") == "density")
    wait(browser, lambda d: "Population density · Almaty" in panel_text(d))
    click_radio(browser, "ctl-lang", "ru")
    wait(browser, lambda d: "Плотность населения" in panel_text(d))
    assert "внутренняя миграция" in browser.find_element(By.TAG_NAME, "h1").text
    assert query(browser)["lang"] == "ru"
    browser.save_screenshot(str(screenshot_dir / "layer1_concentration_almaty_ru.png"))
    click_radio(browser, "ctl-lang", "kk")
    wait(browser, lambda d: "ішкі көші-қон" in d.find_element(By.TAG_NAME, "h1").text)


def test_left_bank_layer(browser, server_url, screenshot_dir):
    open_view(browser, server_url, "?city=Astana&lang=en", "Population · Astana")
    click_radio(browser, "ctl-layer", "leftbank")
    wait(browser, lambda d: "State institutions" in panel_text(d))
    text = panel_text(browser)
    assert "Left bank:" in text and " of " in text  # share with its n
    assert browser.find_elements(By.ID, "left-share-chart")
    dates = [r.find_element(By.TAG_NAME, "th").text for r in browser.find_elements(By.CSS_SELECTOR,
                                                                                  "#left-share-table tbody tr")]
    assert any(d.startswith("2013") for d in dates) and any(d.startswith("2025") for d in dates)
    assert len(browser.find_elements(By.CSS_SELECTOR, "#left-share-chart circle")) == len(dates)
    table = browser.find_element(By.ID, "left-share-table").text
    assert "as published (text)" in table and "computed from boundaries" in table
    assert "civil servants" in browser.find_element(By.ID, "finding").text.lower()
    assert "No published count" in text
    assert len(browser.find_elements(By.CSS_SELECTOR, PATHS)) >= 2  # the two banks at least
    browser.save_screenshot(str(screenshot_dir / "layer2_left_bank.png"))


def test_perception_layer(browser, server_url, screenshot_dir):
    open_view(browser, server_url, "?layer=perception&city=Almaty&lang=en", "Mean stance")
    rows = browser.find_elements(By.CSS_SELECTOR, "#stance-table tr")
    assert len(rows) == 3 and all("n = " in r.text for r in rows)
    assert browser.find_elements(By.CSS_SELECTOR, "#statement-list li")
    assert "The study's conclusions" in panel_text(browser)
    assert "Where newcomers come from" in panel_text(browser)
    browser.find_element(By.CSS_SELECTOR, "#ctl-category").click()
    wait(browser, EC.element_to_be_clickable((By.XPATH, "//*[@role='option'][contains(., 'Southerners')]"))).click()
    wait(browser, lambda d: query(d).get("cat") == "southerners")
    wait(browser, lambda d: "Southerners" in panel_text(d))
    browser.save_screenshot(str(screenshot_dir / "layer3_perception.png"))


def visible_controls(driver) -> set[str]:
    """Ids of the map controls a user sees, each with its label shown too."""
    shown = set()
    for cid in CONTROL_IDS:
        if driver.find_element(By.ID, cid).is_displayed():
            assert driver.find_element(By.CSS_SELECTOR, f"label[for='{cid}']").is_displayed(), cid
            shown.add(cid)
    return shown


CONTROL_IDS = ("ctl-city", "ctl-layer", "ctl-indicator", "ctl-period", "ctl-category", "ctl-scheme", "ctl-k",
               "ctl-breaks", "ctl-palette", "ctl-district")


LAYER1 = {"ctl-city", "ctl-layer", "ctl-indicator", "ctl-period", "ctl-scheme", "ctl-k", "ctl-palette", "ctl-district"}


def test_only_the_controls_of_the_current_layer_are_shown(browser, server_url):
    open_view(browser, server_url, "?city=Astana&lang=en", "Population · Astana")
    assert visible_controls(browser) == LAYER1
    click_radio(browser, "ctl-scheme", "user_defined")
    wait(browser, lambda d: d.find_element(By.ID, "ctl-breaks").is_displayed())
    assert visible_controls(browser) == LAYER1 | {"ctl-breaks"}
    click_radio(browser, "ctl-layer", "leftbank")
    wait(browser, lambda d: "State institutions" in panel_text(d))
    wait(browser, lambda d: visible_controls(d) == {"ctl-city", "ctl-layer"})
    assert not browser.find_element(By.CSS_SELECTOR, "#ctl-city input[value='Almaty']").is_enabled()
    assert "Astana only" in browser.find_element(By.ID, "grp-city-note").text
    assert "fixed" in browser.find_element(By.ID, "grp-fixed-note").text
    # keyboard: from the layer radios, Tab goes straight to the downloads (no hidden control takes the focus)
    browser.find_element(By.CSS_SELECTOR, "#ctl-layer input[value='perception']").send_keys(Keys.TAB)
    assert browser.switch_to.active_element.get_attribute("id") == "dl-geojson"
    click_radio(browser, "ctl-layer", "perception")
    wait(browser, lambda d: "Mean stance" in panel_text(d))
    wait(browser, lambda d: visible_controls(d) == {"ctl-city", "ctl-layer", "ctl-indicator", "ctl-period",
                                                    "ctl-category"})
    assert browser.find_element(By.ID, "ctl-period").text.strip()  # a shown picker is never empty
    click_radio(browser, "ctl-layer", "concentration")
    wait(browser, lambda d: visible_controls(d) == LAYER1 | {"ctl-breaks"})


def test_copied_link_reopens_the_same_view_and_back_works(browser, server_url, screenshot_dir):
    open_view(browser, server_url, "?city=Shymkent&lang=en&scheme=fisher_jenks&k=3&pal=cividis", "Shymkent")
    link = browser.current_url
    first_panel = panel_text(browser)
    browser.get("about:blank")
    browser.get(link)
    wait(browser, lambda d: panel_text(d) == first_panel)
    assert query(browser)["scheme"] == "fisher_jenks" and query(browser)["pal"] == "cividis"
    assert browser.find_element(By.CSS_SELECTOR, "#ctl-city input[value='Shymkent']").is_selected()
    click_radio(browser, "ctl-city", "Kazakhstan")
    wait(browser, lambda d: query(d).get("city") == "Kazakhstan")
    wait(browser, lambda d: "· Kazakhstan" in panel_text(d))
    time.sleep(0.5)  # let the map fit the country before the screenshot
    browser.save_screenshot(str(screenshot_dir / "overview_kazakhstan.png"))
    browser.back()
    wait(browser, lambda d: query(d).get("city") == "Shymkent")
    wait(browser, lambda d: "Shymkent" in panel_text(d))
    assert browser.find_element(By.CSS_SELECTOR, "#ctl-city input[value='Shymkent']").is_selected()


def test_unknown_link_values_fall_back_with_notice(browser, server_url):
    open_view(browser, server_url, "?city=Atlantis&layer=%3Cb%3Ex%3C/b%3E&lang=xx&k=99", "Population")
    notices = wait(browser, lambda d: d.find_element(By.ID, "notices").text)
    assert 'Unknown city "Atlantis"' in notices and "<b>x</b>" in notices  # shown as text, not markup
    assert not browser.find_elements(By.CSS_SELECTOR, "#notices b")
    assert query(browser)["city"] == "Astana"
    severe = [e for e in browser.get_log("browser") if e["level"] == "SEVERE" and "_dash-update-component" in
              e["message"]]
    assert severe == []


def test_download_current_layer_as_geojson(browser, server_url, downloads):
    open_view(browser, server_url, "?city=Astana&lang=en", "Population · Astana")
    browser.find_element(By.ID, "dl-geojson").click()
    deadline = time.monotonic() + 15
    files = []
    while time.monotonic() < deadline and not files:
        files = [f for f in downloads.glob("*.geojson")]
        time.sleep(0.2)
    assert files, "no GeoJSON downloaded"
    collection = json.loads(files[0].read_text())
    assert collection["type"] == "FeatureCollection" and "crs" not in collection
    props = collection["features"][0]["properties"]
    assert {"value", "period_label", "source", "confidence"} <= set(props)


# Hand-made points: two landmarks on the left bank in Esil district (Akorda, Baiterek), Astana-1 railway station
# in Saryarka district, one point in the steppe west of the city (outside every district) and one row whose
# latitude is markup, which must be set aside and shown as text.
# 12 rows at each of three places (an upload passes the release gate: no district may hold 1-9 of them), one
# outside the city and one with a hostile value in its latitude
PLACES = [("Akorda", "51.125828", "71.446297"), ("Baiterek", "51.128207", "71.430411"),
          ("Astana-1 station", "51.194700", "71.410800")]
UPLOAD_ROWS = [p for p in PLACES for _ in range(12)] + [("Steppe", "51.600000", "70.600000"),
                                                       ("Bad", "<img src=x onerror=alert(1)>", "71.4")]


def test_upload_is_joined_mapped_reported_and_downloadable(browser, server_url, screenshot_dir, downloads, tmp_path):
    source = tmp_path / "survey_points.csv"
    source.write_text("name,lat,lon\n" + "".join(f"{n},{lat},{lon}\n" for n, lat, lon in UPLOAD_ROWS),
                      encoding="utf-8")
    open_view(browser, server_url, "?city=Almaty&lang=en", "Population · Almaty")
    drop_and_join(browser, source)
    panel = wait(browser, EC.visibility_of_element_located((By.ID, "upload-panel")), timeout=30)
    wait(browser, lambda d: "survey_points.csv" in d.find_element(By.ID, "upload-title").text)
    assert "38 rows read; joined: Astana 36; 2 set aside" in browser.find_element(By.ID, "upload-counts").text
    counts = {r.find_element(By.TAG_NAME, "th").text: r.find_elements(By.TAG_NAME, "td")[0].text
              for r in browser.find_elements(By.CSS_SELECTOR, ".upload-table[data-city='Astana'] tbody tr")}
    assert counts["Esil"] == "24" and counts["Saryarka"] == "12" and counts["Nura"] == "0"
    aside = browser.find_element(By.ID, "set-aside-table").text
    assert "outside every district of Astana" in aside and "70.6, 51.6" in aside
    assert "<img src=x onerror=alert(1)>" in aside and not browser.find_elements(By.CSS_SELECTOR, "#upload-panel img")
    assert "SYNTHETIC" not in panel.text  # a real hand-made file is not labelled synthetic
    # the page was on Almaty: the City control, the link and the figures follow the joined city, Astana
    wait(browser, lambda d: d.find_element(By.CSS_SELECTOR, "#ctl-city input[value='Astana']").is_selected())
    wait(browser, lambda d: "Population · Astana" in panel_text(d))
    assert query(browser)["city"] == "Astana"
    assert not browser.find_elements(By.ID, "upload-other-city")
    # drawn on the map: the user layer's districts carry colours of the count classes
    wait(browser, lambda d: len(d.find_elements(By.CSS_SELECTOR, PATHS)) >= 6 + 3)
    colors = {p.get_attribute("fill") for p in browser.find_elements(By.CSS_SELECTOR, PATHS)}
    assert len(colors) >= 2
    browser.find_element(By.CSS_SELECTOR, "#upload-measure input[value='share_of_city']").click()
    wait(browser, lambda d: "66.7 %" in d.find_element(By.ID, "upload-legend").text)
    browser.save_screenshot(str(screenshot_dir / "upload_joined.png"))
    for button, suffix in (("upload-dl-geojson", ".geojson"), ("upload-dl-csv", ".csv")):
        browser.find_element(By.ID, button).click()
        deadline, files = time.monotonic() + 15, []
        while time.monotonic() < deadline and not files:
            files = list(downloads.glob(f"survey_points_joined*{suffix}"))
            time.sleep(0.2)
        assert files, f"no {suffix} of the joined result downloaded"
    collection = json.loads(next(downloads.glob("survey_points_joined*.geojson")).read_text())
    by_name = {f["properties"]["name_en"]: f for f in collection["features"]}
    assert by_name["Esil"]["properties"]["count"] == 24 and by_name["Esil"]["geometry"]["type"] in (
        "Polygon", "MultiPolygon")
    csv_text = next(downloads.glob("survey_points_joined*.csv")).read_text(encoding="utf-8-sig")
    assert "per_1000" in csv_text.splitlines()[0] and "Saryarka" in csv_text
    # choosing another city keeps the upload and says plainly which city it belongs to
    click_radio(browser, "ctl-city", "Shymkent")
    note = wait(browser, lambda d: d.find_elements(By.ID, "upload-other-city"))[0]
    assert note.text == "Your data is joined to the districts of Astana; the map now shows Shymkent."
    browser.find_element(By.ID, "upload-clear").click()
    wait(browser, lambda d: not d.find_element(By.ID, "upload-panel").is_displayed())


def test_upload_errors_are_one_line_notices(browser, server_url, tmp_path):
    open_view(browser, server_url, "?city=Astana&lang=en", "Population · Astana")
    binary = tmp_path / "broken.csv"
    binary.write_bytes(bytes(range(256)) * 8)
    browser.find_element(By.CSS_SELECTOR, "#upload input[type=file]").send_keys(str(binary))
    result = wait(browser, lambda d: d.find_element(By.ID, "upload-result").text, timeout=30)
    assert "broken.csv" in result and "\n" not in result and "qala-upload-" not in result
    assert not browser.find_element(By.ID, "upload-panel").is_displayed()


def test_districts_are_selectable_from_the_keyboard_with_visible_focus(browser, server_url, screenshot_dir):
    open_view(browser, server_url, "?city=Astana&lang=en", "Population · Astana")
    paths = browser.find_elements(By.CSS_SELECTOR, "#choropleth path[tabindex='0'], " + PATHS + "[tabindex='0']")
    assert len(paths) >= 6 and all(p.get_attribute("aria-label") for p in paths)
    browser.execute_script("document.querySelector('#map').focus()")
    for _ in range(40):  # Tab through the map (place markers come first) until a district has the focus
        ActionChains(browser).send_keys(Keys.TAB).perform()
        active = browser.switch_to.active_element
        if active.get_attribute("role") == "button":
            break
    assert active.tag_name == "path" and active.get_attribute("role") == "button"
    name = active.get_attribute("aria-label")
    assert browser.execute_script("return getComputedStyle(arguments[0]).stroke", active) == "rgb(255, 191, 71)"
    browser.save_screenshot(str(screenshot_dir / "keyboard_focus.png"))
    ActionChains(browser).send_keys(Keys.ENTER).perform()
    details = wait(browser, EC.visibility_of_element_located((By.ID, "district-details")))
    assert name in details.text and "district" in query(browser)
    hint = browser.find_element(By.XPATH, "//label[@for='ctl-district']/../following-sibling::p[1]").text
    assert "Tab" in hint and "Enter" in hint


# Words of table cells split over two lines (a break inside a word, not at a space or hyphen); sources and the
# set-aside values (URLs, raw cell text) may break anywhere and are left out.
BROKEN_WORDS_JS = """
const broken = [];
for (const cell of document.querySelectorAll('#panel th, #panel td')) {
  if (cell.closest('#set-aside-table')) continue;
  const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
  let node;
  while ((node = walker.nextNode())) {
    if (node.parentElement.closest('.source')) continue;
    const words = /[^\\s\\u00a0\\-–]+/g;
    let m;
    while ((m = words.exec(node.data))) {
      const range = document.createRange();
      range.setStart(node, m.index);
      range.setEnd(node, m.index + m[0].length);
      const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
      if (tops.size > 1) broken.push(m[0]);
    }
  }
}
const right = document.getElementById('panel').getBoundingClientRect().right;
const wide = [...document.querySelectorAll('#panel table')].filter(t => t.getBoundingClientRect().right > right + 1)
  .map(t => t.id || t.className);
return [broken, wide];
"""


@pytest.mark.parametrize("lang", ["ru", "kk"])
def test_table_words_do_not_break_mid_word(browser, server_url, screenshot_dir, tmp_path, lang):
    browser.set_window_size(1400, 760 + browser.execute_script("return window.outerHeight - window.innerHeight"))
    views = [("?city=Astana", "district-table", None), ("?city=Almaty&ind=density", "district-table", "almaty"),
             ("?layer=leftbank&city=Astana", "left-share-table", "leftbank"),
             ("?layer=perception&city=Shymkent", "stance-table", None)]
    try:
        for search, table, shot in views:
            open_view(browser, server_url, f"{search}&lang={lang}")
            wait(browser, lambda d, table=table: d.find_elements(By.ID, table))
            broken, wide = browser.execute_script(BROKEN_WORDS_JS)
            assert (broken, wide) == ([], []), search
            if shot:
                browser.execute_script(f"document.getElementById('{table}').scrollIntoView()")
                browser.save_screenshot(str(screenshot_dir / f"tables_{shot}_{lang}.png"))
        source = tmp_path / "points.csv"
        source.write_text("name,lat,lon\n" + "".join(f"{n},{la},{lo}\n" for n, la, lo in UPLOAD_ROWS[:36]),
                          encoding="utf-8")
        drop_and_join(browser, source)
        wait(browser, EC.visibility_of_element_located((By.CSS_SELECTOR, ".upload-table")), timeout=30)
        broken, wide = browser.execute_script(BROKEN_WORDS_JS)
        assert (broken, wide) == ([], []), "upload"
        browser.save_screenshot(str(screenshot_dir / f"tables_upload_{lang}.png"))
        browser.find_element(By.ID, "upload-clear").click()
    finally:
        browser.set_window_size(1400, 900)
