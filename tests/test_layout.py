"""The house rules, read from the code's own syntax tree: lower layers never import upper ones, the dashboard reads
the build only through the store, nothing imports a module by name at run time, and no module grows past about
400 lines.

What counts as "importing" is everything the syntax tree shows a module reaching, wherever it stands (also inside
functions and ``if TYPE_CHECKING:``): ``import a.b``, ``from a import b`` and relative imports resolved against
the module's package, attribute chains on an imported module (``import geo`` then ``geo.store.load_layer``, or
``getattr(geo, "store")``), and, for a name taken from a module that merely imported it, the module that defines
it (so ``geo.join`` cannot hand the dashboard what it took from below).
"""

from __future__ import annotations

import ast
import functools
from dataclasses import dataclass, field
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
# (importer, imported) that must not meet whatever their floors: the build writes, the store reads; whatever sits
# above both reads the build through the store, never through the code that writes it.
APART = {
    ("geo.build", "geo.store"): "the build and the store stay apart",
    ("geo.store", "geo.build"): "the build and the store stay apart",
    ("geo.join", "geo.build"): "joins read the build only through geo.store",
    ("geo.export", "geo.build"): "exports read the build only through geo.store",
    ("geo.publish", "geo.build"): "publishing reads the build only through geo.store",
}
DASHBOARD_MAY_IMPORT = ("geo.store", "geo.settings", "geo.errors", "geo.join", "geo.api")
CONSOLE = {"dashboard.cli": "geo.cli"}  # the one `qala` command hands every library command to geo.cli
# The dashboard's rooms from the bottom up: a module imports its own room and the floors below, never a room
# beside it or above. A room of several modules shows others only its public face (DASHBOARD_PUBLIC).
DASHBOARD_FLOORS = (
    ("dashboard.i18n", "dashboard.classify", "dashboard.charts"),
    ("dashboard.state",),
    ("dashboard.controls",),
    ("dashboard.views",),
    ("dashboard.upload", "dashboard.brief"),
    ("dashboard.page",),
    ("dashboard.app", "dashboard.cli", "dashboard.gunicorn_conf"),
)
DASHBOARD_PUBLIC = {
    "dashboard.state": ("query", "records", "readable", "viewmodel", "timeindex", "published", "surveytables"),
    "dashboard.controls": ("sync", "timeline"),
    "dashboard.views": ("", "panels"),  # "": the package itself (dashboard/views/__init__.py)
    "dashboard.upload": ("callbacks", "form", "keep"),
    "dashboard.brief": ("routes", "document"),
    "dashboard.page": ("layout", "callbacks", "disclosure"),
}
# The build is read by the store alone: its folder is named by settings and used by the store and the build.
BUILD_READERS = ("geo.store", "geo.build", "geo.settings")
BUILD_DIR = "geo.settings.build_dir"
# Importing a module by a name computed at run time hides it from every rule here. importlib.metadata and
# importlib.resources read package versions and files and import nothing.
DYNAMIC = ("importlib", "runpy", "pkgutil", "sys.modules", "builtins.__import__", "builtins.exec", "builtins.eval",
           "builtins.__builtins__")
HARMLESS = ("importlib.metadata", "importlib.resources")
DYNAMIC_ALLOWED = {
    "geo.io.writers": "importlib.util.find_spec finds django-js-lib-leaflet's Leaflet files without importing Django",
}
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


def _under(name: str, prefixes: tuple[str, ...] | str) -> bool:
    prefixes = (prefixes,) if isinstance(prefixes, str) else prefixes
    return any(name == p or name.startswith(p + ".") for p in prefixes)


# ------------------------------------------------------------------------------------------------ the scan


@dataclass
class Scan:
    """What one module reaches (``refs``: dotted names), what it defines and re-binds at its top level (for
    following a name to its definition), and its relative imports that leave the tree (``broken``)."""
    refs: set[str] = field(default_factory=set)
    defined: set[str] = field(default_factory=set)
    imported: dict[str, str] = field(default_factory=dict)
    literals: list[str] = field(default_factory=list)
    build_paths: int = 0
    broken: list[str] = field(default_factory=list)


def _package(me: str) -> str:
    """The package a module's relative imports start from: itself for a package (``__init__.py``)."""
    if (ROOT.joinpath(*me.split(".")) / "__init__.py").is_file():
        return me
    return me.rpartition(".")[0]


