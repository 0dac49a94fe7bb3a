"""Fixtures every test module can use. Plain helper functions live in helpers.py.

Every test gets its own empty saves folder, recovery folder, config file and platform folders (the XDG
variables platformdirs reads on Linux), so nothing writes into the repository's saves/ or the real user's
~/.config, ~/.local or ~/.cache, and no recovery copy left by a real session shows its restore offer
inside a test."""

from __future__ import annotations

import pytest

XDG = ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME")


@pytest.fixture(autouse=True)
def _private_folders(tmp_path_factory, monkeypatch):
    home = tmp_path_factory.mktemp("home")
    for name in XDG:
        monkeypatch.setenv(name, str(home / name.lower()))
    monkeypatch.setenv("WORKBENCH_CONFIG", str(home / "config.toml"))
    monkeypatch.setenv("WORKBENCH_RECOVERY", str(home / "recovery"))
    monkeypatch.setenv("WORKBENCH_SAVES", str(tmp_path_factory.mktemp("saves")))


@pytest.fixture
def saves(tmp_path, monkeypatch):
    """The test's saves folder (tmp_path/saves, empty), as a local, not served, session sees it."""
    folder = tmp_path / "saves"
    folder.mkdir()
    monkeypatch.setenv("WORKBENCH_SAVES", str(folder))
    monkeypatch.delenv("WORKBENCH_SERVED", raising=False)
    return folder
