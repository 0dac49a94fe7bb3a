"""Recovery copies: unsaved edits survive a crash or a dropped SSH session. No Textual here.

While a tab has unsaved edits, the app writes a copy of its scenario (atomically, a few seconds after the
last edit) to `<recovery>/<tab>-<id>.toml`, where <recovery> is the user state folder's recovery/
(~/.local/state/build-vs-buy-workbench/recovery on Linux; WORKBENCH_RECOVERY overrides). The copy is an ordinary scenario file that starts with
one comment line recording where the tab came from and which session wrote it:

    # workbench-recovery: {"original": "/home/me/saves/loan.toml", "title": "loan", "pid": 4242, "session": "9f…"}

A clean save, an undo back to the file, or an explicit discard removes the copy; a crash leaves it, and
the next start offers to restore it (tests/test_recovery.py).

Whose copy is it? Each running workbench holds an exclusive `flock` on a lock file of its own,
`<recovery>/.<session>.lock`, for as long as it runs (the kernel drops the lock when the process
dies, however it dies). A copy is another session's live work only while its session's lock file
exists and cannot be locked; a pid reused by an unrelated process (pid 1, say) no longer hides a copy.
Lock files of dead sessions are removed by the next scan. Where `fcntl` is missing (Windows), or the
folder's file system refuses locks, a copy has no session and the recorded pid decides, as do copies
written before sessions existed (pid only): such a copy is held while its pid is alive and, where
/proc tells, that process is a workbench.

Only regular files in the folder are looked at: a FIFO, socket, folder or symbolic link there is
skipped without being opened, and copies are opened non-blocking, so nothing there can stall the start.

The recorded original is not trusted blindly: restoring a copy points the tab at it only when it is a
`.toml` file inside the saves folder (or a preset) that is missing or loads as a scenario. Otherwise the
tab is restored with no file, and ctrl+s asks where to save (`original_problem` says why).
"""

from __future__ import annotations

import atexit
import json
import os
import re
import stat
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from workbench.model.scenario import Scenario
from workbench.session.document import Document, _slug
from workbench.store import files, paths, reading

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]

DELAY = 2.0
"""Seconds after the last edit before the copy is written (each edit restarts the wait)."""

MARK = "# workbench-recovery: "
COPY_LIMIT = files.MAX_FILE_BYTES + 65536
"""A copy is a scenario file and one header line: anything larger is not one of ours, and is not read."""
SESSION = uuid.uuid4().hex
"""This process's session id: its copies name it, and it holds `.<SESSION>.lock` while it runs."""
_SESSION_ID = re.compile(r"[0-9a-f]{32}")


def folder() -> Path:
    """In the user state folder: copies are the app's own bookkeeping, not files the user keeps, and
    never under the installed package (paths.recovery_dir)."""
    return paths.recovery_dir()


@dataclass
class Copy:
    """One recovery copy found on disk."""

    file: Path
    original: Path | None  # the file the tab was opened from (None: a new, never-saved tab)
    title: str
    written: float  # seconds since the epoch (the copy's modification time)
    scenario: Scenario | None  # None when the copy cannot be read
    error: str = ""  # why it cannot be read
    meta: dict = field(default_factory=dict)  # the header line: original, title, pid, session
    regular: bool = True  # False: no longer a regular file when it was opened (swapped since the listing)

    @property
    def key(self) -> str:
        return self.file.stem

    @cached_property
    def problem(self) -> str:
        """Why restoring must not point the tab at the recorded original ("" when it may)."""
        return original_problem(self.original)

    def describe(self) -> str:
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(self.written))
        where = str(self.original) if self.original else "a new tab, never saved"
        return f"{self.title} ({where}), unsaved edits from {when}"


def key_of(doc: Document) -> str:
    """The copy's file name for a tab: its title made safe, plus an id unique to the tab."""
    key = getattr(doc, "recovery_key", None)
    if not key:
        key = f"{_slug(doc.title)[:40]}-{uuid.uuid4().hex[:8]}"
        doc.recovery_key = key
    return key


def file_of(doc: Document) -> Path:
    return folder() / f"{key_of(doc)}.toml"


def text_of(doc: Document, session: str | None = None) -> str:
    meta = {
        "original": str(doc.path.absolute()) if doc.path else None,
        "title": doc.title,
        "pid": os.getpid(),
    }
    if session:
        meta["session"] = session
    return MARK + json.dumps(meta, ensure_ascii=False) + "\n" + files.dump_text(doc.scenario)


