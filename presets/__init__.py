"""The shipped presets, installed as the package `workbench.presets` (pyproject.toml maps it to this folder),
so that `importlib.resources` finds them in a wheel as in the repository. Read-only templates."""
