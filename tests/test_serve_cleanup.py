"""`workbench serve` leaves nothing running: 20 sessions, each closed at a different moment of its app's
life, then a stop signal with sessions still open.

A real `python -m workbench serve` on a free loopback port, in a process group of its own, with a
WORKBENCH_SAVES of the test's own (a marker its app processes inherit). Sessions are opened with aiohttp's
websocket client as the page opens them (the token in the path, the server's Origin, then a resize
message), and closed at once, a few milliseconds after the handshake (the app is starting: the page's
splash), during start-up, or after the app's first frame; after each group of them, no app process may be
left. Then three sessions stay open (one drawn, two starting) and the server's process group gets SIGTERM
or SIGINT (a `kill` of the job, or Ctrl+C): the server must exit 0 without a traceback, and nothing may be
left running.

A workbench process is one whose environment has the marker (WORKBENCH_SAVES) and WORKBENCH_SERVED=1, or
one in the server's process group, or a descendant of the server (an unreaped child counts). Every wait is
a bounded number of polls or messages; nothing asserts how long anything took.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import aiohttp
import pytest
from helpers import ROOT, proc_stat, process_ended, start_serve

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="finds processes in /proc")

TOKEN = "cleanup-test-token-0123456789abc"
POLL = 0.1
STARTUP_TRIES = 400  # x POLL: the server listening
GONE_TRIES = 300  # x POLL: an ending is "quit" or SIGTERM, then SIGTERM, then SIGKILL (about 5 s at worst)
FRAME_MESSAGES = 2000  # messages read at most while waiting for the app's first frame
RECV_TIMEOUT = 60  # seconds for one websocket message; a bound, not an expectation
SIZE = {"width": 160, "height": 48}  # a browser window's terminal


# --- /proc ---------------------------------------------------------------------------------------------
def _stat(pid: int) -> tuple[str, int, int, int] | None:
    """(state, ppid, pgrp, CPU ticks used) of a process, or None if it has gone."""
    rest = proc_stat(pid)
    return None if rest is None else (rest[0], int(rest[1]), int(rest[2]), int(rest[11]) + int(rest[12]))


def _environ(pid: int) -> dict[str, str]:
    try:
        raw = Path(f"/proc/{pid}/environ").read_bytes()
    except OSError:  # gone, a zombie, or not ours
        return {}
    return dict(item.split("=", 1) for item in raw.decode(errors="replace").split("\0") if "=" in item)


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return "?"


class Served:
    def __init__(self, proc: subprocess.Popen, port: int, log: Path, marker: str) -> None:
        self.proc, self.port, self.log, self.marker = proc, port, log, marker
        self.origin = f"http://127.0.0.1:{port}"
        self.seen: set[int] = set()  # every app process found

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def workbench_processes(self) -> dict[int, tuple[str, int, str]]:
        """Every process of this server but the server itself: pid -> (state, CPU ticks, command line)."""
        server = self.proc.pid
        stats = {}
        for name in os.listdir("/proc"):
            if name.isdigit() and (st := _stat(int(name))) is not None:
                stats[int(name)] = st
        found = {}
        for pid, (state, ppid, pgrp, ticks) in stats.items():
            if pid == server:
                continue
            env = _environ(pid)
            marked = env.get("WORKBENCH_SAVES") == self.marker and env.get("WORKBENCH_SERVED") == "1"
            ancestor, hops = ppid, 0
            while ancestor not in (0, 1, server) and ancestor in stats and hops < 64:
                ancestor, hops = stats[ancestor][1], hops + 1
            if marked or pgrp == server or ancestor == server:
                found[pid] = (state, ticks, _cmdline(pid))
        self.seen.update(found)
        return found

    async def wait_none_left(self, what: str) -> None:
        """Wait (bounded) until no process of this server is left, then say it (with what was left)."""
        left: dict[int, tuple[str, int, str]] = {}
        for _ in range(GONE_TRIES):
            left = self.workbench_processes()
            if not left:
                return
            await asyncio.sleep(POLL)
        ticks = sum(t for _, t, _ in left.values())
        pytest.fail(
            f"{what}: {len(left)} workbench process(es) left, {ticks} CPU ticks used: {left}\n"
            f"server log:\n{self.output()[-3000:]}"
        )

    async def watch(self) -> None:
        """Notice app processes as they come (so that the test can say it saw them), until cancelled."""
        while True:
            self.workbench_processes()
            await asyncio.sleep(POLL)


def _start(tmp_path: Path) -> Served:
    marker = str(tmp_path / f"saves-{uuid.uuid4().hex}")
    env = dict(os.environ, WORKBENCH_SAVES=marker, WORKBENCH_SERVE_TOKEN=TOKEN)
    log = tmp_path / "serve.log"
    proc, port = start_serve(log, env, "--max-sessions", "16")
    return Served(proc, port, log, marker)


@pytest.fixture
def served(tmp_path):
    served = _start(tmp_path)
    yield served
    # whatever the test did: the server's group, then any process it left, end (SIGKILL at last)
    for sig in (signal.SIGTERM, signal.SIGKILL):
        if served.proc.poll() is None:
            try:
                os.killpg(served.proc.pid, sig)
                served.proc.wait(timeout=20)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                pass
    for pid in served.workbench_processes():
        try:
            os.killpg(pid, signal.SIGKILL)
        except OSError:
            pass


# --- sessions --------------------------------------------------------------------------------------------
async def _open(http: aiohttp.ClientSession, served: Served) -> aiohttp.ClientWebSocketResponse:
    """A session as the page opens it: the websocket, then the terminal's size."""
    ws = await http.ws_connect(
        f"{served.origin}/ws/{TOKEN}?width={SIZE['width']}&height={SIZE['height']}",
        headers={"Origin": served.origin},
        heartbeat=None,
    )
    await ws.send_str(json.dumps(["resize", SIZE]))
    return ws


