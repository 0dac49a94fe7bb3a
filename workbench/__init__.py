"""The build-vs-buy workbench: a Textual TUI and a command line that price ways to put an LLM feature in
production. `__version__` is the installed distribution's (build-vs-buy-workbench)."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("build-vs-buy-workbench")
except PackageNotFoundError:  # run from a source tree that was never installed
    __version__ = "0+unknown"
