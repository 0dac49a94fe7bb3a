"""The published points the sizing is checked against: the README's table is generated from
published.published_comparison() and must match it, so the two cannot drift.

Regenerate the README block with `python tests/test_sizing_published.py` and paste it between the markers.
"""

from __future__ import annotations

import re
from pathlib import Path

from workbench.model import published, sizing

README = Path(__file__).resolve().parent.parent / "README.md"
START, END = "<!-- published-sizing-table -->", "<!-- /published-sizing-table -->"


def _concurrency(r: dict) -> str:
    if not r["batch"]:
        return f"full load, {r['max_seqs']:,} max" if r["max_seqs"] else "full load"
    text = f"{r['batch']:,} at once" if r["burst"] else f"{r['batch']:,}"
    return text + (f", {r['max_seqs']:,} max" if r["max_seqs"] else "")


def _engine(r: dict) -> str:
    return r["engine"] + (", attention DP + EP" if r["layout"] == "ep" else "")


def _role(r: dict) -> str:
    if r["role"] == "validation" and r["stage"] == "B":
        return f"validation B, then tuning (read {r['first_read']})"
    if r["role"] == "validation":
        return f"validation {r['stage']} (read {r['first_read']}" + (
            ", then used)" if r["used_for_tuning"] else ")"
        )
    return r["role"] + (f" {r['stage']}" if r["role"] == "test" else "")


def _stat(s: dict) -> str:
    return f"{s['median']:.0%} on {s['points']} (worst {s['worst']:.0%})"


def summary_line(rows: list[dict]) -> str:
    summary = published.error_summary(rows)
    by, test = summary["by_stage"], summary["test_by_stage"]
    text = (
        f"Median absolute error, as the estimate reads now: tuning A {_stat(by['A'])}; validation B, used for "
        f"tuning since, {_stat(by['B'])}; validation E, the round-2 test set, {_stat(by['E'])}; "
    )
    if "H" in test:
        return text + f"**test F {_stat(test['F'])}; test G {_stat(test['G'])}; test H {_stat(test['H'])}**."
    if "G" in test:
        return text + f"**test F {_stat(test['F'])}; test G {_stat(test['G'])}**."
    if "F" in test:
        return text + f"**test F {_stat(test['F'])}**."
    return text + "test F not yet evaluated."


def readme_block() -> list[str]:
    rows = published.published_comparison()
    out = [
        "| # | model | GPUs | engine | weights / KV | in / out | concurrency | published tok/s | estimate | error "
        "| role | source |",
        "|---:|---|---|---|---|---|---|---:|---:|---:|---|---|",
    ]
    for i, r in enumerate(rows, 1):
        kv = r["kv_precision"] or sizing.engine_kv_default(r["engine"], r["precision"])
        out.append(
            f"| {i} | {r['model']} | {r['gpus']} x {r['gpu']} | {_engine(r)} | {r['precision']} / {kv} "
            f"| {r['input_tokens']:,} / {r['output_tokens']:,} | {_concurrency(r)} "
            f"| {r['published']:,.0f} | {r['estimate']:,.0f} | {r['error']:+.0%} "
            f"| {_role(r)} | {r['source_name']} |"
        )
    out.append("")
    out.append(summary_line(rows))
    out.append("")
    out.append("What the round-2 test points were used for in round 3:")
    out.append("")
    uses: dict[str, list[str]] = {}  # what each was used for -> the points (and what they read then)
    for i, r in enumerate(rows, 1):
        if r["stage"] == "E" and r["used_for_tuning"]:
            uses.setdefault(r["note"].split("; used ", 1)[1], []).append(
                f"#{i} {r['model']} ({r['first_read']})"
            )
    for use, points in uses.items():
        out.append(f"- {', '.join(points)}: used {use}.")
    out.append("")
    out.append("Sources:")
    out.append("")
    for text, name in published.SOURCE_NAMES.items():
        out.append(f"- {name}: {text}.")
    return out


def test_readme_table_matches_published_comparison():
    text = README.read_text(encoding="utf-8")
    assert START in text and END in text, "the README's sizing section lost its table markers"
    block = text.split(START, 1)[1].split(END, 1)[0].strip("\n").splitlines()
    assert block == readme_block(), "README sizing table is stale: run python tests/test_sizing_published.py"


