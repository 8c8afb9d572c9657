"""The typer app behind `plan`, generated from the commands' declarations.

Owns help, usage errors and every spelling the fast path leaves to typer (planner.cli.parse):
each command's function here is built from its `Command` (planner.cli.declare), so no option
is declared twice. Every option is taken as text and converted by `Command.request`, the
same code the fast path uses. Help is grouped in the options' panels, ends with the
command's examples, and answers `-h` as well as `--help`; `--version` and typer's shell
completion (`--install-completion`, `--show-completion`) belong to the main command. The
only module that imports typer.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Annotated, Any

import typer
from rich.markup import escape

from planner.cli.declare import PANELS, Command, ExitCode
from planner.cli.parse import normalise

ABOUT = "Plan a training run from published scaling laws: params, tokens and loss for a FLOP budget."
CONTEXT = {"help_option_names": ["-h", "--help"]}


def _version(value: bool) -> None:
    if value:
        from planner.version import __version__

        typer.echo(f"plan {__version__}")
        raise typer.Exit(ExitCode.OK)


def _completer(choices: tuple[str, ...]) -> Callable[[str], list[str]]:
    """What shell completion offers for a choice: the choices that start as typed."""

    def complete(incomplete: str) -> list[str]:
        return [choice for choice in choices if choice.startswith(incomplete)]

    return complete


def _as_is(text: str) -> str:
    return text


def epilog(command: Command, escape: Callable[[str], str] = escape) -> str | None:
    """The end of a command's help: its examples, one command line each (for click's plain
    help, in a paragraph it keeps as it is: "\\b")."""
    if not command.examples:
        return None
    lines = "\n".join(f"$ {line}" for line in command.examples)
    if escape is _as_is:
        return f"Examples:\n\n\b\n{lines}"
    return escape(f"Examples:\n{lines}")


def _parameter(name: str, annotation: Any, default: Any) -> inspect.Parameter:
    return inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=annotation, default=default)


def _function(command: Command, escape: Callable[[str], str] = escape) -> Callable[..., None]:
    """A typer command function whose parameters are the command's declared options (their
    help escaped for rich markup, or, for plain help, `_as_is`)."""
    parameters = []
    if command.group:
        parameters.append(_parameter("ctx", typer.Context, inspect.Parameter.empty))
    for argument in command.arguments:
        info = typer.Argument(metavar=argument.metavar, help=escape(argument.help))
        default = inspect.Parameter.empty if argument.default is None else argument.default
        parameters.append(_parameter(argument.field, Annotated[str, info], default))
    if not command.name:
        info = typer.Option(
            "--version",
            metavar="",
            callback=_version,
            is_eager=True,
            expose_value=False,
            help="Print the version and exit.",
        )
        parameters.append(_parameter("version", Annotated[bool, info], False))
    order = list(PANELS)
    for option in sorted(
        command.options, key=lambda option: order.index(option.panel) if option.panel else -1
    ):
        panel = PANELS[option.panel] if option.panel else None
        if option.kind == "flag":
            # An empty metavar: the help shows no type for a flag (typer would print <bool>).
            spellings = (option.flag, option.short) if option.short else (option.flag,)
            info = typer.Option(*spellings, metavar="", help=escape(option.help), rich_help_panel=panel)
            parameters.append(_parameter(option.field, Annotated[bool, info], False))
            continue
        info = typer.Option(
            option.flag,
            metavar=option.metavar,
            help=escape(option.help),
            rich_help_panel=panel,
            autocompletion=_completer(option.choices) if option.choices else None,
        )
        kind: Any = list[str] | None if option.many else str | None
        parameters.append(_parameter(option.field, Annotated[kind, info], option.default))

    def body(**given: Any) -> None:
        ctx = given.pop("ctx", None)
        if ctx is not None and ctx.invoked_subcommand is not None:
            return
        raise typer.Exit(command.execute(given))

    body.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    body.__annotations__ = {parameter.name: parameter.annotation for parameter in parameters}
    body.__doc__ = escape(command.help)
    body.__name__ = body.__qualname__ = (command.name or "plan").replace(" ", "_")
    return body


def build(commands: dict[str, Command], plain: int = 0) -> typer.Typer:
    """The app: the main command as the callback, subcommands and groups below it. Its help
    is rich's panels, or with `plain` (a width) click's list that wide, which never cuts a
    word (`run`)."""
    mode: Any = None if plain else "rich"
    words = _as_is if plain else escape
    context = CONTEXT | {"terminal_width": plain, "max_content_width": plain} if plain else CONTEXT
    app = typer.Typer(
        add_completion=True,
        pretty_exceptions_enable=False,
        pretty_exceptions_show_locals=False,
        rich_markup_mode=mode,
        help=ABOUT,
        context_settings=context,
    )
    groups = {"": app}
    for name, command in commands.items():
        *parents, word = name.split() or [""]
        ending = epilog(command, words)
        if not name:
            app.callback(invoke_without_command=True, epilog=ending)(_function(command, words))
        elif command.group:
            group = typer.Typer(help=words(command.help), context_settings=context, rich_markup_mode=mode)
            groups[" ".join(parents)].add_typer(group, name=word)
            group.callback(invoke_without_command=True, epilog=ending)(_function(command, words))
            groups[name] = group
        else:
            groups[" ".join(parents)].command(word, epilog=ending)(_function(command, words))
    return app


HELP = ("-h", "--help")
CUT = "\N{HORIZONTAL ELLIPSIS}"
"""What rich puts where a word did not fit its column."""


def _click(commands: dict[str, Command], plain: int = 0) -> Any:
    """The click command of the app, with no type shown for the flags typer adds (its
    completion flags, and -h/--help, for which it would print <bool>)."""
    cli = typer.main.get_command(build(commands, plain))
    _flags_without_type(cli)
    return cli


def _flags_without_type(command: Any) -> None:
    if command.help and not command.short_help:
        command.short_help = command.help  # click's list of commands would cut it at "..."
    for param in command.params:
        if param.name in ("install_completion", "show_completion"):
            param.metavar = ""
    made = command.get_help_option

    def get_help_option(ctx: Any) -> Any:
        option = made(ctx)
        if option is not None:
            option.metavar = ""
        return option

    command.get_help_option = get_help_option
    for sub in getattr(command, "commands", {}).values():
        _flags_without_type(sub)


def _cuts(cli: Any, args: list[str]) -> bool:
    """Whether rich's help, at the width it will be printed at, cuts a word (a narrow
    terminal): drawn once into a buffer, where rich measures the same terminal."""
    import contextlib
    import io

    drawn = io.StringIO()
    with contextlib.suppress(typer.Exit), contextlib.redirect_stdout(drawn):
        cli(args=args, prog_name="plan", standalone_mode=False)
    return CUT in drawn.getvalue()


def _sane_columns() -> None:
    """COLUMNS that is no width above zero (0, empty, text) is ignored, as the tables ignore
    it (planner.output.grid.width): rich would draw the help 0 columns wide, that is, not at all."""
    import os

    text = os.environ.get("COLUMNS")
    if text is not None and not (text.strip().isdigit() and int(text) > 0):
        del os.environ["COLUMNS"]


def run(commands: dict[str, Command], command: Command, argv: list[str]) -> int:
    """Parse argv with typer and run the command; usage mistakes become one line and exit 2."""
    from planner.output import streams

    words = command.name.split()
    args = words + normalise(command, argv[len(words) :])
    _sane_columns()
    try:
        # Without standalone mode, typer.Exit comes back as the return value.
        cli = _click(commands)
        if any(word in HELP for word in args) and _cuts(cli, args):
            from rich.console import Console

            # A narrow terminal: click's list, uncut, at the width rich measured.
            cli = _click(commands, plain=Console().width)
        code = cli(args=args, prog_name="plan", standalone_mode=False)
    except typer.Exit as done:
        return done.exit_code
    except typer.Abort:
        streams.error("interrupted")
        return ExitCode.INTERRUPTED
    except typer.TyperException as err:  # unknown option, missing value, bad argument
        message = (err.format_message() if hasattr(err, "format_message") else str(err)).rstrip(".")
        streams.error(f"{message[0].lower()}{message[1:]}; run 'plan --help' for usage")
        return ExitCode.USAGE
    return code if isinstance(code, int) else ExitCode.OK
