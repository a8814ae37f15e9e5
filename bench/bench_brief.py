"""`python -m bench.bench_brief`: time to make a brief PDF (at most 2 s median), as a user waits for it, and
what briefs being made cost the map (its p95 at most 1.5 x the map alone).

(a) The view model is loaded once (a running server holds it); each run then reads the link, composes the HTML
and lets headless Chromium print it: Almaty in Kazakh, Astana in Russian with a district chosen, two dates side
by side in English, the overview in English, 3 rounds. Also the HTML composition alone and one PNG.
(b) The dashboard as `make run` serves it (gunicorn, 2 workers): the map layer's p95 with 4 map clients alone,
then while 2 clients ask for briefs without pause (the server makes one at a time, niced; the others wait or
get 503). Writes bench/results/brief.json.
"""

from __future__ import annotations

import json
import statistics
import sys
import time

from geo.settings import PROJECT_ROOT

RESULTS = PROJECT_ROOT / "bench" / "results"
TARGET_S = 2.0  # median
TARGET_MAP_RATIO = 1.5
VIEWS = ("?city=Almaty&lang=kk", "?city=Astana&lang=ru&district=711210000", "?city=Astana&lang=en&cmpdate=2019",
         "?city=Kazakhstan&lang=en")
ROUNDS = 3
MAP_CLIENTS, THINK_S, PHASE_S, BRIEF_CLIENTS = 4, 0.05, 20.0, 2


def served() -> dict:
    """Map p95 alone and while briefs are made, on a gunicorn server of this checkout."""
    import socket
    import threading

    import requests

    from bench.bench_dashboard import percentile, start_server
    from bench.bench_upload import map_load, map_url

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    server = start_server(port)
    answers: dict[int, int] = {}
    try:
        url = map_url(base)
        requests.get(base + "/brief.pdf" + VIEWS[0], timeout=120)  # warm: Chromium's first start
        alone, alone_errors = map_load(base, url, MAP_CLIENTS, THINK_S, threading.Event(),
                                       time.monotonic() + PHASE_S)
        stop = threading.Event()

        def briefs() -> None:
            session = requests.Session()
            while not stop.is_set():
                code = session.get(base + "/brief.pdf" + VIEWS[0], timeout=120).status_code
                answers[code] = answers.get(code, 0) + 1

        pool = [threading.Thread(target=briefs) for _ in range(BRIEF_CLIENTS)]
        for thread in pool:
            thread.start()
        time.sleep(1.0)
        busy, busy_errors = map_load(base, url, MAP_CLIENTS, THINK_S, stop, time.monotonic() + PHASE_S)
        stop.set()
        for thread in pool:
            thread.join()
    finally:
        server.terminate()
        server.wait(timeout=30)
    p95_alone, p95_busy = percentile(alone, 95), percentile(busy, 95)
    return {"map_p95_ms_alone": p95_alone, "map_p95_ms_with_briefs": p95_busy,
            "map_p95_ratio": p95_busy / p95_alone if p95_alone else float("nan"),
            "map_requests": [len(alone), len(busy)], "map_errors": alone_errors + busy_errors,
            "briefs_made": answers.get(200, 0), "briefs_busy_503": answers.get(503, 0)}


def main() -> int:
    from dashboard.brief.document import brief_html, make_brief
    from dashboard.state.viewmodel import ViewModel
    from dashboard.views import first_view

    vm = ViewModel.load()
    pdf_s, html_s, sizes = [], [], []
    for _ in range(ROUNDS):
        for query in VIEWS:
            start = time.perf_counter()
            state, _notices, view = first_view(vm, query, None)
            page = brief_html(vm, state, view, "http://127.0.0.1:8050/")
            html_s.append(time.perf_counter() - start)
            data = make_brief(vm, state, view, "pdf", "http://127.0.0.1:8050/")
            pdf_s.append(time.perf_counter() - start)
            sizes.append(len(data) / 1024)
            assert data.startswith(b"%PDF-") and page
    state, _notices, view = first_view(vm, VIEWS[0], None)
    start = time.perf_counter()
    png = make_brief(vm, state, view, "png", "http://127.0.0.1:8050/")
    png_s = time.perf_counter() - start
    worst, median = max(pdf_s), statistics.median(pdf_s)
    server = served()
    result = {"pdf_s": {"median": median, "max": worst, "runs": pdf_s},
              "html_ms_median": statistics.median(html_s) * 1000, "png_s": png_s,
              "pdf_kb_median": statistics.median(sizes), "png_kb": len(png) / 1024, "served": server,
              "targets": {"pdf_median_s": TARGET_S, "map_p95_ratio": TARGET_MAP_RATIO},
              "meets_targets": {"pdf": median <= TARGET_S, "map": server["map_p95_ratio"] <= TARGET_MAP_RATIO
                                and server["map_errors"] == 0}}
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "brief.json").write_text(json.dumps(result, indent=2))
    print(f"brief PDF: median {median:.2f} s (target <= {TARGET_S} s), max {worst:.2f} s; "
          f"HTML {result['html_ms_median']:.0f} ms; PNG {png_s:.2f} s; PDF {result['pdf_kb_median']:.0f} KB")
    print(f"map p95: {server['map_p95_ms_alone']:.1f} ms alone, {server['map_p95_ms_with_briefs']:.1f} ms while "
          f"briefs are made (ratio {server['map_p95_ratio']:.2f}, target <= {TARGET_MAP_RATIO}); "
          f"{server['briefs_made']} briefs made, {server['briefs_busy_503']} answered busy, "
          f"{server['map_errors']} map errors")
    return 0


if __name__ == "__main__":
    sys.exit(main())
