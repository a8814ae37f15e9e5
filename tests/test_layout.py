"""The house rules, read from the code's own imports: lower layers never import upper ones, the dashboard reads
the build only through the store, and no module grows past about 400 lines."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# geo's layers from the bottom up; a module may import its own layer and the layers below it.
GEO_LAYERS = (
    ("geo.settings", "geo.errors"),
    ("geo.io",),
    ("geo.domain",),
    ("geo.indicators",),
    ("geo.engines",),
    ("geo.contract",),
    ("geo.build", "geo.store"),
    ("geo.release",),
    ("geo.join",),
    ("geo.export", "geo.publish"),
    ("geo.cli", "geo.api"),
)
# Siblings on one floor that must not know each other: the build writes, the store reads.
APART = {("geo.build", "geo.store"), ("geo.store", "geo.build")}
DASHBOARD_MAY_IMPORT = ("geo.store", "geo.settings", "geo.errors", "geo.join", "geo.api")
MAX_LINES = 400
LONG_BY_NATURE = {"dashboard/i18n.py"}  # translation tables


def _modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def _name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _sources(package: str) -> list[tuple[str, str]]:
    return [(_name(p), p.read_text()) for p in _modules(package)]


def _imports(source: str) -> set[str]:
    """Every module imported anywhere in the code (also inside functions): `from geo import x` gives geo.x."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def _layer(module: str) -> int | None:
    for level, prefixes in enumerate(GEO_LAYERS):
        if any(module == p or module.startswith(p + ".") for p in prefixes):
            return level
    return None


def _prefix(module: str) -> str | None:
    return next((p for prefixes in GEO_LAYERS for p in prefixes if module == p or module.startswith(p + ".")), None)


def geo_violations(modules: list[tuple[str, str]]) -> list[str]:
    bad = []
    for me, source in modules:
        mine, my_prefix = _layer(me), _prefix(me)
        if mine is None:
            if me != "geo":
                bad.append(f"{me}: not in any layer of tests/test_layout.py")
            continue
        for target in sorted(_imports(source)):
            theirs = _layer(target)
            if theirs is None:
                continue
            if theirs > mine:
                bad.append(f"{me} (layer {mine}) imports {target} (layer {theirs})")
            if (my_prefix, _prefix(target)) in APART:
                bad.append(f"{me} imports {target}: the build and the store stay apart")
    return bad


def dashboard_violations(modules: list[tuple[str, str]]) -> list[str]:
    bad = []
    for me, source in modules:
        for target in sorted(_imports(source)):
            if target.startswith("geo.") and not any(
                    target == allowed or target.startswith(allowed + ".") for allowed in DASHBOARD_MAY_IMPORT):
                bad.append(f"{me} imports {target}; the dashboard may import only "
                           f"{', '.join(DASHBOARD_MAY_IMPORT)}")
    return bad


def test_geo_layers_import_only_downwards():
    assert geo_violations(_sources("geo")) == []


def test_dashboard_reads_only_the_store_settings_errors_and_join():
    assert dashboard_violations(_sources("dashboard")) == []


@pytest.mark.parametrize("package", ["geo", "dashboard"])
def test_no_module_over_about_400_lines(package):
    long = {str(p.relative_to(ROOT)): n for p in _modules(package)
            if (n := len(p.read_text().splitlines())) > MAX_LINES and str(p.relative_to(ROOT)) not in LONG_BY_NATURE}
    assert long == {}


