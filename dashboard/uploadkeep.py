"""What an upload leaves on the server, and how little: the upload itself only in memory, a bounded number
of joins at once, the joined result under a random id in a bounded, expiring store shared by the workers.

Kept apart from dashboard.upload (the page side) so each stays short; see that module for the why.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import ctypes
import gc
import json
import multiprocessing
import os
import re
import secrets
import shutil
import stat
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from geo.settings import dashboard_timeout, upload_keep, upload_keep_bytes, upload_slots, upload_ttl


@contextlib.contextmanager
def in_memory_file(raw: bytes) -> Iterator[Path]:
    """A path to ``raw`` held in an anonymous memory file (Linux memfd): readable like a file, gone with the
    process, never on disk. Elsewhere a private temporary folder, removed at once."""
    if not hasattr(os, "memfd_create"):
        with tempfile.TemporaryDirectory(prefix="qala-upload-") as folder:
            path = Path(folder) / "upload"
            path.write_bytes(raw)
            yield path
        return
    fd = os.memfd_create("qala-upload", os.MFD_CLOEXEC)
    try:
        with open(fd, "wb", closefd=False) as handle:
            handle.write(raw)
        yield Path(f"/proc/self/fd/{fd}")
    finally:
        os.close(fd)


def release_memory(collect: bool = True) -> None:
    """Give a join's memory back: collect cycles (after a join), then ask glibc to return free pages to the
    system (also after any big request body)."""
    if collect:
        gc.collect()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


class Slots:
    """At most ``n`` uploads joined at once in this worker; never waits (a busy server says so instead)."""

    def __init__(self, n: int) -> None:
        self.n, self.used = n, 0
        self._lock = threading.Lock()

    def free(self) -> int:
        return self.n - self.used

    def acquire(self) -> bool:
        with self._lock:
            if self.used >= self.n:
                return False
            self.used += 1
            return True

    def release(self) -> None:
        with self._lock:
            self.used = max(0, self.used - 1)


SLOTS = Slots(upload_slots())
_POOL: concurrent.futures.ProcessPoolExecutor | None = None
_POOL_LOCK = threading.Lock()


def _lower_priority() -> None:
    """In the join's child process: yield the CPU to the workers that answer map requests."""
    with contextlib.suppress(OSError):
        os.nice(10)


def _pool() -> concurrent.futures.ProcessPoolExecutor:
    """One child process per join (spawned: a fresh interpreter, never a fork of this threaded worker, and no
    socket folder in a temporary directory that may vanish), so a join's memory goes back to the system when it
    ends and its CPU time runs at a lower priority."""
    global _POOL
    with _POOL_LOCK:
        if _POOL is None:
            context = multiprocessing.get_context("spawn")
            _POOL = concurrent.futures.ProcessPoolExecutor(max_workers=upload_slots(), mp_context=context,
                                                           initializer=_lower_priority, max_tasks_per_child=1)
        return _POOL


def join_elsewhere(raw: bytes, name: str, city: str | None) -> tuple[str, object]:
    """dashboard.upload.join_in_child in a child process, waited for at most the request timeout."""
    from dashboard.upload import join_in_child

    try:
        return _pool().submit(join_in_child, raw, name, city).result(timeout=max(1, dashboard_timeout() - 5))
    except (concurrent.futures.TimeoutError, concurrent.futures.process.BrokenProcessPool):
        return "failed", None


def _shared_folder() -> Path:
    """Where joined uploads wait for the page: shared memory (/dev/shm) when there is one, so every worker of
    the server sees them and nothing reaches the disk."""
    base = Path("/dev/shm") if Path("/dev/shm").is_dir() else Path(tempfile.gettempdir())
    return base / f"qala-results-{os.getuid()}"


class ResultStore:
    """Joined uploads kept on the server under a random id (the browser holds only the id), as JSON files in
    a private folder, bounded by count and bytes; each expires ``ttl`` seconds after it was made."""

    ID = re.compile(r"[0-9a-f]{32}")

    def __init__(self, folder: Path, ttl: int, keep: int, max_bytes: int) -> None:
        self.folder, self.ttl, self.keep, self.max_bytes = folder, ttl, keep, max_bytes
        self._lock = threading.Lock()

    def _private_folder(self) -> Path:
        """The folder, made 0700; one that is a symlink, someone else's or open to others is not used."""
        with contextlib.suppress(FileExistsError):
            os.mkdir(self.folder, 0o700)
        info = os.lstat(self.folder)
        if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o077:
            self.folder = Path(tempfile.mkdtemp(prefix="qala-results-"))
        return self.folder

    def put(self, store: dict) -> str | None:
        """Keep a joined upload; its id, or None when it is too big to keep."""
        data = json.dumps(store, ensure_ascii=False, allow_nan=False).encode("utf-8")
        if len(data) > self.max_bytes:
            return None
        key = secrets.token_hex(16)
        with self._lock:
            folder = self._private_folder()
            tmp = folder / f".{key}.tmp"
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with open(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, folder / f"{key}.json")
            self.prune()
        return key

    def get(self, key: object) -> dict | None:
        """The joined upload of an id; None when the id is unknown, malformed or expired."""
        if not isinstance(key, str) or not self.ID.fullmatch(key):
            return None
        path = self.folder / f"{key}.json"
        try:
            if time.time() - path.stat().st_mtime > self.ttl:
                path.unlink(missing_ok=True)
                return None
            store = json.loads(path.read_bytes())
        except (OSError, ValueError):
            return None
        return store if isinstance(store, dict) else None

    def prune(self) -> None:
        """Drop expired entries, then the oldest while over the count or byte bound (and stale temp files)."""
        now = time.time()
        entries = []
        with contextlib.suppress(OSError):
            for path in self.folder.iterdir():
                with contextlib.suppress(OSError):
                    info = path.stat()
                    expired = now - info.st_mtime > (self.ttl if path.suffix == ".json" else 60)
                    if expired or path.suffix != ".json":
                        if expired:
                            path.unlink(missing_ok=True)
                        continue
                    entries.append((info.st_mtime, info.st_size, path))
        entries.sort()
        total = sum(size for _, size, _ in entries)
        while entries and (len(entries) > self.keep or total > self.max_bytes):
            _, size, path = entries.pop(0)
            path.unlink(missing_ok=True)
            total -= size


RESULTS = ResultStore(_shared_folder(), upload_ttl(), upload_keep(), upload_keep_bytes())


def sweep_stale_uploads(max_age: float | None = None) -> int:
    """Remove ``qala-upload-*`` folders a killed worker of an earlier version left in the temp folder (only
    ours, only older than a request may take), and expired joined uploads; how many folders went."""
    max_age = dashboard_timeout() if max_age is None else max_age
    removed = 0
    now = time.time()
    for folder in Path(tempfile.gettempdir()).glob("qala-upload-*"):
        with contextlib.suppress(OSError):
            info = folder.lstat()
            if stat.S_ISDIR(info.st_mode) and info.st_uid == os.getuid() and now - info.st_mtime > max_age:
                shutil.rmtree(folder, ignore_errors=True)
                removed += 1
    RESULTS.prune()
    return removed
