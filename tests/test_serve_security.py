"""`workbench serve` answers only its user, and leaves no process behind.

Against a real `python -m workbench serve` on a free loopback port (its own process group), with aiohttp's
websocket client: a foreign or missing Origin, a missing or wrong token are refused before the upgrade;
the session cap holds; the terminal size asked for is clamped (read from the app process's environment);
after clients leave abruptly (during the app's startup, after it stopped reading while the app wrote, or
by dropping the connection) and after SIGTERM or SIGKILL to the server, no app process remains.

App processes are found as the server's children in /proc and remembered with their start time, so a
process is "gone" when its /proc entry is absent, belongs to another process, or is a zombie that is not
the server's (the server must reap its own). Every wait is a bounded number of polls; nothing asserts on
how long anything took, so a loaded machine (CI runs the suite with pytest -n auto on 2 cores) only
makes the tests slower.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import socket
import subprocess
import sys
from pathlib import Path

import aiohttp
import pytest
from helpers import proc_stat, process_ended, start_serve

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="finds app processes in /proc")

TOKEN = "test-token-0123456789abcdefXYZ"
POLL = 0.1
STARTUP_TRIES = 400  # x POLL: the server listening, an app starting
GONE_TRIES = 300  # x POLL: the server's stop takes "quit", then SIGTERM, then SIGKILL (about 5 s at worst)
RECV_TIMEOUT = 60  # seconds for one websocket message; a bound, not an expectation
ANSI = re.compile(r"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b\][^\x07]*\x07|\x1b[PX^_].*?\x1b\\", re.S)


# --- /proc ---------------------------------------------------------------------------------------------
def _stat(pid: int) -> tuple[str, int, int, int] | None:
    """(state, ppid, pgrp, starttime) of a process, or None if it has no /proc entry."""
    rest = proc_stat(pid)
    return None if rest is None else (rest[0], int(rest[1]), int(rest[2]), int(rest[19]))


def _children(parent: int) -> dict[int, int]:
    """The children of `parent` (zombies included): pid -> start time."""
    found = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            st = _stat(int(name))
            if st and st[1] == parent:
                found[int(name)] = st[3]
    return found


def _alive(pid: int, start: int) -> bool:
    """The process `pid` that started at `start` still runs (a zombie has ended)."""
    st = _stat(pid)
    return st is not None and st[3] == start and st[0] != "Z"


def _environ(pid: int) -> dict[str, str]:
    raw = Path(f"/proc/{pid}/environ").read_bytes()
    return dict(item.split("=", 1) for item in raw.decode(errors="replace").split("\0") if "=" in item)


def _blocked_writing_stdout(pid: int) -> bool:
    """Whether the process sits in write(1, ...) (its stdout pipe is full). False if /proc cannot say."""
    try:
        fields = Path(f"/proc/{pid}/syscall").read_text().split()
    except OSError:
        return False
    write = {"x86_64": "1", "aarch64": "64"}.get(os.uname().machine)
    return len(fields) > 1 and fields[0] == write and fields[1] == "0x1"


def _can_see_syscalls(pid: int) -> bool:
    try:
        return bool(Path(f"/proc/{pid}/syscall").read_text().split())
    except OSError:
        return False


async def _stall(ws, pid: int) -> bool:
    """Keep the app drawing big frames (alternate resizes at 400x150) while the client reads nothing,
    until the app is seen blocked writing to its full stdout pipe; whether it was seen (bounded)."""
    for i in range(600):
        await ws.send_str(json.dumps(["resize", {"width": 400 - i % 2, "height": 150 - i % 2}]))
        await asyncio.sleep(POLL)
        if _blocked_writing_stdout(pid):
            return True
    return False


# --- the server ----------------------------------------------------------------------------------------
class Served:
    def __init__(self, proc: subprocess.Popen, port: int, log: Path) -> None:
        self.proc, self.port, self.log = proc, port, log
        self.origin = f"http://127.0.0.1:{port}"
        self.seen: dict[int, int] = {}  # every app process seen: pid -> start time

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def apps(self) -> dict[int, int]:
        """The server's app processes now (remembered in self.seen)."""
        now = _children(self.proc.pid)
        self.seen.update(now)
        return now

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    async def wait_apps(self, n: int) -> dict[int, int]:
        """Wait (bounded) until the server has exactly n app processes running."""
        for _ in range(STARTUP_TRIES):
            apps = {p: s for p, s in self.apps().items() if _alive(p, s)}
            if len(apps) == n:
                return apps
            await asyncio.sleep(POLL)
        pytest.fail(
            f"the server never had {n} app processes (has {self.apps()}); log:\n{self.output()[-3000:]}"
        )

    async def wait_all_gone(self) -> None:
        """Wait (bounded) until no app process seen is left, and the server (if alive) has reaped them."""
        for _ in range(GONE_TRIES):
            left = [p for p, s in self.seen.items() if _alive(p, s)]
            unreaped = [p for p in self.apps()] if self.proc.poll() is None else []
            if not left and not unreaped:
                return
            await asyncio.sleep(POLL)
        pytest.fail(f"app processes left: running {left}, unreaped {unreaped}; log:\n{self.output()[-3000:]}")


