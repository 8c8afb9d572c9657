"""`plan fit`: exit codes, stdout versus stderr, the JSON report, and the law file it saves.

Fits take about a second each, so the successful runs are shared by module-scoped fixtures
and each test checks one aspect of them; the error cases fail before any fitting.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from planner.forms.chinchilla import ChinchillaLaw
from planner.forms.kaplan_nd import KaplanNDLaw
from planner.laws.catalog import load_law
from planner.version import FORMAT
from tests.conftest import KAPLAN_TRUTH, TRUTH, Result, invoke, synthetic_runs, write_runs

OUTLIER_ROWS = (7, 20)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A folder with runs files, as the working directory for the module's plan runs."""
    path = tmp_path_factory.mktemp("fit")
    rows = synthetic_runs(0)
    for row in OUTLIER_ROWS:  # two runs gone wrong, far above the curve
        rows[row - 1]["loss"] *= 1.5
    # Named as in the shared Chinchilla data: FLOPs instead of tokens.
    lines = ['"Model Size","Training FLOP",loss']
    lines += [f"{r['params']!r},{6 * r['params'] * r['tokens']!r},{r['loss']!r}" for r in rows]
    (path / "runs.csv").write_text("\n".join(lines) + "\n")
    write_runs(path / "few.csv", synthetic_runs(0)[:4])
    bad = synthetic_runs(0)[:8]
    bad[2]["loss"] = -1.0
    write_runs(path / "bad.csv", bad)
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(path)
        patch.setenv("NO_COLOR", "1")
        patch.setenv("COLUMNS", "100")
        yield path


@pytest.fixture(scope="module")
def fitted(folder: Path) -> Result:
    """One full fit: outliers dropped, bootstrap, a budget, a holdout, a law file, JSON."""
    return invoke(
        "fit",
        "runs.csv",
        "--drop-highest",
        "2",
        "--bootstrap",
        "100",
        "--seed",
        "1",
        "--budget",
        "1e21",
        "--holdout-largest",
        "3",
        "--out",
        "mylab2026.toml",
        "--author",
        "Our Lab",
        "--json",
    )


@pytest.fixture(scope="module")
def report(fitted: Result) -> dict[str, Any]:
    """The JSON report of the full fit."""
    assert fitted.exit_code == 0, fitted.stderr
    lines = fitted.stdout.splitlines()
    assert len(lines) == 1  # one report object, nothing else on stdout
    parsed: dict[str, Any] = json.loads(lines[0])
    return parsed


def test_the_report_is_one_json_object_and_notices_go_to_stderr(
    fitted: Result, report: dict[str, Any]
) -> None:
    assert report["format"] == FORMAT
    assert report["form"] == "chinchilla"
    assert list(report)[:4] == ["format", "planner_version", "form", "formula"]
    codes = [notice["code"] for notice in report["notices"]]
    assert codes[0] == "outliers_dropped"
    assert {"residuals", "holdout"} <= set(codes)
    assert "note[outliers_dropped]: left out the 2 runs of highest loss: rows 7, 20" in fitted.stderr
    assert "note[holdout]: fitted without the 3 largest-compute runs" in fitted.stderr
    assert "error" not in fitted.stderr


def test_the_report_validates_against_its_published_schema(fitted: Result) -> None:
    from pydantic import TypeAdapter

    from planner.fitting import FitReport

    TypeAdapter(FitReport).validate_json(fitted.stdout)


def test_warnings_of_the_fit_become_caveats_of_its_law(fitted: Result) -> None:
    import dataclasses

    from pydantic import TypeAdapter

    from planner.fitting import FitReport, fitted_law
    from planner.planning.results import Notice

    report = TypeAdapter(FitReport).validate_json(fitted.stdout)
    edge = Notice("at_bound", "log_A = 40 is at the upper bound 40 of the search box")
    law = fitted_law(dataclasses.replace(report, notices=(*report.notices, edge)), "edge2026")
    assert edge.message in law.caveats
    assert not any("extrapolation" in caveat for caveat in law.caveats)  # about one budget, not the law