def _from_module(me: str, node: ast.ImportFrom, scan: Scan) -> str | None:
    if node.level == 0:
        return node.module
    base = _package(me).split(".")
    if node.level - 1 >= len(base):
        scan.broken.append(f"{me}: relative import with {node.level} dots leaves the tree")
        return None
    base = base[:len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _bindings(me: str, tree: ast.AST, scan: Scan, top: set[ast.AST]) -> dict[str, str]:
    """Local name -> dotted name of every import in the module; the imports themselves go into ``refs`` and, at
    the top level, into ``imported`` (what another module may take from this one)."""
    names: dict[str, str] = {}
    for node in ast.walk(tree):
        bound: dict[str, str] = {}
        if isinstance(node, ast.Import):
            for alias in node.names:
                scan.refs.add(alias.name)
                first = alias.name.partition(".")[0]
                bound[alias.asname or first] = alias.name if alias.asname else first
        elif isinstance(node, ast.ImportFrom):
            module = _from_module(me, node, scan)
            if module is None:
                continue
            for alias in node.names:
                target = module if alias.name == "*" else f"{module}.{alias.name}"
                scan.refs.add(target)
                if alias.name == "*" and _under(module, ("geo", "dashboard")):
                    scan.broken.append(f"{me}: from {module} import * hides what it takes")
                if alias.name != "*":
                    bound[alias.asname or alias.name] = target
        names.update(bound)
        if node in top:
            scan.imported.update(bound)
    return names


def _dotted(node: ast.AST, names: dict[str, str]) -> str | None:
    """``geo.store.load_layer`` for an attribute chain on an imported name, ``getattr(geo, "store")`` included."""
    if isinstance(node, ast.Name):
        return names.get(node.id)
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value, names)
        return f"{base}.{node.attr}" if base else None
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "getattr"
            and len(node.args) >= 2 and isinstance(node.args[1], ast.Constant) and isinstance(node.args[1].value, str)):
        base = _dotted(node.args[0], names)
        return f"{base}.{node.args[1].value}" if base else None
    return None


def _top_level(tree: ast.Module) -> set[ast.AST]:
    """Statements run on import (also under ``if``/``try``/``with``), not those inside functions or classes."""
    found: set[ast.AST] = set()
    todo: list[ast.AST] = list(tree.body)
    while todo:
        node = todo.pop()
        found.add(node)
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            todo += [c for c in ast.iter_child_nodes(node) if isinstance(c, ast.stmt | ast.excepthandler)]
    return found


def _scan_text(me: str, source: str) -> Scan:
    scan, tree = Scan(), ast.parse(source)
    top = _top_level(tree)
    names = {"__import__": "builtins.__import__", "exec": "builtins.exec", "eval": "builtins.eval",
             "__builtins__": "builtins.__builtins__"}
    names.update(_bindings(me, tree, scan, top))
    aliases = [n for n in ast.walk(tree) if isinstance(n, ast.Assign) and len(n.targets) == 1
               and isinstance(n.targets[0], ast.Name)]
    for _ in range(2):  # s = geo; t = s.store: an alias of an imported name is that name
        for node in aliases:
            if dotted := _dotted(node.value, names):
                names[node.targets[0].id] = dotted
                if node in top:
                    scan.imported[node.targets[0].id] = dotted
    docstrings = {id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Name | ast.Attribute | ast.Call) and (dotted := _dotted(node, names)):
            scan.refs.add(dotted)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            scan.literals.append(node.value)
        if (isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div) and isinstance(node.right, ast.Constant)
                and node.right.value == "build"):
            scan.build_paths += 1  # DATA_DIR / "build"
        if node in top:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                scan.defined.add(node.name)
            elif isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                scan.defined.update(n.id for t in targets for n in ast.walk(t)
                                    if isinstance(n, ast.Name) and n.id not in scan.imported)
    return scan


_scan = functools.lru_cache(maxsize=None)(_scan_text)


@functools.cache
def _tree_index() -> dict[str, Scan]:
    return {me: _scan(me, source) for package in ("geo", "dashboard") for me, source in _sources(package)}


def _index(modules: list[tuple[str, str]]) -> dict[str, Scan]:
    """The real tree's modules, with the given (made-up or real) modules in their places."""
    return {**_tree_index(), **{me: _scan(me, source) for me, source in modules}}


