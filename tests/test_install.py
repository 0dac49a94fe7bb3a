"""Installed as a tool (issue 12, part 1): the wheel carries the presets, and the installed `workbench` works
from an empty folder without writing anything under its own package.

The test builds the wheel from a copy of the source tree (a build in place would leave build/ in the
repository, whose stale files a later wheel could pick up), installs it with its dependencies from the
package index into a fresh virtualenv in the test's folder, and runs the commands a new user would, from
an empty folder with HOME pointed into the test's folder and no XDG_* or WORKBENCH_* variables (so the
platform defaults under that HOME are used): --version, presets, report on a preset's bare name, paths,
and the TUI on a pseudo-terminal until the starter's figures are on screen, then ctrl+s and ctrl+q.

It takes a minute or two (most of it pip). pip's own download cache is the developer's usual one, so a
second run does not download the dependencies again; nothing of the workbench's goes outside tmp_path.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import select
import shutil
import struct
import subprocess
import sys
import termios
import tomllib
import zipfile
from importlib.metadata import version
from pathlib import Path

from helpers import ROOT

DIST = "build-vs-buy-workbench"
# Not part of what gets built (and .venv is large): the rest of the tree is copied as it is.
UNBUILT = shutil.ignore_patterns(
    ".venv", ".git", "saves", "build", "dist", "*.egg-info", "__pycache__", ".*_cache", ".hypothesis"
)


def listing(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file below `folder` with its size and modification time (to see that nothing was written)."""
    out = {}
    for p in sorted(folder.rglob("*")):
        if p.is_file() or p.is_symlink():
            st = p.lstat()
            out[str(p.relative_to(folder))] = (st.st_size, st.st_mtime_ns)
    return out


def user_env(home: Path, venv: Path) -> dict[str, str]:
    """A new user's environment: the venv's bin first on PATH, HOME in the test's folder, and none of
    the variables that point the workbench (or Python) elsewhere."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("XDG_", "WORKBENCH_", "PYTHON", "VIRTUAL_ENV"))
    }
    env.update(HOME=str(home), PATH=f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}", TERM="xterm-256color")
    env["PIP_CACHE_DIR"] = os.environ.get("PIP_CACHE_DIR") or str(Path.home() / ".cache" / "pip")
    return env


def test_the_package_list_names_every_package_folder():
    """pyproject.toml lists the packages (the presets are mapped in from presets/): a new folder with an
    __init__.py must be listed too, or the wheel would leave it out."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["setuptools"]
    folders = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "workbench").rglob("__init__.py")}
    assert set(config["packages"]) == folders | {"workbench.presets"}
    assert config["package-dir"] == {"workbench.presets": "presets"}


def test_the_wheel_installs_and_runs_from_an_empty_folder(tmp_path):
    src = tmp_path / "src"
    shutil.copytree(ROOT, src, ignore=UNBUILT)
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(src)], check=True
    )
    (wheel,) = dist.glob("*.whl")
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        meta = zf.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    shipped = sorted(n.rsplit("/", 1)[1] for n in names if re.fullmatch(r"workbench/presets/[^/]+\.toml", n))
    assert shipped == sorted(p.name for p in (ROOT / "presets").glob("*.toml")) and len(shipped) == 10
    assert f"Name: {DIST}\n" in meta and "License-Expression: MIT" in meta
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    assert not any(n.startswith(("presets/", "saves/", "tests/")) for n in names)

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    home, work = tmp_path / "home", tmp_path / "empty"
    home.mkdir()
    work.mkdir()
    env = user_env(home, venv)
    subprocess.run([str(python), "-m", "pip", "install", "-q", str(wheel)], check=True, env=env)
    site = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    before = listing(site)
    exe = str(venv / "bin" / "workbench")

    def workbench(*args: str) -> subprocess.CompletedProcess:
        proc = subprocess.run([exe, *args], capture_output=True, text=True, cwd=work, env=env)
        assert proc.returncode == 0, (args, proc.stderr)
        return proc

    assert workbench("--version").stdout == f"workbench {version(DIST)}\n"
    listed = [line.split()[0] for line in workbench("presets").stdout.splitlines() if line[:1].strip()]
    assert listed == shipped
    assert "Customer-support assistant, 20k requests/day" in workbench("report", "starter").stdout
    where = json.loads(workbench("paths", "--format", "json").stdout)
    data = home / ".local" / "share" / DIST
    assert Path(where["presets"]["path"]) == site / "workbench" / "presets"
    assert where["saves"] == {"path": str(data / "saves"), "from": "platform default", "exists": False}
    assert Path(where["recovery"]["path"]) == home / ".local" / "state" / DIST / "recovery"
    assert Path(where["config"]["path"]) == home / ".config" / DIST / "config.toml"

    code, screen = run_tui_once(exe, work, env, home / ".local" / "share" / DIST / "saves" / "starter.toml")
    assert code == 0, screen[-2000:]
    saved = data / "saves" / "starter.toml"
    assert saved.is_file() and "Customer-support assistant" in saved.read_text("utf-8")
    assert list(work.iterdir()) == []  # nothing in the folder it was run from
    assert listing(site) == before  # nothing written under the installed package


def run_tui_once(exe: str, cwd: Path, env: dict[str, str], save: Path) -> tuple[int | None, str]:
    """The TUI on an 80x24 pseudo-terminal: wait for the starter's figures, ctrl+s (a preset saves into
    the saves folder), wait for the file, ctrl+q. Returns the exit code and everything the app drew.

    Every wait is a bounded number of half-second polls, generous for a loaded machine."""
    main, child = os.openpty()
    fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    proc = subprocess.Popen([exe], stdin=child, stdout=child, stderr=child, cwd=cwd, env=env, close_fds=True)
    os.close(child)
    seen = bytearray()

    def read_until(done, polls: int = 240) -> bool:
        for _ in range(polls):
            if done():
                return True
            ready, _, _ = select.select([main], [], [], 0.5)
            if ready:
                try:
                    chunk = os.read(main, 65536)
                except OSError:  # the app ended and the terminal closed
                    return done()
                if not chunk:
                    return done()
                seen.extend(chunk)
        return done()

    try:
        # The pricing grid of the starter preset: its API model and a GPU's hourly price.
        on_screen = read_until(lambda: b"GPT-4o" in seen and b"1.99" in seen)
        assert on_screen, f"no starter figures on screen: {seen[-2000:]!r}"
        os.write(main, b"\x13")  # ctrl+s
        assert read_until(save.exists), f"ctrl+s did not save {save}: {seen[-2000:]!r}"
        os.write(main, b"\x11")  # ctrl+q
        read_until(lambda: proc.poll() is not None)
        code = proc.wait(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(main)
    return code, seen.decode("utf-8", "replace")