def test_the_fit_recovers_the_parameters_the_runs_were_drawn_from(report: dict[str, Any]) -> None:
    runs = report["runs"]
    assert (runs["count"], runs["fitted"], runs["dropped_rows"]) == (36, 34, [7, 20])
    assert runs["params_column"] == "Model Size"
    assert runs["flops_column"] == "Training FLOP"
    assert runs["tokens_column"] is None
    assert report["method"]["starts"] == 4500
    assert report["method"]["converged"] is True
    estimates = {item["name"]: item for item in report["params"]}
    assert list(estimates) == ["E", "A", "B", "alpha", "beta"]
    assert estimates["E"]["value"] == pytest.approx(TRUTH["E"], rel=0.05)
    assert estimates["alpha"]["value"] == pytest.approx(TRUTH["alpha"], rel=0.1)
    assert estimates["beta"]["value"] == pytest.approx(TRUTH["beta"], rel=0.1)
    for item in estimates.values():
        low, high = item["interval"]
        assert low <= item["value"] <= high
        assert item["stderr"] > 0
    assert report["bootstrap"] == {"resamples": 100, "seed": 1, "converged": 100, "level": 0.95}
    assert report["residuals"]["runs"] == 34
    assert report["residuals"]["rms"] < 0.01


def test_the_budget_plan_and_holdout(report: dict[str, Any]) -> None:
    plan = report["plan"]
    assert plan["flops"] == 1e21
    optimum = plan["optimum"]
    assert 6 * optimum["params"] * optimum["tokens"] == pytest.approx(1e21)
    for name in ("params", "tokens", "loss"):
        band = plan["intervals"][name]
        assert band["low"] < optimum[name] < band["high"]
    holdout = report["holdout"]
    assert holdout["fitted"] == 31
    assert len(holdout["runs"]) == 3
    kept = [row for number, row in enumerate(synthetic_runs(0), start=1) if number not in OUTLIER_ROWS]
    largest = sorted(6 * row["params"] * row["tokens"] for row in kept)[-3:]
    assert sorted(run["flops"] for run in holdout["runs"]) == pytest.approx(largest)
    assert holdout["max_abs_relative_error"] < 0.05
    for run in holdout["runs"]:
        assert run["relative_error"] == pytest.approx(run["predicted"] / run["loss"] - 1)


def test_the_law_file_loads_and_carries_the_fit(folder: Path, report: dict[str, Any]) -> None:
    assert report["law_file"] == "mylab2026.toml"
    law = load_law(folder / "mylab2026.toml")
    assert isinstance(law, ChinchillaLaw)
    assert law.id == "mylab2026"
    values = {item["name"]: item["value"] for item in report["params"]}
    assert law.params.coefficients == (values["E"], values["A"], values["B"])  # full precision
    assert (law.params.alpha, law.params.beta) == (values["alpha"], values["beta"])
    assert law.stderr == {item["name"]: item["stderr"] for item in report["params"]}
    source = law.source
    assert (source.kind, source.authors, source.data) == ("user-fit", "Our Lab", "runs.csv")
    assert source.data_sha256 == hashlib.sha256((folder / "runs.csv").read_bytes()).hexdigest()
    assert "plan fit runs.csv --form chinchilla --params-col 'Model Size'" in source.locator
    assert law.covariance is not None
    assert law.covariance.names == ("log_E", "log_A", "log_B", "alpha", "beta")
    assert law.covariance.resamples == 100
    assert law.fitted_range.flops == tuple(report["fitted_range"]["flops"])
    text = (folder / "mylab2026.toml").read_text()
    assert text.startswith("# A chinchilla law fitted by plan fit to 34 of the 36 runs in runs.csv")


def test_the_law_file_plans_at_once_with_intervals(folder: Path, report: dict[str, Any]) -> None:
    table = invoke("--flops", "1e22", "--law", "./mylab2026.toml")
    assert table.exit_code == 0, table.stderr
    assert "Compute-optimal plan under mylab2026" in table.stdout
    assert "95% interval" in table.stdout
    assert "intervals: 4000 draws from the bootstrap covariance" in table.stdout
    line = json.loads(invoke("--flops", "1e21", "--law", "./mylab2026.toml", "--json").stdout)
    assert "from the bootstrap covariance of mylab2026" in line["intervals"]["method"]
    assert line["optimum"]["params"] == pytest.approx(report["plan"]["optimum"]["params"], rel=1e-12)
    low, high = line["intervals"]["params"]["low"], line["intervals"]["params"]["high"]
    fit_low, fit_high = (
        report["plan"]["intervals"]["params"]["low"],
        report["plan"]["intervals"]["params"]["high"],
    )
    assert low < line["optimum"]["params"] < high
    # Normal draws from the covariance approximate the bootstrap's own percentiles.
    assert math.log(low / fit_low) == pytest.approx(0, abs=0.25)
    assert math.log(high / fit_high) == pytest.approx(0, abs=0.25)
    shown = invoke("laws", "show", "./mylab2026.toml")
    assert "runs: runs.csv (sha256 " in shown.stdout
    assert "covariance: bootstrap, 100 resamples, seed 1" in shown.stdout


