"""Headless Chromium (Debian's, never a downloaded one) turns a brief's HTML into an A4 PDF or a PNG.

Each run gets its own temporary profile and working folder, removed after; the run is bounded by a timeout;
every failure is one line (:class:`BriefError`). The page is a local file with everything inline, and the
browser is told to resolve no host, so a brief never reaches the network.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from geo.errors import SourceUnavailable

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
TIMEOUT_S = 60
PNG_SIZE = (794, 1123)  # A4 at 96 px per inch
PNG_SCALE = 1.5
NICENESS = 19  # a brief is a background job beside the map's requests: the lowest priority there is


class BriefError(SourceUnavailable):
    """A brief could not be made (no browser, timeout, browser failure): one line, what and how to fix."""


class NoBrowser(BriefError):
    """Chromium is not installed."""


def chromium() -> str:
    """The Chromium binary: $QALA_CHROMIUM, else Debian's; NoBrowser when there is none."""
    given = os.environ.get("QALA_CHROMIUM")
    for path in ((given,) if given else CHROMIUM_CANDIDATES):
        if path and os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    raise NoBrowser("brief: Chromium is not installed (looked for "
                    f"{given or ', '.join(CHROMIUM_CANDIDATES)}); fix: run `make browser`")


def _flags(profile: str) -> list[str]:
    return ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--no-first-run", "--no-default-browser-check", "--disable-extensions", "--disable-sync",
            "--disable-background-networking", "--disable-component-update", "--mute-audio",
            "--host-resolver-rules=MAP * ~NOTFOUND",  # no network: the page holds everything it shows
            f"--user-data-dir={profile}", "--hide-scrollbars"]


def command(binary: str, work: Path, fmt: str, out: Path, page: Path) -> list[str]:
    """The Chromium command for one brief, run on idle CPU time only (``chrt --idle``: the scheduler gives it a
    core only when no map request wants one; else ``nice`` at the lowest priority), so that it does not starve
    the map's requests; the page is self-contained, so Chromium gets neither network nor access to other local
    files."""
    args = [binary, *_flags(str(work / "profile"))]
    if fmt == "pdf":
        args += ["--no-pdf-header-footer", "--print-to-pdf-no-header", f"--print-to-pdf={out}"]
    else:
        width, height = PNG_SIZE
        args += [f"--window-size={width},{height}", f"--force-device-scale-factor={PNG_SCALE}",
                 f"--screenshot={out}"]
    return _lowered() + [*args, page.as_uri()]


def _lowered() -> list[str]:
    """The prefix that runs a command on idle time: SCHED_IDLE where the system has ``chrt``, else ``nice``."""
    chrt, nice = shutil.which("chrt"), shutil.which("nice")
    if chrt:
        return [chrt, "--idle", "0"] + ([nice, "-n", str(NICENESS)] if nice else [])
    return [nice, "-n", str(NICENESS)] if nice else []


def render(html: str, fmt: str, timeout: float = TIMEOUT_S) -> bytes:
    """The brief page ``html`` as ``pdf`` (A4, from the page's @page rule) or ``png`` bytes."""
    if fmt not in ("pdf", "png"):
        raise BriefError(f"brief: unknown format '{fmt}'; fix: ask for pdf or png")
    binary = chromium()
    work = tempfile.mkdtemp(prefix="qala-brief-")
    try:
        page = Path(work) / "brief.html"
        page.write_text(html, encoding="utf-8")
        out = Path(work) / f"brief.{fmt}"
        args = command(binary, Path(work), fmt, out, page)
        try:
            done = subprocess.run(args, cwd=work, capture_output=True, timeout=timeout, check=False,
                                  stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            raise BriefError(f"brief: Chromium took longer than {timeout:.0f} s; fix: try again when the "
                             "server is less busy") from None
        except OSError as exc:
            raise NoBrowser(f"brief: Chromium ({binary}) could not start ({exc.strerror}); "
                            "fix: run `make browser`") from None
        if not out.is_file() or out.stat().st_size == 0:
            last = next((ln for ln in reversed(done.stderr.decode("utf-8", "replace").splitlines())
                         if ln.strip()), "no message")
            raise BriefError(f"brief: Chromium made no {fmt} (exit {done.returncode}: {last[:200]}); "
                             "fix: check that `chromium --headless` runs on this machine")
        return out.read_bytes()
    finally:
        shutil.rmtree(work, ignore_errors=True)
