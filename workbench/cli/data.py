"""Commands that bring in outside data and take the workbench elsewhere: prices, gpus, size, serve.

workbench.cli.run adds their parsers (add_parsers); heavy imports stay inside the handlers.
"""

from __future__ import annotations

import argparse
import json
import math
import sys

from workbench.cli.common import add_columns, command, fail, fit, whole


def parse_count(text: str) -> float:
    """The --model-params flag: values.parse_count, its message as argparse's."""
    from workbench.edits import values

    try:
        return values.parse_count(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


_positive_int = whole(0)


def add_parsers(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "prices",
        help="search the offline API price catalog (genai-prices)",
        description="List API models whose provider or model matches every word of QUERY, with prices per "
        "1M tokens from the genai-prices snapshot shipped with the package (no network).",
    )
    p.add_argument("query", nargs="+", help="words to match, e.g. claude, 'gpt 4o', 'anthropic sonnet'")
    p.add_argument("--limit", type=_positive_int, default=40, help="most rows to list (default 40; 0 = all)")
    p.add_argument("--format", choices=("table", "json"), default="table", help="table (default) or json")

    sub.add_parser(
        "gpus", help="list the GPU table used by sizing: memory, bandwidth, TFLOPS, prices, sources"
    )

    p = sub.add_parser(
        "size",
        help="estimate whether a model fits a GPU and its output tokens/s (roofline)",
        description="Roofline estimate for one serving replica: weights + KV cache against memory, "
        "memory-bound decode and compute-bound prefill with stated efficiency factors. "
        "Example: workbench size --model-params 8e9 --precision fp8 --gpu 'H100 SXM'",
    )
    p.add_argument("--model-params", type=parse_count, help="parameters, e.g. 8e9 or 70B")
    p.add_argument(
        "--model", help="a known model shape (sets params, KV-cache shape, active params), e.g. llama-3.1-8b"
    )
    p.add_argument(
        "--active-params",
        type=parse_count,
        help="mixture of experts: parameters used per token, e.g. 12.9B (a MoE model name sets it)",
    )
    p.add_argument(
        "--precision", default="bf16", help="weights: bf16, fp16, fp8, fp4, int8, int4 (default bf16)"
    )
    p.add_argument(
        "--kv-precision", help="KV cache: default the engine's (vllm, sglang: 16-bit; trtllm: fp8 with fp8)"
    )
    p.add_argument("--engine", default="vllm", help="serving engine: vllm (default), trtllm, sglang")
    p.add_argument(
        "--layout",
        default="tp",
        help="a mixture of experts over several GPUs: tp (default, all tensor-parallel), dp (attention "
        "data-parallel, experts tensor-parallel) or ep (attention data-parallel, experts expert-parallel)",
    )
    p.add_argument("--gpu", required=True, help="a GPU of `workbench gpus`, e.g. 'H100 SXM'")
    p.add_argument(
        "--gpus", type=_positive_int, default=1, help="GPUs per replica (tensor parallel), default 1"
    )
    p.add_argument(
        "--input-tokens", type=float, default=1000, help="input (context) tokens per request, default 1000"
    )
    p.add_argument("--output-tokens", type=float, default=500, help="output tokens per request, default 500")
    p.add_argument(
        "--batch",
        type=_positive_int,
        help="concurrent sequences (default: the most that fit; more than fit queue)",
    )
    p.add_argument("--max-ttft-ms", type=float, help="largest batch whose time to first token is within this")
    p.add_argument(
        "--max-tpot-ms", type=float, help="largest batch whose time per output token is within this"
    )
    p.add_argument(
        "--measured",
        type=float,
        metavar="TOKENS_PER_S",
        help="output tokens/s measured at this configuration (all GPUs): calibrates the estimate",
    )
    p.add_argument(
        "--sweep",
        choices=("batch",),
        help="batch: a table from batch 1 to the most that fit (throughput, TTFT, TPOT, cost)",
    )
    p.add_argument(
        "--layers", type=_positive_int, help="layers (with --kv-heads and --head-dim: exact KV cache)"
    )
    p.add_argument("--kv-heads", type=_positive_int, help="key/value heads")
    p.add_argument("--head-dim", type=_positive_int, help="dimension of one attention head")
    p.add_argument("--format", choices=("text", "json"), default="text", help="text (default) or json")

    p = sub.add_parser(
        "serve",
        help="serve the TUI to a web browser (textual-serve), on loopback, behind a token",
        description="Serve the workbench to a browser with textual-serve. Each browser tab runs its own "
        "workbench process. Binds 127.0.0.1 by default. Each start makes a random token: open the URL it "
        "prints (http://HOST:PORT/?token=...); the page and every session need it, and sessions from a "
        "page of another origin are refused. Pass --host 0.0.0.0 only on a trusted network.",
    )
    p.add_argument(
        "files", nargs="*", metavar="FILE", help="scenario files to open (default: the starter preset)"
    )
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=_positive_int, default=8000, help="port (default 8000)")
    p.add_argument(
        "--max-sessions",
        type=_positive_int,
        default=4,
        help="most sessions (browser tabs, one process each) at once, 1 to 64 (default 4)",
    )
    p.add_argument(
        "--token",
        help="the token sessions must present (default: a new random one each start; "
        "also $WORKBENCH_SERVE_TOKEN, which other users cannot see in `ps`)",
    )


