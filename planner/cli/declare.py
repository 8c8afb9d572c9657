"""How a command declares its options and arguments, and how their text becomes values.

Owns `Option`, `Argument` and `Command`, the one declaration each command module makes of
its command line, and the kinds of value an option takes (a count above zero, a number, a
choice, ...; a number may be a size such as 7B, read by planner.cli.sizes) with the
one-line message for text that is not one. Both parsers (the generated
typer app in planner.cli.app and the fast path in planner.cli.parse) read these
declarations and hand the text they find to `Command.request`, so the same command line
always gives the same request and the same message. Standard library only: `plan` starts
without typer when the fast path can parse the line.
"""

from __future__ import annotations

import math

from planner.errors import InputError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from typing import Any


class ExitCode:
    """What `plan` exits with: a command's body returns one of these (plain ints: `enum`
    would cost every start more than the names save)."""

    OK = 0
    CHECK_FAILED = 1
    USAGE = 2
    INTERNAL = 70
    INTERRUPTED = 130


Kind = str
"""How an option's text is read: one of the names in CONVERTERS, or "flag" (no value)."""


class Option:
    """A `--name VALUE` option (or a `--name` flag): its spelling, help and kind of value.

    `many`: may be given more than once, each adding a value; `spread`: a bare word after it
    is another value (`--params 1e8 1e9`). An option of kind "pair" takes two words, LOW
    HIGH, passed on as LOW:HIGH. `example` completes "give e.g. --mfu 0.4" in messages about the value.
    `panel` groups it in the help: one of PANELS (None: the command's plain option list).
    `short` is a one-letter spelling of a flag (`-q`).
    """

    __slots__ = (
        "choices",
        "default",
        "example",
        "field",
        "flag",
        "help",
        "kind",
        "many",
        "metavar",
        "pair",
        "panel",
        "short",
        "spread",
    )

    def __init__(
        self,
        flag: str,
        metavar: str | None,
        help: str,
        *,
        kind: Kind = "text",
        many: bool = False,
        spread: bool = False,
        default: str | None = None,
        example: str = "1e21",
        choices: Sequence[str] = (),
        field: str | None = None,
        panel: str | None = None,
        short: str | None = None,
    ) -> None:
        self.flag = flag
        self.panel = panel
        self.short = short
        self.metavar = metavar
        self.help = help
        self.kind = kind
        self.many = many or spread
        self.spread = spread
        self.pair = kind == "pair"
        self.default = default
        self.example = example
        self.choices = tuple(choices)
        self.field = field or flag.removeprefix("--").replace("-", "_")

    def value(self, given: Any) -> Any:
        """The option's value from what a parser found (text, a list of texts, or a flag)."""
        if self.kind == "flag":
            return bool(given)
        if self.many:
            return tuple(self.convert(text) for text in given or ())
        if given is None:
            return None if self.default is None else self.convert(self.default)
        return self.convert(given)

    def convert(self, text: str) -> Any:
        """One text as this option's kind of value, or InputError naming the option."""
        return CONVERTERS[self.kind](self, text)


class Argument:
    """A positional argument: its field name, metavar, help, and default (None: required)."""

    __slots__ = ("default", "field", "help", "metavar")

    def __init__(self, field: str, metavar: str, help: str, *, default: str | None = None) -> None:
        self.field = field
        self.metavar = metavar
        self.help = help
        self.default = default


class Request:
    """A command line as values, one attribute per option and argument field name."""

    __slots__ = ("command", "values")

    def __init__(self, command: Command, values: dict[str, Any]) -> None:
        self.command = command
        self.values = values

    def __getattr__(self, name: str) -> Any:
        try:
            return self.values[name]
        except KeyError:
            raise AttributeError(name) from None

    def given(self, *fields: str) -> list[str]:
        """The flags of the options among `fields` that the command line gave."""
        options = {option.field: option for option in self.command.options}
        return [options[name].flag for name in fields if self.values[name] not in (None, (), False)]


class Command:
    """One command: its words (`laws show`), help, options, arguments and body.

    `run` takes the Request and returns the exit code. `group` marks a command that also
    has subcommands (the main command, `plan laws`). `examples` are command lines shown at
    the end of its help (a test runs each). Every command also takes --quiet and --verbose.
    """

    __slots__ = ("arguments", "examples", "group", "help", "name", "options", "run")

    def __init__(
        self,
        name: str,
        help: str,
        options: Sequence[Option],
        run: Callable[[Request], int],
        *,
        arguments: Sequence[Argument] = (),
        group: bool = False,
        examples: Sequence[str] = (),
    ) -> None:
        self.name = name
        self.help = help
        self.examples = tuple(examples)
        self.options = (*options, QUIET, VERBOSE)
        self.arguments = tuple(arguments)
        self.run = run
        self.group = group

    def option(self, flag: str) -> Option | None:
        """The option spelled `flag` (or its short spelling), if the command has one."""
        return next((option for option in self.options if flag in (option.flag, option.short)), None)

    def request(self, given: dict[str, Any]) -> Request:
        """The values of a command line from what a parser found, by field name.

        Options are read in the order they are declared, so when two values are bad the
        message is always about the same one.
        """
        values = {option.field: option.value(given.get(option.field)) for option in self.options}
        for argument in self.arguments:
            values[argument.field] = given.get(argument.field, argument.default)
        return Request(self, values)

    def execute(self, given: dict[str, Any]) -> int:
        """Run the command on what a parser found; its exit code. --quiet and --verbose are
        set for the run's messages before anything else is read."""
        from planner.output import streams

        quiet, verbose = bool(given.get("quiet")), bool(given.get("verbose"))
        if quiet and verbose:
            raise InputError("give --quiet or --verbose, not both")
        streams.VERBOSITY = -1 if quiet else 1 if verbose else 0
        return self.run(self.request(given))


