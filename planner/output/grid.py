"""Boxed tables and wrapped lines for a terminal, drawn with the standard library alone.

Owns the drawing: column widths, free text wrapped at spaces, reflow when a table is wider
than the screen (wrap headers, then split the columns into panels that repeat the first
column, then one `key: value` block per row), box characters (ASCII where the stream cannot
encode them), and bold or italic as ANSI escapes only on a terminal without NO_COLOR. Never
cuts a cell: a number, an id or a label is always printed whole. Must not import anything
at module level beyond os and sys: it is on the start-up path of every table.
"""

from __future__ import annotations

import os
import sys

from planner.output.controls import clean

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, TextIO

MIN_WIDTH = 20
"""The narrowest screen drawn for: a smaller COLUMNS is taken as this."""
DEFAULT_WIDTH = 80
"""The width when neither COLUMNS nor a terminal gives one (output to a file or a pipe)."""

# Box characters, in the order: top (left, line, joint, right), header cell walls, header
# separator, body cell walls, section rule, bottom. Heavy header, light body: rich's default.
UNICODE = ("┏━┳┓", "┃┃┃", "┡━╇┩", "│││", "├─┼┤", "└─┴┘")
ASCII = ("+-++", "|||", "+=++", "|||", "+-++", "+-++")

BOLD, ITALIC, RESET = "\x1b[1m", "\x1b[3m", "\x1b[0m"


class Column:
    """One column: its header, whether cells align right (numbers), whether text may wrap."""

    __slots__ = ("name", "right", "wrap")

    def __init__(self, name: str, right: bool, wrap: bool) -> None:
        self.name = name
        self.right = right
        self.wrap = wrap


class Table:
    """A table to draw: a title, columns, and rows of text cells."""

    __slots__ = ("columns", "labelled", "rows", "title")

    def __init__(self, title: str = "") -> None:
        self.title = title
        self.columns: list[Column] = []
        self.rows: list[tuple[list[str], bool, bool]] = []
        self.labelled: set[int] = set()

    def column(self, name: str, *, right: bool = True, wrap: bool = False) -> None:
        """Add a column. Numbers align right; `wrap` lets free text break at its spaces."""
        self.columns.append(Column(name, right, wrap))

    def row(self, *cells: str, bold: bool = False, section: bool = False, label: bool = False) -> None:
        """Add a row; `section` draws a rule above it, `bold` sets it apart (a summary), and
        `label` says its first cell names the row (an interval under a plan) rather than
        holding a value of the first column, which matters when rows are stacked."""
        missing = len(self.columns) - len(cells)
        if label:
            self.labelled.add(len(self.rows))
        self.rows.append(([*cells, *[""] * missing], bold, section))


def width(stream: Any) -> int:
    """The screen width: the stream's own `columns` where it has one (a page drawn for a
    notebook or rich, planner.display), else COLUMNS if it is a number above zero, else the
    terminal's, else 80."""
    own = getattr(stream, "columns", None)
    if type(own) is int and own > 0:
        return max(own, MIN_WIDTH)
    try:
        columns = int(os.environ.get("COLUMNS", ""))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            if stream.isatty():
                columns = os.get_terminal_size(stream.fileno()).columns
        except (AttributeError, OSError, ValueError):
            columns = 0
    return max(columns, MIN_WIDTH) if columns > 0 else DEFAULT_WIDTH


def styled(stream: Any) -> bool:
    """Whether to send ANSI styles: never with NO_COLOR or TERM=dumb, always with FORCE_COLOR,
    else only to a terminal."""
    env = os.environ
    if env.get("NO_COLOR"):
        return False
    if env.get("FORCE_COLOR"):
        return True
    if env.get("TERM") == "dumb":
        return False
    try:
        return bool(stream.isatty())
    except (AttributeError, OSError, ValueError):
        return False


def text_width(text: str) -> int:
    """Columns a line of text takes: wide (East Asian) characters two, combining ones none."""
    if text.isascii():
        return len(text)
    import unicodedata

    total = 0
    for char in text:
        if unicodedata.combining(char) or char in "\u200b\u200c\u200d\ufe0f":
            continue
        total += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return total


