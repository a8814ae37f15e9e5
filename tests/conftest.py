"""Shared fixtures: the mini build (a tiny hand-made source set, built in seconds), the real mirror, and the
build of the real data (rebuilt whenever its input fingerprint changed).

Markers: every test that uses the ``mirror`` or ``built`` fixture is marked ``mirror`` here (it needs
../shared/data or QALA_MIRROR), so ``pytest -m "not mirror and not browser"`` runs on the mini build alone.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from geo.settings import PROJECT_ROOT, build_dir, mirror_dir

MIRROR_FIXTURES = {"mirror", "built"}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if MIRROR_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.mirror)


# ------------------------------------------------------------------------------------------------ mini build


@pytest.fixture(scope="session")
def mini_set(tmp_path_factory) -> Path:
    """The mini source set (tests/mini/make.py) written into a fresh folder: mirror/ and reference/."""
    from tests.mini.make import write_mini

    folder = tmp_path_factory.mktemp("mini")
    write_mini(folder)
    return folder


@pytest.fixture(scope="session")
def mini_build(mini_set) -> Path:
    """The mini set built offline (empty cache, its own mirror, reference and build folders): the build."""
    from tests.mini.make import build_in_process, mini_env

    env = mini_env(mini_set)
    done = build_in_process(env)
    assert done.returncode == 0, done.stderr
    return Path(env["QALA_BUILD"])


# ------------------------------------------------------------------------------------------------ real data


@pytest.fixture(scope="session")
def mirror():
    path = mirror_dir()
    assert path is not None and path.is_dir(), (
        "the data mirror (../shared/data or QALA_MIRROR) is needed for tests"
    )
    return path


def real_build_is_current(out: Path) -> bool:
    """Whether the manifest in ``out`` was written from today's inputs: sources, reference tables, the code
    under geo/ and library versions (geo.build.run.fingerprint), not only whether a manifest exists."""
    from geo.build.run import REQUIRED, fingerprint
    from geo.errors import SourceUnavailable
    from geo.io.acquire import acquire

    manifest = out / "manifest.json"
    if not manifest.is_file():
        return False
    try:
        recorded = json.loads(manifest.read_text()).get("fingerprint")
        local = {sid: list(acquire(sid, allow_download=False).paths) for sid in REQUIRED}
    except (json.JSONDecodeError, SourceUnavailable):
        return False
    return recorded == fingerprint(local)


@pytest.fixture(scope="session")
def built(mirror):
    """The build folder of the real data, rebuilt (`make data`) when its fingerprint differs from today's."""
    out = build_dir()
    if not real_build_is_current(out):
        subprocess.run([sys.executable, "-m", "geo.build", "--quiet"], cwd=PROJECT_ROOT, check=True)
    return out
