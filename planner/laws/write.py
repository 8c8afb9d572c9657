"""Writing law files: a `Law` as TOML text, and the file put in place atomically.

Owns how a law is rendered (keys and tables in the order of laws/language/*.toml, with
comments where the caller gives them) and the rules for the file written: its name is the
law's id, an existing file is replaced only when asked, and the file appears whole or not
at all (a temporary file beside it, then os.replace). Standard library only; it does not
validate: the caller checks the text with planner.laws.validate before writing it. Also
renders the index of the shipped laws (`render_index`, planner.laws.index), validating each.
"""

from __future__ import annotations

import math
import os
import re
import tempfile
from collections.abc import Mapping, Sequence
from contextlib import suppress
from pathlib import Path

from planner.errors import InputError, LawFileError
from planner.forms.base import Law
from planner.laws.format import LAW_ID, same_law
from planner.records import fields, is_record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

ORDER = (
    "schema_version",
    "id",
    "name",
    "domain",
    "form",
    "caveats",
    "source",
    "quantities",
    "params",
    "model_size",
    "stderr",
    "covariance",
    "uncertainty",
    "fitted_range",
    "units",
    "reproduces",
)
"""Where each key of a law goes in the file; the shipped files follow this order."""

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def render_law(law: Law, *, header: Sequence[str] = (), comments: Mapping[str, Sequence[str]] = {}) -> str:
    """The law as the text of a law file.

    Args:
        law: the law to write.
        header: comment lines for the top of the file (what the fit is).
        comments: comment lines to put above a table, by table name ("params", ...).

    Raises:
        ValueError: a value TOML cannot hold (NaN or infinity), which a valid law never has.
    """
    record = _present(law)
    keys = sorted(record, key=lambda key: ORDER.index(key) if key in ORDER else len(ORDER))
    lines = [f"# {line}".rstrip() for line in header]
    for key in keys:
        if not _is_table(record[key]):
            lines.append(f"{_key(key)} = {_value(record[key])}")
    for key in keys:
        value = record[key]
        if not _is_table(value):
            continue
        notes = [f"# {line}".rstrip() for line in comments.get(key, ())]
        if isinstance(value, tuple):
            for item in value:
                lines += ["", *notes, f"[[{_key(key)}]]", *_pairs(_present(item))]
                notes = []
        else:
            lines += ["", *notes, *render_table(key, value)]
    return "\n".join(lines) + "\n"


def render_table(name: str, value: Any) -> list[str]:
    """The lines of one table (a record or a dict) named `name`, its records as sub-tables
    (`[uncertainty]`, then `[uncertainty.covariance]`)."""
    pairs = _present(value) if is_record(value) else dict(value)
    inner = {key: item for key, item in pairs.items() if is_record(item)}
    lines = [f"[{name}]", *_pairs({key: item for key, item in pairs.items() if key not in inner})]
    for key, item in inner.items():
        lines += ["", *render_table(f"{name}.{_key(key)}", item)]
    return lines


def _present(item: Any) -> dict[str, Any]:
    """The fields of a record that differ from their defaults (None, (), ...), in order."""
    defaults = type(item).__defaults__
    return {
        name: getattr(item, name)
        for name in fields(item)
        if not (name in defaults and getattr(item, name) == defaults[name])
    }


def _is_table(value: Any) -> bool:
    if isinstance(value, dict) or is_record(value):
        return True
    return isinstance(value, tuple) and bool(value) and is_record(value[0])


def _pairs(table: Mapping[str, Any]) -> list[str]:
    return [f"{_key(key)} = {_value(value)}" for key, value in table.items()]


def _key(name: str) -> str:
    return name if _BARE_KEY.fullmatch(name) else _string(name)


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"a law file holds finite numbers only, not {value!r}")
        return _float(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, (tuple, list)):
        if value and isinstance(value[0], (tuple, list)):
            rows = "".join(f"  {_value(row)},\n" for row in value)
            return f"[\n{rows}]"
        return "[" + ", ".join(_value(item) for item in value) + "]"
    if isinstance(value, dict):  # a table inside a table, e.g. fitted_range.decades
        return "{" + ", ".join(f"{_key(key)} = {_value(item)}" for key, item in value.items()) + "}"
    raise TypeError(f"cannot write {type(value).__name__} to a law file")


def _float(value: float) -> str:
    """The shortest text that reads back as the same float; large and tiny ones as 5.73e+07."""
    text = repr(value)
    if "e" in text or value == 0 or 1e-4 <= abs(value) < 1e6:
        return text
    digits = next(p for p in range(17) if float(f"{value:.{p}e}") == value)
    return f"{value:.{digits}e}"