def _start(tmp_path: Path, *args: str) -> Served:
    env = dict(os.environ, WORKBENCH_SAVES=str(tmp_path / "saves"), WORKBENCH_SERVE_TOKEN=TOKEN)
    log = tmp_path / f"serve-{len(list(tmp_path.glob('serve-*.log')))}.log"
    proc, port = start_serve(log, env, *args)
    return Served(proc, port, log)


def _cleanup(served: Served) -> None:
    """Whatever a test did: the server's group and every app process seen end (SIGKILL at last)."""
    try:
        served.apps()
    except OSError:
        pass
    if served.proc.poll() is None:
        try:
            os.killpg(served.proc.pid, signal.SIGTERM)
            served.proc.wait(timeout=20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            pass
    for pid, start in served.seen.items():
        if _alive(pid, start):
            try:
                os.killpg(pid, signal.SIGKILL)
            except OSError:
                pass
    try:
        os.killpg(served.proc.pid, signal.SIGKILL)
    except OSError:
        pass
    try:
        served.proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        pass


@pytest.fixture
def serve(tmp_path):
    started: list[Served] = []

    def start(*args: str) -> Served:
        started.append(_start(tmp_path, *args))
        return started[-1]

    yield start
    for served in started:
        _cleanup(served)


# --- clients -------------------------------------------------------------------------------------------
class Sockets:
    """A socket factory for aiohttp's connector that keeps each socket (to drop it abruptly later) and
    can shrink its receive buffer (so that a client that stops reading soon stops the server's sends)."""

    def __init__(self, rcvbuf: int | None = None) -> None:
        self.rcvbuf = rcvbuf
        self.made: list[socket.socket] = []

    def __call__(self, addr_info) -> socket.socket:
        family, type_, proto, _, _ = addr_info
        sock = socket.socket(family=family, type=type_, proto=proto)
        if self.rcvbuf:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, self.rcvbuf)
        self.made.append(sock)
        return sock

    def drop(self) -> None:
        """Drop every connection without a websocket close: the server sees the TCP connection end."""
        for sock in self.made:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


async def _connect(
    http, served: Served, path: str | None = None, origin: str | None = "own", query: str = ""
):
    headers = {} if origin is None else {"Origin": served.origin if origin == "own" else origin}
    return await http.ws_connect(served.url(path or f"/ws/{TOKEN}") + query, headers=headers, heartbeat=None)


async def _status(
    http, served: Served, path: str | None = None, origin: str | None = "own"
) -> tuple[int, str]:
    """(101, '') when the websocket opens (then closed), else the refusal's status and text."""
    try:
        ws = await _connect(http, served, path, origin)
    except aiohttp.WSServerHandshakeError as exc:
        return exc.status, exc.message
    await ws.close()
    return 101, ""


