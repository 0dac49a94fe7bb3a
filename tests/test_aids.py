"""The guides' decision aids (workbench/model/aids.py, the Aids pane): the executive decision matrix fires
the rows the guide's table says on every preset, the radar's scores follow their stated rules (and move
the right way when a figure improves), and the pane shows both at 80x24 with every option's name whole."""

from __future__ import annotations

import json

import pytest
from helpers import PRESETS, changed, crop, make_app, run_cli, screen_lines, until

from workbench.model import aids
from workbench.model.report import analyze
from workbench.model.scenario import validate
from workbench.store import files

# Rows that fire (holds is True) and rows that depend on an input the scenario does not have (holds is
# None: row 4's "validated task"), on each preset, read off the guide's table by hand from the presets'
# inputs: volume = requests/day x days/month; row 3 compares the best prompting-only API option's
# consistency with consistency_target; row 7 fires under 6 stable months.
EXPECTED = {
    # 300/day x 30 = 9k a month (< 100k); prompting reaches 97% of a 99.5% target
    "10k-extraction": ({1, 3}, set()),
    # 1.5M a month; prompting 93% of 98%
    "calculus-tutor": ({3}, {4}),
    # 300k a month; GPT-4o API 93% of 95%
    "document-processing-10k-daily": ({3}, {4}),
    # 3M a month; prompting 90% of 98%
    "loan-underwriting-100k": ({3}, {4}),
    # 3M a month; Claude Sonnet 93% of 96%
    "medical-coding-hybrid": ({3}, {4}),
    # 600k a month; needs proprietary data; prompting 90% of 95%
    "starter": ({2, 3}, {4}),
    # 3M a month; GPT-4.1 prompting 94% of 95%
    "ticket-triage-provider-tuned": ({3}, {4}),
    # 300k a month; proprietary data; prompting 80% of 90%; requirements stable 9 months (not < 6)
    "travel-support-bot": ({2, 3}, {4}),
    # 2k/day x 30 = 60k a month (< 100k); GPT-4o 93% meets the 90% target
    "two-million-tokens-a-day": ({1}, set()),
    # 600k a month; proprietary data; prompting 55% of 90%; a unique domain
    "unique-domain-pretraining": ({2, 3, 6}, {4}),
}


def _analysis(name: str, changes: dict | None = None):
    s = files.load(PRESETS / f"{name}.toml")
    if changes:
        s = validate(changed(s.model_dump(), changes))
    return analyze(s)


def _matrix(name: str, changes: dict | None = None) -> aids.Matrix:
    a = _analysis(name, changes)
    return aids.matrix(a.scenario, a.results, a.ladder)


def test_every_preset_is_listed():
    assert set(EXPECTED) == {p.stem for p in PRESETS.glob("*.toml")}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_the_matrix_fires_the_rows_the_guides_table_says(name):
    m = _matrix(name)
    fires, maybe = EXPECTED[name]
    assert [x.row.n for x in m.rows] == [1, 2, 3, 4, 5, 6, 7]
    assert {x.row.n for x in m.firing} == fires
    assert {x.row.n for x in m.maybe} == maybe
    for x in m.maybe:
        assert aids.NOT_ASKED in x.here  # says which input is missing, invents none
    assert m.as_dict()["fires"] == sorted(fires)


def test_the_starter_rows_point_to_its_options_and_say_if_the_ladder_agrees():
    m = _matrix("starter")
    rows = {x.row.n: x for x in m.rows}
    assert m.picked == "Fine-tuned 8B, self-hosted"
    assert rows[2].options == ["API + RAG + caching"] and rows[2].agrees is False
    assert rows[3].options == ["Fine-tuned 8B, self-hosted"] and rows[3].agrees is True
    assert rows[1].options == ["API + prompting"] and rows[1].agrees is None  # does not fire
    assert "agrees with row 3" in m.summary() and "differs from row 2" in m.summary()
    assert "20.0k/day x 30 days = 600k requests in month 1" in rows[1].here


def test_each_requirement_fires_its_own_row():
    m = _matrix(
        "starter",
        {
            "workload.requests_per_day": 1000.0,  # 30k a month
            "requirements.data_must_stay_on_prem": True,
            "requirements.unique_domain_without_public_data": True,
            "requirements.requirements_stable_months": 3.0,
            "requirements.needs_proprietary_data": False,
        },
    )
    assert {x.row.n for x in m.firing} == {1, 3, 5, 6, 7}
    assert not m.maybe  # low volume: row 4 does not hold, whatever the validation
    rows = {x.row.n: x for x in m.rows}
    assert rows[5].options[0] in ("Fine-tuned 8B, self-hosted", "Distilled 8B, self-hosted")
    assert rows[6].options == []  # no option pre-trains: said, not invented
    assert set(rows[7].options) == {"API + prompting", "API + RAG + caching"}


