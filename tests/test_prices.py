"""The API price catalog (genai-prices' offline snapshot): our engine bills what genai-prices bills."""

from __future__ import annotations

import socket
from datetime import UTC, datetime

import pytest
from genai_prices import Usage, calc_price, data_snapshot
from helpers import until

from workbench.cli.run import main
from workbench.edits import data as data_edits
from workbench.edits import edit
from workbench.model import prices
from workbench.model.engine import compute
from workbench.store import files

AT = datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0)
TIN, TOUT, SHARE = 1000, 500, 0.4  # 400 cached input tokens, 600 uncached, 500 output
PLAIN = (
    set(prices.MODELLED_KEYS)
    | set(prices.IGNORED_CACHE_WRITES)
    | {"web_searches_kcount", "storage_searches_kcount"}
)


def _scenario(row: dict, caching: bool = True):
    return files.from_dict(
        {
            "workload": {
                "requests_per_day": 1000,
                "input_tokens": TIN,
                "output_tokens": TOUT,
                "cacheable_share": SHARE,
            },
            "api_models": [row],
            "options": [{"name": "api", "serve": "api", "model": row["name"], "prompt_caching": caching}],
        },
        "t",
    )


def _engine_per_request(row: dict, caching: bool = True) -> float:
    r = compute(_scenario(row, caching))
    m1 = r.monthly.row(0, named=True)
    return m1["inference"] / m1["req"]


def _model_info(entry: prices.Entry):
    for p in data_snapshot._bundled_snapshot().providers:
        if p.id == entry.provider_id:
            for m in p.models:
                if m.id == entry.model_id:
                    return p, m
    raise AssertionError(entry)


def _sample() -> list[prices.Entry]:
    """Every 20th catalog model that bills text tokens only (no per-request fee), both with and without a
    cache price, and with tiers only where our token counts stay in the base tier."""
    out = []
    for i, e in enumerate(prices.catalog(AT)):
        if i % 20:
            continue
        p, m = _model_info(e)
        keys = {k for k, v in m.get_prices(AT).__dict__.items() if v is not None}
        if keys - PLAIN:
            continue
        out.append(e)
    return out


def test_sample_is_broad():
    sample = _sample()
    assert len(sample) >= 50
    assert len({e.provider_id for e in sample}) >= 15
    assert any(e.cached_input is None for e in sample) and any(e.cached_input is not None for e in sample)
    assert any(e.tier_note for e in sample)


@pytest.mark.parametrize("caching", [True, False])
def test_engine_cost_equals_genai_prices_calc_price(caching):
    """For the same token counts, our per-request API cost equals genai-prices' own calculation."""
    usage = Usage(input_tokens=TIN, cache_read_tokens=int(TIN * SHARE) if caching else 0, output_tokens=TOUT)
    checked = 0
    for e in _sample():
        provider, model = _model_info(e)
        theirs = float(model.calc_price(usage, provider, genai_request_timestamp=AT).total_price)
        ours = _engine_per_request(prices.row_for(e), caching)
        assert ours == pytest.approx(theirs, rel=1e-9, abs=1e-15), (e.provider_id, e.model_id, ours, theirs)
        checked += 1
    assert checked >= 50


@pytest.mark.parametrize(
    "provider,model_ref",
    [
        ("anthropic", "claude-sonnet-4-5"),
        ("anthropic", "claude-haiku-4-5"),
        ("openai", "gpt-4o"),
        ("google", "gemini-2.5-flash"),
    ],
)
def test_top_level_calc_price_for_named_models(provider, model_ref):
    """The public calc_price (model lookup by name) agrees too, for the models people pick most."""
    usage = Usage(input_tokens=TIN, cache_read_tokens=int(TIN * SHARE), output_tokens=TOUT)
    calc = calc_price(usage, model_ref, provider_id=provider, genai_request_timestamp=AT)
    entry = prices.find(provider, calc.model.id, prices.catalog(AT))
    assert entry is not None
    assert _engine_per_request(prices.row_for(entry)) == pytest.approx(float(calc.total_price), rel=1e-9)


def test_claude_gives_anthropic_prices_with_source():
    hits = prices.search("claude")
    assert hits and all(e.provider_id == "anthropic" for e in hits[:10])
    sonnet = next(e for e in hits if e.model_id == "claude-sonnet-4-5")
    row = prices.row_for(sonnet)
    assert (row["input"], row["output"], row["cached_input"]) == (3.0, 15.0, 0.3)
    assert row["source"] == f"genai-prices {prices.version()}, {prices.snapshot_date()}"
    assert row["source"].startswith("genai-prices 0.2.3, 20")


