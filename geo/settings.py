"""Every path and environment setting in one place (osmnx-style), so nothing else hard-codes a folder.

Environment variables:
- ``QALA_MIRROR``: folder holding the offline mirror of third-party sources (default ``../shared/data``
  beside the project, when it exists).
- ``QALA_CACHE``: where acquired sources are kept (default ``data/cache``).
- ``QALA_BUILD``: where ``make data`` writes layers (default ``data/build``).
- ``QALA_OFFLINE=1``: never try the network.
- ``QALA_REFERENCE``: the curated reference tables (default ``data/reference``); tests point it at a small
  hand-made set.
- ``QALA_DATASETS``: where ``qala publish`` keeps researchers' published datasets (default ``data/datasets``).
- ``QALA_MIN_N``: fewest respondents behind a survey estimate that is shown (default 10); fewer are suppressed.
"""

from __future__ import annotations

import csv
import os
import tempfile
from pathlib import Path
from typing import NamedTuple

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_ROOT / "data"



class CityFacts(NamedTuple):
    """One city's facts: its KATO code (its region id in the geokz ADM1 layer), the metric CRS it is measured
    in (its UTM zone), its names, and its share of the SYNTHETIC demo survey's respondents."""

    kato: str
    utm_crs: str
    names: dict[str, str]
    demo_share: float


def _city_facts() -> dict[str, CityFacts]:
    """The project's table of cities (data/reference/cities.csv, never a test's reference folder): adding a
    city is a row there plus its reference data (vintages, districts, figures)."""
    with open(DATA_DIR / "reference" / "cities.csv", encoding="utf-8", newline="") as handle:
        return {row["city"]: CityFacts(row["kato"], row["utm_crs"],
                                       {lang: row[f"name_{lang}"] for lang in ("en", "ru", "kk")},
                                       float(row["demo_share"]))
                for row in csv.DictReader(handle)}


CITY_FACTS = _city_facts()
CITIES = tuple(CITY_FACTS)
CITY_KATO = {city: facts.kato for city, facts in CITY_FACTS.items()}
UTM_CRS = {city: facts.utm_crs for city, facts in CITY_FACTS.items()}
STORAGE_CRS = "EPSG:4326"


def mirror_dir() -> Path | None:
    """The offline mirror of third-party sources, or None when there is none."""
    env = os.environ.get("QALA_MIRROR")
    if env:
        return Path(env)
    default = PROJECT_ROOT.parent / "shared" / "data"
    return default if default.is_dir() else None


def reference_dir() -> Path:
    return Path(os.environ.get("QALA_REFERENCE", DATA_DIR / "reference"))


def cache_dir() -> Path:
    return Path(os.environ.get("QALA_CACHE", DATA_DIR / "cache"))


def build_dir() -> Path:
    return Path(os.environ.get("QALA_BUILD", DATA_DIR / "build"))


def memory_dir() -> Path:
    """A folder in memory shared by the server's processes (/dev/shm) where the machine has one, else the system's
    temporary folder: for what must never reach a disk or must be seen by every worker (uploads, briefs' lock)."""
    shm = Path("/dev/shm")
    return shm if shm.is_dir() and os.access(shm, os.W_OK) else Path(tempfile.gettempdir())


def datasets_dir() -> Path:
    return Path(os.environ.get("QALA_DATASETS", DATA_DIR / "datasets"))


def offline() -> bool:
    return os.environ.get("QALA_OFFLINE", "") not in ("", "0", "false")


def _env_int(name: str, default: int, low: int = 1) -> int:
    text = os.environ.get(name, "").strip()
    return max(low, int(text)) if text.isdigit() else default


DEFAULT_MIN_N = 10
MIN_N_FLOOR = 2  # below it a survey "estimate" is one respondent's answer


def survey_min_n() -> int:
    """Fewest respondents behind a shown survey estimate (``QALA_MIN_N``, at least ``MIN_N_FLOOR``)."""
    return _env_int("QALA_MIN_N", DEFAULT_MIN_N, low=MIN_N_FLOOR)


# The release gate's levels (geo.release): a cell is hidden on its own when fewer than min_n respondents are
# behind it, when Kish's effective n of its weights is below min_n, or by dominance (the NK rule of statistical
# offices: one respondent carrying more than DOMINANCE_TOP1 of the cell's weight, or two more than
# DOMINANCE_TOP2). The attacker's audit then requires each such cell to keep PROTECTION x min_n respondents of
# doubt on either side of its true count (and an upper end of at least min_n), and the same share of every
# weighted sum.
DOMINANCE_TOP1 = 0.50
DOMINANCE_TOP2 = 0.75
PROTECTION = 0.5


