"""Start the dashboard under gunicorn on a free loopback port and drive it with Debian's headless Chromium."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "tests" / "screenshots"
CHROMIUM = os.environ.get("QALA_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("QALA_CHROMEDRIVER", "/usr/bin/chromedriver")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_http(url: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"dashboard did not answer at {url} within {timeout:.0f} s")


def build_ready() -> bool:
    from geo.settings import build_dir

    return (build_dir() / "manifest.json").exists()


@pytest.fixture(scope="session")
def server_url():
    """gunicorn 'dashboard.app:create_server()' on 127.0.0.1:<free port>, stopped after the session."""
    if not build_ready():
        pytest.fail("built layers missing: run `make data` before the browser tests")
    env = {**os.environ, "QALA_TILES": os.environ.get("QALA_TILES", "http://127.0.0.1:9/{z}/{x}/{y}.png")}
    with tempfile.TemporaryFile() as log:
        yield from serve(env, log)


def serve(env: dict[str, str], log) -> Iterator[str]:
    """gunicorn with one worker on a free loopback port, with ``env``; yields its URL, stops it after."""
    port = free_port()
    gunicorn = Path(sys.executable).with_name("gunicorn")
    proc = subprocess.Popen([str(gunicorn), "--workers", "1", "--threads", "4", "--bind", f"127.0.0.1:{port}",
                             "dashboard.app:create_server()"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_http(f"http://127.0.0.1:{port}/")
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def make_driver(download_dir: str | None = None, lang: str = "en-GB"):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    profile = tempfile.mkdtemp(prefix="qala-chromium-")
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                f"--user-data-dir={profile}", "--window-size=1400,900", f"--lang={lang}"):
        options.add_argument(arg)
    prefs = {"intl.accept_languages": lang}
    if download_dir:
        prefs.update({"download.default_directory": download_dir, "download.prompt_for_download": False})
    options.add_experimental_option("prefs", prefs)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver._qala_profile = profile
    return driver


def quit_driver(driver) -> None:
    driver.quit()
    shutil.rmtree(driver._qala_profile, ignore_errors=True)


@pytest.fixture(scope="module")
def downloads():
    folder = tempfile.mkdtemp(prefix="qala-downloads-")
    yield Path(folder)
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def browser(downloads):
    driver = make_driver(str(downloads))
    yield driver
    quit_driver(driver)


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
