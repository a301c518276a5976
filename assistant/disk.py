"""Can the data directory take writes? A check on the file system alone, so that starting the app or a
command can ask it without loading Chroma (assistant/store.py, which opens the index, uses it too)."""

from __future__ import annotations

import os
from pathlib import Path


def storage_problem(path: Path) -> str | None:
    """Why the data directory cannot take writes (read-only file system, disk full), or None.

    Chroma writes even when it opens an index to read (its SQLite database), and reports either case as a
    generic internal error, so callers ask this to turn such failures into one clear sentence.
    """
    probe = path
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    try:
        stat = os.statvfs(probe)
    except OSError:
        return None
    if stat.f_flag & os.ST_RDONLY:
        return f"the data directory {path} is on a read-only file system; the index needs write access"
    if stat.f_bavail * stat.f_frsize < 1_000_000:
        return f"the disk holding the data directory {path} is full; free some space and run again"
    return None
