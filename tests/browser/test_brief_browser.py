"""The page's brief links in a real browser: they follow the current view, and the PDF one downloads an A4
PDF of that view from the server."""

from __future__ import annotations

import urllib.request
from urllib.parse import urlsplit

import pytest
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

pytestmark = pytest.mark.browser


def wait(driver, condition, timeout=30):
    return WebDriverWait(driver, timeout, ignored_exceptions=(StaleElementReferenceException,)).until(condition)


def href(driver, element_id: str) -> str:
    return driver.find_element(By.ID, element_id).get_attribute("href") or ""


def test_brief_links_follow_the_view_and_download_its_pdf(browser, server_url, downloads):
    browser.get(server_url + "/?city=Almaty&lang=kk")
    wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#map path.leaflet-interactive[role=button]"))
    link = browser.find_element(By.ID, "brief-pdf")
    assert link.text == "Анықтама (PDF)"
    assert urlsplit(href(browser, "brief-pdf")).query == urlsplit(browser.current_url).query
    browser.find_element(By.CSS_SELECTOR, "#ctl-lang input[value='ru']").click()
    wait(browser, lambda d: "lang=ru" in href(d, "brief-pdf") and "lang=ru" in href(d, "brief-png"))
    assert urlsplit(href(browser, "brief-pdf")).query == urlsplit(browser.current_url).query
    with urllib.request.urlopen(href(browser, "brief-pdf"), timeout=90) as reply:
        assert reply.status == 200 and reply.headers["Content-Type"] == "application/pdf"
        assert 'filename="qala_brief_Almaty_population_ru.pdf"' in reply.headers["Content-Disposition"]
        assert reply.read(5) == b"%PDF-"
    browser.find_element(By.ID, "brief-pdf").click()  # the browser itself downloads the attachment
    wait(browser, lambda d: (downloads / "qala_brief_Almaty_population_ru.pdf").is_file(), timeout=90)
    assert (downloads / "qala_brief_Almaty_population_ru.pdf").read_bytes().startswith(b"%PDF-")
