"""`workbench serve` for real: start it on loopback, load the page in headless Chromium, see the app draw.

Needs Debian's `chromium` (.ci/run installs it; skipped with the reason when it is absent). The page draws
the terminal on a canvas, so its text is not in the DOM: the test drives Chromium over the DevTools
protocol, opens the token URL (`/?token=...`: the page's script then opens the websocket with the token
and its own Origin, as the server requires), records what the page's websocket receives from the app,
waits (bounded) until the app's own words arrive and the page marks its first byte, and takes a
screenshot. Every wait has a bound; the browser and the server are stopped by their process groups at
the end (the server ends its app processes, which run in groups of their own: tests/test_serve_security.py
holds it to that).
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from helpers import ROOT, free_port

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
STARTUP_TRIES = 200  # x 0.1 s polls, so each wait is bounded (no assertion on how long anything took)
DRAW_TRIES = 240  # x 0.25 s polls
TOKEN = "chromium-test-token-0123456789"  # what the server's printed URL would carry

# Record every websocket message the page receives (textual-serve sends the app's terminal output).
RECORDER = r"""
(() => {
  window.__wb = [];
  const Orig = window.WebSocket;
  function Recorded(url, protocols) {
    const ws = protocols === undefined ? new Orig(url) : new Orig(url, protocols);
    ws.addEventListener('message', (ev) => {
      const d = ev.data;
      if (typeof d === 'string') { window.__wb.push(d); }
      else if (d instanceof ArrayBuffer) { window.__wb.push(new TextDecoder().decode(d)); }
      else if (d && d.arrayBuffer) { d.arrayBuffer().then(b => window.__wb.push(new TextDecoder().decode(b))); }
    });
    return ws;
  }
  Recorded.prototype = Orig.prototype;
  for (const k of ['CONNECTING', 'OPEN', 'CLOSING', 'CLOSED']) { Recorded[k] = Orig[k]; }
  window.WebSocket = Recorded;
})();
"""

ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07]*\x07|\x1b[PX^_].*?\x1b\\", re.S)


def _stop_group(proc: subprocess.Popen) -> None:
    """Stop a process we started and everything it started (its own process group)."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # app sessions left behind by the server
    except ProcessLookupError:
        pass
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        pass


class DevTools:
    """The little of the Chrome DevTools protocol the test needs, over aiohttp's websocket client."""

    def __init__(self, ws) -> None:
        self.ws = ws
        self.n = 0

    async def call(self, method: str, session: str | None = None, **params) -> dict:
        self.n += 1
        msg = {"id": self.n, "method": method, "params": params}
        if session:
            msg["sessionId"] = session
        await self.ws.send_str(json.dumps(msg))
        while True:
            reply = json.loads((await asyncio.wait_for(self.ws.receive(), timeout=30)).data)
            if reply.get("id") == self.n:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})


async def _browse(devtools_url: str, page_url: str, shot: Path) -> tuple[str, bool, int]:
    import aiohttp

    async with aiohttp.ClientSession() as http, http.ws_connect(devtools_url, max_msg_size=0) as ws:
        cdp = DevTools(ws)
        target = (await cdp.call("Target.createTarget", url="about:blank"))["targetId"]
        session = (await cdp.call("Target.attachToTarget", targetId=target, flatten=True))["sessionId"]
        await cdp.call("Page.enable", session)
        await cdp.call("Page.addScriptToEvaluateOnNewDocument", session, source=RECORDER)
        await cdp.call("Page.navigate", session, url=page_url)
        text, first_byte = "", False
        for _ in range(DRAW_TRIES):
            await asyncio.sleep(0.25)
            got = await cdp.call(
                "Runtime.evaluate",
                session,
                returnByValue=True,
                expression="JSON.stringify({t: (window.__wb || []).join(''), "
                "b: document.body ? document.body.className : ''})",
            )
            state = json.loads(got["result"]["value"])
            text = ANSI.sub("", state["t"])
            first_byte = "-first-byte" in state["b"]
            if first_byte and "API models" in text and "Pricing" in text:
                await asyncio.sleep(1.0)  # let the canvas paint the last frames
                break
        png = base64.b64decode((await cdp.call("Page.captureScreenshot", session, format="png"))["data"])
        shot.write_bytes(png)
        try:
            await cdp.call("Browser.close")
        except Exception:
            pass
        return text, first_byte, len(png)


@pytest.mark.skipif(
    CHROMIUM is None,
    reason="Debian's chromium is not installed (apt-get install chromium); .ci/run installs it",
)
def test_serve_draws_the_app_in_headless_chromium(tmp_path):
    port = free_port()
    env = dict(os.environ, WORKBENCH_SAVES=str(tmp_path / "saves"), WORKBENCH_SERVE_TOKEN=TOKEN)
    server = subprocess.Popen(
        [sys.executable, "-m", "workbench", "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    browser = None
    profile = tempfile.mkdtemp(prefix="wb-chromium-")
    try:
        for _ in range(STARTUP_TRIES):
            if server.poll() is not None:
                pytest.fail(
                    f"workbench serve exited: {server.stdout.read().decode(errors='replace')[-2000:]}"
                )
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("workbench serve did not listen on 127.0.0.1")
        # loopback only: the server is not reachable on another local address
        listening = (
            subprocess.run(["ss", "-ltn"], capture_output=True, text=True).stdout
            if shutil.which("ss")
            else ""
        )
        if listening:
            assert f"127.0.0.1:{port}" in listening and f"0.0.0.0:{port}" not in listening

        browser = subprocess.Popen(
            [
                CHROMIUM,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",  # the page asks for a web font
                f"--user-data-dir={profile}",
                "--remote-debugging-port=0",
                "--window-size=1200,800",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        devtools = None
        for _ in range(STARTUP_TRIES):
            line = browser.stderr.readline()
            m = re.search(r"DevTools listening on (ws://\S+)", line)
            if m:
                devtools = m.group(1)
                break
            if not line and browser.poll() is not None:
                break
        assert devtools, "chromium did not open its DevTools endpoint"

        shot = tmp_path / "serve.png"
        # the page with the token; its script opens the websocket with it (and its own Origin)
        text, first_byte, size = asyncio.run(
            _browse(devtools, f"http://127.0.0.1:{port}/?token={TOKEN}", shot)
        )
        assert first_byte, "the page never received the app's first byte"
        for words in ("Pricing", "Workload", "Options", "API models", "GPT-4o"):
            assert words in text, f"{words!r} not drawn; received: {text[-500:]!r}"
        assert size > 20_000  # a drawn terminal, not the near-empty intro page (about 10 kB)
        keep = os.environ.get("WORKBENCH_SERVE_SHOT")
        if keep:
            shutil.copy(shot, keep)
    finally:
        if browser is not None:
            _stop_group(browser)
        _stop_group(server)
        shutil.rmtree(profile, ignore_errors=True)
    assert server.poll() is not None


def test_serve_refuses_a_bad_file_and_port(tmp_path, capsys):
    from workbench.cli.run import main

    bad = tmp_path / "bad.toml"
    bad.write_text("horizon_months = 0\n", "utf-8")
    assert main(["serve", str(bad)]) == 1
    assert "horizon_months" in capsys.readouterr().err
    assert main(["serve", "--port", "70000"]) == 1
    assert "out of range" in capsys.readouterr().err


def test_serve_binds_loopback_by_default():
    from workbench.cli.run import build_parser

    args = build_parser().parse_args(["serve"])
    assert (args.host, args.port) == ("127.0.0.1", 8000)