# --- prices ---------------------------------------------------------------------------------------------
@command("prices")
def cmd_prices(args: argparse.Namespace) -> int:
    from workbench.model import prices

    query = " ".join(args.query).strip()
    if not query:
        return fail("prices: give words to search for, e.g. `workbench prices claude`")
    try:
        hits = prices.search(query)
    except prices.CatalogError as exc:
        return fail(f"prices: {exc}")
    if not hits:
        return fail(f"prices: no catalog model matches {query!r} ({prices.source_label()}); try fewer words")
    shown = hits if args.limit == 0 else hits[: args.limit]
    if args.format == "json":
        out = {
            "catalog": prices.source_label(),
            "prices_on": prices.price_day(),
            "unit": "USD per 1M tokens",
            "matches": len(hits),
            "models": [
                {
                    "provider": e.provider_id,
                    "model": e.model_id,
                    "name": e.model_name,
                    "row_name": e.row_name,
                    "input": e.input,
                    "output": e.output,
                    "cached_input": e.cached_input,
                    "deprecated": e.deprecated,
                    "tiers": e.tier_note or None,
                    "also_bills": list(e.extras),
                }
                for e in shown
            ],
        }
        sys.stdout.write(json.dumps(out, indent=2) + "\n")
        return 0
    from rich.console import Console
    from rich.table import Table

    con = Console(highlight=False)
    t = Table(
        header_style="bold",
        title_justify="left",
        title=f"{prices.source_label()} (offline snapshot) · USD per 1M tokens, prices in force "
        f"{prices.price_day()}",
    )
    add_columns(
        t,
        ("Provider", "left"),
        ("Model", "left"),
        ("Input", "right"),
        ("Output", "right"),
        ("Cached input", "right"),
    )
    for e in shown:
        mark = (" +" if e.tier_note else "") + (" (deprecated)" if e.deprecated else "")
        t.add_row(
            e.provider_name,
            e.model_id + mark,
            prices.price_text(e.input),
            prices.price_text(e.output),
            prices.price_text(e.cached_input),
        )
    con.print(fit(t, con.width))
    notes = []
    if len(shown) < len(hits):
        notes.append(f"{len(shown)} of {len(hits)} matches shown (--limit 0 lists all, or add words)")
    if any(e.tier_note for e in shown):
        notes.append("+ tiered: the base tier is shown (long prompts pay more)")
    notes.append(
        "cached input — = the provider lists no cache price (the workbench then bills the input price)"
    )
    for n in notes:
        con.print(f"[dim]{n}[/dim]")
    return 0


