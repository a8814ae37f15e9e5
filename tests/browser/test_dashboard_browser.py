"""Drive the dashboard in headless Chromium: layers, controls, hover/click, shared URL, back, download.

Runs against the real build under gunicorn (see conftest). Basemap tiles point at a closed loopback port,
which is the 'no network' case: the vector layers must still render and a note must say so.
"""

from __future__ import annotations

import json
import time
from urllib.parse import parse_qs, urlparse

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

pytestmark = pytest.mark.browser
PATHS = "#map path.leaflet-interactive"


def wait(driver, condition, timeout=15):
    return WebDriverWait(driver, timeout).until(condition)


def panel_text(driver) -> str:
    return driver.find_element(By.ID, "panel").text


def query(driver) -> dict:
    return {k: v[0] for k, v in parse_qs(urlparse(driver.current_url).query).items()}


def open_view(driver, base, search="", expect="") -> None:
    driver.get(base + "/" + search)
    wait(driver, lambda d: len(d.find_elements(By.CSS_SELECTOR, PATHS)) > 0)
    if expect:
        wait(driver, lambda d: expect in panel_text(d))


def click_radio(driver, control_id: str, value: str) -> None:
    driver.find_element(By.CSS_SELECTOR, f"#{control_id} input[value='{value}']").click()


def geo_fetches(driver) -> int:
    return driver.execute_script(
        "return performance.getEntriesByType('resource').filter(e => e.name.includes('/qala/geo/')).length")


def test_concentration_map_hover_click_and_no_basemap(browser, server_url, screenshot_dir):
    open_view(browser, server_url, "?city=Astana&lang=en", "Population · Astana")
    paths = browser.find_elements(By.CSS_SELECTOR, PATHS)
    assert len(paths) >= 6  # six districts of the latest boundary set (plus the city outline)
    assert "Rank in city" in panel_text(browser) and "Source" not in query(browser)
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
