"""Benchmark: uploads beside map requests, and the join of one large survey.

    python -m bench.bench_upload [--map-clients 4] [--think 0.05] [--uploads 10] [--retry 1] [--survey-mb 20]

(a) Starts the dashboard like `make run` (gunicorn, 2 workers x 4 threads, bench.bench_dashboard.start_server)
    on a free loopback port and requests a map layer the page draws (``geo_url``: /qala/geo/<layer>.geojson?v=..)
    from ``--map-clients`` threads (``--think`` s apart: back to back, 4 clients alone fill 2 cores and p95 then
    measures the queue): p50/p95 alone, then again while ``--uploads`` browsers each drop a SYNTHETIC survey
    through the upload callbacks (POST /_dash-update-component, a ``data:text/csv;base64`` URL; the drop, then
    the column form's "Join"), one of them a file of 1,500 item columns, each trying again ``--retry`` s after
    "busy" as a person would. Reports the p95 ratio (target
    <= 2.0), errors (target 0: failed map requests, and uploads answered by an HTTP error, "failed" or a
    timeout), each upload's outcome, and join children left behind (target 0).
(b) Times ``geo.join.pipeline.join_user_data`` in process on a ~20 MB SYNTHETIC survey CSV (city, district,
    weight, 10 items; ``geo.engines.synthetic_survey``), best of ``--repeat`` (target <= 10 s).
Every loop is bounded by a deadline. Writes bench/results/upload.json.
"""

from __future__ import annotations

import argparse
import base64
import json
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd
import requests

from bench.bench_dashboard import percentile, start_server
from geo.settings import PROJECT_ROOT

RESULTS = PROJECT_ROOT / "bench" / "results" / "upload.json"
TARGETS = {"map_p95_ratio": 2.0, "errors": 0, "join_20mb_s": 10.0, "children_left": 0}
MAP_LAYER = "v-astana-6"  # the districts of the page's first view (Astana)
UPLOAD_DEADLINE = 300.0  # seconds an upload client keeps trying before it counts as an error


# ------------------------------------------------------------------------------------------- SYNTHETIC files


def survey(rows: int, items: int = 10, seed: int = 7) -> pd.DataFrame:
    """SYNTHETIC respondents (geo.engines.synthetic_survey): city, district, weight, ``items`` items 1-5 (past
    the generator's four, its items again with their own noise) and the SYNTHETIC source column."""
    from geo import store
    from geo.engines.synthetic_survey import GROUP_COLUMN, ITEMS, synthetic_survey

    frame = synthetic_survey(store.load_districts(), rows, seed=seed).drop(columns=[GROUP_COLUMN])
    rng = np.random.default_rng(seed)
    for k in range(len(ITEMS), items):
        base = frame[ITEMS[k % len(ITEMS)]].to_numpy(dtype=object)
        scored = np.array([isinstance(v, (int, np.integer)) for v in base])
        answers = base.copy()
        answers[scored] = np.clip(base[scored].astype(int) + rng.integers(-1, 2, int(scored.sum())), 1, 5)
        frame.insert(frame.columns.get_loc("source"), f"Q{k + 1}", answers)
    return frame


def survey_csv(megabytes: float, items: int = 10, seed: int = 7) -> bytes:
    """A SYNTHETIC survey CSV (as Excel writes it in Kazakhstan) of about ``megabytes`` MB."""
    from geo.engines.synthetic_survey import survey_csv_bytes

    per_row = len(survey_csv_bytes(survey(2000, items, seed))) / 2000
    return survey_csv_bytes(survey(max(100, int(megabytes * 2**20 / per_row)), items, seed))


