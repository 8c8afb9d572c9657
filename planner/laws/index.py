"""The index of the shipped law files: each file already built, so `plan` starts without TOML.

Owns `laws/index.jsonl`, which `python -m planner.laws` writes from the law files
and a test keeps current. Its first line holds `laws/defaults.toml`; every other line one
law file: its path under laws/, the CRC-32 of its bytes, and the law as validated, each
record tagged with its class. A line is used only while its file still has those bytes;
a file that changed (or is missing from the index) is read from its TOML as before, so the
index can make `plan` slower but never different. The chip table has an index of the same
kind beside it (`planner/hardware.toml.index.json`, see `built`). Arrays of numbers kept
for a law file (its parameter draws) are in `laws/index.arrays` instead, as raw float64,
read only by a plan that asks for them (`Arrays`). Standard library only.
"""

from __future__ import annotations

import binascii
import os
import sys

from planner.jsontext import loads
from planner.records import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from typing import Any

NAME = "index.jsonl"
VERSION = 1
TAG = "~"
"""The key naming a record's class, `module:Class`, in the index."""


def crc(data: bytes) -> int:
    """The CRC-32 an index entry keeps of its file's bytes."""
    return binascii.crc32(data)


class Index:
    """The index of one laws folder, read once; its entries decoded on request."""

    def __init__(self, root: str) -> None:
        self.root = root
        self.lines: dict[str, str] = {}
        self.header: dict[str, Any] = {}
        try:
            with open(os.path.join(root, NAME), encoding="utf-8") as file:
                text = file.read()
        except OSError:
            return
        first, _, rest = text.partition("\n")
        try:
            header = loads(first)
        except ValueError:
            return
        if not isinstance(header, dict) or header.get("index") != VERSION:
            return
        self.header = header
        for line in rest.splitlines():
            # Each line starts {"file":"<path>",...: find the file without parsing the line.
            start = line.find('"file":"') + 8
            self.lines[line[start : line.index('"', start)]] = line

    def law(self, relative: str, data: bytes) -> Any:
        """The law of the file at `relative` (under the laws folder) whose bytes are `data`,
        or None when the index has no entry for exactly those bytes."""
        line = self.lines.get(relative)
        if line is None:
            return None
        start = line.find('"crc32":') + 8
        if line[start : line.index(",", start)] != str(crc(data)):
            return None
        try:
            return loads(line, object_hook=_decode)["law"]
        except Stale:
            return None

    def defaults(self, data: bytes) -> Any:
        """The entries of defaults.toml, or None unless the index has them for these bytes."""
        entry = self.header.get("defaults")
        if not entry or entry["crc32"] != crc(data):
            return None
        try:
            return _decode_all(entry["entries"])
        except Stale:
            return None


ARRAYS = "index.arrays"
"""The file beside the index that keeps arrays of numbers for law files (see `Arrays`)."""


class Stored:
    """The arrays an index keeps for one law file: `meta` (what they were made with) and
    each array by name, decoded on request (from `blob`: the bytes after the header, or
    what reads `count` float64s at a byte offset in them)."""

    __slots__ = ("_blob", "_spans", "meta")

    def __init__(
        self, meta: dict[str, Any], spans: dict[str, list[int]], blob: bytes | Callable[[int, int], bytes]
    ) -> None:
        self.meta = meta
        self._spans = spans
        self._blob = blob

    def names(self) -> list[str]:
        """The names of the arrays kept."""
        return list(self._spans)

    def array(self, name: str) -> list[float]:
        """The array `name` as floats (KeyError if not kept)."""
        found = self.view(name)
        return found.tolist() if isinstance(found, memoryview) else found  # type: ignore[return-value]

    def view(self, name: str, first: int = 0, count: int | None = None) -> Sequence[float]:
        """The array `name` (or `count` of its values from `first`), indexable without
        making a float of every value (KeyError if not kept): a plan that reads a few
        values of an array need not decode it all. An array kept as raw bytes is read
        as float64s too; cast the view to its own format (little-endian machines only)."""
        start, whole = self._spans[name]
        start += 8 * first
        count = whole - first if count is None else count
        blob = self._blob
        raw = memoryview(blob)[start : start + 8 * count] if isinstance(blob, bytes) else blob(start, count)
        if sys.byteorder == "little":
            return memoryview(raw).cast("d")  # no array module import
        import array

        values = array.array("d", bytes(raw))
        values.byteswap()
        return values.tolist()


