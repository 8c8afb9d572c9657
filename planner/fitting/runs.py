"""Training runs from a file: CSV or JSON Lines, one run per row, for `plan fit`.

Owns reading a lab's runs: the format (from the extension, else from the first character),
which columns hold parameters, tokens or FLOPs, and loss (named by the user, else found by
a known name), and checking every value, naming the column and row of a bad one. Bytes,
encoding, JSON and numbers go through planner.inputs, as every reader's do. Standard library
only, so that a bad runs file is refused before numpy and scipy load; raises InputError and
never prints.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from planner.errors import InputError
from planner.inputs import decode, describe, finite, loads_json, read_bytes
from planner.units import FLOPS_PER_PARAM_TOKEN

WHAT = "runs file"
"""What a runs file is called in messages."""

KNOWN_NAMES = {
    "params": ("params", "n", "nparams", "numparams", "parameters", "modelsize", "paramcount"),
    "tokens": ("tokens", "d", "ntokens", "numtokens", "trainingtokens", "datasize"),
    "flops": ("flops", "c", "flop", "trainingflop", "trainingflops", "compute"),
    "loss": ("loss", "l", "finalloss", "evalloss", "valloss", "validationloss", "testloss"),
}
"""Column names found without an option, compared in lower case without spaces or
punctuation: `Model Size` and `Training FLOP` are the columns of Hoffmann et al.'s runs as
Besiroglu et al. 2024 (arXiv 2404.10102) extracted them."""


@dataclass(frozen=True)
class Columns:
    """Which column gave each quantity; tokens or FLOPs is None when it came from the other."""

    params: str
    tokens: str | None
    flops: str | None
    loss: str


@dataclass(frozen=True, repr=False)
class Runs:
    """Checked runs: every value finite and above zero; tokens and FLOPs agree by C = 6ND."""

    source: str
    file_format: Literal["csv", "jsonl"]
    columns: Columns
    params: tuple[float, ...]
    tokens: tuple[float, ...]
    flops: tuple[float, ...]
    loss: tuple[float, ...]
    sha256: str
    rows: tuple[int, ...] = ()
    """Each run's row in the file, counting from 1 (empty: rows 1 to n, every row read)."""

    def row(self, index: int) -> int:
        """The file's row number of run `index` (from 0), counting data rows from 1."""
        return self.rows[index] if self.rows else index + 1

    def __len__(self) -> int:
        return len(self.loss)

    def __repr__(self) -> str:
        columns = ", ".join(
            name for name in (self.columns.params, self.columns.tokens, self.columns.flops) if name
        )
        return f"<Runs {self.source}: {len(self)} runs ({columns}, {self.columns.loss})>"


@dataclass(frozen=True)
class _Table:
    names: list[str]
    rows: list[tuple[int, dict[str, Any]]]  # (line number, values by column)