def _origin(dotted: str, index: dict[str, Scan], hops: int = 0) -> str:
    """Where a dotted name is defined: ``geo.join.pipeline.read_user_file`` is ``geo.io.userfile.read_user_file``
    when pipeline only imported it. A module is its own origin; an unknown name stays as it is."""
    parts = dotted.split(".")
    for i in range(len(parts), 0, -1):
        module = ".".join(parts[:i])
        if module not in index:
            continue
        if i == len(parts) or hops > 20:
            return dotted
        entry, name = index[module], parts[i]
        if name in entry.imported and name not in entry.defined:
            return _origin(".".join([entry.imported[name], *parts[i + 1:]]), index, hops + 1)
        return dotted
    return dotted


def _reached(me: str, source: str, index: dict[str, Scan]) -> dict[str, str | None]:
    """Every dotted name a module reaches -> None, or the name it was reached through (a re-export)."""
    reached: dict[str, str | None] = {}
    for ref in sorted(_scan(me, source).refs):
        reached.setdefault(ref, None)
        origin = _origin(ref, index)
        if origin != ref:
            reached.setdefault(origin, ref)
    return reached


def _imports(me: str, source: str, modules: list[tuple[str, str]] = ()) -> dict[str, str | None]:
    """``_reached`` with the given modules (made-up ones too) in the tree's index."""
    return _reached(me, source, _index([*modules, (me, source)]))


def _via(through: str | None) -> str:
    return f" (through {through})" if through else ""


# ------------------------------------------------------------------------------------------------ the rules


def _layer(module: str) -> int | None:
    for level, prefixes in enumerate(GEO_LAYERS):
        if _under(module, prefixes):
            return level
    return None


def _prefix(module: str) -> str | None:
    return next((p for prefixes in GEO_LAYERS for p in prefixes if _under(module, p)), None)


def geo_violations(modules: list[tuple[str, str]]) -> list[str]:
    bad = []
    for me, source in modules:
        mine, my_prefix = _layer(me), _prefix(me)
        if mine is None:
            if me != "geo":
                bad.append(f"{me}: not in any layer of tests/test_layout.py")
            continue
        bad += _scan(me, source).broken
        for target, through in sorted(_imports(me, source, modules).items()):
            if _under(target, "dashboard"):
                bad.append(f"{me} imports {target}{_via(through)}: geo never imports the dashboard")
            theirs = _layer(target)
            if theirs is None:
                continue
            if theirs > mine:
                bad.append(f"{me} (layer {mine}) imports {target} (layer {theirs}){_via(through)}")
            reason = APART.get((my_prefix, _prefix(target)))  # type: ignore[arg-type]
            if reason:
                bad.append(f"{me} imports {target}{_via(through)}: {reason}")
    return bad


def _room(module: str) -> tuple[int, str] | None:
    """The floor and the room of a dashboard module (None: not in DASHBOARD_FLOORS)."""
    for floor, rooms in enumerate(DASHBOARD_FLOORS):
        for room in rooms:
            if _under(module, room):
                return floor, room
    return None


def _module_of(dotted: str, index: dict[str, Scan]) -> str:
    """The module a dotted name lives in: its longest prefix the tree knows as a module."""
    parts = dotted.split(".")
    return next((".".join(parts[:i]) for i in range(len(parts), 0, -1) if ".".join(parts[:i]) in index), dotted)


def dashboard_violations(modules: list[tuple[str, str]], library: list[tuple[str, str]] = ()) -> list[str]:
    """The dashboard's imports of geo (DASHBOARD_MAY_IMPORT), and its rooms (DASHBOARD_FLOORS, each seen from
    outside only through DASHBOARD_PUBLIC). ``library``: made-up geo modules the dashboard modules may import."""
    bad = []
    index = _index([*library, *modules])
    for me, source in modules:
        bad += _scan(me, source).broken
        mine = _room(me)
        if mine is None and me != "dashboard":
            bad.append(f"{me}: not in any room of tests/test_layout.py")
            continue
        for target, through in sorted(_imports(me, source, [*library, *modules]).items()):
            if _under(target, "geo") and target != "geo" and not _under(target, DASHBOARD_MAY_IMPORT) \
                    and not (me in CONSOLE and _under(target, CONSOLE[me])):
                bad.append(f"{me} imports {target}{_via(through)}; the dashboard may import only "
                           f"{', '.join(DASHBOARD_MAY_IMPORT)}")
            if _under(target, "geo") and any(p.startswith("_") and not p.startswith("__") for p in target.split(".")):
                bad.append(f"{me} uses {target}{_via(through)}: the dashboard takes no private name of geo")
            theirs = _room(target) if _under(target, "dashboard") and target != "dashboard" else None
            if mine is None or theirs is None or theirs[1] == mine[1]:
                continue
            if theirs[0] >= mine[0]:
                where = "beside" if theirs[0] == mine[0] else "above"
                bad.append(f"{me} imports {target}{_via(through)}: {theirs[1]} is a room {where} {mine[1]}")
            elif through is None and theirs[1] in DASHBOARD_PUBLIC:
                public = {".".join(filter(None, (theirs[1], m))) for m in DASHBOARD_PUBLIC[theirs[1]]}
                if _module_of(target, index) not in public:
                    bad.append(f"{me} imports {target}: not on the public face of {theirs[1]} "
                               f"({', '.join(sorted(public))})")
    return bad