def wrap(text: str, size: int, marks: str = "") -> list[str]:
    """Text in lines of at most `size` columns, broken only at spaces, or after one of `marks`
    inside a word (a header's "/" or "-"); a longer word stays whole on its own line. A line
    that fits is kept as it is, and newlines in the text are kept."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        if text_width(paragraph) <= size:
            lines.append(paragraph)
            continue
        line = ""
        for glue, piece in _pieces(paragraph, marks):
            if line and text_width(line) + len(glue) + text_width(piece) > size:
                lines.append(line)
                line = piece
            else:
                line = f"{line}{glue}{piece}" if line else piece
        lines.append(line)
    return lines


def _pieces(text: str, marks: str) -> list[tuple[str, str]]:
    """(what joins it to the piece before, piece): the words, split after a mark that has
    at least three characters either side (tokens/ param, GPU- hours, not TFLOP/ s)."""
    pieces = []
    for word in text.split():
        glue, start = " ", 0
        for at, char in enumerate(word):
            if char in marks and at + 1 - start >= 3 and len(word) - at - 1 >= 3:
                pieces.append((glue, word[start : at + 1]))
                glue, start = "", at + 1
        pieces.append((glue, word[start:]))
    return pieces


def _longest(text: str, words: bool, marks: str = "") -> int:
    """The widest line of text, or with `words` its widest word (or piece between `marks`):
    the least it can take."""
    if words:
        return max((text_width(piece) for _, piece in _pieces(text, marks)), default=0)
    return max((text_width(part) for part in text.split("\n")), default=0)


HEADER_MARKS = "/-"
"""Where a header may also break inside a word, keeping the mark on the first line."""


def _pad(text: str, size: int, right: bool) -> str:
    gap = " " * (size - text_width(text))
    return gap + text if right else text + gap


class Screen:
    """Where tables and lines go: the stream, with its width, styles and box characters."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = sys.stdout if stream is None else stream
        self.width = width(self.stream)
        self.styled = styled(self.stream)
        encoding = getattr(self.stream, "encoding", None) or "utf-8"
        try:
            "".join(UNICODE).encode(encoding)
        except (UnicodeError, LookupError):
            self.box, self.encoding = ASCII, encoding
        else:
            self.box = UNICODE
            self.encoding = None if encoding.lower().replace("-", "").replace("_", "") == "utf8" else encoding

    def text(self, text: str) -> str:
        """Text made safe to show: control characters spelled out, tabs as spaces, and what
        the stream cannot encode written as \\u escapes."""
        text = clean(text).replace("\t", " ")
        if self.encoding is not None:
            try:
                text.encode(self.encoding)
            except (UnicodeError, LookupError):
                text = text.encode(self.encoding, "backslashreplace").decode(self.encoding)
        return text

    def style(self, text: str, code: str) -> str:
        return f"{code}{text}{RESET}" if self.styled and text else text

    def write(self, lines: list[str]) -> None:
        self.stream.write("".join(f"{line}\n" for line in lines))

    def line(self, text: str, *, strong: str = "") -> None:
        """A line under a table, wrapped at spaces to the screen, later lines indented; a
        `strong` start (a name) is printed bold."""
        lines = wrap(self.text(strong + text), self.width)
        lines[1:] = ["  " + line for line in wrap(" ".join(lines[1:]), self.width - 2)] if lines[1:] else []
        lead = self.text(strong)
        if lead and lines[0].startswith(lead):
            lines[0] = self.style(lead, BOLD) + lines[0][len(lead) :]
        self.write(lines)

    def table(self, table: Table) -> None:
        """Draw a table to fit the screen, reflowed as the module docstring says if need be."""
        self.write(self.draw(table))

    def draw(self, table: Table) -> list[str]:
        columns = table.columns
        heads = [self.text(column.name) for column in columns]
        rows = [([self.text(cell) for cell in cells], bold, section) for cells, bold, section in table.rows]
        title = wrap(self.text(table.title), self.width) if table.title else []
        lines = [self.style(line, ITALIC) for line in title]
        everything = list(range(len(columns)))
        sizes = self._fit(columns, heads, rows, everything)
        if sizes is not None:
            return lines + self._boxed(columns, heads, rows, everything, sizes, table.labelled)
        stacked = self._stacked(heads, rows, table.labelled)
        panels = self._panels(columns, heads, rows) if len(rows) > 1 else None
        if panels is not None:
            boxed = [
                line
                for chosen, sizes in panels
                for line in self._boxed(columns, heads, rows, chosen, sizes, table.labelled)
            ]
            if len(boxed) <= len(stacked):
                return lines + boxed
        return [*lines, *stacked, ""]  # a blank line, so lines under it do not read as its keys

    def _fit(
        self,
        columns: list[Column],
        heads: list[str],
        rows: list[Any],
        chosen: list[int],
        squeeze: bool = True,
    ) -> list[int] | None:
        """Widths of the chosen columns that fit the screen, or None. Each column takes its
        widest cell if all fit; else (with `squeeze`) free text wraps, then headers wrap, and
        the room left is shared out in proportion to what each column still lacks."""
        room = self.width - 3 * len(chosen) - 1
        full = []
        for at in chosen:
            cells = [cells[at] for cells, _, _ in rows]
            full.append(max([_longest(heads[at], False), *(_longest(cell, False) for cell in cells)]))
        if sum(full) <= room:
            return full
        if not squeeze:
            return None
        for wrapped_heads in (False, True):
            least = []
            for at in chosen:
                column = columns[at]
                cells = [cells[at] for cells, _, _ in rows]
                least.append(
                    max(
                        [
                            _longest(heads[at], wrapped_heads, HEADER_MARKS),
                            *(_longest(cell, column.wrap) for cell in cells),
                        ]
                    )
                )
            spare = room - sum(least)
            if spare >= 0:
                # Whole columns first, the least lacking first, so as few as possible wrap;
                # what is left is shared by the rest in proportion to what they lack.
                sizes = least[:]
                short = sorted(range(len(sizes)), key=lambda i: full[i] - least[i])
                while short and full[short[0]] - sizes[short[0]] <= spare:
                    at = short.pop(0)
                    spare -= full[at] - sizes[at]
                    sizes[at] = full[at]
                lacking = sum(full[at] - least[at] for at in short)
                shares = [spare * (full[at] - least[at]) // lacking for at in short]
                left = spare - sum(shares)
                for rank, (at, share) in enumerate(zip(short, shares, strict=True)):
                    sizes[at] += share + (rank < left)
                return sizes
        return None

    def _panels(
        self, columns: list[Column], heads: list[str], rows: list[Any]
    ) -> list[tuple[list[int], list[int]]] | None:
        """The columns split into tables that each fit, each led by the first column (what
        names the row), or None when the first column and one other do not fit together.
        A column joins the table before it if both fit unwrapped; only a column that does
        not fit beside the first one unwrapped gets a squeezed table of its own."""
        groups: list[list[int]] = []
        chosen = [0]
        for at in range(1, len(columns)):
            if self._fit(columns, heads, rows, [*chosen, at], squeeze=False) is not None:
                chosen.append(at)
                continue
            if len(chosen) > 1:
                groups.append(chosen)
            chosen = [0, at]
            if self._fit(columns, heads, rows, chosen, squeeze=False) is None:
                groups.append(chosen)
                chosen = [0]
        if len(chosen) > 1 or not groups:
            groups.append(chosen)
        panels = []
        for group in groups:
            sizes = self._fit(columns, heads, rows, group)
            if sizes is None:
                return None
            panels.append((group, sizes))
        return panels

    def _boxed(
        self,
        columns: list[Column],
        heads: list[str],
        rows: list[Any],
        chosen: list[int],
        sizes: list[int],
        labelled: set[int],
    ) -> list[str]:
        """The chosen columns boxed; a labelled row with nothing in them (a panel of columns
        the interval row leaves empty) is left out."""
        top, head_walls, head_rule, walls, rule, bottom = self.box

        def border(chars: str) -> str:
            return chars[0] + chars[2].join(chars[1] * (size + 2) for size in sizes) + chars[3]

        def cells(texts: list[str], fit: list[bool], marks: str, bottom_up: bool) -> list[list[str]]:
            parts = [
                wrap(text, size, marks) if may else text.split("\n")
                for text, size, may in zip(texts, sizes, fit, strict=True)
            ]
            height = max(len(part) for part in parts)
            return [
                [""] * (height - len(part)) + part if bottom_up else part + [""] * (height - len(part))
                for part in parts
            ]

        def draw(parts: list[list[str]], chars: str, style: str | None) -> list[str]:
            left, middle, right = chars[0], chars[1], chars[2]
            out = []
            for depth in range(len(parts[0])):
                texts = [
                    _pad(part[depth], size, columns[at].right)
                    for part, size, at in zip(parts, sizes, chosen, strict=True)
                ]
                if style is not None:
                    texts = [self.style(text, style) for text in texts]
                out.append(f"{left} " + f" {middle} ".join(texts) + f" {right}")
            return out

        lines = [border(top)]
        lines += draw(
            cells([heads[at] for at in chosen], [True] * len(chosen), HEADER_MARKS, True), head_walls, BOLD
        )
        lines.append(border(head_rule))
        wraps = [columns[at].wrap for at in chosen]
        for number, (texts, bold, section) in enumerate(rows):
            if number in labelled and not any(texts[at] for at in chosen[1:]):
                continue
            if section and number:
                lines.append(border(rule))
            lines += draw(
                cells([texts[at] for at in chosen], wraps, "", False), walls, BOLD if bold else None
            )
        lines.append(border(bottom))
        return lines

    def _stacked(self, heads: list[str], rows: list[Any], labelled: set[int]) -> list[str]:
        """Each row as `key: value` lines, values aligned and wrapped, a blank line between
        rows; a column without a header, or the first cell of a labelled row, names its row
        on a line of its own."""
        keyed = [head for head in heads if head]
        key_size = max((text_width(head) for head in keyed), default=0) + 2
        words = max((_longest(text, True) for texts, _, _ in rows for text in texts), default=0)
        inline = key_size + words <= self.width
        lines: list[str] = []
        for number, (texts, bold, _) in enumerate(rows):
            if number:
                lines.append("")
            for at, (head, text) in enumerate(zip(heads, texts, strict=True)):
                if not text:
                    continue
                if not head or (at == 0 and number in labelled):
                    lines += [self.style(line, BOLD) for line in wrap(text, self.width)]
                    continue
                indent = key_size if inline else 2
                values = [
                    self.style(value, BOLD) if bold else value for value in wrap(text, self.width - indent)
                ]
                if inline:
                    lines.append(f"{head}:".ljust(key_size - text_width(head) + len(head)) + values.pop(0))
                else:
                    lines.append(f"{head}:")
                lines += [" " * indent + value for value in values]
        return lines
