"""The Content-Security-Policy in a real browser: the map, the controls, a plot and an upload all work under it,
with no violation reported (so Dash and dash-leaflet need neither 'unsafe-eval' nor inline scripts beyond
the two hashed ones)."""

from __future__ import annotations

import urllib.request

import pytest
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from tests.browser.test_dashboard_browser import drop_and_join

pytestmark = pytest.mark.browser

WATCH = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__csp.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + (e.sample || ''));
});
"""


def wait(driver, condition, timeout=20):
    return WebDriverWait(driver, timeout, ignored_exceptions=(StaleElementReferenceException,)).until(condition)


def test_page_works_under_the_csp_without_violations(browser, server_url, tmp_path):
    with urllib.request.urlopen(server_url + "/", timeout=10) as reply:
        csp = reply.headers["Content-Security-Policy"]
        assert reply.headers["X-Frame-Options"] == "DENY" and reply.headers["X-Content-Type-Options"] == "nosniff"
    assert "'unsafe-eval'" not in csp and "script-src 'self' 'sha256-" in csp
    added = browser.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": WATCH})
    try:
        browser.get(server_url + "/?city=Astana&lang=en")
        wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#map path.leaflet-interactive[role=button]"))
        wait(browser, lambda d: "Population" in d.find_element(By.ID, "panel").text)
        for control, value in (("ctl-city", "Almaty"), ("ctl-scheme", "fisher_jenks"), ("ctl-layer", "leftbank"),
                               ("ctl-layer", "perception")):
            browser.find_element(By.CSS_SELECTOR, f"#{control} input[value='{value}']").click()
            wait(browser, lambda d, v=value: v in d.current_url)
        source = tmp_path / "survey.csv"
        source.write_text("name,lat,lon\n" + "Akorda,51.125828,71.446297\n" * 12)  # 12: past the release gate
        drop_and_join(browser, source)
        wait(browser, lambda d: d.find_element(By.ID, "upload-panel").is_displayed(), timeout=40)
        assert "survey.csv" in browser.find_element(By.ID, "upload-title").text
        assert browser.execute_script("return window.__csp") == []
        # the watcher does see violations: an injected inline script is refused and reported
        browser.execute_script("const s = document.createElement('script'); s.textContent = 'window.__ran = 1';"
                               "document.head.appendChild(s);")
        wait(browser, lambda d: d.execute_script("return window.__csp.length") >= 1, timeout=5)
        assert browser.execute_script("return window.__ran") is None
    finally:
        browser.execute_cdp_cmd("Page.removeScriptToEvaluateOnNewDocument", {"identifier": added["identifier"]})