def build_violations(modules: list[tuple[str, str]]) -> list[str]:
    """The build folder named (settings.build_dir, the path data/build, QALA_BUILD) outside BUILD_READERS."""
    bad = []
    for me, source in modules:
        if _under(me, BUILD_READERS):
            continue
        scan = _scan(me, source)
        for target, through in sorted(_imports(me, source, modules).items()):
            if _under(target, BUILD_DIR):
                bad.append(f"{me} uses {target}{_via(through)}: only geo.store reads the build")
        for text in scan.literals:
            if "data/build" in text.replace("\\", "/") or "QALA_BUILD" in text:
                bad.append(f"{me} names the build folder ({text[:40]!r}): only geo.store reads the build")
        if scan.build_paths:
            bad.append(f"{me} builds a path ending in 'build': only geo.store reads the build")
    return bad


def dynamic_violations(modules: list[tuple[str, str]]) -> list[str]:
    """Imports by a name computed at run time (importlib, __import__, exec ...), outside DYNAMIC_ALLOWED."""
    bad = []
    for me, source in modules:
        if me in DYNAMIC_ALLOWED:
            continue
        for target in sorted(_scan(me, source).refs):
            if _under(target, DYNAMIC) and target != "importlib" and not _under(target, HARMLESS):
                bad.append(f"{me} uses {target}: no import by a run-time name (or list the module in "
                           "DYNAMIC_ALLOWED with its reason)")
    return bad


# ------------------------------------------------------------------------------------------------ the tree


# Real violations found by these rules and reported, each to be fixed in its own module (not here): the test
# below fails both on a new violation and once a listed one is gone, so the list is kept exact.
REPORTED: dict[str, str] = {}  # known ways around the store, each with why it is not fixed yet (none now)


def test_geo_layers_import_only_downwards():
    assert geo_violations(_sources("geo")) == []


def test_dashboard_reads_only_the_store_settings_errors_and_join():
    assert dashboard_violations(_sources("dashboard")) == []


def test_the_build_is_read_only_through_the_store():
    found = build_violations(_sources("geo") + _sources("dashboard"))
    assert [v for v in found if v not in REPORTED] == [], "a new way to the build around geo.store"
    assert [v for v in REPORTED if v not in found] == [], "fixed: remove it from REPORTED in tests/test_layout.py"


def test_no_module_imports_by_a_run_time_name():
    assert dynamic_violations(_sources("geo") + _sources("dashboard")) == []
    # each allowance names a real module that needs it, with its reason
    allowed = [(me, source) for me, source in _sources("geo") + _sources("dashboard") if me in DYNAMIC_ALLOWED]
    assert len(allowed) == len(DYNAMIC_ALLOWED) and all(DYNAMIC_ALLOWED.values())
    assert all(dynamic_violations([(f"{me}.copy", source)]) for me, source in allowed), "an allowance no longer needed"


@pytest.mark.parametrize("package", ["geo", "dashboard"])
def test_no_module_over_about_400_lines(package):
    long = {str(p.relative_to(ROOT)): n for p in _modules(package)
            if (n := len(p.read_text().splitlines())) > MAX_LINES and str(p.relative_to(ROOT)) not in LONG_BY_NATURE}
    assert long == {}


MAX_FUNCTION_LINES = 60
LONG_REASON = "# long: "  # the comment line right above a longer function's def (or its decorators) says why