def _string(text: str) -> str:
    """A TOML basic string: quotes and backslashes escaped, control characters as \\uXXXX."""
    out = []
    for char in text:
        if char in '"\\':
            out.append("\\" + char)
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def save_law(
    law: Law,
    path: Path,
    *,
    force: bool = False,
    header: Sequence[str] = (),
    comments: Mapping[str, Sequence[str]] = {},
) -> None:
    """Write the law to `path` (named after its id), checked to load back as the same law.

    Raises:
        InputError: the file exists (without force), or cannot be written.
    """
    import tomllib

    from planner.laws.validate import validate_law

    text = render_law(law, header=header, comments=comments)
    try:
        loaded = validate_law(tomllib.loads(text), path)
    except LawFileError as err:
        raise RuntimeError(f"the law file planner renders does not validate: {err}") from err
    if not same_law(loaded, law):
        raise RuntimeError("the law file planner renders loads as a different law")
    write_atomically(path, text, force=force)


def law_id_for(path: Path, year: int) -> str:
    """The law id a file name gives (`mylab2026.toml` -> `mylab2026`), or InputError with a
    valid name to use instead."""
    if path.suffix != ".toml" or not LAW_ID.fullmatch(path.stem):
        suggestion = path.with_name(f"{suggest_id(path.stem, year)}.toml")
        raise InputError(
            f"--out {path}: a law file is named after its id, lower-case letters and digits with a "
            f"four-digit year and an optional -variant, ending in .toml; use e.g. --out {suggestion}"
        )
    return path.stem


def suggest_id(stem: str, year: int) -> str:
    """A valid law id close to a file name: lower case, a year added if there is none."""
    text = re.sub(r"[^a-z0-9-]+", "", stem.lower().replace("_", "-").replace(" ", "-"))
    text = text.lstrip("-0123456789")
    head, _, rest = text.partition("-")
    if not re.search(r"[0-9]{4}", head):
        head = f"{head or 'mylab'}{year}"
    candidate = re.sub(r"-+", "-", f"{head}-{rest}").strip("-")
    return candidate if LAW_ID.fullmatch(candidate) else f"mylab{year}"


def check_writable(path: Path, *, force: bool) -> None:
    """InputError unless `path` can be written: its folder exists, and it does not (or force)."""
    if not path.parent.is_dir():
        raise InputError(
            f"cannot write {path}: there is no folder {path.parent}; create it or choose another --out"
        )
    if path.exists() and not force:
        raise InputError(f"{path} exists; give --force to replace it, or choose another --out")
    if path.is_dir():
        raise InputError(f"cannot write {path}: it is a folder; give a file name ending in .toml")


def write_atomically(path: Path, text: str, *, force: bool) -> None:
    """Write `text` to `path` whole or not at all; an existing file only with force.

    The text goes to a temporary file in the same folder, is flushed to disk, then takes the
    file's name in one step: os.replace with force, else a hard link, which fails if a file
    of that name appeared meanwhile (os.replace after a last check where links are refused).
    """
    check_writable(path, force=force)
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as err:
        raise InputError(f"cannot write {path}: {err.strerror or err}; choose another --out") from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)  # as an ordinary new file, not mkstemp's 0600
        _put_in_place(temporary, path, force=force)
    except OSError as err:
        raise InputError(f"cannot write {path}: {err.strerror or err}; choose another --out") from None
    finally:
        with suppress(FileNotFoundError):
            os.unlink(temporary)


def _put_in_place(temporary: str, path: Path, *, force: bool) -> None:
    if force:
        os.replace(temporary, path)
        return
    try:
        os.link(temporary, path)
    except FileExistsError:
        raise InputError(f"{path} exists; give --force to replace it, or choose another --out") from None
    except OSError:  # a file system without hard links
        check_writable(path, force=False)
        os.replace(temporary, path)


def index_line(data: dict[str, Any]) -> str:
    """One line of an index: compact JSON."""
    import json

    return json.dumps(data, separators=(",", ":"), allow_nan=False, ensure_ascii=False)


def render_index(root: str) -> str:
    """The index of the laws folder `root` (planner.laws.index), from its files, each
    validated in full."""
    from planner.inputs import loads_toml
    from planner.laws.catalog import Default, build
    from planner.laws.index import VERSION, crc, encode
    from planner.laws.validate import validate_law

    folder = Path(root)
    defaults = (folder / "defaults.toml").read_bytes()
    entries = {key: build(Default, entry) for key, entry in loads_toml(defaults.decode("utf-8")).items()}
    header = {
        "index": VERSION,
        "note": "written by `python -m planner.laws` from the law files; do not edit",
        "defaults": {"crc32": crc(defaults), "entries": encode(entries)},
    }
    lines = [index_line(header)]
    for path in sorted(folder.glob("*/*.toml")):
        data = path.read_bytes()
        law = validate_law(loads_toml(data.decode("utf-8")), path)
        relative = path.relative_to(folder).as_posix()
        lines.append(index_line({"file": relative, "crc32": crc(data), "law": encode(law)}))
    return "\n".join(lines) + "\n"
