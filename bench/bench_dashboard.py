"""`python -m bench.bench_dashboard`: dashboard speed and weight, side by side in one run.

1. Starts the app exactly like `make run` (gunicorn, 2 workers x 4 threads) on a free loopback port.
2. Chromium (Debian's, headless) opens the page with the cache disabled: time to the first painted map
   (first Leaflet path in the DOM, from navigation start; and, stricter, the first path of the district
   layer itself, since place markers can paint before it), and the initial page weight (compressed bytes
   transferred: page, JS, CSS, layout, callbacks and GeoJSON; basemap tiles excluded: they fail here).
   While driving the common interactions it records the real `/_dash-update-component` payloads.
3. Replays each recorded payload against the server: callback latency p50/p95 per interaction.
4. Load test: 50 concurrent clients (processes x threads) for 60 s replaying the interactions with a
   think time, only to 127.0.0.1; error count and p95.
Writes bench/results/dashboard.json. Targets: callback p95 <= 50 ms, page <= 500 KB, first map <= 1.5 s,
load test 0 errors and p95 <= 200 ms.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

from geo.settings import PROJECT_ROOT

RESULTS = PROJECT_ROOT / "bench" / "results"
TARGETS = {"callback_p95_ms": 50, "page_kb": 500, "first_map_s": 1.5, "load_p95_ms": 200, "load_errors": 0}

_RECORDER = """
window.__qalaRecorded = [];
(function () {
  const original = window.fetch;
  window.fetch = function (url, options) {
    if (String(url).includes('_dash-update-component') && options && options.body) {
      window.__qalaRecorded.push({label: window.__qalaLabel || 'load', body: options.body});
    }
    return original.apply(this, arguments);
  };
  window.__qalaFirstMap = null;        // first Leaflet path of any layer (markers included)
  window.__qalaFirstDistricts = null;  // first path of the district (choropleth) layer itself
  new MutationObserver(function (_, observer) {
    if (window.__qalaFirstMap === null && document.querySelector('#map path.leaflet-interactive')) {
      window.__qalaFirstMap = performance.now();
    }
    if (document.querySelector('#map path.leaflet-interactive[role=button]')) {
      window.__qalaFirstDistricts = performance.now();
      observer.disconnect();
    }
  }).observe(document, {childList: true, subtree: true});
})();
"""


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))]


def start_server(port: int) -> subprocess.Popen:
    gunicorn = Path(sys.executable).with_name("gunicorn")
    env = {**os.environ, "QALA_TILES": os.environ.get("QALA_TILES", "http://127.0.0.1:9/{z}/{x}/{y}.png")}
    proc = subprocess.Popen([str(gunicorn), "-c", "dashboard/gunicorn_conf.py", "--workers", "2", "--threads", "4",
                             "--preload", "--bind", f"127.0.0.1:{port}", "dashboard.app:create_server()"],
                            cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/", timeout=2).status_code == 200:
                return proc
        except requests.RequestException:
            time.sleep(0.3)
    proc.terminate()
    raise SystemExit("bench_dashboard: the dashboard did not start (is the build there? run `make data`)")


def browser_phase(base: str, loads: int) -> dict:
    """First map times, initial weight, and recorded callback payloads of the common interactions."""
    sys.path.insert(0, str(PROJECT_ROOT / "tests" / "browser"))
    from conftest import make_driver, quit_driver  # the browser tests' Chromium set-up
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    driver = make_driver()
    try:
        driver.execute_cdp_cmd("Network.enable", {})
        driver.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": True})
        driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": _RECORDER})
        first_map, first_districts, weights = [], [], []
        for _ in range(loads):
            driver.get("about:blank")
            driver.get(base + "/?city=Astana&lang=en")
            WebDriverWait(driver, 30).until(lambda d: d.execute_script("return window.__qalaFirstDistricts"))
            first_map.append(driver.execute_script("return window.__qalaFirstMap") / 1000)
            first_districts.append(driver.execute_script("return window.__qalaFirstDistricts") / 1000)
            WebDriverWait(driver, 30).until(lambda d: "Population" in d.find_element(By.ID, "panel").text)
            time.sleep(1.0)  # let late callbacks and async chunks finish
            weights.append(driver.execute_script("""
                const nav = performance.getEntriesByType('navigation')[0];
                const res = performance.getEntriesByType('resource').filter(e => !e.name.includes('127.0.0.1:9/'));
                return nav.transferSize + res.reduce((s, e) => s + e.transferSize, 0);"""))

        def act(label: str, action) -> None:
            driver.execute_script("window.__qalaLabel = arguments[0]", label)
            before = driver.execute_script("return window.__qalaRecorded.length")
            action()
            WebDriverWait(driver, 15).until(
                lambda d: d.execute_script("return window.__qalaRecorded.length") > before)
            time.sleep(0.8)

        def radio(control: str, value: str):
            return lambda: driver.find_element(By.CSS_SELECTOR, f"#{control} input[value='{value}']").click()

        act("switch city", radio("ctl-city", "Almaty"))
        act("change classes", radio("ctl-scheme", "fisher_jenks"))
        act("switch language", radio("ctl-lang", "ru"))
        act("switch city", radio("ctl-city", "Astana"))
        act("select district", lambda: driver.find_elements(By.CSS_SELECTOR, "#map path.leaflet-interactive")[-1]
            .click())
        act("layer 2 (left bank)", radio("ctl-layer", "leftbank"))
        act("layer 3 (perception)", radio("ctl-layer", "perception"))
        recorded = driver.execute_script("return window.__qalaRecorded")
    finally:
        quit_driver(driver)
    return {"first_map_s": first_map, "first_districts_s": first_districts, "page_bytes": weights,
            "recorded": recorded}


def callback_latency(base: str, recorded: list[dict], repeats: int) -> dict:
    session = requests.Session()
    headers = {"Content-Type": "application/json", "Accept-Encoding": "gzip"}
    by_label: dict[str, list[float]] = {}
    for _ in range(repeats):
        for item in recorded:
            start = time.perf_counter()
            response = session.post(base + "/_dash-update-component", data=item["body"], headers=headers)
            elapsed = (time.perf_counter() - start) * 1000
            if response.status_code not in (200, 204):
                raise SystemExit(f"bench_dashboard: callback replay failed with HTTP {response.status_code}")
            by_label.setdefault(item["label"], []).append(elapsed)
    return {label: {"n": len(v), "p50_ms": percentile(v, 50), "p95_ms": percentile(v, 95)}
            for label, v in by_label.items()}


def _load_worker(base: str, bodies: list[str], geo_urls: list[str], threads: int, duration: float, think: float,
                 queue) -> None:
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    deadline = time.monotonic() + duration

    def client(offset: int) -> None:
        session = requests.Session()
        i = offset
        while time.monotonic() < deadline:  # bounded by the deadline
            body = bodies[i % len(bodies)]
            start = time.perf_counter()
            try:
                ok = session.post(base + "/_dash-update-component", data=body, timeout=10,
                                  headers={"Content-Type": "application/json", "Accept-Encoding": "gzip"}).ok
                if ok and i % 5 == 0:
                    ok = session.get(base + geo_urls[i % len(geo_urls)], timeout=10,
                                     headers={"Accept-Encoding": "gzip"}).ok
            except requests.RequestException:
                ok = False
            elapsed = (time.perf_counter() - start) * 1000
            with lock:
                latencies.append(elapsed)
                errors[0] += 0 if ok else 1
            i += 1
            time.sleep(think)

    pool = [threading.Thread(target=client, args=(k * 7,)) for k in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    queue.put((latencies, errors[0]))


def load_test(base: str, recorded: list[dict], clients: int, duration: float, think: float) -> dict:
    bodies = [item["body"] for item in recorded if item["label"] != "load"] or [r["body"] for r in recorded]
    geo_urls = ["/qala/geo/v-astana-6.geojson", "/qala/geo/v-almaty-8.geojson", "/qala/geo/banks.geojson"]
    processes = 5
    queue = multiprocessing.Queue()
    workers = [multiprocessing.Process(target=_load_worker, args=(base, bodies, geo_urls, clients // processes,
                                                                  duration, think, queue)) for _ in range(processes)]
    for worker in workers:
        worker.start()
    latencies, errors = [], 0
    for _ in workers:
        part, err = queue.get(timeout=duration + 60)
        latencies += part
        errors += err
    for worker in workers:
        worker.join()
    return {"clients": clients, "duration_s": duration, "think_time_s": think, "requests": len(latencies),
            "errors": errors, "p50_ms": percentile(latencies, 50), "p95_ms": percentile(latencies, 95),
            "throughput_rps": len(latencies) / duration}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loads", type=int, default=5, help="page loads for first-map time and weight")
    parser.add_argument("--repeats", type=int, default=30, help="replays of each recorded callback")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--think", type=float, default=1.0, help="seconds each client waits between interactions")
    args = parser.parse_args(argv)
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    server = start_server(port)
    try:
        browser = browser_phase(base, args.loads)
        callbacks = callback_latency(base, browser["recorded"], args.repeats)
        load = load_test(base, browser["recorded"], args.clients, args.duration, args.think)
    finally:
        server.terminate()
        server.wait(timeout=15)
    worst_p95 = max(c["p95_ms"] for c in callbacks.values())
    result = {
        "callbacks": callbacks,
        "callback_p95_ms_worst": worst_p95,
        "page_kb": max(browser["page_bytes"]) / 1000,
        "first_map_s": {"median": statistics.median(browser["first_map_s"]), "max": max(browser["first_map_s"]),
                        "runs": browser["first_map_s"]},
        "first_districts_s": {"median": statistics.median(browser["first_districts_s"]),
                              "max": max(browser["first_districts_s"]), "runs": browser["first_districts_s"]},
        "load_test": load,
        "targets": TARGETS,
    }
    result["meets_targets"] = {
        "callback_p95": worst_p95 <= TARGETS["callback_p95_ms"],
        "page_weight": result["page_kb"] <= TARGETS["page_kb"],
        "first_map": max(result["first_map_s"]["median"], result["first_districts_s"]["median"])
        <= TARGETS["first_map_s"],
        "load_test": load["errors"] == 0 and load["p95_ms"] <= TARGETS["load_p95_ms"],
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / "dashboard.json"
    with tempfile.NamedTemporaryFile("w", dir=RESULTS, delete=False, suffix=".tmp") as tmp:
        json.dump(result, tmp, indent=2)
    os.replace(tmp.name, out)
    print(f"{'measure':<34}{'value':>14}{'target':>12}  ok")
    for label, c in callbacks.items():
        print(f"{'callback ' + label + ' p50/p95 ms':<34}{c['p50_ms']:>6.1f} /{c['p95_ms']:>6.1f}"
              f"{'<= 50':>12}  {c['p95_ms'] <= 50}")
    print(f"{'initial page (compressed) KB':<34}{result['page_kb']:>14.1f}{'<= 500':>12}  "
          f"{result['meets_targets']['page_weight']}")
    print(f"{'first painted map s (median/max)':<34}{result['first_map_s']['median']:>7.2f} /"
          f"{result['first_map_s']['max']:>5.2f}{'<= 1.5':>12}  {result['first_map_s']['median'] <= 1.5}")
    print(f"{'first district layer s (med/max)':<34}{result['first_districts_s']['median']:>7.2f} /"
          f"{result['first_districts_s']['max']:>5.2f}{'<= 1.5':>12}  {result['first_districts_s']['median'] <= 1.5}")
    print(f"{'load test errors':<34}{load['errors']:>14}{'0':>12}  {load['errors'] == 0}")
    print(f"{'load test p50/p95 ms':<34}{load['p50_ms']:>6.1f} /{load['p95_ms']:>6.1f}{'<= 200':>12}  "
          f"{load['p95_ms'] <= 200}")
    print(f"{'load test requests (rps)':<34}{load['requests']:>8} ({load['throughput_rps']:.0f})"
          f"   {args.clients} clients, {args.duration:.0f} s, think {args.think} s")
    print(f"results: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
