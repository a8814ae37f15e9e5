"""Atomic writes: a temp file in the target folder, then os.replace, so a failure leaves the last good file.

Only regular files are ever replaced: a device, FIFO, socket, folder or symlink given as an output is refused
(checked with ``os.lstat``, so a symlink is not followed), since ``os.replace`` would swap it for a plain file
(as root, ``-o /dev/null`` would replace /dev/null). Folders that cannot be made or written give one line too.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

from geo.errors import BadInput

_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISLNK, "a symlink"), (stat.S_ISFIFO, "a FIFO"),
          (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device"), (stat.S_ISSOCK, "a socket"))


def sha256_file(path: Path | str) -> str:
    """The hex sha256 of a file, read in chunks (what manifests and release reports state)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def file_kind(path: Path | str) -> str | None:
    """What ``path`` is when it exists and is not a regular file ("a FIFO", "a device" ...), else None."""
    try:
        mode = os.lstat(path).st_mode
    except OSError:
        return None
    if stat.S_ISREG(mode):
        return None
    return next((name for test, name in _KINDS if test(mode)), "a special file")


def check_output_file(target: Path) -> None:
    """Refuse an output path that exists and is not a regular file (one line, BadInput)."""
    kind = file_kind(target)
    if kind is not None:
        raise BadInput(f"{target} is {kind}, not a regular file, so it is not replaced; "
                       "fix: give the path of a new or regular file (-o)")


def _cannot_write(target: Path, exc: OSError) -> BadInput:
    return BadInput(f"cannot write {target}: {exc.strerror or exc}; fix: choose an output (-o) in a folder "
                    "you can write to")


@contextlib.contextmanager
def atomic_path(target: Path | str) -> Iterator[Path]:
    """Yield a temp path beside ``target``; on success it replaces ``target``, on failure it is removed."""
    target = Path(target)
    check_output_file(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise _cannot_write(target, exc) from None
    os.close(fd)
    tmp_path = Path(tmp)
    os.chmod(tmp_path, 0o666 & ~_umask())  # mkstemp makes 0600; outputs get the user's usual mode
    try:
        yield tmp_path
        check_output_file(target)  # again: it may have appeared while the file was being written
        try:
            os.replace(tmp_path, target)
        except OSError as exc:
            raise _cannot_write(target, exc) from None
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write_bytes(target: Path | str, data: bytes) -> None:
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)


def atomic_write_text(target: Path | str, text: str) -> None:
    atomic_write_bytes(target, text.encode("utf-8"))


@contextlib.contextmanager
def atomic_folder(target: Path | str) -> Iterator[Path]:
    """Yield an empty staging folder beside ``target``; on success it replaces ``target`` in two renames.

    A failure inside the block removes the staging folder and leaves ``target`` as it was (the folder analogue of
    :func:`geo.atomic.atomic_path`).
    """
    target = Path(target)
    kind = file_kind(target)
    if kind is not None and kind != "a folder":
        raise BadInput(f"{target} is {kind}, not a folder, so it is not replaced; "
                       "fix: give the path of a new or existing output folder (-o)")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
    except OSError as exc:
        raise _cannot_write(target, exc) from None
    try:
        yield staging
        if target.exists():
            retired = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".old", dir=target.parent))
            os.replace(target, retired / target.name)
            os.replace(staging, target)
            shutil.rmtree(retired, ignore_errors=True)
        else:
            os.replace(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