def test_the_rules_catch_an_upward_import():
    """The checker itself, on made-up modules: upward, build-to-store, and dashboard-to-domain imports."""
    assert geo_violations([("geo.domain.probe", "from geo.store import load_layer\n")]) == [
        "geo.domain.probe (layer 2) imports geo.store (layer 6)",
        "geo.domain.probe (layer 2) imports geo.store.load_layer (layer 6)"]
    assert geo_violations([("geo.indicators.probe", "def f():\n    import geo.join.pipeline\n")]) == [
        "geo.indicators.probe (layer 3) imports geo.join.pipeline (layer 8)"]
    assert geo_violations([("geo.build.probe", "import geo.store\n")]) == [
        "geo.build.probe imports geo.store: the build and the store stay apart"]
    assert geo_violations([("geo.join.probe", "from geo import store\nimport pandas\n")]) == []
    assert geo_violations([("geo.newroom", "")]) == ["geo.newroom: not in any layer of tests/test_layout.py"]
    assert dashboard_violations([("dashboard.probe", "def f():\n    from geo.domain import names\n")]) == [
        "dashboard.probe imports geo.domain; the dashboard may import only geo.store, geo.settings, geo.errors, geo.join, "
        "geo.api",
        "dashboard.probe imports geo.domain.names; the dashboard may import only geo.store, geo.settings, "
        "geo.errors, geo.join, geo.api"]
    assert dashboard_violations([("dashboard.probe", "from geo.store import load_layer\n")]) == []
    assert dashboard_violations([("dashboard.probe", "from geo import store, settings\n")]) == []
    assert dashboard_violations([("dashboard.probe", "from geo import contract\n")]) == [
        "dashboard.probe imports geo.contract; the dashboard may import only geo.store, geo.settings, geo.errors, "
        "geo.join, geo.api"]


# The release gate (geo.release) is the only way out for survey figures: the raw estimates and the cell
# rules are imported by the gate and by the one join step that computes them, nowhere else, and every path
# that writes or shows a survey figure (the join pipeline, publishing) goes through the gate.
SURVEY_RAW = ("geo.indicators.survey", "geo.release.rules", "geo.release.cells", "geo.release.audit",
              "geo.release.apply")
SURVEY_RAW_USERS = ("geo.release", "geo.join.measures")
SPECS = {"geo.indicators.survey.ScoreItem", "geo.release.rules.Policy"}  # what to release, not what is released
THROUGH_THE_GATE = {"geo.join.pipeline": "geo.release.gate", "geo.publish": "geo.release.versions"}


def _imports_beyond_specs(source: str) -> set[str]:
    """``_imports`` without the spec names in SPECS (and without their module when only specs come from it)."""
    found = _imports(source) - SPECS
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0 and all(
                f"{node.module}.{a.name}" in SPECS for a in node.names):
            found.discard(node.module)
    return found


def release_violations(modules: list[tuple[str, str]]) -> list[str]:
    bad = []
    for me, source in modules:
        imported = _imports_beyond_specs(source)
        if not any(me == u or me.startswith(u + ".") for u in SURVEY_RAW_USERS):
            for target in sorted(imported):
                if any(target == raw or target.startswith(raw + ".") for raw in SURVEY_RAW):
                    bad.append(f"{me} imports {target}: survey figures leave only through geo.release.gate")
        need = THROUGH_THE_GATE.get(me)
        if need and not any(t == need or t.startswith(need + ".") for t in imported):
            bad.append(f"{me} does not use {need}")
    return bad


def test_survey_figures_pass_the_release_gate():
    assert release_violations(_sources("geo") + _sources("dashboard")) == []


def test_the_release_rule_catches_a_way_around_the_gate():
    assert release_violations([("geo.export", "from geo.indicators.survey import score_estimates\n")]) == [
        "geo.export imports geo.indicators.survey: survey figures leave only through geo.release.gate",
        "geo.export imports geo.indicators.survey.score_estimates: survey figures leave only through "
        "geo.release.gate"]
    assert release_violations([("dashboard.probe", "def f():\n    import geo.release.rules\n")]) == [
        "dashboard.probe imports geo.release.rules: survey figures leave only through geo.release.gate"]
    assert release_violations([("geo.join.pipeline", "from geo.join.measures import with_scores\n")]) == [
        "geo.join.pipeline does not use geo.release.gate"]
    assert release_violations([("geo.join.measures", "from geo.indicators.survey import score_estimates\n"),
                               ("geo.release.gate", "from geo.release.audit import Audit\n")]) == []
    # naming what to release (an item, the levels) is not a way around it; a figure next to it is
    assert release_violations([("geo.join.cli", "from geo.indicators.survey import ScoreItem\n")]) == []
    assert release_violations([("geo.join.cli", "from geo.indicators.survey import ScoreItem, shrink\n")]) == [
        "geo.join.cli imports geo.indicators.survey: survey figures leave only through geo.release.gate",
        "geo.join.cli imports geo.indicators.survey.shrink: survey figures leave only through geo.release.gate"]
