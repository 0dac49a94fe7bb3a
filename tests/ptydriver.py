"""A program on a pseudo-terminal, driven from outside as a terminal drives it: bytes written to it as keys,
everything it writes read back. Shared by the key-burst test (tests/test_key_bursts.py) and the
benchmarks (benchmarks/terminal.py imports it from here).

`Screen` turns what a Textual app writes into the lines a person would read: Textual paints each frame as
cursor moves (CSI row;col H) followed by styled text, so a grid of characters that follows the moves and
skips every other control sequence is enough (no terminal emulator needed).
"""

from __future__ import annotations

import codecs
import os
import re
import select
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from rich.cells import cell_len

ROOT = Path(__file__).resolve().parent.parent


class PtyApp:
    """A command on a pseudo-terminal of `cols` x `rows`, started in `cwd`; reads everything it writes."""

    def __init__(
        self,
        argv: list[str],
        cols: int = 120,
        rows: int = 40,
        env: dict | None = None,
        cwd: Path = ROOT,
    ) -> None:
        import fcntl
        import pty
        import struct
        import termios

        self.master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        env = dict(
            env or os.environ,
            TERM="xterm-256color",
            COLORTERM="truecolor",
            COLUMNS=str(cols),
            LINES=str(rows),
        )
        env.pop("TEXTUAL", None)
        self.t0 = time.perf_counter()
        self.proc = subprocess.Popen(
            argv, stdin=slave, stdout=slave, stderr=slave, cwd=cwd, env=env, start_new_session=True
        )
        os.close(slave)
        self.buffer = b""
        self.last_byte = self.t0
        self.screen = Screen(cols, rows)

    def _read(self, wait: float) -> bool:
        """Read what is there within `wait` seconds; False when the app has gone."""
        ready, _, _ = select.select([self.master], [], [], wait)
        if not ready:
            return self.proc.poll() is None
        try:
            chunk = os.read(self.master, 1 << 16)
        except OSError:
            return False
        if not chunk:
            return False
        self.buffer += chunk
        self.screen.feed(chunk)
        self.last_byte = time.perf_counter()
        return True

    def read_until(self, predicate: Callable[[bytes], bool], timeout: float = 60.0) -> float | None:
        """Read output until predicate(all output so far) holds; the time since spawn, or None."""
        end = time.perf_counter() + timeout
        while time.perf_counter() < end:
            if not self._read(0.05):
                return None
            if predicate(self.buffer):
                return self.last_byte - self.t0
        return None

    def wait_for_text(self, text: str, timeout: float = 20.0) -> bool:
        """Read until `text` is on the screen now (not merely in the output so far); False if it never is
        within `timeout` seconds, or the app has gone."""
        end = time.perf_counter() + timeout
        while time.perf_counter() < end:
            if text in self.screen.text():
                return True
            if not self._read(0.05):
                return text in self.screen.text()
        return False

    def drain(self, quiet: float = 0.5, timeout: float = 20.0) -> None:
        """Read until the app has written nothing for `quiet` seconds (it has finished painting)."""
        end = time.perf_counter() + timeout
        while time.perf_counter() < end:
            ready, _, _ = select.select([self.master], [], [], quiet)
            if not ready:
                return
            if not self._read(0):
                return

    def send(self, keys: str | bytes) -> None:
        """Write keys to the terminal in one write, as a fast typist or a paste over SSH delivers them."""
        os.write(self.master, keys.encode() if isinstance(keys, str) else keys)

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        os.close(self.master)


# A control sequence: CSI (parameters, final byte), OSC or DCS (up to BEL or ST), or ESC and one character.
_CONTROL = re.compile(
    r"\x1b\[([0-9;?<>=]*)[ -/]*([@-~])|\x1b[\]P].*?(?:\x07|\x1b\\)|\x1b[^\[\]P]|[\x00-\x1f]", re.DOTALL
)


class Screen:
    """The characters on a terminal of `cols` x `rows`, as the cursor moves and text a program writes
    leave them (colours and other attributes are skipped)."""

    def __init__(self, cols: int, rows: int) -> None:
        self.cols, self.rows = cols, rows
        self.cells = [[" "] * cols for _ in range(rows)]
        self.row = self.col = 0
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._pending = ""  # an unfinished control sequence at the end of the last chunk

    def feed(self, data: bytes) -> None:
        text = self._pending + self._decoder.decode(data)
        cut = text.rfind("\x1b")
        whole = _CONTROL.match(text, cut) if cut != -1 else None
        if cut != -1 and len(text) - cut < 64 and (whole is None or whole.end() == cut + 1):
            text, self._pending = text[:cut], text[cut:]  # the rest of it comes with the next read
        else:
            self._pending = ""
        at = 0
        for m in _CONTROL.finditer(text):
            self._put(text[at : m.start()])
            self._control(m)
            at = m.end()
        self._put(text[at:])

    def _control(self, m: re.Match) -> None:
        seq = m.group(0)
        if seq == "\r":
            self.col = 0
        elif seq == "\n":
            self.row = min(self.row + 1, self.rows - 1)
        elif m.group(2) in ("H", "f") and not m.group(1).startswith("?"):
            row, _, col = m.group(1).partition(";")
            self.row = min(max(int(row or 1), 1), self.rows) - 1
            self.col = min(max(int(col or 1), 1), self.cols) - 1
        elif m.group(2) == "J" and m.group(1) in ("2", "3"):
            self.cells = [[" "] * self.cols for _ in range(self.rows)]
        elif m.group(2) == "K" and m.group(1) in ("", "0"):
            self.cells[self.row][self.col :] = [" "] * (self.cols - self.col)

    def _put(self, text: str) -> None:
        for ch in text:
            width = cell_len(ch)
            if width == 0 or self.col + width > self.cols:
                continue
            self.cells[self.row][self.col] = ch
            if width == 2:
                self.cells[self.row][self.col + 1] = ""
            self.col += width

    def lines(self) -> list[str]:
        return ["".join(row).rstrip() for row in self.cells]

    def text(self) -> str:
        return "\n".join(self.lines())