async def _first_frame(ws: aiohttp.ClientWebSocketResponse) -> None:
    """Read until the app's first output (its first frame) arrives."""
    for _ in range(FRAME_MESSAGES):
        msg = await asyncio.wait_for(ws.receive(), RECV_TIMEOUT)
        if msg.type == aiohttp.WSMsgType.BINARY and msg.data:
            return
        if msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR):
            pytest.fail(f"the session ended before the app drew: {msg}")
    pytest.fail("the app never drew")


async def _leave_during_handshake(served: Served) -> None:
    """A client that asks for the websocket and leaves before the server's answer (a tab closed at once)."""
    key = base64.b64encode(os.urandom(16)).decode()
    request = (
        f"GET /ws/{TOKEN}?width={SIZE['width']}&height={SIZE['height']} HTTP/1.1\r\n"
        f"Host: 127.0.0.1:{served.port}\r\nOrigin: {served.origin}\r\nUpgrade: websocket\r\n"
        f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
    )
    _, writer = await asyncio.open_connection("127.0.0.1", served.port)
    writer.write(request.encode())
    await writer.drain()
    writer.close()
    await writer.wait_closed()


async def _session(http: aiohttp.ClientSession, served: Served, close_after: float | str) -> None:
    """One session, closed `close_after` seconds after the handshake, or after the app's first frame, or
    left during the handshake."""
    if close_after == "handshake":
        await _leave_during_handshake(served)
        return
    ws = await _open(http, served)
    if close_after == "frame":
        await _first_frame(ws)
    elif isinstance(close_after, float) and close_after > 0:
        await asyncio.sleep(close_after)
    await ws.close()


# Four groups, 17 sessions: left during the handshake or closed at once, a few ms after the handshake
# (the splash), later during start-up, after the first frame. Three more stay open until the stop
# signal: 20 in all.
GROUPS: list[tuple[str, list[float | str]]] = [
    ("closed at once", ["handshake", "handshake", 0.0, 0.0, 0.0]),
    ("closed a few ms after the handshake", [0.002, 0.005, 0.01, 0.025, 0.05]),
    ("closed during start-up", [0.1, 0.25, 0.5, 1.0]),
    ("closed after the first frame", ["frame"] * 3),
]


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
async def test_no_workbench_process_is_left_after_20_sessions_and_a_stop_signal(served, sig):
    watcher = asyncio.create_task(served.watch())
    try:
        async with aiohttp.ClientSession() as http:
            for what, moments in GROUPS:
                await asyncio.gather(*(_session(http, served, m) for m in moments))
                await served.wait_none_left(f"after {len(moments)} sessions {what}")
            assert served.proc.poll() is None, served.output()[-3000:]

            drawn = await _open(http, served)
            await _first_frame(drawn)
            starting = [await _open(http, served) for _ in range(2)]
            await asyncio.sleep(0.05)  # their apps are starting
            assert served.workbench_processes(), "the open sessions have no app process"
            os.killpg(served.proc.pid, sig)  # as `kill` of the job or Ctrl+C in its terminal does
            if not await process_ended(served.proc, GONE_TRIES, POLL):
                pytest.fail(f"the server did not stop on {sig.name}; log:\n{served.output()[-3000:]}")
            for ws in (drawn, *starting):
                await ws.close()
    finally:
        watcher.cancel()
        await asyncio.gather(watcher, return_exceptions=True)
    out = served.output()
    assert served.proc.returncode == 0, out[-3000:]
    await served.wait_none_left(f"after {sig.name} to the server")
    assert "Traceback" not in out and "destroyed but it is pending" not in out, out[-3000:]
    # the sessions did run apps: at least one per session that drew or stayed open
    assert len(served.seen) >= 3 + 3, f"only {len(served.seen)} app processes seen; log:\n{out[-3000:]}"