def test_an_existing_law_file_is_kept_without_force(folder: Path, fitted: Result) -> None:
    before = (folder / "mylab2026.toml").read_bytes()
    again = invoke("fit", "runs.csv", "--out", "mylab2026.toml")
    assert again.exit_code == 2
    assert again.stdout == ""
    assert (
        again.stderr == "error: mylab2026.toml exists; give --force to replace it, or choose another --out\n"
    )
    assert (folder / "mylab2026.toml").read_bytes() == before


def test_force_replaces_the_law_file(folder: Path) -> None:
    write_runs(folder / "plain.csv", synthetic_runs(3))
    first = invoke("fit", "plain.csv", "--bootstrap", "0", "--out", "plain2026.toml")
    assert first.exit_code == 0, first.stderr
    assert load_law(folder / "plain2026.toml").covariance is None  # no bootstrap, no covariance
    assert "bootstrap: none (--bootstrap 0)" in first.stdout
    second = invoke("fit", "plain.csv", "--bootstrap", "20", "--out", "plain2026.toml", "--force")
    assert second.exit_code == 0, second.stderr
    assert load_law(folder / "plain2026.toml").covariance is not None
    assert "law file: plain2026.toml; plan with it: plan --flops 1e22 --law ./plain2026.toml" in second.stdout
    assert sorted(p.name for p in folder.iterdir() if p.name.startswith(".")) == []  # no temporaries left


def test_the_table_report(folder: Path) -> None:
    shown = invoke(
        "fit",
        "runs.csv",
        "--drop-highest",
        "2",
        "--asymmetric",
        "10",
        "--bootstrap",
        "20",
        "--budget",
        "1e21",
    )
    assert shown.exit_code == 0, shown.stderr
    out = shown.stdout
    assert out.startswith("chinchilla fit to runs.csv: 34 of 36 runs\n")
    assert "runs above the curve weighted 10x" in out
    for expected in ("std. error", "95% interval", "4,500 starts", "converged", "fitted range: flops"):
        assert expected in out
    assert "Compute-optimal plan under the fit at 1e21 FLOPs" in out
    assert "\x1b[" not in out
    assert "note[residuals]" in shown.stderr
    assert "note[" not in out  # diagnostics never go to stdout


def test_kaplan_form_from_stdin_json_lines_saves_a_usable_law(folder: Path) -> None:
    lines = "".join(
        json.dumps({"N": r["params"], "D": r["tokens"], "L": r["loss"]}) + "\n"
        for r in synthetic_runs(5, "kaplan-nd")
    )
    result = invoke(
        "fit",
        "-",
        "--form",
        "kaplan-nd",
        "--bootstrap",
        "30",
        "--out",
        "kaplanlab2026.toml",
        "--budget",
        "1e20",
        "--json",
        stdin=lines,
    )
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["runs"]["source"] == "stdin"
    assert report["runs"]["file_format"] == "jsonl"
    budget = report["plan"]
    assert (
        budget["intervals"]["params"]["low"]
        < budget["optimum"]["params"]
        < budget["intervals"]["params"]["high"]
    )
    estimates = {item["name"]: item["value"] for item in report["params"]}
    assert estimates["alpha_N"] == pytest.approx(KAPLAN_TRUTH["alpha_N"], rel=0.15)
    assert estimates["alpha_D"] == pytest.approx(KAPLAN_TRUTH["alpha_D"], rel=0.15)
    law = load_law(folder / "kaplanlab2026.toml")
    assert isinstance(law, KaplanNDLaw)
    assert law.source.data == "stdin"
    assert law.covariance is not None
    assert law.covariance.names == ("log_N_c", "log_D_c", "alpha_N", "alpha_D")
    planned = json.loads(invoke("--flops", "1e20", "--law", "./kaplanlab2026.toml", "--json").stdout)
    assert planned["law"]["form"] == "kaplan-nd"
    assert planned["optimum"]["params"] == pytest.approx(budget["optimum"]["params"], rel=1e-12)
    assert (
        planned["intervals"]["params"]["low"]
        < planned["optimum"]["params"]
        < planned["intervals"]["params"]["high"]
    )