def test_every_point_has_a_source_and_a_role():
    rows = published.published_comparison()
    assert sum(r["role"] == "tuning" for r in rows) >= 10
    for r in rows:
        assert r["source"] in published.SOURCE_NAMES and re.search(r"https?://|commit", r["source"])
        assert r["published"] > 0 and r["estimate"] > 0
        assert (r["role"], r["stage"]) in (
            ("tuning", "A"),
            ("validation", "B"),
            ("validation", "E"),
            ("test", "F"),
            ("test", "G"),
            ("validation", "G"),
            ("test", "H"),
        )
        if r["role"] == "tuning":
            assert r["used_for_tuning"]
        if r["role"] == "test":  # a note only to record a corrected reading of its source
            assert not r["used_for_tuning"] and (not r["note"] or r["note"].startswith("reading corrected"))
        if r["role"] == "validation":  # says what it read when first evaluated, and what it was used for
            assert r["first_read"] and f"read {r['first_read']}" in r["note"]
            assert r["used_for_tuning"] == ("used " in r["note"] and "not used" not in r["note"])


def test_tuning_points_within_bounds():
    """The points the factors were set with stay within 0.5x-2x, most within 15%."""
    rows = [r for r in published.published_comparison() if r["used_for_tuning"]]
    for r in rows:
        assert 0.5 <= r["estimate"] / r["published"] <= 2.0, r
    assert published.error_summary(rows)["tuning"]["median"] < 0.10


def test_test_set_errors_are_what_the_readme_reports():
    """Test points are compared, not bounded: the README states the final test set's median and worst error
    as computed (whatever they are), and the story quotes the same figures."""
    rows = published.published_comparison()
    summary = published.error_summary(rows)
    text = README.read_text(encoding="utf-8")
    assert summary_line(rows) in text
    tuning = summary["by_stage"]["A"]
    assert f"tuned on {tuning['points']} points (median {tuning['median']:.0%})" in text
    test = summary["by_role"].get("test")
    if test is None:  # between the freeze and the final test set
        assert "test F not yet evaluated" in text
        return
    assert test["points"] >= 5
    by = summary["test_by_stage"]
    for stage in ("F", "G", "H"):
        st = by[stage]
        assert (
            f"test {stage}: median {st['median']:.0%}, worst {st['worst']:.0%}, on {st['points']} points"
            in text
        )
    assert f"together, test F, G and H read median {test['median']:.0%}, worst {test['worst']:.0%}" in text
    never = [abs(r["error"]) for r in rows if not r["used_for_tuning"]]
    over = sum(e > 0.6 for e in never)
    flat = " ".join(text.split())  # the story's sentences wrap anywhere
    assert f"all {len(never)} points never used for tuning read median {_median(never):.0%}" in flat
    assert f"{over} of them beyond 60%" in flat


def _median(errs: list[float]) -> float:
    errs = sorted(errs)
    mid = len(errs) // 2
    return errs[mid] if len(errs) % 2 else (errs[mid - 1] + errs[mid]) / 2


if __name__ == "__main__":
    print(START)
    print("\n".join(readme_block()))
    print(END)


def test_latency_against_nims_70b_runs():
    """NVIDIA NIM, Llama 3.3 70B FP8 on 2 x H100 (tuning data): TTFT and TPOT within 20% (README)."""
    m = sizing.model_named("llama-3.3-70b")
    runs = {  # (input, output, concurrency): (TTFT ms, inter-token latency ms)
        (5000, 500, 1): (406.77, 18.58),
        (5000, 500, 5): (546.7, 21.83),
        (5000, 500, 25): (688.69, 38.75),
        (5000, 500, 50): (834.51, 59.73),
        (5000, 500, 250): (88605.32, 93.2),
        (500, 2000, 1): (47.77, 18.91),
    }
    for (lin, lout, c), (ttft, itl) in runs.items():
        e = sizing.estimate(
            m.params, "fp8", "H100 SXM", lin, lout, batch=c, gpus=2,
            kv_elements_per_token=m.kv_elements_per_token, engine="trtllm",
        )  # fmt: skip
        assert abs(e.ttft_ms / ttft - 1) < 0.2 and abs(e.tpot_ms / itl - 1) < 0.2, (c, e.ttft_ms, e.tpot_ms)


def test_the_cli_quotes_the_computed_errors():
    rows = published.published_comparison()
    errs = [r["error"] for r in rows]
    held = published.error_summary(rows).get("held_out")
    line = published.summary_line()
    assert f"against {len(rows)} published runs it reads {min(errs):+.0%} to {max(errs):+.0%}" in line
    if held is None:  # between the freeze and the final test set
        assert "median" not in line
        return
    assert (
        f"median |error| {held['median']:.0%} on the {held['points']} test points never used for tuning"
        in line
    )
