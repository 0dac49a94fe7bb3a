"""The store's two user-facing errors, in a module of their own so a caller can catch them without loading
what raises them: `workbench.cli.run` catches both around every command, and a command that reads no
scenario (presets, paths, --help) then never imports the schema (pydantic, numpy)."""

from __future__ import annotations


class ScenarioError(Exception):
    """A problem with a scenario file or value, already worded for the user.

    `reason` says what kind of problem, for a caller that acts on it rather than shows it: "content"
    (the file was read and is not a valid scenario), or why it could not be read: "missing",
    "not-regular" (a folder, FIFO, socket or device), "too-large", "unreadable", "bad-path"."""

    def __init__(self, message: str, reason: str = "content") -> None:
        super().__init__(message)
        self.reason = reason


class ConfigError(ValueError):
    """A config file that cannot be used, worded as one line per problem."""