QUIET = Option(
    "--quiet",
    None,
    "No warnings or notes on stderr (errors still go there).",
    kind="flag",
    panel="output",
    short="-q",
)
VERBOSE = Option(
    "--verbose",
    None,
    "Every warning and note on stderr, repeats too, with its code (as in --json).",
    kind="flag",
    panel="output",
    short="-v",
)
"""How much a command says on stderr: every command takes these (Command adds them)."""
NO_PROGRESS = Option(
    "--no-progress",
    None,
    "No progress display on stderr (on a terminal it shows for work over about a second).",
    kind="flag",
    panel="output",
)
"""For the commands that can take long (plan fit, plan backtest): they show progress on a
terminal (planner.output.progress) unless given this or --quiet."""
FORMATS = ("table", "json", "csv", "markdown")

FORMAT = Option(
    "--format",
    "FORMAT",
    "table (default), json, csv or markdown.",
    kind="choice",
    choices=FORMATS,
    panel="output",
)
"""--format, the same option on every command that prints results in all four formats."""


def output_format(request: Request) -> str:
    """The output format from --json and --format, which must agree (every command with
    both: --json is short for --format json)."""
    if request.format is None:
        return "json" if request.json else "table"
    if request.json and request.format != "json":
        raise InputError(f"--json asks for --format json; drop one of --json and --format {request.format}")
    return str(request.format)


PANELS = {
    "budget": "Budget",
    "law": "Law",
    "hardware": "Hardware",
    "question": "Question",
    "recipe": "Recipe",
    "output": "Output",
}
"""The groups of options in the help, by the name an Option gives, in the order shown."""


def number(option: Option, text: str) -> float:
    """A number, e.g. 1e21, 0.4, 1_000 or 7B (k, M, B, T: thousand to trillion)."""
    try:
        return float(text.replace("_", "")) + 0.0  # -0 is 0
    except ValueError:
        from planner.cli.sizes import suffixed

        return suffixed(option.flag, option.example, text)


def count(option: Option, text: str) -> float:
    """A finite number above zero: a budget, a size, a price."""
    value = number(option, text)
    if not math.isfinite(value) or value <= 0:
        raise InputError(f"{option.flag} must be a finite number above zero (got {text!r})")
    return value


def amount(option: Option, text: str) -> float:
    """A finite number, 0 or more."""
    value = number(option, text)
    if not (math.isfinite(value) and value >= 0):
        raise InputError(f"{option.flag} must be a finite number, 0 or more (got {text!r})")
    return value


def whole(option: Option, text: str) -> int:
    """A whole number, 0 or more."""
    try:
        value = int(text.replace("_", ""))
    except ValueError:
        value = _whole_suffixed(option, text)
    if value < 0:
        raise InputError(
            f"invalid value for '{option.flag}': {text!r} is not a whole number, 0 or more; "
            f"give e.g. {option.flag} {option.example}"
        )
    return value


def _whole_suffixed(option: Option, text: str) -> int:
    """A whole number written with a suffix (2k), or -1 for the caller to refuse."""
    from planner.cli.sizes import suffixed

    try:
        value = suffixed(option.flag, option.example, text)
    except InputError:
        return -1
    return int(value) if value.is_integer() else -1


def pair(option: Option, text: str) -> tuple[float, float]:
    """Two counts, LOW:HIGH (the parsers join `LOW HIGH` into that)."""
    low, colon, high = text.partition(":")
    if not colon:
        raise InputError(
            f"{option.flag} takes two numbers, {option.metavar}, e.g. {option.flag} {option.example} (got {text!r})"
        )
    return count(option, low), count(option, high)


def choice(option: Option, text: str) -> str:
    """One of the option's choices."""
    if text not in option.choices:
        *others, last = option.choices
        listed = f"{others[0]} or {last}" if len(others) == 1 else f"one of {', '.join(option.choices)}"
        raise InputError(f"{option.flag} must be {listed} (got {text!r})")
    return text


def plain(option: Option, text: str) -> str:
    """Text as given: a law id, a path, a column name."""
    return text


CONVERTERS: dict[str, Callable[[Option, str], Any]] = {
    "text": plain,
    "number": number,
    "count": count,
    "amount": amount,
    "whole": whole,
    "pair": pair,
    "choice": choice,
}
