"""Errors of the archive, the writer lock, and its timestamp format."""

from __future__ import annotations

import fcntl
import os
from datetime import UTC, datetime
from pathlib import Path

__all__ = ["ArchiveBusy", "ArchiveError", "take_writer_lock", "utc_now"]


class ArchiveError(Exception):
    """The archive cannot be opened or written; the message names the file and what to do."""


class ArchiveBusy(ArchiveError):
    """Another crawl holds the archive's writer lock."""


def take_writer_lock(file: Path) -> int:
    """An exclusive advisory lock on ``FILE.lock``, held for the life of the crawl.

    The kernel drops it when the process ends, however it ends (kill -9 included), so a stale
    lock file never blocks the next run. Readers (Datasette, sqlite-utils) never take it.
    """
    lock_path = file.with_name(file.name + ".lock")
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "another process"
        os.close(fd)
        raise ArchiveBusy(
            f"another crawl is writing {str(file)!r} ({holder}); wait for it to finish, or "
            "write to another ARCHIVE_PATH"
        ) from None
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"pid {os.getpid()}, since {utc_now()}\n".encode(), 0)
    return fd


def utc_now() -> str:
    """Now, as ISO 8601 in UTC to the second: the archive's timestamp format."""
    return datetime.now(UTC).isoformat(timespec="seconds")