def test_the_volume_threshold_is_the_guides_100k_a_month():
    below = _matrix("starter", {"workload.requests_per_day": 3333.0})  # 99,990 a month
    above = _matrix("starter", {"workload.requests_per_day": 3334.0})  # 100,020
    assert 1 in {x.row.n for x in below.firing} and 4 not in {x.row.n for x in below.maybe}
    assert 1 not in {x.row.n for x in above.firing} and 4 in {x.row.n for x in above.maybe}


# --- the radar --------------------------------------------------------------------------------------------
def _radar(name: str, changes: dict | None = None) -> aids.Radar:
    a = _analysis(name, changes)
    return aids.radar(a.scenario, a.results)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_score_is_on_the_scale_with_its_figures(name):
    r = _radar(name)
    assert [q.title for q in r.qualities] == [
        "Data privacy",
        "Speed",
        "Output control",
        "Setup effort",
        "Cost at scale",
        "Flexibility",
    ]
    for q, row in zip(r.qualities, r.scores, strict=True):
        assert q.rule
        for score, why in row:
            assert score is None or 0 <= score <= aids.TOP
            assert why


def test_the_starter_radar_matches_the_explainers_picture():
    """The explainer: the fine-tuned model excels at privacy, speed and output control, its drawback is the
    setup; the API is easy to set up and weaker on the rest."""
    r = _radar("starter")
    api, tuned = 0, 2
    for quality in ("privacy", "speed", "control"):
        assert r.score(quality, tuned) > r.score(quality, api), quality
    assert r.score("setup", api) > r.score("setup", tuned)
    assert r.score("flexibility", api) > r.score("flexibility", tuned)


def _no_worse(name: str, quality: str, option: int, better: dict) -> None:
    before = _radar(name).score(quality, option)
    after = _radar(name, better).score(quality, option)
    assert before is not None and after is not None and after >= before, (quality, option, before, after)


@pytest.mark.parametrize("name", ["starter", "travel-support-bot", "unique-domain-pretraining"])
def test_a_better_figure_never_lowers_its_score(name):
    s = files.load(PRESETS / f"{name}.toml")
    for i, o in enumerate(s.options):
        for factor in (0.9, 0.5, 0.1):
            # a lower running cost never lowers "cost at scale"; a lower up-front cost never lowers "setup"
            _no_worse(name, "cost", i, {f"options.{i}.fixed_monthly": o.fixed_monthly * factor})
            _no_worse(name, "cost", i, {f"options.{i}.ops_fte": o.ops_fte * factor})
            _no_worse(name, "setup", i, {f"options.{i}.setup_cost": o.setup_cost * factor})
            if o.latency_ms > 0:
                _no_worse(name, "speed", i, {f"options.{i}.latency_ms": o.latency_ms * factor})
        _no_worse(name, "control", i, {f"options.{i}.consistency": 1.0})


def test_a_cheaper_option_never_scores_lower_on_cost_at_scale():
    r = _radar("starter")
    a = _analysis("starter")
    from workbench.model.aids import Context

    c = Context(a.scenario, a.results)
    costs = [c.steady_at_horizon(i) for i in range(len(r.options))]
    for i in range(len(costs)):
        for j in range(len(costs)):
            if costs[i] <= costs[j]:
                assert r.score("cost", i) >= r.score("cost", j)


def test_data_that_must_stay_scores_every_api_option_zero_on_privacy():
    r = _radar("starter", {"requirements.data_must_stay_on_prem": True})
    s = files.load(PRESETS / "starter.toml")
    for i, o in enumerate(s.options):
        assert (r.score("privacy", i) == 0) == o.is_api


def test_unknown_latency_is_no_score_not_a_guess():
    r = _radar("two-million-tokens-a-day")  # no option states its latency
    assert all(r.score("speed", i) is None for i in range(len(r.options)))


# --- the pane -------------------------------------------------------------------------------------------
def _screen(app, pane) -> list[str]:
    """The screen's text inside the pane's region (at 160 columns the inputs half shares the lines)."""
    return crop(screen_lines(app), pane.scrollable_content_region)  # without the scroll bar


async def _pane_lines(app, pilot, pane) -> list[str]:
    """Every line of the pane's content, in order, read off the screen while scrolling top to bottom."""
    seen: dict[int, str] = {}
    pane.scroll_home(animate=False)
    await pilot.pause()
    while True:
        top = round(pane.scroll_y)
        for k, line in enumerate(_screen(app, pane)):
            seen.setdefault(top + k, line)
        if pane.scroll_y >= pane.max_scroll_y:
            return [seen[k] for k in sorted(seen)]
        pane.scroll_to(y=pane.scroll_y + max(1, pane.size.height - 1), animate=False)
        await pilot.pause()