def test_picker_edit_adds_then_updates_by_name_and_keeps_references():
    base = files.load("presets/starter.toml")
    entry = next(e for e in prices.search("claude sonnet 4.5") if e.model_id == "claude-sonnet-4-5")
    s1, i, verb = data_edits.set_api_model(base, prices.row_for(entry))
    assert verb == "added" and s1.api_models[i].name == "Claude Sonnet 4.5"
    assert s1.api_models[i].cached_input == 0.3 and s1.api_models[i].source.startswith("genai-prices")
    s2, j, verb = data_edits.set_api_model(s1, prices.row_for(entry))
    assert (verb, j) == ("updated", i) and len(s2.api_models) == len(s1.api_models)
    # Replacing the prices of an existing row keeps its name, so options still refer to it.
    used = base.options[0].model
    k = next(n for n, r in enumerate(base.api_models) if r.name == used)
    s3, _, verb = data_edits.set_api_model(base, prices.row_for(entry), index=k)
    assert verb == "updated" and s3.api_models[k].name == used and s3.api_models[k].input == 3.0
    with pytest.raises(edit.EditError):
        data_edits.set_api_model(base, prices.row_for(entry), index=99)


def test_catalog_needs_no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the catalog tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    prices._catalog.cache_clear()
    assert len(prices.catalog()) > 1000
    assert prices.search("claude")


def test_cli_prices(capsys):
    assert main(["prices", "claude", "sonnet", "--limit", "5"]) == 0
    out = capsys.readouterr().out
    assert "genai-prices" in out and "Anthropic" in out and "claude-sonnet" in out
    assert main(["prices", "no-such-model-xyz"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("prices: no catalog model matches") and "\n" not in err


def test_cli_prices_json(capsys):
    import json

    assert main(["prices", "gpt-4o", "--format", "json", "--limit", "3"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["catalog"].startswith("genai-prices") and len(doc["models"]) == 3
    assert doc["models"][0]["model"] == "gpt-4o" and doc["models"][0]["input"] == 2.5


# --- the picker in the TUI ------------------------------------------------------------------------------
async def test_picker_claude_adds_anthropic_prices_with_source_and_undo_removes_it(tmp_path, monkeypatch):
    from workbench.session.document import Document
    from workbench.tui.app import WorkbenchApp
    from workbench.tui.screens.prices import PricePicker
    from workbench.tui.view import ScenarioView

    monkeypatch.setenv("WORKBENCH_SAVES", str(tmp_path))
    app = WorkbenchApp([Document(files.load("presets/starter.toml"), None, "t")])
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(ScenarioView)
        before = len(view.doc.scenario.api_models)
        await pilot.press("P")
        await until(pilot, lambda: isinstance(app.screen, PricePicker) and app.screen._entries)
        await pilot.press(*"claude sonnet 4.5")
        await until(
            pilot,
            lambda: (
                app.screen._current() is not None and app.screen._current().model_id == "claude-sonnet-4-5"
            ),
        )
        await pilot.press("enter")
        await until(pilot, lambda: len(view.doc.scenario.api_models) == before + 1)
        row = view.doc.scenario.api_models[-1]
        assert (row.name, row.input, row.output, row.cached_input) == ("Claude Sonnet 4.5", 3.0, 15.0, 0.3)
        assert row.source == prices.source_label()
        assert "added 'Claude Sonnet 4.5'" in str(view.query_one("#status").render())
        await pilot.press("u")
        await until(pilot, lambda: len(view.doc.scenario.api_models) == before)


async def test_picker_ctrl_r_replaces_prices_of_the_row_under_the_cursor(tmp_path, monkeypatch):
    from workbench.session.document import Document
    from workbench.tui.app import WorkbenchApp
    from workbench.tui.screens.prices import PricePicker
    from workbench.tui.view import ScenarioView

    monkeypatch.setenv("WORKBENCH_SAVES", str(tmp_path))
    app = WorkbenchApp([Document(files.load("presets/starter.toml"), None, "t")])
    async with app.run_test(size=(100, 30)) as pilot:
        view = app.query_one(ScenarioView)
        await pilot.press("f1")
        await until(pilot, lambda: getattr(app.focused, "id", "") == "grid-api_models")
        name = view.doc.scenario.api_models[0].name
        await pilot.press("P")
        await until(pilot, lambda: isinstance(app.screen, PricePicker) and app.screen._entries)
        assert app.screen.target_name == name
        await pilot.press(*"claude haiku 4.5")
        await until(
            pilot,
            lambda: (
                app.screen._current() is not None and app.screen._current().model_id == "claude-haiku-4-5"
            ),
        )
        await pilot.press("ctrl+r")
        await until(pilot, lambda: view.doc.scenario.api_models[0].input == 1.0)
        row = view.doc.scenario.api_models[0]
        assert row.name == name and row.output == 5.0 and row.source.startswith("genai-prices")
        assert len(view.doc.scenario.api_models) == len(files.load("presets/starter.toml").api_models)
