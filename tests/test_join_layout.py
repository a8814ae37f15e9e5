"""geo/join keeps its rooms: one concern per module, layers respected, no private imports across modules, the
build read only through geo.store, and the row rules in one place."""

from __future__ import annotations

import ast
from pathlib import Path

from geo.settings import PROJECT_ROOT

JOIN = PROJECT_ROOT / "geo" / "join"
USERFILE = PROJECT_ROOT / "geo" / "io" / "userfile.py"
MODULES = sorted(JOIN.glob("*.py")) + [USERFILE, PROJECT_ROOT / "geo" / "indicators" / "counts.py"]


def _imports(path: Path) -> list[tuple[str, list[str]]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.append((node.module, [a.name for a in node.names]))
        elif isinstance(node, ast.Import):
            found += [(a.name, []) for a in node.names]
    return found


def test_no_private_name_is_imported_across_modules():
    private = [(p.name, m, n) for p in MODULES for m, names in _imports(p) if m.startswith("geo")
               for n in names if n.startswith("_")]
    assert private == []


def test_the_file_reader_and_the_count_indicators_stay_at_the_bottom():
    """Stricter than the house's layer rule (tests/test_layout.py): reading a researcher's file needs nothing
    of the domain, and the count indicators nothing but themselves."""
    io_allowed = ("geo.errors", "geo.settings", "geo.io.decoding", "geo.io.formats")
    assert [m for m, _ in _imports(USERFILE) if m.startswith("geo.") and not m.startswith(io_allowed)] == []
    counts = PROJECT_ROOT / "geo" / "indicators" / "counts.py"
    pure = ("geo.indicators", "geo.errors")
    assert all(m.startswith(pure) for m, _ in _imports(counts) if m.startswith("geo"))


def test_the_build_is_read_only_through_the_store():
    for path in JOIN.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert not any(word in text for word in ("build_dir", "load_layer", "data/build")), path.name
    used = {n for p in JOIN.glob("*.py") for m, names in _imports(p) if m == "geo" for n in names}
    assert used == {"store"}


def test_join_modules_are_small():
    sizes = {p.name: len(p.read_text(encoding="utf-8").splitlines()) for p in JOIN.glob("*.py")}
    assert {name: n for name, n in sizes.items() if n > 300} == {}