def long_functions(source: str) -> list[str]:
    """Functions of more than MAX_FUNCTION_LINES lines of their own (a nested function counts for itself, not
    for the one around it) without a ``# long: why`` line right above them."""
    lines = source.splitlines()
    found = []
    defs = (ast.FunctionDef, ast.AsyncFunctionDef)
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, defs):
            continue
        inner = [c for c in ast.walk(node) if c is not node and isinstance(c, defs)]
        outer = [c for c in inner if not any(d is not c and d.lineno <= c.lineno and c.end_lineno <= d.end_lineno
                                             for d in inner)]
        first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
        own = node.end_lineno - first + 1 - sum(c.end_lineno - min([c.lineno, *(d.lineno for d in c.decorator_list)])
                                                + 1 for c in outer)
        above = lines[first - 2].strip() if first >= 2 else ""
        if own > MAX_FUNCTION_LINES and not (above.startswith(LONG_REASON) and above[len(LONG_REASON):].strip()):
            found.append(f"{node.name} ({own} lines, from line {first})")
    return found


@pytest.mark.parametrize("package", ["geo", "dashboard", "bench"])
def test_no_function_over_60_lines_without_a_reason(package):
    long = {str(p.relative_to(ROOT)): found for p in _modules(package) if (found := long_functions(p.read_text()))}
    assert long == {}


def test_the_function_rule_counts_own_lines_and_reads_the_reason():
    body = "".join(f"    x{i} = {i}\n" for i in range(59))
    assert long_functions(f"def f():\n{body}") == []  # 60 lines
    assert long_functions(f"def f():\n{body}    y = 1\n") == ["f (61 lines, from line 1)"]
    assert long_functions(f"# long: a table of the page's controls\ndef f():\n{body}    y = 1\n") == []
    assert long_functions(f"# long:\ndef f():\n{body}    y = 1\n") == ["f (61 lines, from line 2)"]  # no why
    assert long_functions(f"@decorated\ndef f():\n{body}") == ["f (61 lines, from line 1)"]
    nested = "def outer():\n    def inner():\n" + "".join(f"        x{i} = {i}\n" for i in range(70)) + "    return 1\n"
    assert long_functions(nested) == ["inner (71 lines, from line 2)"]  # outer itself has 2 lines of its own


def test_the_scan_sees_the_tree():
    """The rules above judge something: the real tree's modules are found, and their imports read."""
    index = _tree_index()
    assert {"geo.store", "geo.join.pipeline", "dashboard.app", "dashboard.views.base"} <= set(index)
    assert "geo.store.load_layer" in _imports("dashboard.state.viewmodel", (ROOT / "dashboard/state/viewmodel.py").read_text())
    assert _origin("geo.api.JoinSpec", index) == "geo.join.spec.JoinSpec"


# ------------------------------------------------------------------------------------------------ the rules, tried


def test_the_rules_catch_an_upward_import():
    """The checker itself, on made-up modules: upward, build-to-store, and dashboard-to-domain imports."""
    assert geo_violations([("geo.domain.probe", "from geo.store import load_layer\n")]) == [
        "geo.domain.probe (layer 2) imports geo.store.load_layer (layer 6)"]
    assert geo_violations([("geo.indicators.probe", "def f():\n    import geo.join.pipeline\n")]) == [
        "geo.indicators.probe (layer 3) imports geo.join.pipeline (layer 8)"]
    assert geo_violations([("geo.build.probe", "import geo.store\n")]) == [
        "geo.build.probe imports geo.store: the build and the store stay apart"]
    assert geo_violations([("geo.join.probe", "from geo import store\nimport pandas\n")]) == []
    assert geo_violations([("geo.newroom", "")]) == ["geo.newroom: not in any layer of tests/test_layout.py"]
    assert geo_violations([("geo.io.probe", "from dashboard.i18n import t\n")]) == [
        "geo.io.probe imports dashboard.i18n.t: geo never imports the dashboard"]
    assert dashboard_violations([("dashboard.views.probe", "def f():\n    from geo.domain import names\n")]) == [
        "dashboard.views.probe imports geo.domain.names; the dashboard may import only geo.store, geo.settings, "
        "geo.errors, geo.join, geo.api"]
    assert dashboard_violations([("dashboard.views.probe", "from geo.store import load_layer\n")]) == []
    assert dashboard_violations([("dashboard.cli", "from geo.cli import main\n")]) == []  # the console command
    assert dashboard_violations([("dashboard.views.probe", "from geo.cli import main\n")]) != []
    assert dashboard_violations([("dashboard.views.probe", "from geo import store\nstore._path('manifest.json')\n")]) == [
        "dashboard.views.probe uses geo.store._path: the dashboard takes no private name of geo"]
    assert dashboard_violations([("dashboard.views.probe", "from geo import store, settings\n")]) == []
    assert dashboard_violations([("dashboard.views.probe", "from geo import contract\n")]) == [
        "dashboard.views.probe imports geo.contract; the dashboard may import only geo.store, geo.settings, geo.errors, "
        "geo.join, geo.api"]


