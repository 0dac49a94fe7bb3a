"""Every test gets its own empty saves folder, so nothing writes into the repository's saves/ and no
recovery copy left there by a real session (saves/.recovery) shows its restore offer inside a test."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _private_saves(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("WORKBENCH_SAVES", str(tmp_path_factory.mktemp("saves")))
