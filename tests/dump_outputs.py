"""Every CLI output of every preset, one file each, to compare two trees byte for byte (not a test module).

    python tests/dump_outputs.py OUTDIR        # run from the checkout whose package is on the path
    diff -r BEFORE AFTER                       # empty when behaviour is unchanged

Writes each preset's report (json, table, csv, markdown), sensitivity (json, table), simulate --seed 0
(json), validate, and explain of every option for 25 metrics at months 1 and 12 (text and json): about
2,840 files in 15 s, all in one process. Used to show a refactoring changed no figure and no message.
"""

from __future__ import annotations

import contextlib
import io
import os
import pathlib
import sys
import tomllib

os.environ["COLUMNS"] = "160"

from workbench.cli.run import main  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parent.parent
METRICS = (
    "inference retrieval review people fixed one_time retrain total cumulative tco month1 average "
    "cost_per_request cost_per_mtok breakeven_month breakeven_volume gpus_at_horizon "
    "gpu_hours_at_horizon req rpd tin tout gpus gpu_hours"
).split()


def run(out: pathlib.Path, name: str, argv: list[str]) -> None:
    """One command's stdout, stderr and exit code into OUT/name."""
    stdout, stderr = io.StringIO(), io.StringIO()
    rc: object = 0
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        try:
            rc = main(argv)
        except SystemExit as exc:
            rc = exc.code
    (out / name).write_text(f"{stdout.getvalue()}\n--stderr--\n{stderr.getvalue()}\nrc={rc}\n")


def dump(out: pathlib.Path) -> int:
    out.mkdir(parents=True, exist_ok=True)
    for f in sorted((ROOT / "presets").glob("*.toml")):
        b, path = f.stem, str(f.relative_to(ROOT))
        for fmt in ("json", "table", "csv", "markdown"):
            run(out, f"{b}.report.{fmt}", ["report", path, "--format", fmt])
        run(out, f"{b}.sens.json", ["sensitivity", path, "--format", "json"])
        run(out, f"{b}.sens.table", ["sensitivity", path])
        run(out, f"{b}.sim.json", ["simulate", path, "--seed", "0", "--format", "json"])
        run(out, f"{b}.validate", ["validate", path])
        for i in range(1, len(tomllib.loads(f.read_text()).get("options", [])) + 1):
            for m in METRICS:
                for month in ("1", "12"):
                    args = ["explain", path, str(i), m, "--month", month]
                    run(out, f"{b}.x.{i}.{m}.{month}.json", [*args, "--format", "json"])
                    run(out, f"{b}.x.{i}.{m}.{month}.txt", args)
    return len(list(out.iterdir()))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    os.chdir(ROOT)
    print(dump(pathlib.Path(sys.argv[1]).resolve()), "files written")
