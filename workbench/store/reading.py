"""Bounded reads: every file the workbench reads from a user's path goes through here, so a symlink to
/dev/zero, a FIFO, a device or a file that never ends cannot hang it or fill its memory.

Only regular files are read. A symbolic link is followed, but only to a regular file (`follow=False`
refuses links themselves). The path is checked with stat before it is opened, so a FIFO or a device is
never opened at all, and checked again with fstat on the open descriptor, which is opened non-blocking
and never as a controlling terminal: a file swapped for a FIFO between the two checks still cannot
block. At most `limit` bytes are read, however large the file says it is or grows while being read.
"""

from __future__ import annotations

import os
import stat

SCENARIO_BYTES = 5_000_000
"""The largest scenario file read: a scenario of 1,000 options is about 400 kB."""


class NotRegularFile(OSError):
    """The path names a folder, a FIFO, a socket or a device: nothing a scenario is read from."""


class FileTooLarge(OSError):
    """A regular file over the size allowed for what it should hold."""


def check_regular(mode: int) -> None:
    """Raise NotRegularFile unless `mode` (a stat result's st_mode) is a regular file's."""
    if stat.S_ISDIR(mode):
        raise NotRegularFile("is a folder")
    if stat.S_ISFIFO(mode):
        raise NotRegularFile("is a FIFO (named pipe), not a regular file")
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        raise NotRegularFile("is a device, not a regular file")
    if stat.S_ISLNK(mode):
        raise NotRegularFile("is a symbolic link, not a regular file")
    if stat.S_ISSOCK(mode):
        raise NotRegularFile("is a socket, not a regular file")
    if not stat.S_ISREG(mode):
        raise NotRegularFile("is not a regular file")


def regular_size(path: str | os.PathLike) -> int:
    """The size of the regular file at `path` (a symlink followed), or NotRegularFile / OSError. For
    readers that open the file themselves (polars): they then meet a regular file or nothing."""
    st = os.stat(path)
    check_regular(st.st_mode)
    return st.st_size


def read_regular(path: str | os.PathLike, limit: int, follow: bool = True) -> tuple[os.stat_result, bytes]:
    """The bytes of the regular file at `path`, at most `limit` of them.

    Raises NotRegularFile, FileTooLarge (its message gives the size), or OSError when the file cannot be
    opened or read.
    """
    check_regular((os.stat(path) if follow else os.lstat(path)).st_mode)
    flags = (
        os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
    )
    if not follow:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(path, flags)
    try:
        st = os.fstat(fd)
        check_regular(st.st_mode)
        if st.st_size > limit:
            raise FileTooLarge(f"file is {st.st_size:,} bytes")
        chunks: list[bytes] = []
        total = 0
        while chunk := os.read(fd, min(1 << 20, limit + 1 - total)):
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:  # it grew while being read
                raise FileTooLarge(f"file is over {limit:,} bytes")
        return st, b"".join(chunks)
    finally:
        os.close(fd)
