"""In Chromium: a link with a compare date opens two maps side by side (stacked on a phone), each with district
paths and its "date · boundary set" caption; zooming one zooms the other; the button turns the second map on
and off from the keyboard. Screenshots in all three languages into tests/screenshots/."""

from __future__ import annotations

import time

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

pytestmark = pytest.mark.browser

# Astana's population at the start of 2025 (boundaries astana-6) beside September 2022 (astana-4).
TWO_DATES = "/?city=Astana&ind=population&period=2025+(start)&cmpdate=2022-09"


def _wait(browser, css, timeout=20):
    return WebDriverWait(browser, timeout).until(EC.visibility_of_element_located((By.CSS_SELECTOR, css)))


def _maps(browser):
    return browser.find_elements(By.CSS_SELECTOR, ".mapwrap .leaflet-container")


def _paths(container):
    return container.find_elements(By.CSS_SELECTOR, ".leaflet-overlay-pane path")


def _views(browser):
    return browser.execute_script("return window.qala.views()")


def _two_maps_drawn(browser):
    maps = _maps(browser)
    return len(maps) == 2 and all(_paths(m) for m in maps) and len(_views(browser)) == 2


def _open_two(browser, server_url, lang, size):
    browser.set_window_size(*size)
    browser.get(f"{server_url}{TWO_DATES}&lang={lang}")
    WebDriverWait(browser, 30).until(_two_maps_drawn)
    time.sleep(0.8)  # labels' collision pass and tiles settle


def test_two_maps_desktop_synced_zoom(browser, server_url, screenshot_dir):
    _open_two(browser, server_url, "en", (1400, 900))
    first, second = _maps(browser)
    a, b = first.rect, second.rect
    assert abs(a["width"] - b["width"]) < 4 and a["width"] > 300  # two halves side by side
    assert abs(a["y"] - b["y"]) < 2 and b["x"] >= a["x"] + a["width"] - 2
    caption1 = browser.find_element(By.ID, "map1-caption").text
    caption2 = browser.find_element(By.CSS_SELECTOR, ".map2-box .map-caption").text
    assert "2025" in caption1 and "boundaries since 2024" in caption1
    assert "2022-09" in caption2 and "boundaries 2018–2022" in caption2
    assert "shared by both dates" in browser.find_element(By.ID, "twomaps-shared").text
    # labels on both maps
    assert first.find_elements(By.CSS_SELECTOR, ".qala-label") and second.find_elements(By.CSS_SELECTOR,
                                                                                          ".qala-label")
    browser.save_screenshot(str(screenshot_dir / "twomaps_desktop_en.png"))
    before = _views(browser)
    assert before[0][0] == before[1][0]
    first.find_element(By.CSS_SELECTOR, ".leaflet-control-zoom-in").click()
    WebDriverWait(browser, 10).until(lambda b: _views(b)[0][0] == before[0][0] + 1)
    WebDriverWait(browser, 10).until(lambda b: _views(b)[1][0] == before[0][0] + 1)  # the other follows
    second.find_element(By.CSS_SELECTOR, ".leaflet-control-zoom-out").click()
    WebDriverWait(browser, 10).until(lambda b: [v[0] for v in _views(b)] == [before[0][0]] * 2)
    after = _views(browser)
    assert abs(after[0][1] - after[1][1]) < 1e-6 and abs(after[0][2] - after[1][2]) < 1e-6


def test_two_maps_phone_stacked(browser, server_url, screenshot_dir):
    _open_two(browser, server_url, "ru", (390, 844))
    browser.save_screenshot(str(screenshot_dir / "twomaps_phone_ru.png"))
    first, second = _maps(browser)
    height, width = browser.execute_script("return [window.innerHeight, document.documentElement.clientWidth]")
    halves = [browser.find_element(By.ID, i).rect for i in ("map1-box", "map2-slot")]
    for half, shown in zip(halves, (first.rect, second.rect), strict=True):
        assert half["height"] >= 0.45 * height  # a half (caption and map) is at least 45% of the screen
        assert shown["height"] >= 0.35 * height and shown["width"] >= 0.9 * width  # the map, full width
    assert second.rect["y"] >= first.rect["y"] + first.rect["height"] - 2  # stacked
    browser.execute_script("document.getElementById('map2-slot').scrollIntoView()")
    time.sleep(0.4)
    browser.save_screenshot(str(screenshot_dir / "twomaps_phone_ru_second.png"))


def test_two_maps_on_and_off_by_keyboard(browser, server_url, screenshot_dir):
    browser.set_window_size(1400, 900)
    browser.get(f"{server_url}/?city=Astana&ind=population&period=2025+(start)&lang=kk")
    button = _wait(browser, "#ctl-twomaps")
    assert button.get_attribute("aria-pressed") == "false" and len(_maps(browser)) == 1
    button.send_keys(Keys.ENTER)
    WebDriverWait(browser, 30).until(_two_maps_drawn)
    assert "cmpdate=" in browser.execute_script("return window.location.search")
    assert browser.find_element(By.ID, "ctl-twomaps").get_attribute("aria-pressed") == "true"
    time.sleep(0.8)
    browser.save_screenshot(str(screenshot_dir / "twomaps_desktop_kk.png"))
    browser.find_element(By.ID, "ctl-twomaps").send_keys(Keys.SPACE)
    WebDriverWait(browser, 20).until(lambda b: len(_maps(b)) == 1)
    assert "cmpdate" not in browser.execute_script("return window.location.search")
    assert browser.find_element(By.ID, "map1-caption").get_attribute("hidden") is not None
