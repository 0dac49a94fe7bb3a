"""`workbench serve`: textual-serve, hardened so that the server answers only the person who started it.

textual-serve 1.1.3 alone accepts any page's websocket (no token, no Origin check), starts a process per
connection without a limit, passes any terminal size to the app, and can leave a child running when the
client goes away while the child is blocked writing to its pipe. This module keeps its page, its
javascript and its wire protocol, and replaces what decides who gets a session and how a session ends:

- every server start makes a random token (or takes one given); the page `/` and the websocket need it,
  the printed URL carries it (`http://HOST:PORT/?token=...`, as Jupyter does);
- the websocket refuses, before the upgrade, a missing or wrong token and an `Origin` that is not the
  server's own address (names are not resolved there, so a DNS-rebinding page stays foreign);
- at most `max_sessions` sessions run at once (sessions being started or stopped count);
- the terminal size asked for is clamped, and malformed messages are ignored;
- each app runs in its own process group (exec, no shell) with `WORKBENCH_SERVED=1`; when its client
  leaves or the server stops it gets "quit" and end of file on its stdin, then SIGTERM, then SIGKILL to
  its group, and is reaped, whatever it was doing (starting too: an ending asked for while the process
  is being started waits for it): its output is discarded once the client is gone so a blocked write
  ends too. Its driver (workbench.tui.served) exits on that end of file, so an app never outlives a
  server that went away without ending it; on Linux a child also dies with the server
  (PR_SET_PDEATHSIG) should the server itself be killed.

The aiohttp and textual-serve imports happen when the module is imported: import it only to serve.
"""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
import json
import logging
import os
import re
import secrets
import signal
import socket
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import aiohttp_jinja2
import jinja2
from aiohttp import WSMsgType, web
from textual_serve.app_service import AppService
from textual_serve.server import Server

log = logging.getLogger("workbench.serve")

TOKEN_ENV = "WORKBENCH_SERVE_TOKEN"
SERVED_ENV = "WORKBENCH_SERVED"
# Textual's web driver, plus: the app ends when its stdin reaches end of file (the server closed it)
SERVED_DRIVER = "workbench.tui.served:ServedDriver"
DEFAULT_MAX_SESSIONS = 4
WIDTH_RANGE = (20, 400)  # terminal cells a client may ask for
HEIGHT_RANGE = (10, 150)
TOKEN_RE = re.compile(r"[A-Za-z0-9._~-]{16,200}")  # URL-safe, long enough to be a secret

QUIT_WRITE_TIMEOUT = 1.0  # the "quit" packet's write can block when the child does not read its stdin
QUIT_GRACE = 2.0  # seconds for the app to leave after "quit", then after SIGTERM, before SIGKILL
KILL_WAIT = 5.0  # after SIGKILL (bounded: a process in uninterruptible sleep is reported, not waited on)
INPUT_TIMEOUT = 10.0  # the app has not read its input for this long: the session is ended
STDERR_KEEP = 8192  # bytes of a child's stderr kept (its tail) and shown if it fails
POLL = 0.05

HOST_HEADER_RE = re.compile(r"(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?")


def clamp(value: object, low: int, high: int, default: int) -> int:
    """A whole number from a query string or a message, inside [low, high]; `default` if it is not one."""
    if isinstance(value, bool):
        return default
    if isinstance(value, str):
        try:
            value = int(value.strip())
        except ValueError:
            return default
    if not isinstance(value, int):
        return default
    return max(low, min(high, value))


def _bare(host: str) -> str:
    host = host.strip().lower()
    return host[1:-1] if host.startswith("[") and host.endswith("]") else host


