"""Edits that bring outside data into a scenario: a catalog price, a sizing estimate.

Pure functions in the style of workbench.edits.edit: they build a new dict, validate it whole and return a
new Scenario (or raise edit.EditError with the reason), so the TUI pushes the result through the same
undo history as any cell edit.
"""

from __future__ import annotations

from workbench.edits import edit
from workbench.model.scenario import Scenario
from workbench.store import files


def set_api_model(s: Scenario, row: dict, index: int | None = None) -> tuple[Scenario, int, str]:
    """Add or update an [[api_models]] row with a catalog price.

    With `index`, that row gets the new prices and source and keeps its name (options still refer to
    it). Without, a row of the same name (case-insensitive) is updated, or a new row is appended.
    Returns (scenario, row index, "added" or "updated").
    """
    data = files.to_dict(s)
    rows = data.setdefault("api_models", [])
    prices = {k: row[k] for k in ("input", "output", "source")}
    if index is None:
        wanted = row["name"].strip().lower()
        index = next((i for i, r in enumerate(rows) if r.get("name", "").strip().lower() == wanted), None)
        if index is None:
            rows.append(dict(row))
            return edit.validated(data), len(rows) - 1, "added"
    if not 0 <= index < len(rows):
        raise edit.EditError("no such [[api_models]] row")
    target = rows[index]
    target.update(prices)
    if row.get("cached_input") is None:
        target.pop("cached_input", None)  # the catalog lists no cache price: absent = the input price
    else:
        target["cached_input"] = row["cached_input"]
    return edit.validated(data), index, "updated"


def set_throughput(
    s: Scenario, option: int, tokens_per_second: float, latency_ms: float | None = None, source: str = ""
) -> Scenario:
    """Fill a self-hosted option's tokens_per_second_per_gpu from a sizing estimate and mark it estimated.

    `latency_ms` (one whole response at the sized batch), when given, fills the option's latency_ms;
    `source` (the sizing's one-line record) replaces throughput_source, so a stale record of an earlier
    sizing never stays beside a new figure. requests_per_second_per_gpu is cleared, since it would
    otherwise take precedence over the estimate.
    """
    data = files.to_dict(s)
    rows = data.get("options", [])
    if not 0 <= option < len(rows):
        raise edit.EditError("no option under the cursor (F4, then pick a row)")
    o = rows[option]
    if o.get("serve", "api") != "self_hosted":
        raise edit.EditError(f"{o['name']!r} is served by an API; sizing fills self-hosted options")
    if not tokens_per_second > 0:
        raise edit.EditError("the estimate is 0 tokens/s (the model does not fit): nothing to fill")
    o["tokens_per_second_per_gpu"] = float(round(tokens_per_second, 1))
    o["throughput_estimated"] = True
    o.pop("requests_per_second_per_gpu", None)
    if latency_ms is not None:  # the schema refuses a latency that is not a finite time (validated below)
        o["latency_ms"] = float(round(latency_ms, 1))
    edit.raise_version(data, ("options", option, "throughput_source"), source)
    o["throughput_source"] = source
    return edit.validated(data)


def set_workload(s: Scenario, figures: dict[str, float], source: str) -> Scenario:
    """Fill [workload] keys with figures measured from a usage log and record where they came from.

    Only the keys given change (a figure the log cannot support stays as typed). `source` goes to
    `[workload] source`, a version-2 key, so a version-1 file becomes version 2.
    """
    from workbench.model.scenario import Workload

    data = files.to_dict(s)
    workload = data.setdefault("workload", {})
    for key, value in figures.items():
        if key not in Workload.model_fields or key == "source":
            raise edit.EditError(f"[workload] has no key {key!r} a usage log can set")
        workload[key] = float(value)
    workload["source"] = source
    edit.raise_version(data, ("workload", "source"), source)
    return edit.validated(data)