def keep(doc: Document) -> Path | None:
    """Bring the tab's copy up to date: written when it has unsaved edits, removed when it has none.

    Raises files.ScenarioError (a one-line message) when the copy cannot be written.
    """
    if not doc.dirty:
        discard(doc)
        return None
    target = file_of(doc)
    try:
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise files.ScenarioError(
            f"{target.parent}: cannot create: {exc.strerror or exc} (a writable folder)"
        ) from None
    refuse_shared(target.parent)
    session = SESSION if hold_lock(target.parent) else None
    files.write_atomic(target, text_of(doc, session), through_links=False, mode=0o600)
    return target


def folder_problem(where: Path) -> str:
    """Why `where` must not hold recovery copies ("" when it may, or does not exist yet).

    Copies hold the user's unsaved work and are offered for restoring at the next start, so they are
    kept only in a folder of the user's own that no one else can write: another user could otherwise
    read them, or plant a copy to be restored. Created by `keep` with mode 700; the copies are 600.
    """
    if not hasattr(os, "getuid"):  # Windows: the user's own profile folder, with its own ACLs
        return ""
    try:
        st = os.stat(where)
    except FileNotFoundError:
        return ""
    except OSError as exc:
        return f"recovery folder {where}: cannot read: {exc.strerror or exc} (a folder of your own)"
    if not stat.S_ISDIR(st.st_mode):
        return f"recovery folder {where}: is not a folder (a folder of your own, or set WORKBENCH_RECOVERY)"
    if st.st_uid != os.getuid():
        return (
            f"recovery folder {where}: belongs to another user (uid {st.st_uid}); copies are kept only "
            "in a folder of your own (set WORKBENCH_RECOVERY to one)"
        )
    if st.st_mode & 0o022:
        return (
            f"recovery folder {where}: other users can write to it (mode {stat.S_IMODE(st.st_mode):o}); "
            f"copies are kept only in a folder only you can write (chmod go-w {where})"
        )
    return ""


def refuse_shared(where: Path) -> None:
    """Raise files.ScenarioError when `where` may not hold recovery copies (folder_problem)."""
    if problem := folder_problem(where):
        raise files.ScenarioError(problem)


def discard(doc_or_copy: Document | Copy) -> None:
    """Remove a copy (after a clean save, an undo back to the file, or the user's explicit discard)."""
    if isinstance(doc_or_copy, Copy):
        target = doc_or_copy.file
    elif getattr(doc_or_copy, "recovery_key", None):
        target = file_of(doc_or_copy)
    else:
        return
    try:
        target.unlink()
    except FileNotFoundError:
        pass
    except OSError:
        pass  # a copy that cannot be removed is offered again next time, which loses nothing


# --- whose copy is it: session locks, and the pid where there are none --------------------------------

_held_lock: tuple[int, Path] | None = None  # (descriptor, lock file) this process holds


def lock_file(session: str, where: Path | None = None) -> Path:
    return (where if where is not None else folder()) / f".{session}.lock"


def hold_lock(where: Path | None = None) -> bool:
    """Hold this session's lock file in the recovery folder `where` (once; kept until `release`).

    False where locks are not available (no fcntl, or a file system that refuses flock): the copies
    then record no session and the pid decides. The lock is taken on a temporary file that is then
    renamed into place, so no scan ever sees the lock file unlocked while this process lives.
    """
    global _held_lock
    where = where if where is not None else folder()
    if fcntl is None:
        return False
    if _held_lock is not None:
        if _held_lock[1].parent == where and os.path.exists(_held_lock[1]):
            return True
        release()  # the saves folder changed (tests do this), or someone removed the lock file
    fd, tmp = None, None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{SESSION}.", suffix=".lock.tmp", dir=where)
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        os.write(fd, f"{os.getpid()}\n".encode("ascii"))
        os.replace(tmp, lock_file(SESSION, where))
        tmp = None
    except OSError:
        files.discard_temp(fd, tmp)
        return False
    _held_lock = (fd, lock_file(SESSION, where))
    return True


def release() -> None:
    """Drop this session's lock and its file (at exit; the kernel drops the lock anyway on a crash)."""
    global _held_lock
    if _held_lock is None:
        return
    fd, path = _held_lock
    _held_lock = None
    try:
        os.unlink(path)
    except OSError:
        pass
    try:
        os.close(fd)
    except OSError:
        pass


atexit.register(release)