async def _read_until(ws, words: str, limit: int = 2000) -> str:
    """The app's output (ANSI removed) received until it shows `words`, at most `limit` messages."""
    got = []
    for _ in range(limit):
        msg = await asyncio.wait_for(ws.receive(), RECV_TIMEOUT)
        if msg.type == aiohttp.WSMsgType.BINARY:
            got.append(msg.data.decode("utf-8", "replace"))
            if words in ANSI.sub("", "".join(got[-50:])):
                return ANSI.sub("", "".join(got))
        elif msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR):
            break
    pytest.fail(f"{words!r} never arrived; received: {ANSI.sub('', ''.join(got))[-500:]!r}")


# --- tests ---------------------------------------------------------------------------------------------
async def test_refuses_foreign_origin_missing_and_wrong_token_before_starting_anything(serve):
    served = serve()
    async with aiohttp.ClientSession() as http:
        assert (await _status(http, served, origin="http://evil.example.com"))[0] == 403
        assert (await _status(http, served, origin=f"http://evil.example.com:{served.port}"))[0] == 403
        assert (await _status(http, served, origin=None))[0] == 403  # no Origin at all
        assert (await _status(http, served, origin="null"))[0] == 403  # a sandboxed or file: page
        assert (await _status(http, served, origin=f"https://127.0.0.1:{served.port}"))[0] == 403
        assert (await _status(http, served, origin="http://127.0.0.1:1"))[0] == 403  # another port
        assert (await _status(http, served, path="/ws"))[0] == 403  # no token
        assert (await _status(http, served, path="/ws/not-the-token-at-all-0123"))[0] == 403
        assert (await _status(http, served, path=f"/ws?token={TOKEN}x"))[0] == 403
        assert not served.apps(), "a refused client started an app process"

        async with http.get(served.url(f"/ws/{TOKEN}"), headers={"Origin": "http://evil.example.com"}) as r:
            assert r.status == 403 and "Origin 'http://evil.example.com' is not this server" in await r.text()
        async with http.get(served.url("/")) as r:  # the page needs the token too
            assert r.status == 403 and "token" in await r.text()
        async with http.get(served.url("/?token=wrong")) as r:
            assert r.status == 403
        async with http.get(served.url(f"/?token={TOKEN}")) as r:
            page = await r.text()
            assert r.status == 200
            # textual.js appends ?width=..&height=.. to this URL: the token rides in its path
            assert f'data-session-websocket-url="ws://127.0.0.1:{served.port}/ws/{TOKEN}"' in page
            assert r.headers["Referrer-Policy"] == "no-referrer"
            cookie = r.cookies[f"workbench-serve-{served.port}"]
            assert cookie.value == TOKEN and cookie["httponly"] and cookie["samesite"] == "Strict"
        async with http.get(served.url("/download/some-key")) as r:  # no cookie: refused
            assert r.status == 403
        async with http.get(
            served.url("/download/some-key"), headers={"Cookie": f"workbench-serve-{served.port}={TOKEN}"}
        ) as r:
            assert r.status == 404  # allowed, but there is no such download
    assert not served.apps()
    out = served.output()
    assert f"workbench serve: open http://127.0.0.1:{served.port}/?token={TOKEN}" in out
    assert "Traceback" not in out


