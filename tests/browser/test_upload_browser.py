"""A researcher's survey dropped on the page in Russian, as a new user would: Russian headers (`Район
проживания`, `Вес`, `Отношение к приезжим (1-5)`), semicolons, comma decimals, three cities. The page proposes
the columns, the person confirms them and joins; the least welcoming district of Almaty is read from the page and
checked against an independent weighted mean; the map's drawn fills are the legend's colours and the base layer
is gone while the upload is shown; the result bundle downloads with what `qala publish` takes and no input row.

The survey is SYNTHETIC (geo.engines.synthetic_survey), generated here by code."""

from __future__ import annotations

import io
import time
import zipfile

import pandas as pd
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC

from geo.engines.synthetic_survey import survey_csv_bytes, synthetic_survey
from geo.store import load_districts
from tests.browser.conftest import make_driver, quit_driver
from tests.browser.test_dashboard_browser import PATHS, open_view, wait

pytestmark = pytest.mark.browser
ITEM = "Отношение к приезжим (1-5)"
DISTRICT = "Район проживания"


@pytest.fixture(scope="module")
def ru_browser(downloads):
    driver = make_driver(str(downloads), lang="ru-RU")
    yield driver
    quit_driver(driver)


@pytest.fixture(scope="module")
def survey(tmp_path_factory):
    frame = synthetic_survey(load_districts(), rows=1500, seed=11).rename(
        columns={"Район": DISTRICT, "Q1": ITEM})
    path = tmp_path_factory.mktemp("survey") / "опрос_приезжие.csv"
    path.write_bytes(survey_csv_bytes(frame))
    return path, frame


def weighted_means(frame: pd.DataFrame, city: str) -> pd.Series:
    """The oracle: per district of ``city``, sum(w*y)/sum(w) over numeric answers 1-5 (don't know, blank out)."""
    rows = frame[frame["Город"] == city].copy()
    rows["y"] = pd.to_numeric(rows[ITEM], errors="coerce")
    rows = rows[rows["y"].between(1, 5)]
    rows["wy"] = rows["Вес"] * rows["y"]
    sums = rows.groupby(DISTRICT)[["wy", "Вес"]].sum()
    return (sums["wy"] / sums["Вес"]).rename("mean")


def rgb(color: str) -> str:
    """'#aabbcc' or 'rgb(170, 187, 204)' as 'rgb(170, 187, 204)'."""
    if color.startswith("#"):
        return "rgb({}, {}, {})".format(*(int(color[i:i + 2], 16) for i in (1, 3, 5)))
    return color.replace("rgba", "rgb").rsplit(",", 1)[0] + ")" if color.count(",") == 3 else color


def drop(browser, path) -> None:
    # the upload component is a lazily loaded chunk: its input exists only once that has arrived
    wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#upload input[type=file]"))[0].send_keys(str(path))
    wait(browser, EC.visibility_of_element_located((By.ID, "upload-form")), timeout=40)


def chosen(browser, role: str) -> str:
    """The text the role's dropdown shows (its chosen column, or the "not used" placeholder)."""
    return browser.find_element(By.ID, f"upload-role-{role}").text.strip()


def test_russian_survey_from_drop_to_least_welcoming_district(ru_browser, server_url, survey, downloads,
                                                              screenshot_dir):
    path, frame = survey
    browser = ru_browser
    open_view(browser, server_url, "?city=Almaty&lang=ru")
    drop(browser, path)
    form = browser.find_element(By.ID, "upload-form").text
    assert "Проверьте столбцы" in form and "строк 1500" in form and "--" not in form  # no command-line flag
    assert chosen(browser, "district") == DISTRICT and chosen(browser, "weight") == "Вес"
    assert chosen(browser, "city") == "Город" and chosen(browser, "group") == "Группа"
    items = browser.find_element(By.ID, "upload-scores").text
    assert f"{ITEM} · шкала 1–5" in items  # the scale read from the header
    preview = browser.find_element(By.ID, "upload-preview-table").text  # the first rows, to check against
    assert frame["Район проживания"].iloc[0] in preview and "SYNTHETIC" in preview
    browser.save_screenshot(str(screenshot_dir / "upload_form_ru.png"))
    browser.find_element(By.ID, "upload-join").click()
    wait(browser, EC.visibility_of_element_located((By.ID, "upload-panel")), timeout=60)
    counts = browser.find_element(By.ID, "upload-counts").text
    per_city = frame["Город"].value_counts()
    for city in ("Астана", "Алматы", "Шымкент"):
        assert f"{city} {per_city[city]}" in counts.replace("\u00a0", "")  # under 1,000: no thousands space
    assert not browser.find_element(By.ID, "upload-form").is_displayed()
    # the item is what the map shows first; Almaty's table holds its means, intervals and n
    table = wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, ".upload-table[data-city='Almaty']"))[0]
    shown = {}
    for row in table.find_elements(By.CSS_SELECTOR, "tbody tr"):
        cells = row.find_elements(By.TAG_NAME, "td")
        if len(cells) >= 3 and cells[0].text.replace(".", "").isdigit():
            low, high = cells[1].text.split("–")
            shown[row.find_element(By.TAG_NAME, "th").text] = (float(cells[0].text), float(low), float(high),
                                                               int(cells[2].text))
    oracle = weighted_means(frame, "Алматы")
    assert len(shown) >= 4
    for name, (mean, low, high, n) in shown.items():
        assert mean == pytest.approx(oracle[name], abs=0.005), name
        assert low < mean < high and n >= 10
    least = min(shown, key=lambda d: shown[d][0])
    assert least == oracle[list(shown)].idxmin()
    browser.save_screenshot(str(screenshot_dir / "upload_survey_ru.png"))
    # the map: every drawn fill is a legend colour (or "suppressed"), and the base layer draws nothing
    wait(browser, lambda d: len([p for p in d.find_elements(By.CSS_SELECTOR, PATHS)
                                 if p.get_attribute("fill") not in (None, "none")]) >= len(shown))
    legend = {rgb(s.value_of_css_property("background-color"))
              for s in browser.find_elements(By.CSS_SELECTOR, "#upload-legend .swatch")}
    fills = {rgb(p.get_attribute("fill")) for p in browser.find_elements(By.CSS_SELECTOR, PATHS)
             if p.get_attribute("fill") not in (None, "none")}
    assert fills and fills <= legend, (fills, legend)
    hidden = [p for p in browser.find_elements(By.CSS_SELECTOR, PATHS) if p.get_attribute("fill") == "none"]
    assert hidden, "the base layer's districts are still drawn under the upload"
    # the bundle: the tables `qala publish` takes, the report, the disclosure report; no input row
    browser.find_element(By.ID, "upload-dl-zip").click()
    deadline, files = time.monotonic() + 20, []
    while time.monotonic() < deadline and not files:
        files = list(downloads.glob("опрос_приезжие_joined*.zip"))
        time.sleep(0.2)
    assert files, "no result bundle downloaded"
    with zipfile.ZipFile(io.BytesIO(files[0].read_bytes())) as bundle:
        names = set(bundle.namelist())
    assert {"districts.parquet", "districts.csv", "scores.csv", "report.json", "disclosure_ru.html"} <= names
    assert "set_aside.csv" not in names
    browser.find_element(By.ID, "upload-clear").click()
    wait(browser, lambda d: not d.find_element(By.ID, "upload-panel").is_displayed())
    wait(browser, lambda d: not [p for p in d.find_elements(By.CSS_SELECTOR, PATHS)
                                 if p.get_attribute("fill") == "none"])  # the base layer is back
