"""What an upload leaves on the server, and how little: the upload itself only in memory, a bounded number
of joins at once, each in its own child process ended at the deadline (dashboard.upload.child), the joined
result under a random id in a bounded, expiring store shared by the workers, with a quota per browser session.

Kept apart from dashboard.upload.callbacks (the page side) so each stays short; see that module for the why.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import hashlib
import json
import os
import re
import secrets
import shutil
import stat
import tempfile
import threading
import time
from pathlib import Path

from geo.settings import (
    dashboard_timeout,
    memory_dir,
    upload_keep,
    upload_keep_bytes,
    upload_keep_per_session,
    upload_slots,
    upload_ttl,
)

__all__ = ["RESULTS", "SESSION_COOKIE", "SLOTS", "ResultStore", "Slots",
           "release_memory", "sweep_stale_uploads", "upload_owner"]
SESSION_COOKIE = "qala_session"
STALE_SECONDS = 60  # a temporary file or an entry-less owner mark older than this is left over: removed


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


def _shared_folder() -> Path:
    """Where joined uploads wait for the page: shared memory (/dev/shm) when there is one, so every worker of
    the server sees them and nothing reaches the disk."""
    return memory_dir() / f"qala-results-{os.getuid()}"


class ResultStore:
    """Joined uploads kept on the server under a random id (the browser holds only the id), as JSON files in
    a private folder, bounded by count and bytes; each expires ``ttl`` seconds after it was made.

    An upload may name its owner (the browser session, :func:`upload_owner`): each owner keeps at most
    ``per_owner`` results, so one person's many uploads replace their own oldest, never another's. The owner
    is marked by an empty file ``<id>.<hash of the owner>.owner`` beside the entry (the folder never holds the
    session ids themselves); readers only ever open ``<id>.json``. Each worker bounds its own puts; two workers
    racing on one owner may leave one result too many until the next put."""

    ID = re.compile(r"[0-9a-f]{32}")
    OWNER = ID  # a browser session id: 32 lowercase hex digits, like a result's

    def __init__(self, folder: Path, ttl: int, keep: int, max_bytes: int, per_owner: int | None = None) -> None:
        self.folder, self.ttl, self.keep, self.max_bytes = folder, ttl, keep, max_bytes
        self.per_owner = max(1, per_owner if per_owner is not None else keep)
        self._lock = threading.Lock()

    def _private_folder(self) -> Path:
        """The folder, made 0700; one that is a symlink, someone else's or open to others is not used."""
        with contextlib.suppress(FileExistsError):
            os.mkdir(self.folder, 0o700)
        info = os.lstat(self.folder)
        if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o077:
            self.folder = Path(tempfile.mkdtemp(prefix="qala-results-"))
        return self.folder

    @classmethod
    def _mark(cls, owner: object) -> str:
        """The owner's mark in file names; ValueError for anything but a session id."""
        if not isinstance(owner, str) or not cls.OWNER.fullmatch(owner):
            raise ValueError("an owner is a session id of 32 lowercase hex digits")
        return hashlib.sha256(owner.encode()).hexdigest()[:32]

    def put(self, store: dict, owner: str | None = None) -> str | None:
        """Keep a joined upload (of ``owner``, evicting that owner's oldest beyond ``per_owner``); its id, or
        None when it is too big to keep. ValueError for a malformed owner."""
        mark = None if owner is None else self._mark(owner)
        data = json.dumps(store, ensure_ascii=False, allow_nan=False).encode("utf-8")
        if len(data) > self.max_bytes:
            return None
        key = secrets.token_hex(16)
        with self._lock:
            folder = self._private_folder()
            if mark:  # before the entry appears, so no prune sees it without its owner
                os.close(os.open(folder / f"{key}.{mark}.owner", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
            tmp = folder / f".{key}.tmp"
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with open(fd, "wb") as handle:
                handle.write(data)
            now = time.time_ns()  # a fine-grained age: tmpfs stamps close writes alike, and ties evict at random
            os.utime(tmp, ns=(now, now))
            os.replace(tmp, folder / f"{key}.json")
            if mark:
                self._evict_own(mark)
            self.prune()
        return key

    def _evict_own(self, mark: str) -> None:
        """Drop the owner's oldest entries beyond ``per_owner``."""
        mine = []
        for owned in self.folder.glob(f"*.{mark}.owner"):
            entry = self.folder / f"{owned.name.split('.')[0]}.json"
            with contextlib.suppress(OSError):
                mine.append((entry.stat().st_mtime_ns, entry.name, entry, owned))
        mine.sort()
        for _, _, entry, owned in mine[:max(0, len(mine) - self.per_owner)]:
            entry.unlink(missing_ok=True)
            owned.unlink(missing_ok=True)

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
        """Drop expired entries, then the oldest while over the count or byte bound; stale temporary files
        and owner marks whose entry is gone."""
        now = time.time()
        entries, marks = [], {}
        with contextlib.suppress(OSError):
            for path in self.folder.iterdir():
                with contextlib.suppress(OSError):
                    info = path.stat()
                    age = now - info.st_mtime
                    if path.suffix == ".json":
                        if age > self.ttl:
                            path.unlink(missing_ok=True)
                        else:
                            entries.append((info.st_mtime_ns, info.st_size, path))
                    elif path.suffix == ".owner":
                        marks[path.name.split(".")[0]] = (path, age)
                    elif age > STALE_SECONDS:
                        path.unlink(missing_ok=True)
        entries.sort()
        total = sum(size for _, size, _ in entries)
        while entries and (len(entries) > self.keep or total > self.max_bytes):
            _, size, path = entries.pop(0)
            path.unlink(missing_ok=True)
            total -= size
            if path.stem in marks:
                marks.pop(path.stem)[0].unlink(missing_ok=True)
        live = {path.stem for _, _, path in entries}
        for key, (mark, age) in marks.items():
            if key not in live and age > STALE_SECONDS:
                mark.unlink(missing_ok=True)


RESULTS = ResultStore(_shared_folder(), upload_ttl(), upload_keep(), upload_keep_bytes(), upload_keep_per_session())


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


def upload_owner() -> str:
    """The browser session of the current request, for :meth:`ResultStore.put`: the id in its ``qala_session``
    cookie when that is one of ours, else a new random id, set as that cookie (HttpOnly, SameSite=Lax, Secure
    over https, gone with the browser session) on the response when called inside a Dash callback. Outside a
    request: a new id each call. The cookie only groups uploads for the quota; it grants nothing."""
    import dash
    import flask

    if not flask.has_request_context():
        return secrets.token_hex(16)
    value = flask.request.cookies.get(SESSION_COOKIE)
    if isinstance(value, str) and ResultStore.OWNER.fullmatch(value):
        return value
    owner = secrets.token_hex(16)
    with contextlib.suppress(dash.exceptions.MissingCallbackContextException):
        dash.callback_context.response.set_cookie(SESSION_COOKIE, owner, httponly=True, samesite="Lax",
                                                  secure=flask.request.is_secure, path="/")
    return owner
