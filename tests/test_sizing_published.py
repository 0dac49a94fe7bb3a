"""The published points the sizing is checked against: the README's table is generated from
sizing.published_comparison() and must match it, so the two cannot drift.

Regenerate the README block with `python tests/test_sizing_published.py` and paste it between the markers.
"""

from __future__ import annotations

import re
from pathlib import Path

from workbench.model import sizing

README = Path(__file__).resolve().parent.parent / "README.md"
START, END = "<!-- published-sizing-table -->", "<!-- /published-sizing-table -->"


def _concurrency(r: dict) -> str:
    if not r["batch"]:
        return f"full load, {r['max_seqs']:,} max" if r["max_seqs"] else "full load"
    text = f"{r['batch']:,} at once" if r["burst"] else f"{r['batch']:,}"
    return text + (f", {r['max_seqs']:,} max" if r["max_seqs"] else "")


def _role(r: dict) -> str:
    if r["role"] == "validation":
        return "validation, then tuning (read " + r["note"].rsplit("after it read ", 1)[1] + ")"
    return r["role"]


def summary_line(rows: list[dict]) -> str:
    by = sizing.error_summary(rows)["by_role"]
    t, v, e = by["tuning"], by["validation"], by["test"]
    return (
        f"Median absolute error: {t['median']:.0%} on the {t['points']} tuning points (worst {t['worst']:.0%}); "
        f"{v['median']:.0%} on the {v['points']} validation points used for tuning since (worst "
        f"{v['worst']:.0%}); **{e['median']:.0%} on the {e['points']} test points (worst {e['worst']:.0%})**."
    )


def readme_block() -> list[str]:
    rows = sizing.published_comparison()
    out = [
        "| # | model | GPUs | engine | weights / KV | in / out | concurrency | published tok/s | estimate | error "
        "| role | source |",
        "|---:|---|---|---|---|---|---|---:|---:|---:|---|---|",
    ]
    for i, r in enumerate(rows, 1):
        kv = r["kv_precision"] or sizing.engine_kv_default(r["engine"], r["precision"])
        out.append(
            f"| {i} | {r['model']} | {r['gpus']} x {r['gpu']} | {r['engine']} | {r['precision']} / {kv} "
            f"| {r['input_tokens']:,} / {r['output_tokens']:,} | {_concurrency(r)} "
            f"| {r['published']:,.0f} | {r['estimate']:,.0f} | {r['error']:+.0%} "
            f"| {_role(r)} | {r['source_name']} |"
        )
    out.append("")
    out.append(summary_line(rows))
    out.append("")
    out.append("Sources:")
    out.append("")
    for text, name in sizing.SOURCE_NAMES.items():
        out.append(f"- {name}: {text}.")
    return out


def test_readme_table_matches_published_comparison():
    text = README.read_text(encoding="utf-8")
    assert START in text and END in text, "the README's sizing section lost its table markers"
    block = text.split(START, 1)[1].split(END, 1)[0].strip("\n").splitlines()
    assert block == readme_block(), "README sizing table is stale: run python tests/test_sizing_published.py"


def test_every_point_has_a_source_and_a_role():
    rows = sizing.published_comparison()
    assert sum(r["role"] == "tuning" for r in rows) >= 10
    assert sum(r["role"] == "test" for r in rows) >= 10
    for r in rows:
        assert r["source"] in sizing.SOURCE_NAMES and re.search(r"https?://|commit", r["source"])
        assert r["published"] > 0 and r["estimate"] > 0
        assert r["role"] in ("tuning", "validation", "test")
        assert r["used_for_tuning"] == (r["role"] != "test")
        if r["role"] == "validation":  # says which factor it was used for, and what it read before
            assert r["note"].startswith("validation point, used for ") and " after it read " in r["note"]


def test_tuning_points_within_bounds():
    """The points the factors were set with stay within 0.5x-2x, most within 15%."""
    rows = [r for r in sizing.published_comparison() if r["used_for_tuning"]]
    for r in rows:
        assert 0.5 <= r["estimate"] / r["published"] <= 2.0, r
    assert sizing.error_summary(rows)["tuning"]["median"] < 0.10


def test_test_set_errors_are_what_the_readme_reports():
    """Test points are compared, not bounded: the README states their median and worst error as computed
    (whatever they are), and the three-sentence story quotes the same figures."""
    rows = sizing.published_comparison()
    test = sizing.error_summary(rows)["by_role"]["test"]
    assert test["points"] >= 20
    text = README.read_text(encoding="utf-8")
    assert summary_line(rows) in text
    assert f"tested on {test['points']} points never used for tuning: median {test['median']:.0%}" in text
    assert f"worst {test['worst']:.0%}" in text


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
    from workbench.cli.data import published_line

    rows = sizing.published_comparison()
    errs = [r["error"] for r in rows]
    held = sizing.error_summary(rows)["held_out"]
    line = published_line()
    assert f"against {len(rows)} published runs it reads {min(errs):+.0%} to {max(errs):+.0%}" in line
    assert (
        f"median |error| {held['median']:.0%} on the {held['points']} test points never used for tuning"
        in line
    )