def _lock_is_held(path: Path) -> bool:
    """Whether a live process holds the lock file at `path`; a dead session's lock file is removed."""
    try:
        st = os.lstat(path)
    except OSError:
        return False  # no lock file: nobody holds this session
    if not stat.S_ISREG(st.st_mode):
        return False  # not a lock file this workbench wrote
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
    except PermissionError:
        return True  # cannot tell: leave it to whoever can
    except OSError:
        return False
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        except OSError:
            return False  # the file system refuses locks: nobody can hold it
        try:
            os.unlink(path)  # its process is gone; session ids are never reused
        except OSError:
            pass
        return False
    finally:
        os.close(fd)


def _pid_alive(pid: int) -> bool:
    if pid <= 0 or pid == os.getpid():
        return False  # our own copies are never "someone else's live session"
    if sys.platform == "win32":  # os.kill(pid, 0) would send Ctrl+C there; ask the process table instead
        try:
            import ctypes

            kernel32 = ctypes.windll.kernel32
            handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
            if not handle:
                return kernel32.GetLastError() == 5  # access denied: it exists
            try:
                code = ctypes.c_ulong()
                ok = kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
                return bool(ok) and code.value == 259  # STILL_ACTIVE
            finally:
                kernel32.CloseHandle(handle)
        except Exception:
            return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def _is_workbench(pid: int) -> bool:
    """Where /proc tells the command line: does that process run the workbench (`python -m workbench`,
    or the `workbench` script)? Where there is no /proc (macOS, Windows) it cannot tell: assume so."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            argv = fh.read(65536).split(b"\0")
    except FileNotFoundError:
        return not os.path.isdir("/proc/self")
    except OSError:
        return True
    if any(a == b"-m" and b == b"workbench" for a, b in zip(argv, argv[1:], strict=False)):
        return True
    return any(os.path.basename(a) in (b"workbench", b"workbench.exe") for a in argv[:2])


def held(meta: dict) -> bool:
    """Whether the copy with this header belongs to a workbench that is still running."""
    session = meta.get("session")
    if isinstance(session, str) and _SESSION_ID.fullmatch(session):
        if session == SESSION:
            return False
        if fcntl is not None:
            return _lock_is_held(lock_file(session))
    pid = meta.get("pid")
    if isinstance(pid, int) and not isinstance(pid, bool):
        return _pid_alive(pid) and _is_workbench(pid)
    return False


def _clean_stale_locks(where: Path) -> None:
    """Lock files of sessions that are gone, and lock temporaries a killed process left (a minute old)."""
    if fcntl is None:
        return
    try:
        entries = list(os.scandir(where))
    except OSError:
        return
    now = time.time()
    for entry in entries:
        name = entry.name
        if not name.startswith(".") or SESSION in name:
            continue
        try:
            if name.endswith(".lock") and _SESSION_ID.fullmatch(name[1:-5]):
                _lock_is_held(Path(entry.path))  # removes it when its process is gone
            elif name.endswith(".lock.tmp") and entry.is_file(follow_symlinks=False):
                if now - entry.stat(follow_symlinks=False).st_mtime > files.STALE_TEMP_SECONDS:
                    os.unlink(entry.path)
        except OSError:
            pass


# --- reading copies ---------------------------------------------------------------------------------


def read(file: Path) -> Copy:
    """One copy from disk; unreadable copies come back with `error` set (they can still be discarded).

    Opened non-blocking and without following a symbolic link, and checked to be a regular file on the
    open descriptor: a FIFO put there cannot stall the caller."""
    try:
        st, data = files.read_regular(file, COPY_LIMIT, follow=False)
        written = st.st_mtime
        raw = data.decode("utf-8")
        first, _, _ = raw.partition("\n")
        meta = json.loads(first.removeprefix(MARK)) if first.startswith(MARK) else {}
        if not isinstance(meta, dict):
            meta = {}
    except reading.NotRegularFile as exc:
        return Copy(file, None, file.stem, 0.0, None, f"unreadable: {exc}", regular=False)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError, ValueError) as exc:
        return Copy(file, None, file.stem, 0.0, None, f"unreadable: {exc}")
    original = meta.get("original")
    title = str(meta.get("title") or file.stem)
    copy = Copy(
        file,
        Path(original) if isinstance(original, str) and original and "\x00" not in original else None,
        title,
        written,
        None,
        meta=meta,
    )
    try:
        copy.scenario = files.parse_text(raw, str(file))
    except files.ScenarioError as exc:
        copy.error = str(exc).splitlines()[0]
    return copy


def scan() -> list[Copy]:
    """Copies left by sessions that ended without saving (not those of another workbench still running).

    Only regular `*.toml` files are read; anything else in the folder is skipped unopened. Raises
    files.ScenarioError, reading nothing, when the folder is one that others can write (folder_problem)."""
    where = folder()
    refuse_shared(where)
    try:
        entries = sorted(os.scandir(where), key=lambda e: e.name)
    except OSError:
        return []
    out = []
    for entry in entries:
        if entry.name.startswith(".") or not entry.name.endswith(".toml"):
            continue  # lock files, and temporary files of interrupted writes
        try:
            if not entry.is_file(follow_symlinks=False):
                continue  # a folder, FIFO, socket, device or symbolic link: not a copy this app wrote
        except OSError:
            continue
        copy = read(Path(entry.path))
        if not copy.regular:
            continue  # swapped for something else since the listing
        if held(copy.meta):
            continue
        out.append(copy)
    _clean_stale_locks(where)
    return sorted(out, key=lambda c: -c.written)


# --- restoring --------------------------------------------------------------------------------------


def original_problem(original: Path | None) -> str:
    """Why a restored tab must not point at its recorded original ("" when it may).

    It may when the original is a `.toml` file inside the saves folder (not in the recovery folder) or
    a preset, and is missing (ctrl+s writes it anew) or loads as a scenario. A copy is only a file in a
    folder; whoever could write it chose that path, so a path elsewhere, or a file that is not a
    scenario, is not one ctrl+s may write over without asking."""
    if original is None:
        return ""
    shown_saves = paths.shown(paths.saves_dir())
    if original.suffix != ".toml":
        return f"its recorded file {original} is not a .toml scenario file"
    try:
        real = paths.resolved(original)
        saves = paths.resolved(paths.saves_dir())
        inside = real.is_relative_to(saves) and not real.is_relative_to(paths.resolved(folder()))
        if not (inside or paths.is_preset(real)):
            return f"its recorded file {original} is outside {shown_saves}/"
        if not os.path.lexists(original):
            return ""
        files.load(original)
    except files.ScenarioError:
        return f"its recorded file {original} is not a scenario file"
    except (OSError, ValueError):
        return f"its recorded file {original} cannot be checked"
    return ""


def restore(copy: Copy) -> Document:
    """A tab holding the recovered edits, marked unsaved. It keeps the copy's key, so the copy stays on
    disk until the tab is saved or discarded.

    When the recorded original may be trusted (`original_problem`) the tab points at it: ctrl+s saves
    there (or under saves/ for a preset), and undo goes back to that file as it is on disk. Otherwise the
    tab has no file, so ctrl+s asks where to save, and `doc.note` says why."""
    if copy.scenario is None:
        raise files.ScenarioError(copy.error or f"{copy.file}: unreadable recovery copy")
    problem = copy.problem
    if problem:
        doc = Document(copy.scenario, None, copy.title)
        doc.note = f"restored {copy.title}: {problem}, so ctrl+s asks where to save"
        doc.recovery_key = copy.key
        return doc
    base = None
    if copy.original is not None:
        try:
            base = files.load(copy.original)
        except files.ScenarioError:
            base = None
    if base is not None:
        doc = Document(base, copy.original, copy.title)
        doc.push(copy.scenario)
    else:
        doc = Document(copy.scenario, copy.original, copy.title)
        doc.saved = None  # the original is gone: nothing on disk equals this tab
    doc.recovery_key = copy.key
    return doc


# --- at a crash -------------------------------------------------------------------------------------


def keep_all(docs: list[Document]) -> list[tuple[Document, Path | None, str]]:
    """A copy of every tab with unsaved edits, written now (not DELAY seconds after the last edit), when
    the app is ending on an unhandled error (workbench.session.crash). Each tab is tried on its own: one
    copy that fails does not stop the others, and nothing here raises. Tabs without unsaved edits are
    left alone. Returns (tab, copy written or None, why not) for each tab with unsaved edits."""
    out: list[tuple[Document, Path | None, str]] = []
    for doc in docs:
        try:
            if not doc.dirty:
                continue
            out.append((doc, keep(doc), ""))
        except Exception as exc:  # whatever went wrong with this tab, the others still get their copy
            out.append((doc, None, f"{type(exc).__name__}: {exc}"))
    return out