def test_cheat_a_relative_import():
    assert geo_violations([("geo.domain.probe", "from ..store import load_layer\n")]) == [
        "geo.domain.probe (layer 2) imports geo.store.load_layer (layer 6)"]
    assert geo_violations([("geo.indicators.probe", "from .. import join\n")]) == [
        "geo.indicators.probe (layer 3) imports geo.join (layer 8)"]
    # a package's __init__ starts from itself: geo/build/__init__.py's "." is geo.build
    assert geo_violations([("geo.build", "from ..store import load_layer\nfrom . import run\n")]) == [
        "geo.build imports geo.store.load_layer: the build and the store stay apart"]
    assert dashboard_violations([("dashboard.views.probe", "from ...geo.domain import names\n")]) == [
        "dashboard.views.probe: relative import with 3 dots leaves the tree"]
    assert dashboard_violations([("dashboard.views.probe", "from .. import upload\n")]) == [
        "dashboard.views.probe imports dashboard.upload: dashboard.upload is a room above dashboard.views"]


def test_cheat_importlib_and_dunder_import():
    assert dynamic_violations([("geo.domain.probe", "import importlib\nstore = importlib.import_module('geo.store')\n")]) == [
        "geo.domain.probe uses importlib.import_module: no import by a run-time name (or list the module in "
        "DYNAMIC_ALLOWED with its reason)"]
    assert [v.split(":")[0] for v in dynamic_violations([
        ("dashboard.views.probe", "from importlib import import_module as im\n"),
        ("geo.io.probe", "def f():\n    return __import__('geo.store')\n"),
        ("geo.io.probe2", "import builtins\nbuiltins.__import__('geo.join')\n"),
        ("geo.io.probe3", "import sys\nsys.modules['geo.store'].load_layer('x')\n"),
        ("geo.io.probe4", "exec('import geo.store')\n"),
        ("geo.io.probe5", "__builtins__['__import__']('geo.store')\n")])] == [
        "dashboard.views.probe uses importlib.import_module", "geo.io.probe uses builtins.__import__",
        "geo.io.probe2 uses builtins.__import__", "geo.io.probe3 uses sys.modules", "geo.io.probe4 uses builtins.exec",
        "geo.io.probe5 uses builtins.__builtins__"]
    # reading a package's version imports nothing
    assert dynamic_violations([("geo.build.probe", "from importlib import metadata\nmetadata.version('x')\n")]) == []


def test_cheat_import_geo_then_attributes():
    assert geo_violations([("geo.domain.probe", "import geo\n\ndef f():\n    return geo.store.load_layer('x')\n")]) == [
        "geo.domain.probe (layer 2) imports geo.store (layer 6)",
        "geo.domain.probe (layer 2) imports geo.store.load_layer (layer 6)"]
    assert geo_violations([("geo.io.probe", "import geo as g\nx = getattr(g, 'join')\n")]) == [
        "geo.io.probe (layer 1) imports geo.join (layer 8)"]
    assert geo_violations([("geo.io.probe", "import geo\ns = geo\nj = s.join\n")]) == [
        "geo.io.probe (layer 1) imports geo.join (layer 8)"]
    assert geo_violations([("geo.io.probe", "from geo.store import *\n")]) == [
        "geo.io.probe: from geo.store import * hides what it takes",
        "geo.io.probe (layer 1) imports geo.store (layer 6)"]
    assert dashboard_violations([("dashboard.views.probe", "import geo.store\nnames = geo.domain.names\n")]) == [
        "dashboard.views.probe imports geo.domain; the dashboard may import only geo.store, geo.settings, geo.errors, "
        "geo.join, geo.api",
        "dashboard.views.probe imports geo.domain.names; the dashboard may import only geo.store, geo.settings, "
        "geo.errors, geo.join, geo.api"]


