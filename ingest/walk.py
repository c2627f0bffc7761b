"""Which files an ingest reads: folders walked safely, every skip named with its reason.

Only regular files are read: a named pipe would block the reader for ever (while it holds
the writer lock), a device could be endless. Links are followed only while they stay inside
the folder being ingested (REPORTQA_FOLLOW_LINKS follows the others too), each folder at
most once, so a link loop ends. Dot-files and dot-folders are skipped, and said to be.
File names that are not valid UTF-8 are kept readable for the file system and escaped
(`safe_name`) wherever they are stored or shown.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from pathlib import Path

from reportqa.models import IngestResult

Walked = list[tuple[Path, IngestResult | None]]


def safe_name(name: str | os.PathLike) -> str:
    """`name` as valid UTF-8 text: bytes that are not UTF-8 (kept by Python as lone
    surrogates) are written as \\xNN escapes, so JSON, Chroma and terminals accept it."""
    text = os.fspath(name)
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        pass
    try:
        return os.fsencode(text).decode("utf-8", errors="backslashreplace")
    except UnicodeError:
        return text.encode("utf-8", errors="backslashreplace").decode("utf-8")


def kind_of(mode: int) -> str:
    """What a non-regular file is, for a skip reason."""
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "not a regular file"


def _skip(path: Path | str, reason: str) -> tuple[Path, IngestResult]:
    return Path(path), IngestResult(path=safe_name(path), status="skipped", reason=reason)


def expand_paths(paths: Iterable[Path], follow_links: bool = False) -> Walked:
    """Files under the given paths (folders recursively), each with None, or with the
    IngestResult saying why it is not read (missing, broken link, pipe, outside link...)."""
    out: Walked = []
    for p in paths:
        p = Path(p)
        try:
            p.lstat()
        except OSError:
            out.append((p, IngestResult(path=safe_name(p), status="failed", reason="path does not exist")))
            continue
        try:
            mode = p.stat().st_mode  # a path named on the command line is followed, link or not
        except OSError:
            out.append(_skip(p, "broken link (its target does not exist)"))
            continue
        if stat.S_ISDIR(mode):
            found: Walked = []
            _walk(p, follow_links, found)
            out.extend(sorted(found, key=lambda item: item[0].parts))  # the order of a sorted rglob
        elif stat.S_ISREG(mode):
            out.append((p, None))
        else:
            out.append(_skip(p, f"{kind_of(mode)}, not a regular file"))
    return out


def _walk(top: Path, follow_links: bool, out: Walked) -> None:
    root = os.path.realpath(top)
    seen: set[tuple[int, int]] = set()
    st = os.stat(top)
    seen.add((st.st_dev, st.st_ino))
    stack = [top]
    while stack:
        folder = stack.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as e:
            out.append(_skip(folder, f"cannot list this folder: {e.strerror or e}"))
            continue
        subfolders: list[Path] = []
        for entry in entries:
            path = Path(entry.path)
            if entry.name.startswith("."):
                out.append(_skip(path, "hidden (its name starts with a dot)"))
                continue
            try:
                if entry.is_symlink():
                    target = os.path.realpath(path)
                    try:
                        st = os.stat(path)
                    except OSError:
                        out.append(_skip(path, "broken link (its target does not exist)"))
                        continue
                    if not follow_links and os.path.commonpath([root, target]) != root:
                        out.append(_skip(path, "link leading outside the folder, not followed "
                                               "(REPORTQA_FOLLOW_LINKS=1 follows it)"))
                        continue
                else:
                    st = entry.stat(follow_symlinks=False)
            except (OSError, ValueError) as e:  # a loop of links raises ELOOP
                out.append(_skip(path, f"cannot be read: {getattr(e, 'strerror', None) or e}"))
                continue
            if stat.S_ISDIR(st.st_mode):
                key = (st.st_dev, st.st_ino)
                if key in seen:
                    out.append(_skip(path, "link to a folder already walked (a loop), not followed"))
                    continue
                seen.add(key)
                subfolders.append(path)
            elif stat.S_ISREG(st.st_mode):
                out.append((path, None))
            else:
                out.append(_skip(path, f"{kind_of(st.st_mode)}, not a regular file"))
        stack.extend(reversed(subfolders))
