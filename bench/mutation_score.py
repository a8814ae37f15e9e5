"""`make mutate`'s score: mutants killed over mutants tried, per module and in all, from mutmut's results
(mutants/**/*.py.meta). A mutant with no covering test counts as survived: a missing test is a missing test."""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

KILLED = {1, 3, 37}  # a failing test, pytest's internal error on the mutant, or the type check
NOT_RUN = {None, 34}  # not checked yet, or skipped
TARGET = 0.90


def score(folder: Path = Path("mutants")) -> dict[str, Counter]:
    """Per module: killed, survived (incl. no tests, timeouts and suspicious ones) and not run."""
    result: dict[str, Counter] = {}
    for meta in sorted(folder.rglob("*.py.meta")):
        codes = json.loads(meta.read_text()).get("exit_code_by_key", {}).values()
        tally: Counter = Counter()
        for code in codes:
            tally["not run" if code in NOT_RUN else "killed" if code in KILLED else "survived"] += 1
        result[str(meta.relative_to(folder)).removesuffix(".meta")] = tally
    return result


def main() -> int:
    per_module = score()
    if not per_module:
        print("mutate: no results in mutants/ (did `mutmut run` start?)")
        return 1
    total: Counter = Counter()
    for module, tally in per_module.items():
        tried = tally["killed"] + tally["survived"]
        total.update(tally)
        share = f"{tally['killed'] / tried:6.1%}" if tried else "   n/a"
        print(f"{module:<44} killed {tally['killed']:4d} / {tried:4d}  {share}"
              + (f"  ({tally['not run']} not run)" if tally["not run"] else ""))
    tried = total["killed"] + total["survived"]
    overall = total["killed"] / tried if tried else 0.0
    print(f"{'all':<44} killed {total['killed']:4d} / {tried:4d}  {overall:6.1%}  (target {TARGET:.0%}); "
          "survivors: `.venv/bin/mutmut results`")
    return 0


if __name__ == "__main__":
    sys.exit(main())