@pytest.mark.parametrize("size", [(80, 24), (160, 45)])
@pytest.mark.parametrize("name", ["starter", "10k-extraction", "two-million-tokens-a-day"])
async def test_the_pane_shows_both_aids_with_every_name_whole(name, size):
    from workbench.tui.panes.aids import AidsPane

    app = make_app(name)
    async with app.run_test(size=size) as pilot:
        await until(pilot, lambda: app.active_view() is not None)
        view = app.active_view()
        assert view is not None
        await pilot.press("f12")
        pane = view.query_one(AidsPane)
        await until(pilot, lambda: pane.display and pane.size.height > 0)
        a = view.doc.analysis()
        pane.show(a, view.focus_option)  # what ScenarioView.refresh_all feeds it
        await pilot.pause()
        m = aids.matrix(a.scenario, a.results, a.ladder)
        text = "\n".join(await _pane_lines(app, pilot, pane))
        flat = " ".join(text.split())
        assert " ".join(m.summary().split()) in flat
        for x in m.rows:
            assert f"{x.row.n}. {x.row.situation}?" in text
            assert " ".join(x.row.rule.split()) in flat
        await pilot.press("]")
        await pilot.pause()
        lines = await _pane_lines(app, pilot, pane)
        flat = " ".join(" ".join(lines).split())
        r = aids.radar(a.scenario, a.results)
        for q in r.qualities:
            assert " ".join(q.rule.split()) in flat  # the rule is printed beside the scores
        for name_ in r.options:
            assert any(name_ in line for line in lines), name_  # whole, on one line
        for q, row in zip(r.qualities, r.scores, strict=True):
            for name_, (score, _) in zip(r.options, row, strict=True):
                shown = f"{name_} " if score is None else name_
                assert any(shown in line and "█" * (score or 0) in line for line in lines), (q.key, name_)


# --- the command line -----------------------------------------------------------------------------------
def test_the_cli_prints_both_aids_in_80_columns_and_as_json():
    table = run_cli("aids", "starter", env={"COLUMNS": "80"})
    assert table.returncode == 0, table.stderr
    lines = table.stdout.splitlines()
    assert all(len(line.rstrip()) <= 80 for line in lines)
    flat = " ".join(table.stdout.split())
    m = _matrix("starter")
    assert " ".join(m.summary().split()) in flat
    for q in _radar("starter").qualities:
        assert f"{q.title}: {' '.join(q.rule.split())}" in flat
    out = run_cli("aids", "starter", "--format", "json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["matrix"]["fires"] == [2, 3]
    assert data["matrix"]["ladder_pick"] == "Fine-tuned 8B, self-hosted"
    privacy = data["radar"]["qualities"][0]
    assert (
        privacy["title"] == "Data privacy" and privacy["scores"]["Fine-tuned 8B, self-hosted"]["score"] == 5
    )


def test_a_row_without_the_figures_it_needs_is_undecided_not_guessed():
    # two-million-tokens-a-day without its API options: nothing shows what prompting reaches
    data = files.load(PRESETS / "two-million-tokens-a-day.toml").model_dump()
    data["options"] = [o | {"baseline": False} for o in data["options"] if o["serve"] != "api"]
    data["options"][0]["baseline"] = True
    a = analyze(validate(data))
    rows = {x.row.n: x for x in aids.matrix(a.scenario, a.results, a.ladder).rows}
    assert rows[3].holds is None and "no prompting-only API option" in rows[3].here
    assert rows[7].options == []  # "stay with APIs": no API option here, said as such


async def test_the_pane_follows_an_edit_of_the_requirements():
    """refresh_all feeds the pane: data that must stay on premises makes row 5 (self-hosting) fire at once."""
    from workbench.edits import edit
    from workbench.tui.panes.aids import AidsPane

    app = make_app("starter")
    async with app.run_test(size=(160, 45)) as pilot:
        await until(pilot, lambda: app.active_view() is not None)
        view = app.active_view()
        assert view is not None
        await pilot.press("f12")
        pane = view.query_one(AidsPane)
        await until(pilot, lambda: pane.display and pane.analysis is not None)
        before = "\n".join(await _pane_lines(app, pilot, pane))
        assert "5 (self-hosting)" not in " ".join(before.split())
        view.commit(
            edit.apply_text(view.doc.scenario, ("requirements", "data_must_stay_on_prem"), "yes"), "x"
        )
        await pilot.pause()
        after = " ".join(" ".join(await _pane_lines(app, pilot, pane)).split())
        assert "5 (self-hosting)" in after
