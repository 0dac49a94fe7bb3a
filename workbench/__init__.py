"""The build-vs-buy workbench: a Textual TUI and a command line that price ways to put an LLM feature in
production. `__version__` is the installed distribution's (build-vs-buy-workbench)."""

DIST = "build-vs-buy-workbench"


def __getattr__(name: str) -> str:
    # Looked up when first asked for: importlib.metadata costs tens of milliseconds, which every start of
    # the TUI and of each command would pay for a figure only --version and --debug show.
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version(DIST)
        except PackageNotFoundError:  # run from a source tree that was never installed
            return "0+unknown"
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