def test_cheat_reading_the_build_folder():
    assert build_violations([("dashboard.views.probe", "from geo import settings\np = settings.build_dir() / 'x'\n")]) == [
        "dashboard.views.probe uses geo.settings.build_dir: only geo.store reads the build"]
    assert build_violations([("geo.join.probe", "from geo.settings import build_dir as b\n")]) == [
        "geo.join.probe uses geo.settings.build_dir: only geo.store reads the build"]
    assert build_violations([("geo.export", "import pandas as pd\npd.read_parquet('data/build/figures.parquet')\n")]) == [
        "geo.export names the build folder ('data/build/figures.parquet'): only geo.store reads the build"]
    assert build_violations([("dashboard.views.probe", "import os\nos.environ['QALA_BUILD']\n")]) == [
        "dashboard.views.probe names the build folder ('QALA_BUILD'): only geo.store reads the build"]
    assert build_violations([("dashboard.views.probe", "from geo.settings import DATA_DIR\nDATA_DIR / 'build'\n")]) == [
        "dashboard.views.probe builds a path ending in 'build': only geo.store reads the build"]
    assert build_violations([("geo.store", "from geo.settings import build_dir\n"),
                             ("geo.build.probe", "from geo.settings import build_dir\n"),
                             ("dashboard.views.probe", '"""Reads data/build through the store."""\n')]) == []


def test_cheat_a_name_re_exported_from_a_floor_the_importer_may_not_use():
    relay = ("geo.join.relay", "from geo.io.userfile import read_user_file\nfrom geo.build import run\n")
    assert dashboard_violations([("dashboard.views.probe", "from geo.join.relay import read_user_file\n")], [relay]) == [
        "dashboard.views.probe imports geo.io.userfile.read_user_file (through geo.join.relay.read_user_file); the "
        "dashboard may import only geo.store, geo.settings, geo.errors, geo.join, geo.api"]
    # through an attribute chain and a module object handed on
    assert dashboard_violations([("dashboard.views.probe", "import geo.join.relay as r\nr.run.run()\n")], [relay]) == [
        "dashboard.views.probe imports geo.build.run (through geo.join.relay.run); the dashboard may import only "
        "geo.store, geo.settings, geo.errors, geo.join, geo.api",
        "dashboard.views.probe imports geo.build.run.run (through geo.join.relay.run.run); the dashboard may import "
        "only geo.store, geo.settings, geo.errors, geo.join, geo.api"]
    # a top-level alias hands on what it names, as an import does
    assert dashboard_violations([("dashboard.views.probe", "from geo.join.relay import read\n")],
                                [("geo.join.relay", "from geo.io import userfile\nread = userfile.read_user_file\n")]) == [
        "dashboard.views.probe imports geo.io.userfile.read_user_file (through geo.join.relay.read); the dashboard may "
        "import only geo.store, geo.settings, geo.errors, geo.join, geo.api"]
    # what a geo.join module defines itself is the join's own
    assert dashboard_violations([("dashboard.views.probe", "from geo.join.relay import Own\n")],
                                [("geo.join.relay", "from geo.io.userfile import read_user_file\nclass Own: ...\n")]) == []
    # the release gate's raw figures through a module that may hold them
    assert release_violations([("geo.join.cli", "from geo.join.measures import score_estimates\n"),
                               ("geo.join.measures", "from geo.indicators.survey import score_estimates\n")]) == [
        "geo.join.cli imports geo.indicators.survey.score_estimates (through geo.join.measures.score_estimates): "
        "survey figures leave only through geo.release.gate"]


def test_cheat_joins_and_exports_importing_the_build():
    assert geo_violations([("geo.join.probe", "from geo.build.run import check_layer\n")]) == [
        "geo.join.probe imports geo.build.run.check_layer: joins read the build only through geo.store"]
    assert geo_violations([("geo.export", "def f():\n    from geo.build import stages\n")]) == [
        "geo.export imports geo.build.stages: exports read the build only through geo.store"]
    assert geo_violations([("geo.publish", "import geo.build.web\n")]) == [
        "geo.publish imports geo.build.web: publishing reads the build only through geo.store"]
    assert geo_violations([("geo.cli", "from geo.build.run import run\n")]) == []


def test_the_dashboard_floors():
    assert dashboard_violations([("dashboard.views.probe", "from dashboard.upload.cells import measure_label\n")]) \
        == ["dashboard.views.probe imports dashboard.upload.cells.measure_label: dashboard.upload is a room above "
            "dashboard.views"]
    assert dashboard_violations([("dashboard.views.panels", "def f():\n    from dashboard.page import callbacks\n")]) \
        == ["dashboard.views.panels imports dashboard.page.callbacks: dashboard.page is a room above dashboard.views"]
    assert dashboard_violations([("dashboard.page.callbacks", "import dashboard.app\n")]) == [
        "dashboard.page.callbacks imports dashboard.app: dashboard.app is a room above dashboard.page"]
    assert dashboard_violations([("dashboard.brief.parts", "from dashboard.upload.keep import SLOTS\n")]) == [
        "dashboard.brief.parts imports dashboard.upload.keep.SLOTS: dashboard.upload is a room beside dashboard.brief"]
    assert dashboard_violations([("dashboard.app", "from dashboard.page.callbacks import register\n")]) == []


