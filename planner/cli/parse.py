"""The fast path: a command line parsed from the declarations, without importing typer.

Owns `normalise` (the two spellings typer cannot take: `--params 1e8 1e9` for an option
that spreads, `--size-range 0.25 2` for a pair; and the refusal of a single-valued option
given twice, which typer would take as its last value), used by both parsers, and `parse`,
which turns a well-formed command line into what `Command.request` reads. Anything else it
is not sure of (help, unknown options, a missing value) it leaves to the typer app by
returning None, so every other message about the syntax of a command line is typer's.
Standard library only.
"""

from __future__ import annotations

from planner.cli.declare import Command
from planner.errors import InputError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def normalise(command: Command, argv: list[str]) -> list[str]:
    """argv with spread values repeated and pairs joined, as typer takes them.

    A bare word after a spreading option is another value of it when the command takes no
    positional arguments; a pair is joined only when both words are numbers, so nothing
    else changes meaning (a number is never a subcommand). A single-valued option given
    twice is refused here, for both parsers (`--law a --law b` would otherwise silently
    mean b).
    """
    _refuse_repeats(command, argv)
    out: list[str] = []
    current: str | None = None  # the spreading option whose values may follow
    index = 0
    while index < len(argv):
        token = argv[index]
        name, equals, attached = token.partition("=")
        option = command.option(name) if token.startswith("--") else None
        if option is not None and option.pair:
            values = [attached] if equals else argv[index + 1 : index + 2]
            following = argv[index + 1 + (not equals) : index + 2 + (not equals)]
            if len(values) == 1 and following and _number(values[0]) and _number(following[0]):
                out.append(f"{name}={values[0]}:{following[0]}")
                index += 2 + (not equals)
                current = None
                continue
        if option is not None and option.spread and not command.arguments:
            out.append(token)
            if not equals and index + 1 < len(argv):
                out.append(argv[index + 1])
                index += 1
            current = name
        elif current is not None and not token.startswith("-"):
            out += [current, token]
        else:
            current = None
            out.append(token)
        index += 1
    return out


def _refuse_repeats(command: Command, argv: list[str]) -> None:
    """InputError for a single-valued option given twice; help asked for wins."""
    ended = argv.index("--") if "--" in argv else len(argv)
    if any(token in ("--help", "-h", "--version") for token in argv[:ended]):
        return
    seen: dict[str, str] = {}
    words = iter(argv[:ended])
    for token in words:
        name, equals, attached = token.partition("=")
        option = command.option(name) if token.startswith("--") else None
        if option is None or option.kind == "flag":
            continue
        value = attached if equals else next(words, None)
        if value is None or option.many:
            continue
        if option.flag in seen:
            also = (
                " (to plan under several laws, use --compare with --domain)" if option.flag == "--law" else ""
            )
            raise InputError(
                f"{option.flag} is given twice ({seen[option.flag]!r}, then {value!r}); give it once{also}"
            )
        seen[option.flag] = value


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        from planner.cli.sizes import is_size

        if not is_size(text):
            return False
    return not text.startswith("-")


def parse(command: Command, argv: list[str]) -> dict[str, Any] | None:
    """What a normalised command line gives each field, or None for typer to decide."""
    found: dict[str, Any] = {}
    positional: list[str] = []
    items = iter(argv)
    for token in items:
        if token.startswith("-") and token != "-":
            name, equals, attached = token.partition("=")
            option = command.option(name)
            if option is None:
                return None  # help, unknown options, short forms: typer's
            if option.kind == "flag":
                if equals or option.field in found:
                    return None
                found[option.field] = True
                continue
            value = attached if equals else next(items, None)
            if value is None or (not equals and value.startswith("--")):
                return None  # a missing value: typer says so
            if option.many:
                found.setdefault(option.field, []).append(value)
            elif option.field in found:
                return None  # given twice: typer decides
            else:
                found[option.field] = value
        else:
            positional.append(token)
    if len(positional) > len(command.arguments):
        return None
    for argument, value in zip(command.arguments, positional, strict=False):
        found[argument.field] = value
    if any(argument.default is None and argument.field not in found for argument in command.arguments):
        return None  # a missing argument: typer says so
    return found
