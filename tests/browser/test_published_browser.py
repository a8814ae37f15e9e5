"""A published (synthetic demo) survey dataset in headless Chromium: the shared link
``?layer=perception&ds=demo&item=Q1`` opens the district map with its legend (suppressed and SYNTHETIC), the
item control and district details; screenshots at 1400x900 and 390x844 in kk/ru/en.

The dataset is made here, into a temporary QALA_DATASETS folder (never data/datasets), with the project's own
commands: ``qala demo survey``, ``qala join``, ``qala publish``; the dashboard is started on it under gunicorn.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from selenium.webdriver.common.by import By

from tests.browser.conftest import ROOT, build_ready, make_driver, quit_driver, serve
from tests.browser.test_dashboard_browser import PATHS, panel_text, wait

pytestmark = pytest.mark.browser


def qala(*args: str, env: dict) -> None:
    done = subprocess.run([sys.executable, "-m", "geo.cli", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]


def datasets_env(work: Path) -> dict:
    """The environment of the qala commands and the server: datasets in ``work`` (never data/datasets), the
    built layers required, basemap tiles from nowhere."""
    if not build_ready():
        pytest.fail("built layers missing: run `make data` before the browser tests")
    return {**os.environ, "QALA_DATASETS": str(work / "datasets"),
            "QALA_TILES": os.environ.get("QALA_TILES", "http://127.0.0.1:9/{z}/{x}/{y}.png")}


@pytest.fixture(scope="module")
def published_url():
    """gunicorn on a free loopback port, serving the build plus the demo survey published as 'demo'."""
    with tempfile.TemporaryDirectory(prefix="qala-published-") as folder:
        work = Path(folder)
        env = datasets_env(work)
        qala("demo", "survey", "-o", str(work / "survey.csv"), env=env)
        qala("join", str(work / "survey.csv"), "--city-col", "Город", "--district-col", "Район", "--group-col",
             "Группа", "--weight-col", "Вес", "--score", "Q1:1-5", "--score", "Q2:1-5", "--permutations", "0",
             "--h3-res", "-o", str(work / "out"), env=env)
        qala("publish", str(work / "out"), "--name", "demo", "--title", "Demo survey", "--source", "qala demo",
             "--period", "2024", "--method", "seeded synthetic generator, weighted", env=env)
        with open(work / "server.log", "wb") as log:
            yield from serve(env, log)


@pytest.fixture(scope="module")
def driver():
    d = make_driver()
    yield d
    quit_driver(d)


def open_survey(driver, base: str, search: str) -> None:
    driver.get(base + "/" + search)
    wait(driver, lambda d: len(d.find_elements(By.CSS_SELECTOR, PATHS + "[role=button]")) >= 10, timeout=30)
    wait(driver, lambda d: d.find_elements(By.ID, "legend-box"))


def test_shared_link_opens_the_published_item(driver, published_url, screenshot_dir):
    driver.set_window_size(1400, 900)
    open_survey(driver, published_url, "?layer=perception&ds=demo&item=Q1&city=Almaty&lang=en")
    title = driver.find_element(By.ID, "dataset-title").text
    assert title.startswith("SYNTHETIC") and "Demo survey" in title
    legend = driver.find_element(By.ID, "legend-box").text
    assert "SYNTHETIC" in legend and "Suppressed: fewer than 10 respondents" in legend
    query = {k: v[0] for k, v in parse_qs(urlparse(driver.current_url).query).items()}
    assert (query["ds"], query["item"], query["layer"]) == ("demo", "Q1", "perception")
    assert not driver.find_element(By.ID, "grp-item").get_attribute("hidden")
    text = panel_text(driver)
    assert "Almaty as a whole" in text and "95 % CI" in text and "seeded synthetic generator" in text
    # the district paths carry the item's classes: several fill colours, the suppressed grey among them
    fills = {p.get_attribute("fill") for p in driver.find_elements(By.CSS_SELECTOR, PATHS + "[role=button]")}
    assert len(fills) >= 3 and any(f.startswith("url(#qala-hatch-") for f in fills)
    driver.save_screenshot(str(screenshot_dir / "published_q1_en.png"))


def test_unknown_dataset_falls_back_with_a_notice(driver, published_url):
    driver.set_window_size(1400, 900)
    driver.get(published_url + "/?layer=perception&ds=nothing&lang=en")
    wait(driver, lambda d: "nothing" in d.find_element(By.ID, "notices").text)
    assert "published dataset" in driver.find_element(By.ID, "notices").text
    assert "ds" not in parse_qs(urlparse(driver.current_url).query)


def test_district_details_show_the_distribution_and_the_group_difference(driver, published_url, screenshot_dir):
    """Zhetysu (Almaty): enough respondents in both groups of the demo, so its answer bars and the difference
    between the groups (with interval and both n) are shown; Almaty's own difference follows its table row."""
    driver.set_window_size(1400, 900)
    open_survey(driver, published_url, "?layer=perception&ds=demo&item=Q1&city=Almaty&district=751510000&lang=en")
    bars = driver.find_elements(By.CSS_SELECTOR, "#district-dist tr")
    assert [b.find_element(By.TAG_NAME, "th").text for b in bars] == [f"point {p}" for p in range(1, 6)]
    widths = [b.find_element(By.CSS_SELECTOR, ".bar").size["width"] for b in bars]
    assert all(w > 0 for w in widths) and len(set(widths)) > 1  # drawn, and not all alike
    differences = driver.find_element(By.ID, "district-differences")
    row = differences.find_element(By.CSS_SELECTOR, "tbody tr").text
    assert "minus" in row and " / " in row and "…" in row
    details = driver.find_element(By.ID, "district-details").text
    assert "The difference is the mean answer of" in details
    table = driver.find_element(By.ID, "survey-table").text
    assert "Almaty as a whole:" in table and "minus" in table
    driver.execute_script("arguments[0].scrollIntoView({block: 'start'})",
                          driver.find_element(By.ID, "district-details"))
    time.sleep(0.4)
    driver.save_screenshot(str(screenshot_dir / "published_details_en.png"))
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", differences)
    time.sleep(0.4)
    driver.save_screenshot(str(screenshot_dir / "published_details_differences_en.png"))


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
@pytest.mark.parametrize("size", [(1400, 900), (390, 844)])
def test_screenshots(driver, published_url, screenshot_dir, lang, size):
    driver.set_window_size(*size)
    district = "751510000"  # Almaty's Zhetysu: enough respondents in the demo, so its details are shown
    open_survey(driver, published_url, f"?layer=perception&ds=demo&item=Q1&city=Almaty&district={district}"
                                       f"&lang={lang}")
    # on a phone the panel is a closed drawer: its text is read from the DOM, not from what is displayed
    details = driver.find_element(By.ID, "district-details").get_attribute("textContent")
    assert "n" in details
    assert {"en": "point 5", "ru": "балл 5", "kk": "5 балл"}[lang] in details  # the answer bars
    assert {"en": "minus", "ru": "минус", "kk": "минус"}[lang] in details  # the groups' difference
    assert driver.find_element(By.ID, "dataset-title").get_attribute("textContent").startswith(
        {"en": "SYNTHETIC", "ru": "СИНТЕТИКА", "kk": "СИНТЕТИКАЛЫҚ"}[lang])
    assert driver.find_element(By.ID, "notices").text.startswith(
        {"en": "SYNTHETIC", "ru": "СИНТЕТИКА", "kk": "СИНТЕТИКАЛЫҚ"}[lang])  # over the map, on a phone too
    time.sleep(0.6)  # let the map fit the city
    driver.save_screenshot(str(screenshot_dir / f"published_{size[0]}_{lang}.png"))
    if size[0] < 600:  # the phone's details drawer: legend and the district's estimate
        driver.find_element(By.ID, "toggle-panel-drawer").click()
        wait(driver, lambda d: d.find_element(By.ID, "legend-box").is_displayed())
        time.sleep(0.8)  # the drawer slides in
        driver.save_screenshot(str(screenshot_dir / f"published_{size[0]}_{lang}_details.png"))
