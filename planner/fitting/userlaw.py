"""A fit as a law: the `Law` that `plan fit --out` saves, with the comments of its file.

Owns how a report maps onto the law format: a user-fit [source] naming the runs file and
the command that repeats the fit, assumed [quantities], the point estimate, bootstrap
standard errors and covariance, the fitted range. Pure: the caller writes the file
(planner.laws.write.save_law).
"""

from __future__ import annotations

import dataclasses
import datetime
from pathlib import PurePath
from typing import Any

from planner.fitting.forms import fitter
from planner.fitting.report import FitReport
from planner.forms import law_class
from planner.forms.base import Law
from planner.laws.catalog import check_domain
from planner.laws.format import Covariance, FittedRange, Quantities, Source


def fitted_law(report: FitReport, law_id: str, *, authors: str = "unknown", domain: str = "language") -> Law:
    """The fit as a law, ready to plan with or to save (planner.laws.write.save_law)."""
    values = {estimate.name: estimate.value for estimate in report.params}
    stderr = {e.name: e.stderr for e in report.params if e.stderr is not None}
    runs = report.runs
    tokens = (
        f"column {runs.tokens_column!r} of {runs.source}"
        if runs.tokens_column
        else f"D = C / (6N), C from column {runs.flops_column!r} of {runs.source}"
    )
    common: dict[str, Any] = {
        "schema_version": 1,
        "id": law_id,
        "name": f"{report.form} law fitted to {runs.fitted} runs of {PurePath(runs.source).name}",
        "domain": check_domain(domain),
        "source": Source(
            kind="user-fit",
            authors=authors,
            year=datetime.date.today().year,
            title=f"plan fit of the {report.form} form to {PurePath(runs.source).name}",
            locator=f"reproduce with: {report.command}",
            data=runs.source,
            data_sha256=runs.sha256,
        ),
        "quantities": Quantities(
            params="total",
            tokens=tokens,
            loss=f"column {runs.loss_column!r} of {runs.source}",
            loss_units="the runs file's units",
            flops="C = 6ND",
        ),
        "fitted_range": FittedRange(**dataclasses.asdict(report.fitted_range)),
        "caveats": (
            "A fit to one lab's runs by plan fit, not a published law.",
            'quantities.params = "total" is assumed: say non_embedding if the runs count without embeddings.',
            *(n.message for n in report.notices if n.level == "warning" and n.code != "extrapolation"),
        ),
        "stderr": stderr or None,
        "covariance": (
            Covariance(**dataclasses.asdict(report.covariance), scatter=report.residuals.rms)
            if report.covariance
            else None
        ),
    }
    cls = law_class(report.form)
    assert cls is not None, f"a fittable form has a law class: {report.form}"
    return cls(form=report.form, params=fitter(report.form).params_class()(**values), **common)


def law_comments(report: FitReport) -> tuple[list[str], dict[str, list[str]]]:
    """Comment lines for a saved law file: (header, above each table)."""
    runs, method = report.runs, report.method
    dropped = f", the {len(runs.dropped_rows)} of highest loss dropped" if runs.dropped_rows else ""
    envelope = f", runs above the curve weighted {method.asymmetric:g}x" if method.asymmetric else ""
    header = [
        f"A {report.form} law fitted by plan fit to {runs.fitted} of the {runs.count} runs in {runs.source}{dropped}:",
        f"Huber loss (delta {method.delta:g}) on log loss{envelope}, minimised from {method.starts:,} starts",
        "(Hoffmann et al. 2022, arXiv 2203.15556, App. D.2; Besiroglu et al. 2024, arXiv 2404.10102).",
        "Not a published law: it holds for these runs, and less the further a plan goes beyond them.",
    ]
    comments = {
        "quantities": ["What the runs count: plan fit cannot know, so check these."],
        "params": ["The point estimate at full precision, as plan fit --json prints it."],
        "fitted_range": ["Smallest and largest over the fitted runs; plans beyond them carry a notice."],
    }
    if report.bootstrap is not None:
        boot = report.bootstrap
        comments["stderr"] = [
            f"Bootstrap standard errors: {boot.resamples} resamples of the runs (seed {boot.seed})."
        ]
        comments["covariance"] = [
            "Covariance of the bootstrap draws (log_X is the natural log of X); plans under",
            "this law draw parameters from it and report intervals; scatter is the RMS log",
            "residual of the fit, which widens loss intervals by the model-error term.",
        ]
    return header, comments
