"""Every question's result in every format: the CSV and Markdown of a command carry the
values its JSON gives, under the column names docs/json.md describes, and nothing is left
out but prose (citations, units, methods) and the parts the skip list names.

The expected rows are built here from the JSON, by the naming rules alone (a part's fields
flattened, prefixed by the part where the bare name would be ambiguous), not from the code
that writes the CSV.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest

from tests.conftest import Run

QUESTIONS = {
    "budgets": ["--flops", "1e21", "--flops", "1e22"],
    "compare": ["--flops", "1e21", "--compare"],
    "image compare": ["--flops", "1e21", "--compare", "--domain", "image"],
    "caps": ["--flops", "1e22", "--max-params", "3e9"],
    "hardware": ["--flops", "1e22", "--gpu", "h100", "--gpus", "64", "--price-per-gpu-hour", "2.5"],
    "hardware time": ["--gpu", "h100", "--gpus", "512", "--days", "30", "--mfu", "0.4"],
    "run": ["--params", "7e9", "--tokens", "2e12"],
    "target loss": ["--target-loss", "2.1"],
    "target loss on hardware": ["--target-loss", "2.0", "--gpu", "h100", "--gpus", "1024", "--mfu", "0.4"],
    "params alone": ["--params", "7e9"],
    "limited data": ["--flops", "1e21", "--flops", "1e22", "--unique-tokens", "25e9", "--law", "muennighoff2023"],
    "repeated subset": ["--flops", "1e22", "--repeated-fraction", "0.001", "--repeats", "100"],
    "image": ["--flops", "1e21", "--domain", "image"],
    "fine-tune": [
        "--flops", "1e21", "--finetune-tokens", "1e8", "--chars-per-token", "3.3", "--transfer", "hernandez2021-text",
    ],
    "data-limited fine-tune": [
        "--flops", "1e18", "--finetune-tokens", "1e8", "--chars-per-token", "3.3",
        "--transfer", "hernandez2021-text", "--max-tokens", "1e8", "--max-params", "1e10",
    ],
    "inference": ["--target-loss", "1.947", "--inference-tokens", "2e12", "--law", "hoffmann2022"],
    "inference cost": [
        "--flops", "1e23", "--inference-tokens", "1e13", "--gpu", "h100", "--price-per-gpu-hour", "2.5",
        "--objective", "cost", "--inference-mfu", "0.2",
    ],
    "recipe": ["--flops", "1e23", "--recipe", "--gpu", "h100", "--gpus", "256"],
    "size curve": ["--flops", "1e22", "--size-range", "0.25", "2"],
}  # fmt: skip

LEFT_OUT = (
    "format",
    "planner_version",
    "law.",  # the law's id is the law column; its name, citation and locator are prose
    "units.",
    "predicts",
    "notices",
    "caveats",
    "intervals.model_error",
    "intervals.draws",
    "intervals.failed",
    "intervals.method",
    "inverse.method",
    "hardware.gpu_name",
    "hardware.precision",
    "hardware.mfu_source",
    "data.decay_source",
    "finetune.transfer.",  # flattened below, but its own units, caveats and law are prose
    "recipe.tied",
    "recipe.flop_convention",
    "recipe.hyperparameters",  # each law's own values: the recipe's ranges are the columns
    "recipe.memory.memory.",
    "recipe.memory.gpu",
    "recipe.memory.memory_bytes",
    "recipe.memory.message",
    "recipe.time.",
    "recipe.notices",
    "recipe.shapes.",  # each shape's counts beyond its size and name: --json
    "points..loss_interval",  # a size's interval: loss_low and loss_high
    "natural_units..unit",  # the unit names its columns
    "flop_convention",  # the law's own ("6N"; units.flops says it), a column where it is converted
    "attention.convention",
    "attention.formula",
    "attention.method",
    "critical_batch.convention",
    "critical_batch.source",
    "params_conversion.formula",
    "params_conversion.source",
    "params_conversion.caveats",
    "average_top1_error_proxy..suite",  # the suite's name: its task count is the column
)
CURVE_LEFT_OUT = ("intervals.",)
"""A size curve's rows are sizes: the optimum's own intervals are those of plan --flops."""
"""JSON paths whose leaves the flat formats do not carry as such (prose, or a nested list
that has columns of its own below)."""


def flat(plan: dict[str, Any], within: dict[str, Any] | None = None) -> dict[str, Any]:
    """The CSV row of one plan, by the naming rules."""
    row: dict[str, Any] = {"law": plan["law"]["id"], "flops": plan["flops"], **plan["optimum"]}
    limits = plan.get("constraints")
    if limits:
        row |= {name: limits[name] for name in ("binding", "loss_increase", "max_params", "max_tokens")}
        for name, value in (limits["unconstrained"] or {}).items():
            row[f"unconstrained_{name}"] = value
    if plan.get("hardware"):
        row |= {k: v for k, v in plan["hardware"].items() if k not in ("gpu_name", "precision", "mfu_source")}
    if plan.get("run"):
        run = plan["run"]
        row |= {f"run_{name}": run[name] for name in ("params", "tokens", "tokens_per_param", "loss")}
        row |= {k: v for k, v in run.items() if k not in ("params", "tokens", "tokens_per_param", "loss")}
    bounds = plan.get("intervals")
    if bounds:
        row["level"] = bounds["level"]
        for name, band in bounds.items():
            if isinstance(band, dict):
                row[f"{name}_low"], row[f"{name}_high"] = band["low"], band["high"]
    lifetime = plan.get("inference")
    if lifetime:
        row |= {k: v for k, v in lifetime.items() if k != "compute_optimal"}
        row |= {f"compute_optimal_{k}": v for k, v in lifetime["compute_optimal"].items() if k != "loss"}
    data = plan.get("data")
    if data:
        row |= {k: v for k, v in data.items() if k not in ("unlimited", "decay_source")}
        row |= {f"unlimited_{k}": v for k, v in data["unlimited"].items()}
        row["returns"] = data["loss_per_ln_flops"] / data["unlimited_loss_per_ln_flops"]
    subset = plan.get("repeated_subset")
    if subset:
        row |= {"repeated_fraction": subset["fraction"], "repeated_token_share": subset["token_share"]}
        row |= {k: subset[k] for k in ("repeats", "subset_tokens", "repeated_tokens")}
    fine = plan.get("finetune")
    if fine:
        estimate = fine["transfer"]
        row |= {"finetune_mode": fine["mode"], "finetune_law": estimate["law"]["id"]}
        for name in ("finetune_chars", "finetune_tokens", "chars_per_token", "transferred", "effective"):
            row[name if name.startswith("finetune_") else f"finetune_{name}"] = estimate[name]
        row |= {f"finetune_{k}": estimate[k] for k in ("multiplier", "fraction_transferred")}
        row |= {f"finetune_{k}": fine[k] for k in ("effective_tokens", "loss_from_scratch")}
    asked = plan.get("inverse")
    if asked:
        row |= {"inverse_given": asked["given"], "inverse_value": asked["value"]}
    for amount in plan.get("natural_units", ()):
        unit = amount["unit"]
        row |= {f"{unit}s": amount["count"], f"tokens_per_{unit}": amount["tokens_per_unit"]}
        row[f"loss_per_{unit}"] = amount["loss_per_unit"]
    recipe = plan.get("recipe")
    if recipe:
        row |= {"recipe_seq_len": recipe["seq_len"], "recipe_vocab": recipe["vocab"]}
        for name in ("learning_rate", "batch_tokens", "steps"):
            row[f"recipe_{name}_low"], row[f"recipe_{name}_high"] = recipe[name]["low"], recipe[name]["high"]
        memory = recipe["memory"]
        if memory:
            row["recipe_memory_fits"] = "true" if memory["fits"] else "false"
            row |= {f"recipe_{k}": v for k, v in memory["split"].items()}
            row |= {
                "recipe_memory_total": memory["memory"]["total"],
                "recipe_memory_headroom": memory["headroom"],
            }
        if recipe["time"]:
            row["recipe_tokens_per_second"] = recipe["time"]["tokens_per_second"]
            row["recipe_days"] = recipe["time"]["days"]
        for rank, candidate in enumerate(recipe["shapes"], start=1):
            for name in ("n_layer", "d_model", "n_heads", "n_kv_heads", "d_ff"):
                row[f"shape_{rank}_{name}"] = candidate["shape"][name]
            row[f"shape_{rank}_params"] = candidate["shape"]["params"]["total"]
            row[f"shape_{rank}_like"] = candidate["family"]["name"]
    if plan.get("converged_loss") is not None:
        row["converged_loss"] = plan["converged_loss"]
    if within is not None:
        row |= {"domain": within["domain"], "spread_params": within["spread"]["params"]}
        row["spread_tokens"] = within["spread"]["tokens"]
    return row


def expected_rows(objects: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    for obj in objects:
        if "points" in obj:  # a size curve: one row per size
            level = obj["intervals"]["level"] if obj.get("intervals") else None
            for point in obj["points"]:
                row = {"law": obj["law"]["id"], "flops": obj["flops"]}
                row |= {k: v for k, v in point.items() if k != "loss_interval"}
                if point["loss_interval"]:
                    row |= {"level": level, "loss_low": point["loss_interval"]["low"]}
                    row["loss_high"] = point["loss_interval"]["high"]
                rows.append(row)
        elif "plans" in obj:
            rows += [flat(plan, obj) for plan in obj["plans"]]
        else:
            rows.append(flat(obj))
    return rows


def leaves(value: Any, path: str = "") -> list[tuple[str, Any]]:
    """(dotted path, value) of the numbers and strings in a JSON value; a list's items share
    its path with a trailing dot."""
    if isinstance(value, dict):
        return [found for key, item in value.items() for found in leaves(item, f"{path}{key}.")]
    if isinstance(value, list):
        return [found for item in value for found in leaves(item, f"{path.rstrip('.')}..")]
    return [] if value is None else [(path.rstrip("."), value)]


def markdown_rows(text: str) -> tuple[list[str], list[dict[str, str]]]:
    lines = [line for line in text.splitlines() if line.startswith("|")]
    header = [cell.strip() for cell in lines[0].strip("|").split(" | ")]
    rows = [
        dict(zip(header, (cell.strip() for cell in line[2:-2].split(" | ")), strict=True))
        for line in lines[2:]
    ]
    return header, rows


def same(shown: str, value: Any, rounded: bool) -> bool:
    """Whether a cell shows the JSON value: exactly in CSV, to the digits Markdown keeps."""
    if isinstance(value, str):
        return shown == value
    if isinstance(value, bool):
        return shown == ("true" if value else "false")
    number = float(shown)
    if not rounded:
        return number == value
    return number == pytest.approx(value, rel=5e-3, abs=5e-5)


def outputs(run: Run, args: list[str]) -> tuple[list[dict[str, Any]], str, str]:
    found = run(*args, "--json")
    assert found.exit_code == 0, found.stderr
    table = run(*args, "--format", "csv")
    marked = run(*args, "--format", "markdown")
    assert table.exit_code == marked.exit_code == 0, table.stderr + marked.stderr
    return [json.loads(line) for line in found.stdout.splitlines()], table.stdout, marked.stdout


@pytest.mark.parametrize("args", QUESTIONS.values(), ids=QUESTIONS.keys())
def test_csv_carries_every_value_of_the_json(run: Run, args: list[str]) -> None:
    objects, text, _ = outputs(run, args)
    rows = list(csv.DictReader(io.StringIO(text)))
    expected = expected_rows(objects)
    assert len(rows) == len(expected)
    for row, wanted in zip(rows, expected, strict=True):
        for name, value in wanted.items():
            if value is None:
                assert row.get(name, "") == "", name
                continue
            assert name in row, f"column {name} missing"
            assert same(row[name], value, rounded=False), (name, row[name], value)


@pytest.mark.parametrize("args", QUESTIONS.values(), ids=QUESTIONS.keys())
def test_markdown_has_the_csv_columns_and_the_json_values(run: Run, args: list[str]) -> None:
    objects, text, marked = outputs(run, args)
    header, rows = markdown_rows(marked)
    assert header == next(csv.reader(io.StringIO(text)))
    for row, wanted in zip(rows, expected_rows(objects), strict=True):
        for name, value in wanted.items():
            if value is not None:
                assert same(row[name].replace("\\|", "|"), value, rounded=True), (name, row[name], value)


@pytest.mark.parametrize("args", QUESTIONS.values(), ids=QUESTIONS.keys())
def test_nothing_but_prose_and_the_named_parts_is_left_out(run: Run, args: list[str]) -> None:
    objects, _, _ = outputs(run, args)
    for obj in objects:
        plans = [(plan, obj) for plan in obj["plans"]] if "plans" in obj else [(obj, None)]
        for plan, within in plans:
            rows = expected_rows([plan]) if "points" in plan else [flat(plan, within)]
            values = [value for row in rows for value in row.values()]
            values += ["true" if value else "false" for value in values if isinstance(value, bool)]
            for path, value in leaves(plan):
                if isinstance(value, bool):
                    value = "true" if value else "false"
                skipped = LEFT_OUT + (CURVE_LEFT_OUT if "points" in plan else ())
                assert path.startswith(skipped) or value in values, f"{path} = {value!r} is in no column"
            if within is not None:
                assert within["spread"]["params"] in values


def test_a_recipe_in_csv_says_what_only_json_has(run: Run) -> None:
    result = run(*QUESTIONS["recipe"], "--format", "csv")
    assert "note: --format csv gives a recipe's shapes" in result.stderr
    assert "--json" in result.stderr


def test_a_stream_in_csv_has_the_data_columns_and_notes_what_it_leaves_out(run: Run) -> None:
    limited = run(
        "--from",
        "-",
        "--unique-tokens",
        "25e9",
        "--law",
        "muennighoff2023",
        "--format",
        "csv",
        stdin="1e22\n",
    )
    rows = list(csv.DictReader(io.StringIO(limited.stdout)))
    alone = json.loads(
        run("--flops", "1e22", "--unique-tokens", "25e9", "--law", "muennighoff2023", "--json").stdout
    )
    assert float(rows[0]["epochs"]) == alone["data"]["epochs"]
    assert float(rows[0]["unlimited_loss"]) == alone["data"]["unlimited"]["loss"]
    lines = '1e21\n{"flops": 1e22, "law": "henighan2020-image-32x32"}\n{"flops": 1e23, "law": "henighan2020-image-32x32"}\n'
    mixed = run("--from", "-", "--format", "csv", "--no-intervals", stdin=lines)
    assert mixed.exit_code == 0
    assert mixed.stderr.count("leaves out natural units") == 1
    assert len(mixed.stdout.splitlines()) == 4


def test_a_check_report_in_csv_and_markdown_matches_its_json(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.conftest import ROOT

    monkeypatch.chdir(ROOT / "tests" / "examples")
    report = json.loads(run("check", "run.toml", "--json").stdout)
    rows = list(csv.DictReader(io.StringIO(run("check", "run.toml", "--format", "csv").stdout)))
    assert [row["check"] for row in rows] == [check["name"] for check in report["checks"]]
    for row, check in zip(rows, report["checks"], strict=True):
        for name in ("value", "limit", "margin", "headroom"):
            assert float(row[name]) == check[name]
        assert row["quantity"] == check["quantity"]
        assert row["result"] == ("PASS" if check["passed"] else "FAIL")
    header, marked = markdown_rows(run("check", "run.toml", "--format", "markdown").stdout)
    assert set(header) <= set(rows[0])  # the same names as the CSV's, for the same things
    for row, check in zip(marked, report["checks"], strict=True):
        assert row["quantity"] == check["quantity"]
        assert row["headroom"] == f"{check['headroom']:+.1%}"


def test_a_backtest_in_csv_has_each_held_out_run_of_its_json_and_names_what_it_leaves(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.conftest import ROOT

    monkeypatch.chdir(ROOT / "tests" / "examples")
    args = ("backtest", "runs.csv", "--cut", "3e20", "--bootstrap", "20")
    (cut,) = [json.loads(line) for line in run(*args, "--json").stdout.splitlines()]
    written = run(*args, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(written.stdout)))
    assert [int(row["row"]) for row in rows] == [held["row"] for held in cut["runs"]]
    for row, held in zip(rows, cut["runs"], strict=True):
        for name in (
            "params",
            "tokens",
            "flops",
            "loss",
            "predicted",
            "relative_error",
            "decades",
            "log_error",
        ):
            assert float(row[name]) == held[name], name
        assert float(row["spread"]) == held["spread"]
        assert float(row["sigma"]) == held["sigma"]
        for band in held["intervals"]:
            level = f"{band['level'] * 100:g}"
            assert float(row[f"low_{level}"]) == band["low"]
            assert row[f"covered_{level}"] == ("true" if band["covered"] else "false")
    assert "in --format json" in written.stderr