async def test_own_origin_and_token_get_the_app_at_a_clamped_size(serve):
    served = serve()
    async with aiohttp.ClientSession() as http:
        for origin in (f"http://localhost:{served.port}", f"http://[::1]:{served.port}"):  # loopback names
            assert (await _status(http, served, origin=origin))[0] == 101
        await served.wait_all_gone()

        ws = await _connect(http, served, query="?width=5000&height=2000")
        text = await _read_until(ws, "Pricing")
        assert "Workload" in text
        ((pid, _),) = (await served.wait_apps(1)).items()
        env = _environ(pid)
        assert (env["COLUMNS"], env["ROWS"]) == ("400", "150")  # asked 5000x2000
        assert env["WORKBENCH_SERVED"] == "1"
        assert "WORKBENCH_SERVE_TOKEN" not in env  # the app is not given the server's secret
        assert _stat(pid)[2] == pid, "the app runs in a process group of its own"

        # malformed or odd messages are ignored; the session still answers
        for bad in (
            "not json",
            "{}",
            "[]",
            "[1, 2]",
            '["stdin", 5]',
            '["resize", "big"]',
            '["resize", {"width": "x", "height": null}]',
            '["resize", {"width": 99999, "height": -5}]',
            '["stdin", "\\ud800"]',
            '["unknown", {}]',
            json.dumps(["resize", {"width": True}]),
        ):
            await ws.send_str(bad)
        await ws.send_bytes(b"\x00\xff binary is ignored")
        await ws.send_str('["ping", "still-there"]')
        for _ in range(2000):
            msg = await asyncio.wait_for(ws.receive(), RECV_TIMEOUT)
            if msg.type == aiohttp.WSMsgType.TEXT and json.loads(msg.data) == ["pong", "still-there"]:
                break
            assert msg.type == aiohttp.WSMsgType.BINARY, f"the session ended: {msg}"
        assert _alive(pid, served.seen[pid])
        await ws.close()
    await served.wait_all_gone()
    assert "Traceback" not in served.output()


async def test_the_session_cap_holds_and_frees(serve):
    served = serve("--max-sessions", "2")
    async with aiohttp.ClientSession() as http:
        first = await _connect(http, served)
        second = await _connect(http, served)
        await served.wait_apps(2)
        status, text = await _status(http, served)
        assert status == 503, text
        async with http.get(served.url(f"/ws/{TOKEN}"), headers={"Origin": served.origin}) as r:
            assert r.status == 503 and "--max-sessions" in await r.text()
        await asyncio.sleep(0.5)
        assert len(served.apps()) == 2, "the refused client started a process"
        await first.close()
        for _ in range(STARTUP_TRIES):  # the slot frees once the first app process has ended
            try:
                third = await _connect(http, served)
                break
            except aiohttp.WSServerHandshakeError as exc:
                assert exc.status == 503
                await asyncio.sleep(POLL)
        else:
            pytest.fail("the cap never freed a slot after a client left")
        await served.wait_apps(2)
        await second.close()
        await third.close()
    await served.wait_all_gone()


async def test_no_process_left_after_clients_leave_abruptly(serve):
    served = serve("--max-sessions", "8")
    # 1. a client that drops the connection while its app is still starting
    sockets = Sockets()
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(socket_factory=sockets)) as http:
        await _connect(http, served)
        await served.wait_apps(1)  # the app process exists, and has not drawn yet (nothing is read)
        sockets.drop()
    await served.wait_all_gone()

    # 2. a client that received the app, then drops the connection without a close frame
    sockets = Sockets()
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(socket_factory=sockets)) as http:
        ws = await _connect(http, served)
        await _read_until(ws, "Pricing")
        sockets.drop()
    await served.wait_all_gone()

    # 3. a client that stops reading while the app writes (the app blocks on its full pipe), then drops
    sockets = Sockets(rcvbuf=4096)
    http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(socket_factory=sockets))
    try:
        ws = await _connect(http, served, query="?width=400&height=150")
        ((pid, _),) = (await served.wait_apps(1)).items()
        blocked = await _stall(ws, pid)
        assert blocked or not _can_see_syscalls(pid), "the app never blocked on its pipe"
        sockets.drop()
    finally:
        await http.close()
    await served.wait_all_gone()

    # the server is still there and serves
    async with aiohttp.ClientSession() as http:
        ws = await _connect(http, served)
        await _read_until(ws, "Pricing")
        await ws.close()
    await served.wait_all_gone()
    assert served.proc.poll() is None
    assert "Traceback" not in served.output()


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
async def test_a_stop_signal_to_the_server_ends_every_session_even_a_blocked_one(serve, sig):
    served = serve()
    sockets = Sockets(rcvbuf=4096)
    async with (
        aiohttp.ClientSession() as http,
        aiohttp.ClientSession(connector=aiohttp.TCPConnector(socket_factory=sockets)) as stalled,
    ):
        reading = await _connect(http, served)
        await _read_until(reading, "Pricing")
        ((first, _),) = (await served.wait_apps(1)).items()
        ws = await _connect(stalled, served, query="?width=400&height=150")
        pid = next(p for p in await served.wait_apps(2) if p != first)
        assert await _stall(ws, pid) or not _can_see_syscalls(pid), "the app never blocked on its pipe"
        served.proc.send_signal(sig)  # the server alone, not its group: it must end its apps itself
        if not await process_ended(served.proc, GONE_TRIES, POLL):
            pytest.fail(f"the server did not stop on {sig.name}; log:\n{served.output()[-3000:]}")
    assert served.proc.returncode == 0, served.output()[-3000:]
    await served.wait_all_gone()
    out = served.output()
    assert "Traceback" not in out and "destroyed but it is pending" not in out, out[-3000:]