# --- the pieces, without a server ----------------------------------------------------------------------
def _served_app(tmp_path: Path) -> subprocess.Popen:
    """`python -m workbench` as a session runs it: the served driver, pipes, WORKBENCH_SERVED=1."""
    from workbench.cli.serving import SERVED_DRIVER

    env = dict(
        os.environ,
        TEXTUAL_DRIVER=SERVED_DRIVER,
        COLUMNS="100",
        ROWS="30",
        WORKBENCH_SERVED="1",
        WORKBENCH_SAVES=str(tmp_path / "saves"),
    )
    return subprocess.Popen(
        [sys.executable, "-m", "workbench"],
        cwd=ROOT,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def _wait_exit(proc: subprocess.Popen) -> int | None:
    for _ in range(GONE_TRIES):
        if proc.poll() is not None:
            return proc.returncode
        time.sleep(POLL)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    return None


@pytest.mark.parametrize("when", ["before its driver starts", "after its first frame"])
def test_a_served_app_exits_when_its_stdin_reaches_end_of_file(tmp_path, when):
    """The server closing its end of the app's stdin ends the app, whatever the app was doing."""
    import threading

    app = _served_app(tmp_path)
    assert app.stdin is not None and app.stdout is not None
    output = bytearray()
    drawn = threading.Event()

    def drain() -> None:  # as the server does: the app's output is read to the end
        while chunk := app.stdout.read1(65536):  # type: ignore[union-attr]
            output.extend(chunk)
            if b"__GANGLION__" in output and len(output) > 2000:
                drawn.set()

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    if when == "after its first frame":
        for _ in range(STARTUP_TRIES):
            if drawn.wait(POLL) or app.poll() is not None:
                break
        assert drawn.is_set(), f"the app never drew: {bytes(output[-300:])!r}"
    app.stdin.close()
    assert _wait_exit(app) == 0, f"the app did not exit on end of file (output {bytes(output[-300:])!r})"
    reader.join(timeout=10)


async def test_an_ending_asked_while_the_process_starts_ends_it(tmp_path):
    """The server stopping while a session's process is being started: the ending waits for the process
    and ends it, and a session ended before it started starts nothing."""
    from types import SimpleNamespace

    from workbench.cli.serving import Session

    async def ignore(*_args) -> None:
        pass

    server = SimpleNamespace(download_manager=SimpleNamespace(), debug=False, sessions=set())
    argv = [sys.executable, "-c", "import time; time.sleep(600)"]

    def session() -> Session:
        request = SimpleNamespace(transport=None)
        websocket = SimpleNamespace(send_bytes=ignore, send_str=ignore, close=ignore)
        made = Session(argv, request=request, websocket=websocket, server=server)  # type: ignore[arg-type]
        made._download_manager = SimpleNamespace(cancel_app_downloads=lambda **_: ignore())
        return made

    racing = session()
    try:
        starting = asyncio.create_task(racing.start(80, 24))
        await asyncio.sleep(0)  # the start has forked the process and waits for its pipes
        await racing.stop()
        await starting
        assert racing._process is not None, "the process was never started"
        assert racing._process.returncode is not None, "the ending left the process being started running"
    finally:
        racing.kill_now()  # only if the ending failed

    late = session()
    await late.stop()
    await late.start(80, 24)
    assert late._process is None, "a session ended before it started started a process"
