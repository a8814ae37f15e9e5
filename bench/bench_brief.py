"""`python -m bench.bench_brief`: time to make a brief PDF (issue 9: at most 5 s), as a user waits for it.

The view model is loaded once (a running server holds it); each run then reads the link, composes the HTML and
lets headless Chromium print it: Almaty in Kazakh, Astana in Russian with a district chosen, the overview in
English, 3 rounds. Also the HTML composition alone and one PNG. Writes bench/results/brief.json.
"""

from __future__ import annotations

import json
import statistics
import sys
import time

from geo.settings import PROJECT_ROOT

RESULTS = PROJECT_ROOT / "bench" / "results"
TARGET_S = 5.0
VIEWS = ("?city=Almaty&lang=kk", "?city=Astana&lang=ru&district=711210000", "?city=Kazakhstan&lang=en")
ROUNDS = 3


def main() -> int:
    from dashboard.brief import brief_html, make_brief
    from dashboard.layout import first_view
    from dashboard.viewmodel import ViewModel

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
    worst = max(pdf_s)
    result = {"pdf_s": {"median": statistics.median(pdf_s), "max": worst, "runs": pdf_s},
              "html_ms_median": statistics.median(html_s) * 1000, "png_s": png_s,
              "pdf_kb_median": statistics.median(sizes), "png_kb": len(png) / 1024,
              "targets": {"pdf_s": TARGET_S}, "meets_targets": {"pdf": worst <= TARGET_S}}
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "brief.json").write_text(json.dumps(result, indent=2))
    print(f"brief PDF: median {result['pdf_s']['median']:.2f} s, max {worst:.2f} s (target <= {TARGET_S} s); "
          f"HTML {result['html_ms_median']:.0f} ms; PNG {png_s:.2f} s; PDF {result['pdf_kb_median']:.0f} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