def test_a_room_is_seen_only_through_its_public_face():
    assert dashboard_violations([("dashboard.brief.parts", "from dashboard.views.base import geo_url\n")]) == [
        "dashboard.brief.parts imports dashboard.views.base.geo_url: not on the public face of dashboard.views "
        "(dashboard.views, dashboard.views.panels)"]
    # the same name through the package's face is fine, and so is a room's own inside
    assert dashboard_violations([("dashboard.brief.parts", "from dashboard.views import geo_url\n")]) == []
    assert dashboard_violations([("dashboard.views.probe", "from dashboard.views.base import geo_url\n")]) == []
    assert dashboard_violations([("dashboard.page.layout", "from dashboard.upload import job\n")]) == [
        "dashboard.page.layout imports dashboard.upload.job: not on the public face of dashboard.upload "
        "(dashboard.upload.callbacks, dashboard.upload.form, dashboard.upload.keep)"]


def test_every_dashboard_module_has_a_room():
    assert dashboard_violations([("dashboard.loose", "x = 1\n")]) == [
        "dashboard.loose: not in any room of tests/test_layout.py"]


# The release gate (geo.release) is the only way out for survey figures: the raw estimates and the cell
# rules are imported by the gate and by the one join step that computes them, nowhere else, and every path
# that writes or shows a survey figure (the join pipeline, publishing) goes through the gate.
SURVEY_RAW = ("geo.indicators.survey", "geo.indicators.bankscores", "geo.release.rules", "geo.release.cells",
              "geo.release.audit", "geo.release.apply")
SURVEY_RAW_USERS = ("geo.release", "geo.join.measures", "geo.indicators.bankscores")
# what to release, not what is released
SPECS = {"geo.indicators.survey.ScoreItem", "geo.indicators.survey.score_item", "geo.release.rules.Policy"}
THROUGH_THE_GATE = {"geo.join.pipeline": "geo.release.gate", "geo.publish": "geo.release.versions"}


def release_violations(modules: list[tuple[str, str]]) -> list[str]:
    bad = []
    for me, source in modules:
        imported = {t: via for t, via in _imports(me, source, modules).items()
                    if not _under(t, tuple(SPECS))}
        if not _under(me, SURVEY_RAW_USERS):
            for target, through in sorted(imported.items()):
                if _under(target, SURVEY_RAW):
                    bad.append(f"{me} imports {target}{_via(through)}: survey figures leave only through "
                               "geo.release.gate")
        need = THROUGH_THE_GATE.get(me)
        if need and not any(_under(t, need) for t in imported):
            bad.append(f"{me} does not use {need}")
    return bad


def test_survey_figures_pass_the_release_gate():
    assert release_violations(_sources("geo") + _sources("dashboard")) == []


def test_the_release_rule_catches_a_way_around_the_gate():
    assert release_violations([("geo.export", "from geo.indicators.survey import score_estimates\n")]) == [
        "geo.export imports geo.indicators.survey.score_estimates: survey figures leave only through "
        "geo.release.gate"]
    assert release_violations([("dashboard.views.probe", "def f():\n    import geo.release.rules\n")]) == [
        "dashboard.views.probe imports geo.release.rules: survey figures leave only through geo.release.gate"]
    assert release_violations([("geo.join.pipeline", "from geo.join.measures import with_scores\n")]) == [
        "geo.join.pipeline does not use geo.release.gate"]
    assert release_violations([("geo.join.measures", "from geo.indicators.survey import score_estimates\n"),
                               ("geo.release.gate", "from geo.release.audit import Audit\n")]) == []
    # naming what to release (an item, the levels) is not a way around it; a figure next to it is
    assert release_violations([("geo.join.cli", "from geo.indicators.survey import ScoreItem\n")]) == []
    assert release_violations([("dashboard.views.probe", "from geo.indicators.bankscores import bank_table\n")]) \
        == ["dashboard.views.probe imports geo.indicators.bankscores.bank_table: survey figures leave only through "
            "geo.release.gate"]
    assert release_violations([("geo.join.cli", "from geo.indicators.survey import ScoreItem, shrink\n")]) == [
        "geo.join.cli imports geo.indicators.survey.shrink: survey figures leave only through geo.release.gate"]
