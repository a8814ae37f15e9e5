"""Two planner questions answered from the page in Russian, in headless Chromium, on the SYNTHETIC demo survey
published twice (``qala demo survey --wave 1`` and ``--wave 2``, joined with ``--score Сектор=госслужба``):

1. "Do more civil servants live on the left bank?": layer 2 shows each bank's share with its interval and the
   verdict; the shares equal a weighted share computed here from the CSV (the independent oracle);
2. "What changed between the waves?": from the survey item a link opens the change map; a district's change
   equals the difference of the two weighted means computed here from the two CSVs.
"""

from __future__ import annotations

import re
import tempfile
import time
from pathlib import Path

import pandas as pd
import pytest
from selenium.webdriver.common.by import By

from tests.browser.conftest import make_driver, quit_driver, serve
from tests.browser.test_dashboard_browser import PATHS, wait
from tests.browser.test_published_browser import datasets_env, qala

pytestmark = pytest.mark.browser
LEFT = ("Есиль", "Нура")  # the build's left-bank districts of Astana


@pytest.fixture(scope="module")
def waves():
    """gunicorn serving the build plus both waves published ('demo' 2024, 'demo-w2' 2026); the CSVs too."""
    with tempfile.TemporaryDirectory(prefix="qala-waves-") as folder:
        work = Path(folder)
        env = datasets_env(work)
        for wave, name, period in ((1, "demo", "2024"), (2, "demo-w2", "2026")):
            csv = work / f"wave{wave}.csv"
            qala("demo", "survey", "-o", str(csv), "--rows", "3000", "--wave", str(wave), env=env)
            qala("join", str(csv), "--city-col", "Город", "--district-col", "Район", "--weight-col", "Вес",
                 "--score", "Q1:1-5", "--score", "Сектор=госслужба", "--permutations", "0", "--h3-res",
                 "-o", str(work / f"out{wave}"), env=env)
            qala("publish", str(work / f"out{wave}"), "--name", name, "--title", f"Demo survey, wave {wave}",
                 "--source", "qala demo", "--period", period, env=env)
        surveys = [_read(work / f"wave{w}.csv") for w in (1, 2)]
        with open(work / "server.log", "wb") as log:
            for url in serve(env, log):
                yield url, surveys


@pytest.fixture(scope="module")
def driver():
    d = make_driver(lang="ru-RU")
    yield d
    quit_driver(d)


def _read(path: Path) -> pd.DataFrame:
    frame = pd.read_csv(path, sep=";", dtype=str, keep_default_na=False)
    frame["w"] = frame["Вес"].str.replace(",", ".").astype(float)
    return frame[frame["Город"] == "Астана"]


def weighted(frame: pd.DataFrame, values: pd.Series) -> float:
    return float((frame["w"] * values).sum() / frame["w"].sum())


def percent(text: str) -> float:
    return float(re.search(r"(\d+(?:\.\d+)?) %", text).group(1))


def test_more_civil_servants_on_the_left_bank_read_from_layer_2(driver, waves, screenshot_dir):
    base, (first, _) = waves
    started = time.perf_counter()
    driver.set_window_size(1400, 900)
    driver.get(base + "/?city=Astana&layer=leftbank&lang=ru")
    wait(driver, lambda d: d.find_elements(By.ID, "banks-table-demo"), timeout=30)
    rows = {r.find_element(By.TAG_NAME, "th").text.replace("\n", " "): r.text
            for r in driver.find_elements(By.CSS_SELECTOR, "#banks-table-demo tbody tr")}
    verdict = driver.find_element(By.ID, "banks-verdict-demo").text
    elapsed = time.perf_counter() - started
    answered = first[first["Сектор"] != ""]
    left = answered[answered["Район"].isin(LEFT)]
    right = answered[~answered["Район"].isin(LEFT)]
    civil = answered["Сектор"] == "госслужба"
    assert percent(rows["Левый берег"]) == pytest.approx(100 * weighted(left, civil[left.index]), abs=0.051)
    assert percent(rows["Правый берег"]) == pytest.approx(100 * weighted(right, civil[right.index]), abs=0.051)
    assert "На левом берегу больше" in verdict  # planted: 35 % against 12 %
    assert "госслужба" in driver.find_element(By.ID, "banks-headline-demo").text
    driver.save_screenshot(str(screenshot_dir / "leftbank_survey_ru_1400.png"))
    assert elapsed < 60


def test_the_change_between_two_waves_from_the_survey_item(driver, waves, screenshot_dir):
    base, (first, second) = waves
    driver.set_window_size(1400, 900)
    driver.get(base + "/?city=Astana&layer=perception&ds=demo&item=Q1&lang=ru")
    link = wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#wave-links a"), timeout=30)[0]
    link.click()
    wait(driver, lambda d: d.find_elements(By.ID, "wave-table"), timeout=30)
    assert "Изменение Q1: 2026 минус 2024" in driver.find_element(By.ID, "wave-title").text
    assert len(driver.find_elements(By.CSS_SELECTOR, PATHS)) >= 5
    cells = {r.find_element(By.TAG_NAME, "th").text: r.find_elements(By.TAG_NAME, "td")[0].text
             for r in driver.find_elements(By.CSS_SELECTOR, "#wave-table tbody tr")}
    compared = 0
    for name, text in cells.items():
        found = re.match(r"([+-]\d+\.\d\d) \(", text)
        if not found or name not in set(first["Район"]):
            continue
        means = []
        for frame in (first, second):
            part = frame[(frame["Район"] == name) & frame["Q1"].str.fullmatch(r"[1-5]")]
            means.append(weighted(part, part["Q1"].astype(float)))
        assert float(found.group(1)) == pytest.approx(means[1] - means[0], abs=0.0051), name
        compared += 1
    assert compared >= 3
    driver.save_screenshot(str(screenshot_dir / "waves_ru_1400.png"))