def read_runs(
    path: str,
    *,
    params_col: str | None = None,
    tokens_col: str | None = None,
    flops_col: str | None = None,
    loss_col: str | None = None,
    where: Sequence[tuple[str, str]] = (),
) -> Runs:
    """Read runs from a CSV or JSON Lines file, or from stdin when `path` is "-".

    Tokens come from their own column, or from FLOPs by D = C / (6N). Without options,
    columns are found by their names (see KNOWN_NAMES), e.g. params, tokens, loss.
    `where` keeps only the rows whose column holds the given text, each (column, text)
    pair in turn (one training set of a file that holds several); only those are checked.

    Raises:
        InputError: an unreadable file, a missing column (the message lists the columns
            found), or a value that is not a finite number above zero (with its row).
    """
    if tokens_col is not None and flops_col is not None:
        raise InputError("give --tokens-col or --flops-col, not both: tokens follow from FLOPs by C = 6ND")
    data, source = read_bytes(path, WHAT)
    text = decode(data, source, WHAT)
    if not text.strip():
        raise InputError(f"{source} is empty; give a header row, then one row per training run")
    file_format, table = _parse(path, source, text)
    if not table.rows:
        raise InputError(f"{source} holds no runs; give one row per training run")
    numbers = list(range(1, len(table.rows) + 1))
    for column, wanted in where:
        table, numbers = _selected(source, table, numbers, column, wanted)
    params_name = _column(source, table.names, "params", params_col)
    loss_name = _column(source, table.names, "loss", loss_col)
    if tokens_col is None and flops_col is None:
        tokens_col = _known(table.names, "tokens")
        if tokens_col is None:
            flops_col = _known(table.names, "flops")
        if tokens_col is None and flops_col is None:
            raise InputError(
                f"{source} has no tokens or FLOPs column (the columns are: {', '.join(table.names)}); "
                "give --tokens-col NAME or --flops-col NAME"
            )
    params = _values(source, table, params_name)
    loss = _values(source, table, loss_name)
    if tokens_col is not None:
        tokens_name, flops_name = _column(source, table.names, "tokens", tokens_col), None
        tokens = _values(source, table, tokens_name)
        flops = tuple(FLOPS_PER_PARAM_TOKEN * n * d for n, d in zip(params, tokens, strict=True))
    else:
        tokens_name, flops_name = None, _column(source, table.names, "flops", flops_col)
        flops = _values(source, table, flops_name)
        tokens = tuple(c / (FLOPS_PER_PARAM_TOKEN * n) for n, c in zip(params, flops, strict=True))
    _at_least_one(source, table, "params", f"column {params_name!r}", params)
    if tokens_name is not None:
        _at_least_one(source, table, "tokens", f"column {tokens_name!r}", tokens)
    else:
        _at_least_one(source, table, "tokens", f"tokens = {flops_name!r} / (6 x {params_name!r})", tokens)
    if not all(math.isfinite(c) for c in flops):
        row = next(index for index, c in enumerate(flops) if not math.isfinite(c))
        raise InputError(
            f"{source}, row {row + 1} (line {table.rows[row][0]}): 6 x params x tokens is beyond what "
            "floating point can hold; fix or remove the run"
        )
    return Runs(
        source=source,
        file_format=file_format,
        columns=Columns(params=params_name, tokens=tokens_name, flops=flops_name, loss=loss_name),
        params=params,
        tokens=tokens,
        flops=flops,
        loss=loss,
        sha256=hashlib.sha256(data).hexdigest(),
        rows=tuple(numbers) if where else (),
    )


def _selected(
    source: str, table: _Table, numbers: list[int], column: str, wanted: str
) -> tuple[_Table, list[int]]:
    """The rows of `table` whose `column` reads `wanted` (as text), with their row numbers."""
    if column not in table.names:
        found = ", ".join(repr(name) for name in table.names)
        raise InputError(f"{source} has no column {column!r} to select rows by; the columns are: {found}")
    kept = [
        (number, row)
        for number, row in zip(numbers, table.rows, strict=True)
        if _text(row[1].get(column)) == wanted
    ]
    if not kept:
        seen = sorted({_text(row.get(column)) for _, row in table.rows})
        shown = ", ".join(repr(value) for value in seen[:8]) + (", ..." if len(seen) > 8 else "")
        raise InputError(f"no run of {source} has {column} = {wanted!r}; the values found are: {shown}")
    return _Table(table.names, [row for _, row in kept]), [number for number, _ in kept]


def _text(value: Any) -> str:
    """A cell as the text a --where value is compared with: CSV text stripped, JSON as written."""
    if isinstance(value, str):
        return value.strip()
    return "" if value is None else json.dumps(value)


def _parse(path: str, source: str, text: str) -> tuple[Literal["csv", "jsonl"], _Table]:
    suffix = Path(path).suffix.lower() if path != "-" else ""
    first = text.lstrip()[:1]
    if suffix in (".jsonl", ".ndjson", ".json") or (suffix not in (".csv", ".tsv") and first in "{["):
        return "jsonl", _json_table(source, text)
    return "csv", _csv_table(source, text, "\t" if suffix == ".tsv" else ",")


def _csv_table(source: str, text: str, delimiter: str) -> _Table:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        records = [(reader.line_num, row) for row in reader if any(cell.strip() for cell in row)]
    except csv.Error as err:
        raise InputError(f"{source} is not valid CSV (line {reader.line_num}): {err}") from None
    if not records:
        raise InputError(f"{source} is empty; give a header row, then one row per training run")
    names = [name.strip() for name in records[0][1]]
    rows = []
    for line, row in records[1:]:
        if len(row) != len(names):
            raise InputError(
                f"{source}, line {line}: {len(row)} fields, but the header has {len(names)}; "
                "give every run a value in every column"
            )
        rows.append((line, dict(zip(names, row, strict=True))))
    return _Table(names, rows)


