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


def epilog(command: Command) -> str | None:
    """The end of a command's help: its examples, one command line each."""
    if not command.examples:
        return None
    return escape("Examples:\n" + "\n".join(f"$ {line}" for line in command.examples))


def _parameter(name: str, annotation: Any, default: Any) -> inspect.Parameter:
    return inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=annotation, default=default)


def _function(command: Command) -> Callable[..., None]:
    """A typer command function whose parameters are the command's declared options."""
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


def build(commands: dict[str, Command]) -> typer.Typer:
    """The app: the main command as the callback, subcommands and groups below it."""
    app = typer.Typer(
        add_completion=True,
        pretty_exceptions_enable=False,
        pretty_exceptions_show_locals=False,
        rich_markup_mode="rich",
        help=ABOUT,
        context_settings=CONTEXT,
    )
    groups = {"": app}
    for name, command in commands.items():
        *parents, word = name.split() or [""]
        if not name:
            app.callback(invoke_without_command=True, epilog=epilog(command))(_function(command))
        elif command.group:
            group = typer.Typer(help=escape(command.help), context_settings=CONTEXT)
            groups[" ".join(parents)].add_typer(group, name=word)
            group.callback(invoke_without_command=True, epilog=epilog(command))(_function(command))
            groups[name] = group
        else:
            groups[" ".join(parents)].command(word, epilog=epilog(command))(_function(command))
    return app


def run(commands: dict[str, Command], command: Command, argv: list[str]) -> int:
    """Parse argv with typer and run the command; usage mistakes become one line and exit 2."""
    from planner.output import streams

    words = command.name.split()
    args = words + normalise(command, argv[len(words) :])
    try:
        # Without standalone mode, typer.Exit comes back as the return value.
        cli = typer.main.get_command(build(commands))
        for param in cli.params:
            if param.name in ("install_completion", "show_completion"):
                param.metavar = ""  # typer's own flags: no <bool> in the help, as for ours
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