def test_too_few_model_sizes_is_a_coded_warning(folder: Path) -> None:
    rows = [row for row in synthetic_runs(2) if row["params"] < 4e7 or row["params"] > 9e9]
    write_runs(folder / "two_sizes.csv", rows)
    result = invoke("fit", "two_sizes.csv", "--bootstrap", "0", "--json")
    assert result.exit_code == 0, result.stderr
    assert "warning[few_model_sizes]: only 2 distinct model size(s) N" in result.stderr
    assert "few_model_sizes" in {notice["code"] for notice in json.loads(result.stdout)["notices"]}


def test_fit_goes_through_its_own_declaration_on_both_paths() -> None:
    from planner.cli.main import command_of
    from planner.cli.parse import parse

    command = command_of(["fit", "runs.csv"])
    assert command.name == "fit"
    found = parse(command, ["runs.csv", "--bootstrap", "0"])
    assert found == {"runs": "runs.csv", "bootstrap": "0"}
    request = command.request(found)
    assert (request.runs, request.bootstrap, request.seed, request.form) == ("runs.csv", 0, 0, "chinchilla")


YEAR = r"\d{4}"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["missing.csv"],
            "cannot read runs file 'missing.csv': no such file; give a path, or - for stdin",
        ),
        (
            ["runs.csv", "--params-col", "N"],
            "runs.csv has no column 'N'; the columns are: 'Model Size', 'Training FLOP', 'loss'",
        ),
        (["bad.csv"], "bad.csv, column 'loss', row 3 (line 4): '-1.0' is not a finite number above zero"),
        (["few.csv"], "few.csv has 4 runs; the chinchilla form has 5 parameters, so give at least 5 runs"),
        (
            ["runs.csv", "--drop-highest", "34"],
            "runs.csv has 36 runs, 2 after --drop-highest 34; the chinchilla",
        ),
        (
            ["runs.csv", "--holdout-largest", "33"],
            "--holdout-largest 33 leaves 3 of 36 runs to fit, fewer than the 5",
        ),
        (
            ["runs.csv", "--out", "mylab.toml"],
            f"--out mylab.toml: a law file is named after its id.*use e.g. --out mylab{YEAR}.toml",
        ),
        (
            ["runs.csv", "--out", "nowhere/mylab2026.toml"],
            "cannot write nowhere/mylab2026.toml: there is no folder nowhere",
        ),
        (["runs.csv", "--bootstrap", "1"], "--bootstrap must be 0 (none) or at least 2 resamples"),
        (["runs.csv", "--asymmetric", "0"], "--asymmetric must be a finite number above zero (got '0')"),
        (["runs.csv", "--asymmetric", "nan"], "--asymmetric must be a finite number above zero (got 'nan')"),
        (["runs.csv", "--budget", "-1e21"], "--budget must be a finite number above zero (got '-1e21')"),
        (
            ["runs.csv", "--form", "quadratic"],
            "no form 'quadratic' to fit; choose one of: chinchilla, kaplan-nd",
        ),
        (["runs.csv", "--tokens-col", "a", "--flops-col", "b"], "give --tokens-col or --flops-col, not both"),
        (["runs.csv", "--domain", "audio"], "no domain 'audio'"),
        (["runs.csv", "--drop-highest", "-1"], "invalid value for '--drop-highest'"),
        (["runs.csv", "--bootstrap", "lots"], "invalid value for '--bootstrap'"),
        ([], "missing argument 'RUNS'"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(folder: Path, args: list[str], message: str) -> None:
    result = invoke("fit", *args)
    assert result.exit_code == 2, result.stderr
    assert result.stdout == ""
    assert result.stderr.startswith("error: ")
    assert len(result.stderr.splitlines()) == 1
    assert re.search(message if "*" in message or "\\d" in message else re.escape(message), result.stderr), (
        result.stderr
    )
    assert not any(name.endswith(".toml") for name in os.listdir(folder) if name.startswith("mylab."))
