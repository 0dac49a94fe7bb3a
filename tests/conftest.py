"""Fixtures every test module can use. Plain helper functions live in helpers.py.

Every test gets its own empty saves folder, so nothing writes into the repository's saves/ and no
recovery copy left there by a real session (saves/.recovery) shows its restore offer inside a test."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _private_saves(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("WORKBENCH_SAVES", str(tmp_path_factory.mktemp("saves")))


@pytest.fixture
def saves(tmp_path, monkeypatch):
    """The test's saves folder (tmp_path/saves, empty), as a local, not served, session sees it."""
    folder = tmp_path / "saves"
    folder.mkdir()
    monkeypatch.setenv("WORKBENCH_SAVES", str(folder))
    monkeypatch.delenv("WORKBENCH_SERVED", raising=False)
    return folder
