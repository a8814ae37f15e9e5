"""`python -m bench.bench_dashboard`: dashboard speed and weight, side by side in one run.

1. Starts the app exactly like `make run` (gunicorn, 2 workers x 4 threads) on a free loopback port.
2. Chromium (Debian's, headless) opens the page with the cache disabled: time to the first painted map
   (first Leaflet path in the DOM, from navigation start; and, stricter, the first path of the district
   layer itself, since place markers can paint before it), and the initial page weight (compressed bytes
   transferred: page, JS, CSS, layout, callbacks and GeoJSON; basemap tiles excluded: they fail here).
   While driving the common interactions it records the real `/_dash-update-component` payloads.
3. Replays each recorded payload against the server: callback latency p50/p95 per interaction.
4. Load test: 50 concurrent clients (processes x threads) for 60 s without think time (default), only to
   127.0.0.1, each cycling through page loads, GeoJSON with and without gzip and the recorded control
   changes; requests, errors, p50/p95/p99.
5. Uploads under load: 20 clients each dropping a 5 MB file of SYNTHETIC points (geo.engines.synthetic) over
   and over while 10 clients keep requesting the map; map p95 and worker memory (RSS) before and after.
Every loop is bounded by a deadline and a request count. Writes bench/results/dashboard.json. Targets:
callback p95 <= 50 ms, page <= 500 KB, first map <= 1.5 s, load test 0 errors and p95 <= 200 ms, map p95
under uploads < 500 ms, worker memory back within 20 %.
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
TARGETS = {"callback_p95_ms": 50, "page_kb": 500, "first_map_s": 1.5, "load_p95_ms": 200, "load_errors": 0,
           "upload_map_p95_ms": 500, "upload_memory_growth": 0.20}
MAX_REQUESTS_PER_CLIENT = 100_000  # a second bound beside each loop's deadline

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
        while time.monotonic() < deadline and i - offset < MAX_REQUESTS_PER_CLIENT:  # bounded twice
            body = bodies[i % len(bodies)]
            start = time.perf_counter()
            kind = i % 4  # control change, page load, GeoJSON gzip, GeoJSON identity
            try:
                if kind == 0:
                    ok = session.post(base + "/_dash-update-component", data=body, timeout=10,
                                      headers={"Content-Type": "application/json", "Accept-Encoding": "gzip"}).ok
                elif kind == 1:
                    ok = session.get(base + "/?city=Astana", timeout=10, headers={"Accept-Encoding": "gzip"}).ok
                else:
                    encoding = "gzip" if kind == 2 else "gzip;q=0, identity"
                    ok = session.get(base + geo_urls[i % len(geo_urls)], timeout=10,
                                     headers={"Accept-Encoding": encoding}).ok
            except requests.RequestException:
                ok = False
            elapsed = (time.perf_counter() - start) * 1000
            with lock:
                latencies.append(elapsed)
                errors[0] += 0 if ok else 1
            i += 1
            if think:
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
            "p99_ms": percentile(latencies, 99), "throughput_rps": len(latencies) / duration}


def synthetic_upload(megabytes: float, seed: int = 7) -> bytes:
    """A CSV of SYNTHETIC points in Astana's districts (geo.engines.synthetic) of about ``megabytes`` MB."""
    from geo.engines.synthetic import synthetic_points
    from geo.store import load_districts

    districts = load_districts(city="Astana")
    n = int(megabytes * 1024 * 1024 / 40)  # ~40 bytes a row
    points = synthetic_points(districts, n, seed=seed, groups=("internal", "external"), outside_share=0.02)
    return points.to_csv(index=False, float_format="%.6f").encode()[: int(megabytes * 1024 * 1024)].rsplit(
        b"\n", 1)[0] + b"\n"


def worker_rss(server: subprocess.Popen) -> dict[int, int]:
    """Resident memory (bytes) of each gunicorn worker of the server."""
    import psutil

    return {c.pid: c.memory_info().rss for c in psutil.Process(server.pid).children()}


def upload_load(base: str, server: subprocess.Popen, body_template: dict, uploads: int, map_clients: int,
                duration: float, megabytes: float) -> dict:
    """``uploads`` clients dropping a SYNTHETIC file again and again while ``map_clients`` request the map."""
    import base64

    raw = synthetic_upload(megabytes)
    contents = "data:text/csv;base64," + base64.b64encode(raw).decode()
    payload = json.loads(json.dumps(body_template))
    payload["inputs"][0]["value"] = contents
    for item in payload["state"]:
        if isinstance(item, dict) and item.get("id") == "upload" and item.get("property") == "filename":
            item["value"] = "synthetic_points.csv"
    upload_body = json.dumps(payload)
    before = worker_rss(server)
    deadline = time.monotonic() + duration
    lock = threading.Lock()
    map_ms: list[float] = []
    counts = {"uploads": 0, "joined": 0, "busy": 0, "upload_errors": 0, "map_errors": 0}
    geo = ["/qala/geo/v-astana-6.geojson", "/qala/geo/v-almaty-8.geojson"]

    def uploader() -> None:
        session = requests.Session()
        for _ in range(10_000):
            if time.monotonic() >= deadline:
                break
            try:
                reply = session.post(base + "/_dash-update-component", data=upload_body, timeout=120,
                                     headers={"Content-Type": "application/json"})
                text = reply.text
                key = "joined" if '"upload-store"' in text else "busy" if "busy" in text else "upload_errors"
            except requests.RequestException:
                key = "upload_errors"
            with lock:
                counts["uploads"] += 1
                counts[key] += 1

    def mapper(k: int) -> None:
        session = requests.Session()
        for i in range(MAX_REQUESTS_PER_CLIENT):
            if time.monotonic() >= deadline:
                break
            start = time.perf_counter()
            try:
                ok = session.get(base + (geo[(i + k) % 2] if i % 2 else "/?city=Astana"), timeout=10,
                                 headers={"Accept-Encoding": "gzip"}).ok
            except requests.RequestException:
                ok = False
            with lock:
                map_ms.append((time.perf_counter() - start) * 1000)
                counts["map_errors"] += 0 if ok else 1

    pool = [threading.Thread(target=uploader) for _ in range(uploads)]
    pool += [threading.Thread(target=mapper, args=(k,)) for k in range(map_clients)]
    for thread in pool:
        thread.start()
    peak = 0
    while any(t.is_alive() for t in pool) and time.monotonic() < deadline + 150:
        peak = max(peak, sum(worker_rss(server).values()))
        time.sleep(0.5)
    for thread in pool:
        thread.join(timeout=150)
    time.sleep(2.0)
    after = worker_rss(server)
    same = [pid for pid in before if pid in after]
    growth = max((after[p] - before[p]) / before[p] for p in same) if same else float("nan")
    return {"upload_clients": uploads, "upload_mb": round(len(raw) / 2**20, 2), "map_clients": map_clients,
            "duration_s": duration, **counts, "map_requests": len(map_ms), "map_p50_ms": percentile(map_ms, 50),
            "map_p95_ms": percentile(map_ms, 95), "worker_rss_before_mb": sum(before.values()) / 2**20,
            "worker_rss_peak_mb": peak / 2**20, "worker_rss_after_mb": sum(after.values()) / 2**20,
            "worker_memory_growth": growth, "workers_restarted": len(before) - len(same)}


