"""A large synthetic scenario for the benchmarks: 12 options over 120 months, every kind of option.

Growth, price drift both ways, retraining, RAG, caching, review, always-on and on-demand hosting, a
distilled option: every branch of the formulas is exercised, so the benchmark (and the baseline
cross-check in tests/test_baseline.py) covers more than the presets do.
"""

from __future__ import annotations

from workbench.model.scenario import Scenario, validate


def large_scenario_dict(options: int = 12, horizon: int = 120) -> dict:
    api_models = [
        {"name": "Frontier", "input": 2.5, "output": 10.0, "cached_input": 1.25},
        {"name": "Mid", "input": 0.4, "output": 1.6, "cached_input": 0.1},
        {"name": "Small", "input": 0.15, "output": 0.6},
    ]
    gpus = [
        {"name": "H100", "hourly": 1.99},
        {"name": "L40S", "hourly": 0.86},
        {"name": "A10", "hourly": 0.5},
    ]
    kinds = [
        {"serve": "api", "model": "Frontier", "baseline": True},
        {"serve": "api", "model": "Mid", "prompt_caching": True},
        {"serve": "api", "model": "Frontier", "rag": True, "prompt_caching": True, "ops_fte": 0.1},
        {"serve": "api", "model": "Small", "review_rate": 0.01},
        {"serve": "api", "model": "Mid", "fine_tune": True, "prompt_reduction": 0.6, "ops_fte": 0.25},
        {
            "serve": "self_hosted",
            "gpu": "H100",
            "fine_tune": True,
            "tokens_per_second_per_gpu": 1500.0,
            "min_gpus": 2,
            "ops_fte": 0.5,
        },
        {
            "serve": "self_hosted",
            "gpu": "L40S",
            "distill": True,
            "teacher": "Frontier",
            "tokens_per_second_per_gpu": 900.0,
            "ops_fte": 0.5,
            "prompt_reduction": 0.7,
        },
        {
            "serve": "self_hosted",
            "gpu": "A10",
            "hosting": "on_demand",
            "requests_per_second_per_gpu": 3.0,
            "min_gpu_hours_per_month": 200.0,
            "ops_fte": 0.3,
        },
        {
            "serve": "self_hosted",
            "gpu": "H100",
            "rag": True,
            "tokens_per_second_per_gpu": 2500.0,
            "target_utilization": 0.6,
            "ops_fte": 0.5,
            "fixed_monthly": 500.0,
        },
        {"serve": "api", "model": "Small", "rag": True, "setup_cost": 20000.0},
        {
            "serve": "self_hosted",
            "gpu": "L40S",
            "hosting": "on_demand",
            "fine_tune": True,
            "tokens_per_second_per_gpu": 700.0,
            "ops_fte": 0.4,
        },
        {"serve": "api", "model": "Mid", "distill": True, "teacher": "Frontier", "output_reduction": 0.2},
    ]
    opts = []
    for i in range(options):
        o = dict(kinds[i % len(kinds)])
        if i >= len(kinds):
            o.pop("baseline", None)
        o["name"] = f"Option {i + 1}"
        o["consistency"] = 0.88 + 0.01 * (i % 10)
        opts.append(o)
    return {
        "schema_version": 1,
        "name": f"Synthetic: {options} options, {horizon} months",
        "horizon_months": horizon,
        "workload": {
            "requests_per_day": 50000.0,
            "input_tokens": 1500.0,
            "output_tokens": 400.0,
            "cacheable_share": 0.5,
            "growth_per_month": 0.03,
            "peak_to_average": 3.0,
            "days_per_month": 30.0,
        },
        "market": {"api_price_change_per_year": -0.3, "gpu_price_change_per_year": -0.15},
        "overheads": {"cost_per_review": 1.5, "eval_setup": 15000.0},
        "training": {
            "gpu": "H100",
            "gpus": 8,
            "hours_per_run": 6.0,
            "runs": 12,
            "examples": 8000.0,
            "already_labeled": 1000.0,
            "retrain_every_months": 4,
            "relabel_share": 0.25,
        },
        "rag": {"context_tokens": 1200.0, "cost_per_query": 0.0004, "fixed_monthly": 300.0},
        "api_models": api_models,
        "gpus": gpus,
        "options": opts,
    }


def large_scenario(options: int = 12, horizon: int = 120) -> Scenario:
    return validate(large_scenario_dict(options, horizon))
