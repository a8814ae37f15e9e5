"""In Chromium: the national overview with arrivals by region of origin draws one line per flow into the city,
each with its arrowhead, with the width legend in real values, the period over the map and the figures table
beside it; hovering a line shows its source and period.
Screenshots at 1400x900 into tests/screenshots/."""

from __future__ import annotations

import time

import pytest
from selenium.webdriver import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

pytestmark = pytest.mark.browser

# The point 40 % along a path, in page coordinates (the middle of its bounding box need not be on the line).
ON_LINE = """var p = arguments[0], m = p.getPointAtLength(p.getTotalLength() * 0.4), c = p.getScreenCTM();
return [m.x * c.a + c.e, m.y * c.d + c.f];"""


@pytest.mark.parametrize("lang", ["ru", "kk"])
def test_flow_lines_drawn_with_table(browser, server_url, screenshot_dir, lang):
    browser.set_window_size(1400, 900)
    browser.get(f"{server_url}/?city=Kazakhstan&layer=concentration&ind=share_of_arrivals_from"
                f"&period=2019-01..05&lang={lang}")
    WebDriverWait(browser, 20).until(EC.visibility_of_element_located((By.ID, "flow-legend")))
    WebDriverWait(browser, 20).until(lambda b: b.find_elements(By.CSS_SELECTOR, "path.qala-flow"))
    time.sleep(1)
    paths = browser.find_elements(By.CSS_SELECTOR, "path.qala-flow")
    rows = browser.find_elements(By.CSS_SELECTOR, "#flow-table-astana tbody tr")
    assert len(paths) > 0 and len(paths) == len(rows) == 5  # Astana, Jan-May 2019: five origin regions
    widths = sorted((float(p.get_attribute("stroke-width")) for p in paths), reverse=True)
    assert widths[0] > widths[-1]
    arrows = browser.find_elements(By.CSS_SELECTOR, "img.qala-flow-arrow")  # an arrowhead per line, drawn
    assert len(arrows) == len(paths) and all(a.is_displayed() and a.size["width"] >= 8 for a in arrows)
    legend = browser.find_elements(By.CSS_SELECTOR, "#flow-legend .flow-legend-item")
    assert len(legend) == 3 and "21.2 %" in legend[0].text and "7.5 %" in legend[-1].text
    assert "2019-01..05" in browser.find_element(By.ID, "notices").text  # the period named over the map
    x, y = browser.execute_script(ON_LINE, paths[0])  # the widest line is drawn first
    body = browser.find_element(By.TAG_NAME, "body")
    size = browser.execute_script("var r = document.body.getBoundingClientRect(); return [r.width, r.height];")
    ActionChains(browser).move_to_element_with_offset(body, int(x - size[0] / 2), int(y - size[1] / 2)) \
        .move_by_offset(1, 1).perform()
    tip = WebDriverWait(browser, 10).until(EC.visibility_of_element_located((By.CSS_SELECTOR, ".flow-tip")))
    assert "astanazan.kz" in tip.text and "2019-01..05" in tip.text
    browser.save_screenshot(str(screenshot_dir / f"flows_overview_{lang}.png"))