def wide_csv(items: int = 1500, rows: int = 300, seed: int = 3) -> bytes:
    """A SYNTHETIC survey of ``items`` item columns (q1..), more than a join takes: refused with a reason."""
    frame = survey(max(rows, 100), 1, seed)[["Город", "Район", "Вес", "source"]]
    answers = np.random.default_rng(seed).integers(1, 6, (len(frame), items))
    wide = pd.concat([frame, pd.DataFrame(answers, columns=[f"q{i + 1}" for i in range(items)])], axis=1)
    return wide.to_csv(sep=";", index=False, decimal=",").encode()


# ------------------------------------------------------------------------------------------- the server side


def map_url(base: str, layer: str = MAP_LAYER) -> str:
    """The URL the page draws ``layer`` from (``dashboard.views.base.geo_url``: the layer's etag as ?v=)."""
    reply = requests.get(f"{base}/qala/geo/{layer}.geojson", timeout=30)
    reply.raise_for_status()
    return f"/qala/geo/{layer}.geojson?v={reply.headers['ETag'].removeprefix('W/').strip(chr(34))}"


def post_upload(session: requests.Session, base: str, contents: str, filename: str) -> str:
    """One upload (``contents``: its data URL, see :func:`data_url`) through the page's callbacks, as the browser
    sends them: the drop (Input upload.contents),
    then, when the page answers with its column form, "Join" (Input upload-join.n_clicks) with the form's
    proposed values; each step's outputs become the next step's states, like the browser's store. Outcome:
    "joined", "busy", "refused" (the join's reason), "failed", "timeout" or "error" (HTTP). The one place that
    knows the page's upload flow; the callbacks' shapes come from the app's own /_dash-dependencies."""
    from dashboard.i18n import has, t

    deps = session.get(base + "/_dash-dependencies", timeout=30).json()
    values: dict[str, object] = {"upload.contents": contents, "upload.filename": filename, "upload-city.value": "auto",
                                 "upload-join.n_clicks": 1}
    terminal = {t(key, "en"): outcome for key, outcome in (("upload_busy", "busy"), ("upload_failed", "failed"),
                                                            ("upload_timeout", "timeout")) if has(key)}
    for trigger in ("upload.contents", "upload-join.n_clicks"):
        spec = next((c for c in deps if "upload-result.children" in c["output"] and
                     any(f"{d['id']}.{d['property']}" == trigger for d in c["inputs"])), None)
        if spec is None:
            break

        def items(specs: list[dict]) -> list[dict]:
            return [{"id": d["id"], "property": d["property"], "value": values.get(f"{d['id']}.{d['property']}")}
                    for d in specs]

        outputs = [dict(zip(("id", "property"), part.strip(".").split("@")[0].rsplit(".", 1), strict=True))
                   for part in spec["output"].split("...") if part.strip(".")]
        body = {"output": spec["output"], "outputs": outputs, "inputs": items(spec["inputs"]),
                "state": items(spec["state"]), "changedPropIds": [trigger]}
        try:
            reply = session.post(base + "/_dash-update-component", data=json.dumps(body),
                                 timeout=UPLOAD_DEADLINE, headers={"Content-Type": "application/json"})
        except requests.RequestException:
            return "error"
        if reply.status_code != 200:
            return "error"
        response = reply.json().get("response", {})
        for component, props in response.items():
            values.update({f"{component}.{prop}": value for prop, value in props.items()})
        if (response.get("upload-store") or {}).get("data"):
            return "joined"
        message = str(response.get("upload-result", {}).get("children"))
        if message in terminal:
            return terminal[message]
        if response.get("upload-form", {}).get("hidden") is not False:  # no form to fill: the page's answer
            return "refused"
    return "refused"


def data_url(raw: bytes) -> str:
    """A file as ``dcc.Upload`` hands it to the page (encoded once: the clients share the 2 cores)."""
    return "data:text/csv;base64," + base64.b64encode(raw).decode()


def join_children(server) -> int:
    """Spawned join children of the server's workers still alive (multiprocessing's resource tracker aside)."""
    import psutil

    left = 0
    for proc in psutil.Process(server.pid).children(recursive=True):
        try:
            line = " ".join(proc.cmdline())
        except psutil.Error:
            continue
        left += "spawn_main" in line and "resource_tracker" not in line
    return left


