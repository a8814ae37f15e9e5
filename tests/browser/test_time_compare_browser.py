"""In Chromium: play Astana's years (the period advances), open the change map 2013 -> 2025, compare Esil with
Saryarka; screenshots at 1400x900 into tests/screenshots/."""

from __future__ import annotations

import time

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

pytestmark = pytest.mark.browser


def _wait(browser, css, timeout=20):
    return WebDriverWait(browser, timeout).until(EC.visibility_of_element_located((By.CSS_SELECTOR, css)))


def _search(browser):
    return browser.execute_script("return window.location.search")


def test_play_astana_years(browser, server_url, screenshot_dir):
    browser.set_window_size(1400, 900)
    browser.get(f"{server_url}/?city=Astana&ind=population&period=2013-09-01&lang=en")
    play = _wait(browser, "#ctl-play")
    assert "Play" in play.text
    play.click()
    WebDriverWait(browser, 20).until(lambda b: "period=2013-09-01" not in _search(b))
    first = _search(browser)
    WebDriverWait(browser, 20).until(lambda b: _search(b) != first)  # and on to the next date
    assert "Pause" in browser.find_element(By.ID, "ctl-play").text
    browser.save_screenshot(str(screenshot_dir / "time_play_astana.png"))
    browser.find_element(By.ID, "ctl-play").click()
    WebDriverWait(browser, 10).until(lambda b: "Play" in b.find_element(By.ID, "ctl-play").text)


def test_change_map_2013_to_2025(browser, server_url, screenshot_dir):
    browser.set_window_size(1400, 900)
    browser.get(f"{server_url}/?city=Astana&ind=population&chg=abs&from=2013-09-01&to=2025+(start)&lang=en")
    line = _wait(browser, "#change-line")
    assert "2013-09-01" in line.text and "2025" in line.text
    assert "lineage" in browser.find_element(By.ID, "change-method").text
    assert browser.find_elements(By.CSS_SELECTOR, "#legend-box li")
    WebDriverWait(browser, 20).until(lambda b: b.find_elements(By.CSS_SELECTOR, ".leaflet-overlay-pane path"))
    time.sleep(1)
    browser.save_screenshot(str(screenshot_dir / "time_change_astana.png"))
    summary = browser.find_element(By.CSS_SELECTOR, "#change-unmapped summary")
    summary.click()
    assert "not comparable" in browser.find_element(By.ID, "change-unmapped").text


def test_compare_esil_with_saryarka(browser, server_url, screenshot_dir):
    browser.set_window_size(1400, 900)
    # Esil and Saryarka in Astana's current boundaries (astana-6)
    browser.get(f"{server_url}/?city=Astana&ind=population&district=711210000&cmp=711310000&lang=en")
    table = _wait(browser, "#compare-table")
    text = table.text
    assert "Esil" in text and "Saryarka" in text
    assert browser.find_elements(By.CSS_SELECTOR, "#compare-chart svg rect")
    browser.save_screenshot(str(screenshot_dir / "time_compare_esil_saryarka.png"))