async def test_apps_die_with_a_killed_server(serve):
    served = serve()
    async with aiohttp.ClientSession() as http:
        ws = await _connect(http, served)
        await _read_until(ws, "Pricing")
        await served.wait_apps(1)
        served.proc.send_signal(signal.SIGKILL)  # no cleanup can run: PR_SET_PDEATHSIG must do it
        await process_ended(served.proc, GONE_TRIES, POLL)
        await served.wait_all_gone()
        await ws.close()


# --- the pieces, without a server --------------------------------------------------------------------
def test_loopback_names():
    from workbench.cli.serving import is_loopback

    for host in (
        "localhost",
        "LOCALHOST",
        "127.0.0.1",
        "127.1",
        "127.0.0.53",
        "127.255.255.254",
        "::1",
        "[::1]",
        "::ffff:127.0.0.1",
    ):
        assert is_loopback(host), host
    for host in (
        "0.0.0.0",
        "::",
        "",
        "192.168.1.5",
        "10.0.0.1",
        "8.8.8.8",
        "fe80::1",
        "128.0.0.1",
        "no-such-host.invalid",
    ):
        assert not is_loopback(host), host


def test_origin_check():
    from workbench.cli.serving import ServedWorkbench

    local = ServedWorkbench(["true"], host="127.0.0.1", port=8123)
    for origin in (
        "http://127.0.0.1:8123",
        "http://localhost:8123",
        "http://[::1]:8123",
        "http://127.0.0.2:8123",
        "HTTP://LOCALHOST:8123",
    ):
        assert local.origin_allowed(origin), origin
    for origin in (
        None,
        "",
        "null",
        "http://127.0.0.1",
        "http://127.0.0.1:8124",
        "https://127.0.0.1:8123",
        "http://evil.example.com:8123",
        "http://localhost.evil.example.com:8123",
        "http://127.0.0.1.nip.io:8123",
        "http://192.168.1.5:8123",
        "ws://127.0.0.1:8123",
        "http://127.0.0.1:99999",
        "http://user@evil.example.com:8123",
        "garbage",
    ):
        assert not local.origin_allowed(origin), origin

    lan = ServedWorkbench(["true"], host="192.168.1.5", port=80)
    assert lan.origin_allowed("http://192.168.1.5") and lan.origin_allowed("http://192.168.1.5:80")
    assert not lan.origin_allowed("http://localhost") and not lan.origin_allowed("http://10.0.0.1")
    anywhere = ServedWorkbench(["true"], host="0.0.0.0", port=8000)
    assert anywhere.origin_allowed("http://10.1.2.3:8000") and anywhere.origin_allowed(
        "http://localhost:8000"
    )
    assert not anywhere.origin_allowed("http://rebound.example.com:8000")
    assert anywhere.url.startswith("http://127.0.0.1:8000/?token=")
    assert ServedWorkbench(["true"], host="::1", port=8000).url.startswith("http://[::1]:8000/?token=")