# ---------------------------------------------------------------------------------------------------------------
# Dashboard settings (owned by dashboard/; read there and by dashboard/gunicorn_conf.py, nowhere else).
# - ``QALA_TILES``: basemap tile URL template (default OpenStreetMap's).
# - ``QALA_PUBLIC_URL``: the dashboard's public address, for the link a brief prints to reopen its view (never
#   taken from a request's Host header, which the requester chooses); unset or not http(s): no link.
# - ``QALA_HOST`` / ``QALA_PORT``: where the dashboard listens (default 127.0.0.1:8050).
# - ``QALA_WORKERS`` / ``QALA_THREADS``: gunicorn workers and threads per worker (default 2 x 4).
# - ``QALA_TIMEOUT``: seconds a request may take before gunicorn restarts its worker (default 120: an upload's
#   join is the slowest request).
# - ``QALA_UPLOAD_MB``: largest file a researcher may drop on the page, in MB (default 20).
# - ``QALA_RENDER_CACHE``: how many drawn views each worker keeps (default 512).
DEFAULT_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"


def tiles_url() -> str:
    return os.environ.get("QALA_TILES") or DEFAULT_TILES


def public_url() -> str | None:
    """``QALA_PUBLIC_URL`` when it is an http(s) address without spaces, else None."""
    text = os.environ.get("QALA_PUBLIC_URL", "").strip()
    ok = text.startswith(("http://", "https://")) and len(text) > len("https://") and not any(c.isspace() for c in text)
    return text if ok else None


def dashboard_host() -> str:
    return os.environ.get("QALA_HOST") or "127.0.0.1"


def dashboard_port() -> int:
    return _env_int("QALA_PORT", 8050)


def dashboard_workers() -> int:
    return _env_int("QALA_WORKERS", 2)


def dashboard_threads() -> int:
    return _env_int("QALA_THREADS", 4)


def dashboard_timeout() -> int:
    return _env_int("QALA_TIMEOUT", 120)


def upload_limit_mb() -> int:
    return _env_int("QALA_UPLOAD_MB", 20)


def render_cache_size() -> int:
    return _env_int("QALA_RENDER_CACHE", 512, low=0)


# ---------------------------------------------------------------------------------------------------------------
# Hardening (dashboard): bounds on what one browser may make a worker hold or do.
# - ``QALA_UPLOAD_SLOTS``: uploads joined at the same time per worker (default 1); more get "busy, try again".
# - ``QALA_UPLOAD_TTL``: seconds a joined upload stays on the server for the page (default 1800).
# - ``QALA_UPLOAD_KEEP`` / ``QALA_UPLOAD_KEEP_MB``: joined uploads kept at most, in number and MB (64 / 64).
# - ``QALA_RENDER_CACHE_MB``: drawn views each worker keeps, in MB (default 64; beside the entry count).
# - ``QALA_LOG_LINE``: longest log message in characters; the rest is cut with a count (default 2048).
MAX_USER_BREAKS = 20  # own class breaks in a view state; more are refused with a notice


def upload_slots() -> int:
    return _env_int("QALA_UPLOAD_SLOTS", 1)


def upload_ttl() -> int:
    return _env_int("QALA_UPLOAD_TTL", 1800)


def upload_keep() -> int:
    return _env_int("QALA_UPLOAD_KEEP", 64)


def upload_keep_bytes() -> int:
    return _env_int("QALA_UPLOAD_KEEP_MB", 64) * 1024 * 1024


def render_cache_bytes() -> int:
    return _env_int("QALA_RENDER_CACHE_MB", 64, low=0) * 1024 * 1024


def log_line_limit() -> int:
    return _env_int("QALA_LOG_LINE", 2048, low=256)


# - ``QALA_UPLOAD_KEEP_PER_SESSION``: joined uploads kept per browser session (default 8); a session's next
#   upload replaces its own oldest, never another session's (the global bounds above still hold).
def upload_keep_per_session() -> int:
    return _env_int("QALA_UPLOAD_KEEP_PER_SESSION", 16)  # two entries an upload: its page and its bundle
