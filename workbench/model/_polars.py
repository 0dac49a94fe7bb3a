"""polars, imported the first time it is used.

The engine evaluates one scenario over numpy (`Node.arr`); polars runs the batches (sensitivity,
Monte Carlo, the polars frame a report or an explanation asks for). Importing polars costs about
0.1-0.2 s and 45 MB, so the workbench starts and edits without it until one of those is needed.
"""

from __future__ import annotations

import importlib
from typing import Any


class _Polars:
    """Stands for the polars module: the first attribute read imports it."""

    def __getattr__(self, name: str) -> Any:
        module = importlib.import_module("polars")
        return getattr(module, name)


pl: Any = _Polars()