def test_tokens():
    from workbench.cli.serving import ServedWorkbench, make_token

    a, b = ServedWorkbench(["true"]).token, ServedWorkbench(["true"]).token
    assert a != b and len(a) >= 32
    assert make_token("x" * 16) == "x" * 16
    for bad in ("", "short", "has space in it 123", "a/b" * 8, "é" * 20):
        with pytest.raises(ValueError):
            make_token(bad)


async def test_messages_are_clamped_and_malformed_ones_ignored():
    from aiohttp import WSMsgType

    from workbench.cli.serving import ServedWorkbench

    class Message:
        def __init__(self, data, type_=WSMsgType.TEXT):
            self.type, self.data = type_, data

    class Socket:
        def __init__(self, messages):
            self.messages, self.sent = messages, []

        def __aiter__(self):
            return self._gen()

        async def _gen(self):
            for m in self.messages:
                yield m

        async def send_json(self, data):
            self.sent.append(data)

    class App:
        def __init__(self):
            self.calls = []

        async def send_bytes(self, data):
            self.calls.append(("stdin", data))
            return True

        async def set_terminal_size(self, w, h):
            self.calls.append(("resize", w, h))

        async def blur(self):
            self.calls.append(("blur",))

        async def focus(self):
            self.calls.append(("focus",))

    texts = [
        "nope",
        "{}",
        "[]",
        "[3]",
        '["stdin", 5]',
        '["resize", []]',
        '["resize", {"width": 5000, "height": 2}]',
        '["resize", {"width": "90", "height": "x"}]',
        '["stdin", "ab\\ud800"]',
        '["ping", 7]',
        '["blur"]',
        '["focus", null]',
        '{"type": "stdin"}',
    ]
    sock = Socket([Message(t) for t in texts] + [Message(b"\x00", WSMsgType.BINARY)])
    app = App()
    await ServedWorkbench(["true"])._process_messages(sock, app)
    assert app.calls == [("resize", 400, 10), ("resize", 90, 24), ("stdin", b"ab?"), ("blur",), ("focus",)]
    assert sock.sent == [["pong", 7]]


def test_cli_refuses_bad_flags_and_warns_only_off_loopback(monkeypatch, capsys):
    from workbench.cli import serving
    from workbench.cli.run import build_parser, main

    assert main(["serve", "--max-sessions", "0"]) == 1
    assert "--max-sessions 0 is out of range (1 to 64)" in capsys.readouterr().err
    assert main(["serve", "--max-sessions", "65"]) == 1
    assert "out of range" in capsys.readouterr().err
    assert main(["serve", "--token", "short"]) == 1
    assert capsys.readouterr().err.startswith("serve: the token must be")
    assert build_parser().parse_args(["serve"]).max_sessions == 4

    made = []
    monkeypatch.setattr(serving.ServedWorkbench, "serve", lambda self: made.append(self))
    for host in ("127.1", "localhost", "::1", "127.0.0.1"):
        assert main(["serve", "--host", host]) == 0
        assert "warning" not in capsys.readouterr().err, host
    assert main(["serve", "--host", "0.0.0.0", "--max-sessions", "2"]) == 0
    err = capsys.readouterr().err
    assert "warning: serving on 0.0.0.0, not loopback" in err and "token" in err
    assert made[-1].max_sessions == 2
    monkeypatch.setenv("WORKBENCH_SERVE_TOKEN", "from-the-environment-123")
    assert main(["serve"]) == 0
    assert made[-1].token == "from-the-environment-123"
    assert main(["serve", "--token", "from-the-flag-1234567"]) == 0
    assert made[-1].token == "from-the-flag-1234567"