def map_load(base: str, url: str, clients: int, think: float, stop: threading.Event,
             until: float) -> tuple[list[float], int]:
    """``clients`` threads requesting ``url``, ``think`` s apart, until ``stop`` or ``until``: latencies (ms) and
    errors. With no think time 4 clients keep 2 cores busy alone, and p95 measures the queue, not a request."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()

    def client() -> None:
        session = requests.Session()
        for _ in range(100_000):
            if stop.is_set() or time.monotonic() >= until:
                return
            start = time.perf_counter()
            try:
                ok = session.get(base + url, timeout=30, headers={"Accept-Encoding": "gzip"}).status_code == 200
            except requests.RequestException:
                ok = False
            with lock:
                latencies.append((time.perf_counter() - start) * 1000)
                errors[0] += 0 if ok else 1
            stop.wait(think)

    pool = [threading.Thread(target=client) for _ in range(clients)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return latencies, errors[0]


def uploads_beside_maps(base: str, url: str, clients: int, think: float, files: list[tuple[str, bytes]],
                        retry: float) -> dict:
    """Every file uploaded by its own client (again ``retry`` s after "busy", as a person would) while the map
    clients run."""
    stop = threading.Event()
    maps: dict = {}
    mapper = threading.Thread(target=lambda: maps.update(zip(("ms", "errors"), map_load(
        base, url, clients, think, stop, time.monotonic() + UPLOAD_DEADLINE + 60), strict=True)))
    mapper.start()
    time.sleep(1.0)
    done: list[dict] = []

    def uploader(name: str, raw: bytes) -> None:
        session, start, tries, outcome, contents = requests.Session(), time.monotonic(), 0, "error", data_url(raw)
        while time.monotonic() - start < UPLOAD_DEADLINE:
            tries += 1
            outcome = post_upload(session, base, contents, name)
            if outcome != "busy":
                break
            time.sleep(retry)
        done.append({"file": name, "mb": round(len(raw) / 2**20, 2), "outcome": outcome, "tries": tries,
                     "seconds": round(time.monotonic() - start, 2)})

    pool = [threading.Thread(target=uploader, args=file) for file in files]
    start = time.monotonic()
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    elapsed = time.monotonic() - start
    stop.set()
    mapper.join()
    return {"uploads": sorted(done, key=lambda d: d["file"]), "seconds": round(elapsed, 2), **maps}


def server_phase(args) -> dict:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    files = [(f"survey_{i}.csv", survey_csv(args.upload_mb, seed=100 + i)) for i in range(args.uploads - 1)]
    files.append(("wide_1500_items.csv", wide_csv()))
    server = start_server(port)
    try:
        url = map_url(base)
        warm = post_upload(requests.Session(), base, data_url(files[0][1]), "warm-up.csv")  # disk cache, imports
        alone, alone_errors = map_load(base, url, args.map_clients, args.think, threading.Event(),
                                       time.monotonic() + args.alone_seconds)
        busy = uploads_beside_maps(base, url, args.map_clients, args.think, files, args.retry)
        time.sleep(1.0)
        left = join_children(server)
    finally:
        server.terminate()
        server.wait(timeout=30)
    uploads = busy["uploads"]
    upload_errors = sum(u["outcome"] in ("error", "failed", "timeout") or (u["outcome"] != "joined" and
                                                                           u["file"].startswith("survey"))
                        for u in uploads)
    p95_alone, p95_busy = percentile(alone, 95), percentile(busy["ms"], 95)
    return {"map_url": url.split("?")[0], "map_clients": args.map_clients, "think_s": args.think,
            "retry_s": args.retry, "warm_up_upload": warm,
            "alone": {"requests": len(alone), "errors": alone_errors, "p50_ms": percentile(alone, 50),
                      "p95_ms": p95_alone},
            "with_uploads": {"requests": len(busy["ms"]), "errors": busy["errors"],
                             "p50_ms": percentile(busy["ms"], 50), "p95_ms": p95_busy,
                             "seconds": busy["seconds"]},
            "map_p95_ratio": p95_busy / p95_alone if p95_alone else float("nan"),
            "upload_errors": upload_errors, "errors": upload_errors + alone_errors + busy["errors"],
            "joined": sum(u["outcome"] == "joined" for u in uploads),
            "busy_retries": sum(u["tries"] - 1 for u in uploads), "children_left": left,
            "upload_log": uploads}


def join_phase(megabytes: float, repeat: int) -> dict:
    """``join_user_data`` on a SYNTHETIC survey CSV of ``megabytes`` MB with 10 items, best of ``repeat``."""
    from geo.join.pipeline import join_user_data

    raw = survey_csv(megabytes)
    runs = []
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "survey.csv"
        path.write_bytes(raw)
        for _ in range(repeat):
            start = time.perf_counter()
            result = join_user_data(path, scores=[f"Q{k + 1}:1-5" for k in range(10)], min_n=10, h3_res=())
            runs.append(time.perf_counter() - start)
    return {"mb": round(len(raw) / 2**20, 2), "rows": int(raw.count(b"\n") - 1), "items": 10,
            "joined_rows": len(result.assigned), "seconds": min(runs), "runs": runs}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--map-clients", type=int, default=4)
    parser.add_argument("--think", type=float, default=0.05, help="seconds between one map client's requests")
    parser.add_argument("--alone-seconds", type=float, default=15.0)
    parser.add_argument("--retry", type=float, default=1.0, help="seconds before an upload answered busy is sent again")
    parser.add_argument("--uploads", type=int, default=10, help="concurrent upload clients (one of them wide)")
    parser.add_argument("--upload-mb", type=float, default=2.0, help="size of each survey upload")
    parser.add_argument("--survey-mb", type=float, default=20.0)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    served = server_phase(args)
    joined = join_phase(args.survey_mb, args.repeat)
    result = {"server": served, "join_20mb": joined, "targets": TARGETS, "meets_targets": {
        "map_p95_ratio": served["map_p95_ratio"] <= TARGETS["map_p95_ratio"],
        "errors": served["errors"] == TARGETS["errors"],
        "children_left": served["children_left"] == TARGETS["children_left"],
        "join_20mb": joined["seconds"] <= TARGETS["join_20mb_s"]}}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    alone, busy = served["alone"], served["with_uploads"]
    print(f"{'measure':<44}{'value':>16}{'target':>10}  ok")
    print(f"{'map p50/p95 ms alone':<44}{alone['p50_ms']:>7.1f} /{alone['p95_ms']:>6.1f}")
    print(f"{'map p50/p95 ms with uploads':<44}{busy['p50_ms']:>7.1f} /{busy['p95_ms']:>6.1f}")
    print(f"{'map p95 ratio':<44}{served['map_p95_ratio']:>16.2f}{'<= 2.0':>10}  "
          f"{result['meets_targets']['map_p95_ratio']}")
    print(f"{'errors (maps + uploads)':<44}{served['errors']:>16}{'0':>10}  {result['meets_targets']['errors']}")
    print(f"{'join children left':<44}{served['children_left']:>16}{'0':>10}  "
          f"{result['meets_targets']['children_left']}")
    for upload in served["upload_log"]:
        print(f"  {upload['file']:<26}{upload['mb']:>6} MB  {upload['outcome']:<8} tries {upload['tries']:>3}"
              f"  {upload['seconds']:>6.1f} s")
    print(f"{'join of ' + str(joined['mb']) + ' MB survey s (best)':<44}{joined['seconds']:>16.2f}{'<= 10':>10}  "
          f"{result['meets_targets']['join_20mb']}")
    print(f"results: {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
