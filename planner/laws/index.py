"""The index of the shipped law files: each file already built, so `plan` starts without TOML.

Owns `laws/index.jsonl`, which `python -m planner.laws` writes from the law files
and a test keeps current. Its first line holds `laws/defaults.toml`; every other line one
law file: its path under laws/, the CRC-32 of its bytes, and the law as validated, each
record tagged with its class. A line is used only while its file still has those bytes;
a file that changed (or is missing from the index) is read from its TOML as before, so the
index can make `plan` slower but never different. The chip table has an index of the same
kind beside it (`planner/hardware.toml.index.json`, see `built`). Standard library only.
"""

from __future__ import annotations

import binascii
import json
import os
import sys

from planner.records import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
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
            header = json.loads(first)
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
            return json.loads(line, object_hook=_decode)["law"]
        except Stale:
            return None

    def extra(self, relative: str, data: bytes, kind: str) -> Any:
        """What the index keeps of `kind` beside the law file at `relative` (a line of its
        own, "<file>#<kind>", read only when asked), or None unless it has it for these bytes."""
        line = self.lines.get(f"{relative}#{kind}")
        if line is None:
            return None
        start = line.find('"crc32":') + 8
        if line[start : line.index(",", start)] != str(crc(data)):
            return None
        return json.loads(line)[kind]

    def defaults(self, data: bytes) -> Any:
        """The entries of defaults.toml, or None unless the index has them for these bytes."""
        entry = self.header.get("defaults")
        if not entry or entry["crc32"] != crc(data):
            return None
        try:
            return _decode_all(entry["entries"])
        except Stale:
            return None


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
        return json.loads(text, object_hook=_decode)["data"]
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