def _json_table(source: str, text: str) -> _Table:
    if text.lstrip().startswith("["):
        try:
            items = loads_json(text)
        except ValueError as err:
            raise InputError(
                _advised(f"{source}: {err}", "give a JSON array of objects, one per run")
            ) from None
        if not isinstance(items, list):
            raise InputError(f"{source} is not a JSON array; give an array of objects, one per run")
        records: Sequence[tuple[int, Any]] = [(index + 1, item) for index, item in enumerate(items)]
        where = "item"
    else:
        records = list(_json_lines(source, text))
        where = "line"
    names: dict[str, None] = {}
    rows = []
    for line, item in records:
        if not isinstance(item, dict):
            raise InputError(f"{source}, {where} {line}: not a JSON object; give one object per run")
        names.update(dict.fromkeys(str(key) for key in item))
        rows.append((line, {str(key): value for key, value in item.items()}))
    return _Table(list(names), rows)


def _json_lines(source: str, text: str) -> Iterator[tuple[int, Any]]:
    for line, content in enumerate(text.splitlines(), start=1):
        if not content.strip():
            continue
        try:
            yield line, loads_json(content)
        except ValueError as err:
            raise InputError(
                _advised(f"{source}, line {line}: {err}", "give one JSON object per run")
            ) from None


def _advised(problem: str, advice: str) -> str:
    """`problem; advice`, unless the problem (from planner.inputs) already says what to do."""
    return problem if re.search(r"; (write|give|save) ", problem) else f"{problem}; {advice}"


def _normal(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def _known(names: list[str], quantity: str) -> str | None:
    by_normal: dict[str, str] = {}
    for name in names:
        by_normal.setdefault(_normal(name), name)
    return next((by_normal[known] for known in KNOWN_NAMES[quantity] if known in by_normal), None)


def _column(source: str, names: list[str], quantity: str, chosen: str | None) -> str:
    found = ", ".join(repr(name) for name in names)
    if chosen is not None:
        if chosen in names:
            return chosen
        raise InputError(f"{source} has no column {chosen!r}; the columns are: {found}")
    name = _known(names, quantity)
    if name is None:
        raise InputError(
            f"{source} has no {quantity} column; the columns are: {found}; give --{quantity}-col NAME"
        )
    return name


def _values(source: str, table: _Table, column: str) -> tuple[float, ...]:
    values = []
    for row, (line, record) in enumerate(table.rows, start=1):
        where = f"{source}, column {column!r}, row {row} (line {line})"
        if column not in record:
            raise InputError(f"{where}: no value; give every run a value in every column")
        values.append(_number(where, record[column]))
    return tuple(values)


def _number(where: str, raw: Any) -> float:
    """A value of a run as a finite number above zero, or InputError saying what it is.

    CSV cells are text; so may JSON values be ("2e9"), read as the number they spell.
    """
    if isinstance(raw, bool):
        raise InputError(f"{where}: {describe(raw)} is a boolean, not a number; fix or remove the run")
    if isinstance(raw, str):
        text = raw.strip().replace("_", "")
        if text == "":
            raise InputError(f"{where}: empty; give every run a value in every column")
        try:
            number = float(text)
        except ValueError:
            raise InputError(f"{where}: {describe(raw)} is not a number; fix or remove the run") from None
        value = number + 0.0 if math.isfinite(number) else None
        overflow = value is None and text.lower().lstrip("+-") not in ("inf", "infinity", "nan")
    elif isinstance(raw, (int, float)):
        value = finite(raw)
        overflow = value is None and not (isinstance(raw, float) and math.isnan(raw))  # JSON has no NaN
    else:
        raise InputError(f"{where}: {describe(raw)} is not a number; fix or remove the run")
    if overflow:
        raise InputError(
            f"{where}: {describe(raw) if isinstance(raw, (int, str)) else 'the number'} is beyond what floating "
            "point can hold (about 1.8e308); fix or remove the run"
        )
    if value is None or value <= 0:
        raise InputError(f"{where}: {describe(raw)} is not a finite number above zero; fix or remove the run")
    return value


def _at_least_one(source: str, table: _Table, quantity: str, label: str, values: Sequence[float]) -> None:
    """InputError for a run of less than one parameter or token: likely a count in other units."""
    for row, value in enumerate(values, start=1):
        if value < 1:
            raise InputError(
                f"{source}, {label}, row {row} (line {table.rows[row - 1][0]}): {value:.3g} "
                f"{quantity}, but a run has at least one; give the count itself, not millions or "
                "billions (e.g. 1.3e9, not 1.3)"
            )