def upload_template(base: str) -> dict:
    """A callback request of the upload callback, built from the app's own callback list."""
    spec = next(c for c in requests.get(base + "/_dash-dependencies", timeout=10).json()
                if c["output"].startswith("..upload-result.children"))

    def item(dep: dict) -> dict:
        return {"id": dep["id"], "property": dep["property"], "value": None}

    outputs = [dict(zip(("id", "property"), part.strip(".").rsplit(".", 1), strict=True))
               for part in spec["output"].split("...") if part.strip(".")]
    return {"output": spec["output"], "outputs": outputs, "inputs": [item(d) for d in spec["inputs"]],
            "state": [item(d) for d in spec["state"]], "changedPropIds": ["upload.contents"]}


def print_table(result: dict, args: argparse.Namespace) -> None:
    """The measures beside their targets, one line each."""
    callbacks, load, uploads = result["callbacks"], result["load_test"], result["uploads_under_load"]
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
    print(f"{'load test p50/p95/p99 ms':<34}{load['p50_ms']:>5.0f}/{load['p95_ms']:>4.0f}/{load['p99_ms']:>4.0f}"
          f"{'p95 <= 200':>12}  {load['p95_ms'] <= 200}")
    if uploads:
        print(f"{'uploads: sent/joined/busy/errors':<34}{uploads['uploads']:>4}/{uploads['joined']}/"
              f"{uploads['busy']}/{uploads['upload_errors']}   {args.uploads} x {uploads['upload_mb']} MB")
        print(f"{'map p50/p95 ms during uploads':<34}{uploads['map_p50_ms']:>6.1f} /{uploads['map_p95_ms']:>6.1f}"
              f"{'p95 < 500':>12}  {result['meets_targets']['uploads_map_p95']}  "
              f"({uploads['map_requests']} requests, {uploads['map_errors']} errors)")
        print(f"{'worker RSS MB before/peak/after':<34}{uploads['worker_rss_before_mb']:>5.0f}/"
              f"{uploads['worker_rss_peak_mb']:.0f}/{uploads['worker_rss_after_mb']:.0f}"
              f"{'<= +20 %':>12}  {result['meets_targets']['uploads_memory']}  "
              f"(largest growth {100 * uploads['worker_memory_growth']:+.1f} %)")
    print(f"{'load test requests (rps)':<34}{load['requests']:>8} ({load['throughput_rps']:.0f})"
          f"   {args.clients} clients, {args.duration:.0f} s, think {args.think} s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loads", type=int, default=5, help="page loads for first-map time and weight")
    parser.add_argument("--repeats", type=int, default=30, help="replays of each recorded callback")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--think", type=float, default=0.0, help="seconds each client waits between interactions")
    parser.add_argument("--uploads", type=int, default=20, help="concurrent upload clients (0: skip)")
    parser.add_argument("--upload-mb", type=float, default=5.0)
    parser.add_argument("--upload-duration", type=float, default=60.0)
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
        uploads = upload_load(base, server, upload_template(base), args.uploads, 10, args.upload_duration,
                              args.upload_mb) if args.uploads else None
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
        "uploads_under_load": uploads,
        "targets": TARGETS,
    }
    result["meets_targets"] = {
        "callback_p95": worst_p95 <= TARGETS["callback_p95_ms"],
        "page_weight": result["page_kb"] <= TARGETS["page_kb"],
        "first_map": max(result["first_map_s"]["median"], result["first_districts_s"]["median"])
        <= TARGETS["first_map_s"],
        "load_test": load["errors"] == 0 and load["p95_ms"] <= TARGETS["load_p95_ms"],
    }
    if uploads:
        result["meets_targets"]["uploads_map_p95"] = uploads["map_p95_ms"] < TARGETS["upload_map_p95_ms"]
        result["meets_targets"]["uploads_memory"] = uploads["worker_memory_growth"] <= TARGETS[
            "upload_memory_growth"]
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / "dashboard.json"
    with tempfile.NamedTemporaryFile("w", dir=RESULTS, delete=False, suffix=".tmp") as tmp:
        json.dump(result, tmp, indent=2)
    os.replace(tmp.name, out)
    print_table(result, args)
    print(f"results: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