def _ip(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """An IP literal, including the short IPv4 forms inet_aton reads (`127.1`); None for a name."""
    host = _bare(host)
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    if re.fullmatch(r"[0-9.xXa-fA-F]+", host) and not host.endswith("."):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None


def _ip_is_loopback(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    mapped = getattr(ip, "ipv4_mapped", None)
    return ip.is_loopback or bool(mapped and mapped.is_loopback)


def is_wildcard(host: str) -> bool:
    ip = _ip(host) if host.strip() else None
    return not host.strip() or bool(ip and ip.is_unspecified)


def is_loopback(host: str) -> bool:
    """Whether binding `host` listens on loopback only: localhost, 127.x.y.z (127.1 too), ::1, or a name
    that resolves only to loopback addresses. A wildcard or an unresolvable name is not loopback."""
    if _bare(host) == "localhost":
        return True
    ip = _ip(host)
    if ip is not None:
        return _ip_is_loopback(ip)
    if not host.strip():
        return False
    try:
        infos = socket.getaddrinfo(_bare(host), None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return False
    ips = [_ip(str(info[4][0])) for info in infos]
    return bool(ips) and all(ip is not None and _ip_is_loopback(ip) for ip in ips)


def url_host(host: str) -> str:
    """The host as a URL writes it ([::1] for an IPv6 literal); a wildcard bind is shown as loopback."""
    bare = _bare(host)
    if is_wildcard(host):
        bare = "::1" if ":" in bare else "127.0.0.1"
    return f"[{bare}]" if ":" in bare else bare


def make_token(given: str | None = None) -> str:
    """The session token: the one given (checked), else a fresh random one."""
    if given is None:
        return secrets.token_urlsafe(24)
    if not TOKEN_RE.fullmatch(given):
        raise ValueError("the token must be 16 to 200 characters of A-Z a-z 0-9 . _ ~ -")
    return given


def _same(given: str | None, token: str) -> bool:
    return given is not None and hmac.compare_digest(given.encode("utf-8", "replace"), token.encode())


# --- one session: one app process -------------------------------------------------------------------
_LIBC = None
if sys.platform.startswith("linux"):
    try:
        import ctypes

        _LIBC = ctypes.CDLL(None, use_errno=True)
        _LIBC.prctl  # noqa: B018 (resolved now, in the parent, not after fork)
    except (OSError, AttributeError):
        _LIBC = None
PR_SET_PDEATHSIG = 1


def _child_setup(parent: int) -> None:
    """Runs in the child between fork and exec (Linux): die with the server, even if it is SIGKILLed."""
    if _LIBC is not None:
        _LIBC.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the server died before prctl took effect
        os._exit(1)


@dataclass(frozen=True)
class Limits:
    width: tuple[int, int] = WIDTH_RANGE
    height: tuple[int, int] = HEIGHT_RANGE

    def size(self, width: object, height: object, default: tuple[int, int] = (80, 24)) -> tuple[int, int]:
        return (clamp(width, *self.width, default[0]), clamp(height, *self.height, default[1]))


class Session(AppService):
    """One browser tab's app process: started with exec in its own process group, ended for certain.

    Sizes reach it already clamped: the server clamps them where they arrive (the websocket's query and
    its resize messages)."""

    def __init__(
        self,
        argv: Sequence[str],
        *,
        request: web.Request,
        websocket: web.WebSocketResponse,
        server: ServedWorkbench,
    ):
        super().__init__(
            " ".join(argv),
            write_bytes=websocket.send_bytes,
            write_str=websocket.send_str,
            close=self.close_websocket,  # the app's "exit" meta: bounded too
            download_manager=server.download_manager,
            debug=server.debug,
        )
        self.argv = list(argv)
        # kept now: aiohttp forgets it when it starts closing, and a close stuck behind a client that
        # stopped reading never finishes unless the connection is aborted
        self.connection = request.transport
        self.websocket = websocket
        self.server = server
        self.label = self.app_service_id[:8]
        self._stopper: asyncio.Future[None] | None = None
        self._starting: asyncio.Future[Any] | None = None
        self._stderr_tail = bytearray()
        self._side_tasks: list[asyncio.Task[None]] = []

    # environment and process
    def _build_environment(self, width: int = 80, height: int = 24) -> dict[str, str]:
        env = super()._build_environment(width=width, height=height)
        env.pop(TOKEN_ENV, None)  # the app has no use for the server's secret
        env[SERVED_ENV] = "1"
        env["TEXTUAL_DRIVER"] = SERVED_DRIVER
        return env

    async def _open_app_process(self, width: int = 80, height: int = 24):
        env = self._build_environment(width=width, height=height)
        linux = sys.platform.startswith("linux")
        parent = os.getpid()
        self._process = process = await asyncio.create_subprocess_exec(
            *self.argv,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=env,
            start_new_session=True,
            preexec_fn=(lambda: _child_setup(parent)) if linux else None,
        )
        assert process.stdin is not None
        self._stdin = process.stdin
        return process

    # input to the app, bounded: a child that stops reading ends its session instead of hanging it
    async def _write_packet(self, packet: bytes, timeout: float) -> bool:
        if self._stdin is None:
            return False
        try:
            self._stdin.write(packet)
            await asyncio.wait_for(self._stdin.drain(), timeout)
        except TimeoutError:
            log.warning("session %s: the app did not read its input for %.0f s", self.label, timeout)
            return False
        except (RuntimeError, ConnectionError, OSError):
            return False
        return True

    async def send_bytes(self, data: bytes) -> bool:
        return await self._write_packet(self.encode_packet(b"D", data), INPUT_TIMEOUT)

    async def send_meta(
        self, data: dict[str, str | None | int | bool], timeout: float = INPUT_TIMEOUT
    ) -> bool:
        return await self._write_packet(self.encode_packet(b"M", json.dumps(data).encode("utf-8")), timeout)

    # output from the app
    async def start(self, width: int, height: int) -> None:
        if self._stopper is not None:  # ended before it began (the server is stopping): start nothing
            return
        # kept, so that an ending asked for meanwhile waits for the process and ends it
        self._starting = asyncio.ensure_future(self._open_app_process(width, height))
        await self._starting
        if self._stopper is not None:  # ended while starting: the ending has the process
            return
        assert self._process is not None and self._process.stderr is not None
        self._side_tasks.append(asyncio.create_task(self._keep_stderr(self._process.stderr)))
        self._task = asyncio.create_task(self.run())
        log.info("session %s: started app process %s at %dx%d", self.label, self._process.pid, width, height)

    async def _keep_stderr(self, stream: asyncio.StreamReader) -> None:
        while data := await stream.read(65536):
            self._stderr_tail += data
            del self._stderr_tail[:-STDERR_KEEP]

    async def run(self) -> None:
        """Forward the app's packets to the browser until the app's output ends, then close the socket."""
        process = self._process
        assert process is not None and process.stdout is not None
        stdout = process.stdout
        try:
            for _ in range(10):  # the prelude that says this is a Textual app
                line = await stdout.readline()
                if not line or line == b"__GANGLION__\n":
                    break
            while True:
                kind = await stdout.readexactly(1)
                size = int.from_bytes(await stdout.readexactly(4), "big")
                payload = await stdout.readexactly(size)
                if kind == b"D":
                    await self.on_data(payload)
                elif kind == b"M":
                    await self.on_meta(payload)
                elif kind == b"P":
                    await self.on_packed(payload)
        except asyncio.CancelledError:
            raise
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        except Exception as exc:  # a malformed packet, a closed websocket: the session is over
            log.warning("session %s: output stopped: %s", self.label, exc.__class__.__name__)
        if self._stopper is None:  # the app left by itself: end the browser's side too
            await self.close_websocket()

    async def close_websocket(self) -> None:
        """Close the browser's socket, bounded, then drop the connection: a client that stopped reading
        (a close frame cannot reach it) holds up neither this nor the server's shutdown."""
        try:
            await _bounded(self.websocket.close(), 2.0)
        finally:
            if self.connection is not None:
                self.connection.abort()  # the close frame, if any, has been sent; nothing else is owed

    # ending
    async def stop(self) -> None:
        """End the app process (idempotent; every caller waits for the same ending)."""
        if self._stopper is None:
            self._stopper = asyncio.ensure_future(self._end())
            self._stopper.add_done_callback(lambda _: self.server.sessions.discard(self))
        await asyncio.shield(self._stopper)

    def _close_stdin(self) -> None:
        if self._stdin is not None:
            try:
                self._stdin.close()
            except (RuntimeError, OSError):
                pass

    def kill_now(self) -> None:
        """SIGKILL the session's process group at once (a second Ctrl+C, or the last resort at exit)."""
        if self._process is not None and self._process.returncode is None:
            _signal_group(self._process.pid, signal.SIGKILL)

    async def _exited(self, seconds: float) -> bool:
        assert self._process is not None
        for _ in range(max(1, int(seconds / POLL))):
            if self._process.returncode is not None:
                return True
            await asyncio.sleep(POLL)
        return self._process.returncode is not None

    async def _end(self) -> None:
        if self._starting is not None:
            await asyncio.wait([self._starting])  # a process being started is ended too, once it exists
        process = self._process
        if process is None:
            return
        how = "exited" if process.returncode is not None else "quit"
        try:
            await _bounded(
                self._download_manager.cancel_app_downloads(app_service_id=self.app_service_id), 1.0
            )
            # Stop forwarding (the reader may be stuck sending to a client that stopped reading) and
            # discard the app's output from now on, so that a child blocked writing to its pipe moves on.
            if self._task is not None:
                self._task.cancel()
                await asyncio.gather(self._task, return_exceptions=True)
            if process.stdout is not None:
                self._side_tasks.append(asyncio.create_task(_discard(process.stdout)))
            if process.returncode is None:
                await self.send_meta({"type": "quit"}, timeout=QUIT_WRITE_TIMEOUT)
                # and end of file, which the app's driver (SERVED_DRIVER) exits on too: the quit can be
                # lost, and an app still starting reads neither until its driver runs (SIGTERM then)
                self._close_stdin()
                if not await self._exited(QUIT_GRACE):
                    how = "SIGTERM"
                    _signal_group(process.pid, signal.SIGTERM)
                    if not await self._exited(QUIT_GRACE):
                        how = "SIGKILL"
                        _signal_group(process.pid, signal.SIGKILL)
                        await self._exited(KILL_WAIT)
        finally:
            # whatever happened above (even this task cancelled): the group ends, with anything the app
            # started in it
            _signal_group(process.pid, signal.SIGKILL)
        if process.returncode is None:
            log.error("session %s: app process %s did not end after SIGKILL", self.label, process.pid)
        else:
            log.info(
                "session %s: app process %s ended (%s, exit %s)",
                self.label,
                process.pid,
                how,
                process.returncode,
            )
        if process.returncode not in (None, 0) and how in ("quit", "exited") and self._stderr_tail:
            tail = self._stderr_tail.decode("utf-8", "replace").strip().splitlines()[-5:]
            log.warning("session %s: the app said: %s", self.label, " | ".join(tail))
        for task in self._side_tasks:
            task.cancel()
        await asyncio.gather(*self._side_tasks, return_exceptions=True)
        transport = getattr(process, "_transport", None)
        if transport is not None:
            transport.close()  # the pipes' file descriptors
        await self.close_websocket()


async def _bounded(awaitable, timeout: float) -> None:
    """Await with a time limit, ignoring its failure. A CancelledError that is not ours is a failure too:
    aiohttp's writers share one drain future, so after the forwarding task was cancelled mid-send, a
    later close of the same websocket can raise CancelledError although nobody cancelled us."""
    try:
        await asyncio.wait_for(awaitable, timeout)
    except asyncio.CancelledError:
        task = asyncio.current_task()
        if task is not None and task.cancelling():
            raise
    except Exception as exc:
        log.debug("%s: %r", getattr(awaitable, "__qualname__", "await"), exc)


async def _discard(stream: asyncio.StreamReader) -> None:
    try:
        while await stream.read(65536):
            pass
    except Exception:
        pass


def _signal_group(pgid: int, sig: int) -> None:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


# --- the server --------------------------------------------------------------------------------------
class ServedWorkbench(Server):
    """textual-serve's Server with a token, an Origin check, a session cap and certain cleanup."""

    def __init__(
        self,
        argv: Sequence[str],
        *,
        host: str = "127.0.0.1",
        port: int = 8000,
        token: str | None = None,
        max_sessions: int = DEFAULT_MAX_SESSIONS,
        title: str = "workbench",
        limits: Limits | None = None,
    ) -> None:
        super().__init__(" ".join(argv), host=host, port=port, title=title)
        self.argv = list(argv)
        self.token = make_token(token)
        self.max_sessions = max_sessions
        self.limits = limits or Limits()
        self.loopback = is_loopback(host)
        self.wildcard = is_wildcard(host)
        self.public_url = f"http://{url_host(host)}:{port}"
        self.sessions: set[Session] = set()
        self.stopping = False
        self._signals = 0
        self._stop: asyncio.Event | None = None
        self._own_names = {_bare(host)}
        if self.wildcard:
            try:
                self._own_names.add(socket.gethostname().lower())
            except OSError:
                pass
        self.cookie = f"workbench-serve-{port}"

    @property
    def url(self) -> str:
        return f"{self.public_url}/?token={self.token}"

    # who may have a session
    def origin_allowed(self, origin: str | None) -> bool:
        """The page's Origin must be this server: http, its port, and its host. For a loopback bind any
        loopback name (localhost, 127.x, [::1]); for a wildcard bind an IP literal, localhost or this
        machine's name. Names are compared, never resolved (a rebinding domain stays foreign)."""
        if not origin:
            return False
        try:
            parts = urlsplit(origin.strip())
            port = parts.port or (80 if parts.scheme == "http" else None)
        except ValueError:
            return False
        if parts.scheme != "http" or port != self.port or not parts.hostname:
            return False
        host = _bare(parts.hostname)
        if host in self._own_names:
            return True
        ip = _ip(host)
        if self.loopback or self.wildcard:
            if host == "localhost" or (ip is not None and _ip_is_loopback(ip)):
                return True
        if self.wildcard:
            return ip is not None
        return ip is not None and ip == _ip(self.host)  # the bound address, written another way

    def _token_of(self, request: web.Request) -> str | None:
        return request.match_info.get("token") or request.query.get("token")

    # routes
    async def _make_app(self) -> web.Application:
        app = web.Application()
        aiohttp_jinja2.setup(app, loader=jinja2.FileSystemLoader(self.templates_path))
        app.add_routes(
            [
                web.get("/", self.handle_index, name="index"),
                web.get("/ws", self.handle_websocket, name="websocket"),
                web.get("/ws/{token}", self.handle_websocket, name="websocket_token"),
                web.get("/download/{key}", self.handle_download, name="download"),
                web.static("/static", self.statics_path, show_index=False, name="static"),
            ]
        )
        app.on_shutdown.append(self.on_shutdown)
        app.on_cleanup.append(self.on_cleanup)
        return app

    def _base_for(self, request: web.Request) -> str:
        """http://HOST:PORT as the browser reached the server (so a wildcard bind works), if sane."""
        host = request.headers.get("Host", "")
        if HOST_HEADER_RE.fullmatch(host) and self.origin_allowed(f"http://{host}"):
            return f"http://{host}"
        return self.public_url

    async def handle_index(self, request: web.Request) -> web.StreamResponse:
        if not _same(request.query.get("token"), self.token):
            return _refusal(
                403,
                "this page needs the token the server printed when it started: open the "
                "URL `workbench serve` printed (http://HOST:PORT/?token=...)",
            )
        base = self._base_for(request)
        context: dict[str, Any] = {
            "font_size": clamp(request.query.get("fontsize", "16"), 6, 64, 16),
            # textual.js appends "?width=..&height=.." to this URL, so the token goes in its path
            "app_websocket_url": "ws:" + base.split(":", 1)[1] + f"/ws/{self.token}",
            "config": {"static": {"url": f"{base}/static/"}},
            "application": {"name": self.title},
        }
        response = aiohttp_jinja2.render_template("app_index.html", request, context)
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Content-Security-Policy"] = "frame-ancestors 'none'"
        response.headers["Cache-Control"] = "no-store"
        # textual.js opens /download/KEY without the token; the browser sends this cookie with it
        response.set_cookie(self.cookie, self.token, httponly=True, samesite="Strict", path="/")
        return response

    async def handle_download(self, request: web.Request) -> web.StreamResponse:
        if not _same(request.cookies.get(self.cookie), self.token):
            return _refusal(403, "downloads need the page opened with the server's token")
        return await super().handle_download(request)

    def refusal_reason(self, request: web.Request) -> str | None:
        if not _same(self._token_of(request), self.token):
            return "missing or wrong token"
        if not self.origin_allowed(request.headers.get("Origin")):
            return f"Origin {request.headers.get('Origin', '(none)')!r} is not this server"
        return None

    # A refused session gets a plain HTTP answer: aiohttp takes any StreamResponse from a handler.
    async def handle_websocket(self, request: web.Request) -> web.StreamResponse:  # type: ignore[override]
        reason = self.refusal_reason(request)
        if reason:
            log.warning("refused a session from %s: %s", request.remote, reason)
            return _refusal(403, f"session refused: {reason}")
        if self.stopping:
            return _refusal(503, "session refused: the server is stopping")
        if len(self.sessions) >= self.max_sessions:
            log.warning(
                "refused a session from %s: %d sessions already (--max-sessions)",
                request.remote,
                len(self.sessions),
            )
            return _refusal(
                503,
                f"session refused: {self.max_sessions} sessions already run on this server "
                "(close a tab, or start it with a larger --max-sessions)",
            )
        width, height = self.limits.size(request.query.get("width"), request.query.get("height"))
        websocket = web.WebSocketResponse(heartbeat=15, max_msg_size=1 << 20)
        session = Session(self.argv, request=request, websocket=websocket, server=self)
        self.sessions.add(session)  # counted from now: the cap includes sessions being started
        opened = False
        try:
            await websocket.prepare(request)
            opened = True
            await session.start(width, height)
            await self._process_messages(websocket, session)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            if opened:
                log.warning("session %s: %s: %s", session.label, exc.__class__.__name__, exc)
            else:
                log.info("session %s: the client left during the handshake (%s)", session.label, exc)
        finally:
            await session.stop()  # leaves self.sessions once its process has ended
        if not opened:  # aiohttp cannot finish a websocket that never opened; this answer goes nowhere
            return _refusal(400, "the client left during the handshake")
        return websocket

    async def _process_messages(self, websocket: web.WebSocketResponse, app_service: AppService) -> None:
        """The browser's messages: ["stdin", text], ["resize", {width, height}], ["ping", x], ["blur"],
        ["focus"]. Anything else, or anything malformed, is ignored."""
        session = app_service
        async for message in websocket:
            if message.type != WSMsgType.TEXT:
                continue
            try:
                envelope = json.loads(message.data)
            except ValueError:
                continue
            if not (isinstance(envelope, list) and envelope and isinstance(envelope[0], str)):
                continue
            kind, data = envelope[0], envelope[1] if len(envelope) > 1 else None
            ok = True
            if kind == "stdin" and isinstance(data, str):
                ok = await session.send_bytes(data.encode("utf-8", "replace"))
            elif kind == "resize" and isinstance(data, dict):
                width, height = self.limits.size(data.get("width"), data.get("height"))
                await session.set_terminal_size(width, height)
            elif kind == "ping":
                await websocket.send_json(["pong", data])
            elif kind == "blur":
                await session.blur()
            elif kind == "focus":
                await session.focus()
            if not ok:
                break

    # the server's life
    def announce(self) -> None:
        """Once listening: the URL to open, on stdout."""
        print(f"workbench serve: open {self.url}", flush=True)
        note = "" if not self.wildcard else f" (listening on every address of this machine, {self.host})"
        print(f"  at most {self.max_sessions} sessions at once{note}; Ctrl+C stops the server", flush=True)

    async def on_shutdown(self, app: web.Application) -> None:
        await self.end_sessions()

    async def on_cleanup(self, app: web.Application) -> None:
        await self.end_sessions()

    async def end_sessions(self) -> None:
        self.stopping = True
        sessions = list(self.sessions)
        if sessions:
            log.info("ending %d session(s)", len(sessions))
            results = await asyncio.gather(*(s.stop() for s in sessions), return_exceptions=True)
            for result in results:
                if isinstance(result, Exception):
                    log.error("ending a session failed: %r", result, exc_info=result)

    def _on_signal(self) -> None:
        self._signals += 1
        self.stopping = True
        if self._signals == 1 and self._stop is not None:
            self._stop.set()
        else:  # asked again: no more grace
            for session in list(self.sessions):
                session.kill_now()

    def initialize_logging(self) -> None:
        """One plain line per event on stderr (stdout carries the URL): time, level, message."""
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s", "%H:%M:%S"))
        for name in ("workbench.serve", "textual-serve", "aiohttp"):
            logger = logging.getLogger(name)
            logger.handlers[:] = [handler]
            logger.setLevel(logging.DEBUG if self.debug else logging.INFO)
            logger.propagate = False
        logging.getLogger("aiohttp.access").setLevel(logging.WARNING)

    async def run(self) -> None:
        """Listen, announce the URL, serve until asked to stop, then end every session and close."""
        self._stop = asyncio.Event()
        runner = web.AppRunner(
            await self._make_app(), handle_signals=False, access_log=None, shutdown_timeout=5.0
        )
        await runner.setup()
        try:
            await web.TCPSite(runner, self.host, self.port).start()
            self.announce()
            await self._stop.wait()
            log.info("stopping")
        finally:
            await self.end_sessions()  # before aiohttp waits for (then cancels) the sessions' handlers
            await runner.cleanup()

    def serve(self, debug: bool = False) -> None:
        """Serve until SIGINT or SIGTERM; every app process is ended before this returns. Raises OSError
        when the address cannot be bound."""
        self.debug = debug
        self.initialize_logging()
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        for sig in (signal.SIGINT, signal.SIGTERM):
            try:
                loop.add_signal_handler(sig, self._on_signal)
            except (NotImplementedError, RuntimeError):
                pass
        try:
            loop.run_until_complete(self.run())
        finally:
            for session in list(self.sessions):  # only if the ending above was cut short
                session.kill_now()
            try:
                loop.run_until_complete(loop.shutdown_asyncgens())
            finally:
                asyncio.set_event_loop(None)
                loop.close()


def _refusal(status: int, text: str) -> web.Response:
    return web.Response(
        status=status, text=f"workbench serve: {text}\n", headers={"Cache-Control": "no-store"}
    )


def app_argv(files: Sequence[str]) -> list[str]:
    """The command each session runs: this Python, this package, the given files (no shell)."""
    return [sys.executable, "-m", "workbench", *(str(Path(f)) for f in files)]