# --- gpus and size --------------------------------------------------------------------------------------
@command("gpus")
def cmd_gpus(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.table import Table

    from workbench.model import sizing

    con = Console(highlight=False)
    t = Table(
        header_style="bold",
        title=f"GPU table (compiled {sizing.TABLE_DATE}); TFLOPS dense",
        title_justify="left",
    )
    add_columns(
        t,
        ("GPU", "left"),
        ("Memory GB", "right"),
        ("Bandwidth GB/s", "right"),
        ("BF16 TFLOPS", "right"),
        ("FP8 TFLOPS", "right"),
        ("link", "left"),
        ("BW/GEMM", "right"),
        ("$/hour", "right"),
        ("price", "left"),
    )
    t.columns[0].no_wrap = True  # a GPU's name on one line
    for g in sizing.GPUS:
        shares = (
            f"{g.bandwidth_share or 0:.0%}/{g.gemm_share:.0%}" if g.bandwidth_share and g.gemm_share else "—"
        )
        t.add_row(
            g.name,
            f"{g.memory_gb:g}",
            f"{g.bandwidth_gbs:,g}",
            f"{g.bf16_tflops:g}",
            "—" if g.fp8_tflops is None else f"{g.fp8_tflops:g}",
            g.interconnect,
            shares,
            f"{g.hourly:.2f}",
            g.price_kind,
        )
    con.print(fit(t, con.width))
    con.print(
        "BW/GEMM: the share of the datasheet bandwidth and GEMM rate a microbenchmark reached; "
        "the estimate scales its factors by it against the H100's (— : none published, the H100's used)."
    )
    con.print("[bold]Sources[/bold]")
    for g in sizing.GPUS:
        measured = f"; measured: {g.share_source}" if g.share_source else ""
        con.print(f" {g.name}: specs: {g.spec_source}; price ({g.price_kind}): {g.price_label}{measured}")
    return 0


def _sizing(args: argparse.Namespace):
    """The flags of `workbench size` as a sizing.Sizing; SizingError for a bad combination or value."""
    from workbench.model import sizing

    if args.model_params is None and not args.model:
        raise sizing.SizingError("give --model-params (e.g. 8e9) or --model (e.g. llama-3.1-8b)")
    model = sizing.model_named(args.model).name if args.model else ""
    kv = None
    arch = (args.layers, args.kv_heads, args.head_dim)
    if any(arch):
        if not all(arch):
            raise sizing.SizingError("--layers, --kv-heads and --head-dim go together")
        kv = 2 * args.layers * args.kv_heads * args.head_dim
    for flag, v in (("--max-ttft-ms", args.max_ttft_ms), ("--max-tpot-ms", args.max_tpot_ms)):
        if v is not None and not (math.isfinite(v) and v > 0):
            raise sizing.SizingError(f"{flag} must be a positive number of milliseconds, not {v:g}")
    if args.measured is not None and not (math.isfinite(args.measured) and args.measured > 0):
        raise sizing.SizingError(
            f"--measured must be a positive number of output tokens/s, not {args.measured:g}"
        )
    return sizing.Sizing(
        model=model,
        params=args.model_params or 0.0,
        active_params=args.active_params,
        precision=args.precision.lower(),
        kv_precision=args.kv_precision.lower() if args.kv_precision else None,
        engine=args.engine.lower(),
        layout=args.layout.lower(),
        gpu=sizing.gpu_named(args.gpu).name,
        gpus=args.gpus,
        input_tokens=args.input_tokens,
        output_tokens=args.output_tokens,
        batch=args.batch,
        max_ttft_ms=args.max_ttft_ms,
        max_tpot_ms=args.max_tpot_ms,
        measured=args.measured,
        kv_elements_per_token=kv,
    )


@command("size")
def cmd_size(args: argparse.Namespace) -> int:
    from workbench.model import published, sizing

    try:
        s = _sizing(args)
        e = s.estimate()
        rows = s.sweep() if args.sweep else []
    except sizing.SizingError as exc:
        return fail(f"size: {exc}")
    kv_known = bool(s.model or s.kv_elements_per_token)
    if args.format == "json":
        d = e.as_dict()
        d["kv_shape"] = "given" if kv_known else "estimated from the parameter count"
        d["efficiency"] = _factors(e)
        d["published_error"] = published.error_summary()
        d["source_text"] = s.source_text()
        d["kv_precision_from"] = "given" if s.kv_precision else sizing.ENGINE_KV_NOTE[e.engine]
        if args.sweep:
            d["sweep"] = [_sweep_row(r) for r in rows]
        sys.stdout.write(json.dumps(d, indent=2) + "\n")
        return 0
    for line in size_lines(e, s.model, kv_known):
        print(line)
    if s.kv_precision is None and e.fits:
        print(f"KV cache {e.kv_precision}: {sizing.ENGINE_KV_NOTE[e.engine]}; --kv-precision to choose")
    if args.sweep and rows:
        _print_sweep(rows)
    return 0  # "does not fit" is an answer, not invalid input


def _sweep_row(e) -> dict:
    return {
        "batch": e.batch,
        "output_tokens_per_second": e.output_tokens_per_second,
        "tokens_per_second_per_gpu": e.tokens_per_second_per_gpu,
        "ttft_ms": e.ttft_ms,
        "tpot_ms": e.tpot_ms,
        "latency_ms": e.latency_ms,
        "cost_per_million_output": e.cost_per_million_output,
    }


def _print_sweep(rows: list) -> None:
    from rich.console import Console
    from rich.table import Table

    t = Table(
        header_style="bold", title="sweep: concurrency from 1 to the most that fit", title_justify="left"
    )
    add_columns(
        t,
        ("batch", "right"),
        ("tok/s", "right"),
        ("tok/s per GPU", "right"),
        ("TTFT ms", "right"),
        ("TPOT ms", "right"),
        ("$ / 1M out", "right"),
    )
    for e in rows:
        t.add_row(
            f"{e.batch:,}",
            f"{e.output_tokens_per_second:,.0f}",
            f"{e.tokens_per_second_per_gpu:,.0f}",
            f"{e.ttft_ms:,.0f}",
            f"{e.tpot_ms:,.1f}",
            "—" if e.cost_per_million_output is None else f"{e.cost_per_million_output:,.3f}",
        )
    con = Console(highlight=False)
    con.print(fit(t, con.width))


def _factors(e) -> dict:
    from workbench.model import sizing as z

    return {
        "memory_usable": z.MEMORY_USABLE,
        "bandwidth": z.BANDWIDTH_EFFICIENCY,
        "decode_compute": z.DECODE_COMPUTE_EFFICIENCY,
        "prefill_compute": z.PREFILL_COMPUTE_EFFICIENCY,
        "tensor_parallel": e.tp_efficiency,
        "interconnect": e.interconnect,
        "calibration": e.calibration,
    }


def _duration(ms: float) -> str:
    return f"{ms:,.0f} ms" if ms < 10_000 else f"{ms / 1000:,.1f} s"


def size_lines(e, label: str = "", kv_known: bool = True) -> list[str]:
    """The estimate in words (CLI and TUI)."""
    from workbench.model import published, sizing

    who = label or f"{e.params / 1e9:g}B params"
    if e.active_params:
        who += f" ({e.active_params / 1e9:g}B active)"
    lines = [
        f"{who}, {e.precision} weights, {e.kv_precision} KV cache, {e.engine}"
        + {"ep": " (attention DP + expert parallel)", "dp": " (attention DP, experts tensor-parallel)"}.get(
            e.layout, ""
        )
        + f", on {e.gpus} x {e.gpu}; "
        f"{e.input_tokens:,} in / {e.output_tokens:,} out tokens per request"
    ]
    lines.append(
        f"memory: weights {e.weights_gb:,.1f} GB"
        + (" (the shared ones on every GPU)" if e.layout in ("dp", "ep") else "")
        + f" + KV cache {e.kv_gb_per_sequence:,.3f} GB per full sequence; "
        f"{e.memory_gb:,.1f} GB usable -> up to {e.max_batch:,} sequences at once "
        + (
            "(each reserved at full length)"
            if e.engine == "trtllm"
            else "(paged, held at the average length)"
        )
        + ("" if kv_known else " (KV shape estimated from size)")
    )
    if not e.fits:
        lines.append(f"does NOT fit: {e.why}")
        return lines
    if e.queue_note:
        lines.append(f"queue: {e.queue_note}")
    if e.limit_note:
        lines.append(f"limits: {e.limit_note}")
    lines.append(
        f"fits: batch {e.batch:,}; decode {e.decode_bound}-bound, {e.step_ms:,.1f} ms a step; "
        f"prefill {e.prefill_share:.0%} of the time"
    )
    lines.append(
        f"latency: TTFT {_duration(e.ttft_ms)}, TPOT {e.tpot_ms:,.1f} ms ({e.tokens_per_second_per_user:,.0f} tok/s "
        f"per user), {e.latency_ms / 1000:,.1f} s a whole response"
    )
    lines.append(
        f"output: {e.output_tokens_per_second:,.0f} tok/s in all = {e.tokens_per_second_per_gpu:,.0f} tok/s per GPU "
        f"({e.requests_per_second_per_gpu:,.2f} req/s per GPU); at ${e.hourly:.2f}/GPU-hour "
        f"${e.cost_per_million_output:,.3f} per 1M output tokens"
    )
    comm = "all-to-all" if e.layout == "ep" else "tensor parallel"
    tp = f", {comm} {e.tp_efficiency:.0%} ({e.gpus} GPUs over {e.interconnect})" if e.gpus > 1 else ""
    cal = f", calibrated x{e.calibration:.3g}" if e.calibration != 1 else ""
    spec = sizing.gpu_named(e.gpu)
    if spec.bandwidth_scale != 1 or spec.gemm_scale != 1:
        cal += (
            f", {spec.name} measured at x{spec.bandwidth_scale:.2f} bandwidth / x{spec.gemm_scale:.2f} GEMM "
            "of an H100's share"
        )
    if e.expert_efficiency < 1:
        how = {
            "ep": "attention data-parallel, experts expert-parallel",
            "dp": "attention data-parallel, experts tensor-parallel",
        }.get(e.layout, "tensor-parallel")
        cal += (
            f", expert arithmetic at {e.expert_efficiency:.1%} ({how}; set on DeepSeek-R1 runs laid out so, "
            "for DeepSeek's shapes)"
        )
    elif e.active_params and e.active_params < e.params:
        cal += ", expert arithmetic at the dense roofline (no measured share for this model)"
    lines.append(
        f"efficiency: bandwidth {sizing.BANDWIDTH_EFFICIENCY:.0%}, compute {sizing.DECODE_COMPUTE_EFFICIENCY:.0%} "
        f"decode / {sizing.PREFILL_COMPUTE_EFFICIENCY:.0%} prefill, memory usable {sizing.MEMORY_USABLE:.0%}"
        + tp
        + cal
        + "; "
        + published.summary_line()
    )
    caution = published.moe_caution(e.batch, e.active_params, e.params)
    if caution and e.calibration == 1:
        lines.append(caution + " (--measured)")
    return lines


# --- serve ----------------------------------------------------------------------------------------------
@command("serve")
def cmd_serve(args: argparse.Namespace) -> int:
    import os
    from pathlib import Path

    from workbench.store.files import ScenarioError, load

    for f in args.files:
        try:
            load(f)
        except ScenarioError as exc:
            return fail(str(exc))
    if not 1 <= args.port <= 65535:
        return fail(f"serve: port {args.port} is out of range (1 to 65535)")
    if not 1 <= args.max_sessions <= 64:
        return fail(f"serve: --max-sessions {args.max_sessions} is out of range (1 to 64)")
    token = args.token if args.token is not None else os.environ.get("WORKBENCH_SERVE_TOKEN") or None
    from workbench.cli import serving

    try:
        token = serving.make_token(token)
    except ValueError as exc:
        return fail(f"serve: {exc}")
    files = [str(Path(f).resolve()) for f in args.files]
    server = serving.ServedWorkbench(
        serving.app_argv(files), host=args.host, port=args.port, token=token, max_sessions=args.max_sessions
    )
    if not server.loopback:
        print(
            f"warning: serving on {args.host}, not loopback: anyone who can reach it and has the token "
            "(it travels in clear over http) can use the workbench",
            file=sys.stderr,
        )
    try:
        server.serve()
    except OSError as exc:  # a name that does not resolve, an address in use or not ours, a low port
        reason = os.strerror(exc.errno) if isinstance(exc.errno, int) and exc.errno > 0 else exc.strerror
        return fail(f"serve: cannot listen on {args.host}:{args.port}: {reason or exc}")
    except KeyboardInterrupt:  # only if the server could not take over SIGINT itself
        return 130
    return 0