class Arrays:
    """`laws/index.arrays`: a first line of JSON naming, for each law file, the CRC-32 of
    its bytes, what its arrays were made with and where each lies (offset in bytes after
    that line, and count), then the arrays as little-endian float64. The header is read
    once, when a plan first asks for an array, and each array from the file when asked for
    (a plan reads a few kilobytes of it, not all); an entry is used only while its file
    still has those bytes."""

    def __init__(self, root: str) -> None:
        self.entries: dict[str, Any] = {}
        self.path = os.path.join(root, ARRAYS)
        self.start = 0
        self.stamp: tuple[int, int] | None = None
        try:
            with open(self.path, "rb") as file:
                header = file.readline()
                status = os.fstat(file.fileno())
            found = loads(header.decode("utf-8"))
        except (OSError, ValueError):
            return
        self.start = len(header)
        self.stamp = (status.st_size, status.st_mtime_ns)
        if isinstance(found, dict) and found.get("index") == VERSION:
            self.entries = found.get("entries", {})

    def read(self, offset: int, count: int) -> bytes:
        """`count` float64s at `offset` bytes after the header (a file descriptor and one
        read where the platform has pread, not a Python file)."""
        at = self.start + offset
        if hasattr(os, "pread"):
            descriptor = os.open(self.path, os.O_RDONLY)
            try:
                status = os.fstat(descriptor)
                data = os.pread(descriptor, 8 * count, at)
            finally:
                os.close(descriptor)
        else:
            with open(self.path, "rb") as file:
                status = os.fstat(file.fileno())
                file.seek(at)
                data = file.read(8 * count)
        if (status.st_size, status.st_mtime_ns) != self.stamp or len(data) != 8 * count:
            # rewritten since its header was read: the arrays are no longer where it says
            raise ValueError(f"{self.path} changed while in use; run the command again")
        return data

    def get(self, relative: str, data: bytes) -> Stored | None:
        """The arrays kept for the law file at `relative` whose bytes are `data`, or None."""
        entry = self.entries.get(relative)
        if entry is None or entry.get("crc32") != crc(data):
            return None
        return Stored(entry["meta"], entry["arrays"], self.read)


def render_arrays(
    entries: dict[str, tuple[bytes, dict[str, Any], dict[str, list[float] | bytes]]],
) -> bytes:
    """`laws/index.arrays` for `entries`: by law file (under laws/), its bytes, what its
    arrays were made with, and the arrays by name (floats, or raw little-endian bytes of
    another format, padded to whole float64s)."""
    import array

    header: dict[str, Any] = {
        "index": VERSION,
        "note": "written by `python -m planner.laws` from the law files; do not edit",
        "entries": {},
    }
    blobs, offset = [], 0
    for relative in sorted(entries):
        data, meta, named = entries[relative]
        spans = {}
        for name, values in named.items():
            if isinstance(values, bytes):
                raw = values + bytes(-len(values) % 8)
            else:
                packed = array.array("d", values)
                if sys.byteorder != "little":
                    packed.byteswap()
                raw = packed.tobytes()
            blobs.append(raw)
            spans[name] = [offset, len(raw) // 8]
            offset += len(raw)
        header["entries"][relative] = {"crc32": crc(data), "meta": meta, "arrays": spans}
    import json  # writing the index: not on the way to a plan

    line = json.dumps(header, separators=(",", ":"), allow_nan=False, ensure_ascii=False)
    return line.encode("utf-8") + b"\n" + b"".join(blobs)


def built(path: str, data: bytes) -> Any:
    """What the index of a single data file (`<path>.index.json` beside it, e.g. the chip
    table's) holds for a file of exactly these bytes, or None."""
    try:
        with open(path + ".index.json", encoding="utf-8") as file:
            text = file.read()
    except OSError:
        return None
    start = text.find('"crc32":') + 8
    if start < 8 or text[start : text.index(",", start)] != str(crc(data)):
        return None
    try:
        return loads(text, object_hook=_decode)["data"]
    except Stale:
        return None


def _decode(value: dict[str, Any]) -> Any:
    tag = value.pop(TAG, None)
    if tag is None:
        return value
    module, _, name = tag.partition(":")
    if module not in sys.modules:
        __import__(module)
    cls: type[Record] = getattr(sys.modules[module], name)
    # Built as it was validated when the index was written (the CRC vouches for the file),
    # so its checks (__post_init__) are not run again.
    names = cls.__fields__
    if len(value) != len(names) or not all(key in value for key in names):
        raise Stale(tag)  # written before the class gained or lost a field
    record = object.__new__(cls)
    record.__dict__.update({key: _tuples(value[key]) for key in names})
    return record


class Stale(Exception):
    """An index entry written for another shape of its record's class: read the file instead."""


def _tuples(value: Any) -> Any:
    """Arrays as tuples, which is how records hold them, in tables too."""
    kind = type(value)
    if kind is list:
        return tuple(_tuples(item) for item in value)
    if kind is dict:
        return {key: _tuples(item) for key, item in value.items()}
    return value


def _decode_all(value: Any) -> Any:
    if isinstance(value, dict):
        return _decode({key: _decode_all(item) for key, item in value.items()})
    if isinstance(value, list):
        return [_decode_all(item) for item in value]
    return value


def encode(value: Any) -> Any:
    """A record (and what it holds) as tagged JSON data, every field written out."""
    if isinstance(value, Record):
        cls = type(value)
        tagged = {TAG: f"{cls.__module__}:{cls.__qualname__}"}
        return tagged | {name: encode(getattr(value, name)) for name in cls.__fields__}
    if isinstance(value, (tuple, list)):
        return [encode(item) for item in value]
    if isinstance(value, dict):
        return {key: encode(item) for key, item in value.items()}
    return value
