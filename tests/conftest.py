"""Shared fixtures: the real mirror, and the built layers (built once per test session if missing)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from geo.settings import PROJECT_ROOT, build_dir, mirror_dir


@pytest.fixture(scope="session")
def mirror():
    path = mirror_dir()
    assert path is not None and path.is_dir(), "the data mirror (../shared/data or QALA_MIRROR) is needed for tests"
    return path


@pytest.fixture(scope="session")
def built():
    """The build folder, after `make data` (run here if the manifest is missing)."""
    if not (build_dir() / "manifest.json").is_file():
        subprocess.run([sys.executable, "-m", "geo.build", "--quiet"], cwd=PROJECT_ROOT, check=True)
    return build_dir()
