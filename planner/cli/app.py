"""The typer app behind `plan`, generated from the commands' declarations.

Owns help, usage errors and every spelling the fast path leaves to typer (planner.cli.parse):
each command's function here is built from its `Command` (planner.cli.declare), so no option
is declared twice. Every option is taken as text and converted by `Command.request`, the
same code the fast path uses. The only module that imports typer.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Annotated, Any

import typer

from planner.cli.declare import Command, ExitCode
from planner.cli.parse import normalise

ABOUT = "Plan a training run from published scaling laws: params, tokens and loss for a FLOP budget."


def _parameter(name: str, annotation: Any, default: Any) -> inspect.Parameter:
    return inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=annotation, default=default)


def _function(command: Command) -> Callable[..., None]:
    """A typer command function whose parameters are the command's declared options."""
    parameters = []
    if command.group:
        parameters.append(_parameter("ctx", typer.Context, inspect.Parameter.empty))
    for argument in command.arguments:
        info = typer.Argument(metavar=argument.metavar, help=argument.help)
        default = inspect.Parameter.empty if argument.default is None else argument.default
        parameters.append(_parameter(argument.field, Annotated[str, info], default))
    for option in command.options:
        if option.kind == "flag":
            info = typer.Option(option.flag, help=option.help)
            parameters.append(_parameter(option.field, Annotated[bool, info], False))
            continue
        info = typer.Option(option.flag, metavar=option.metavar, help=option.help)
        kind: Any = list[str] | None if option.many else str | None
        parameters.append(_parameter(option.field, Annotated[kind, info], option.default))

    def body(**given: Any) -> None:
        ctx = given.pop("ctx", None)
        if ctx is not None and ctx.invoked_subcommand is not None:
            return
        raise typer.Exit(command.run(command.request(given)))

    body.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    body.__annotations__ = {parameter.name: parameter.annotation for parameter in parameters}
    body.__doc__ = command.help
    body.__name__ = body.__qualname__ = (command.name or "plan").replace(" ", "_")
    return body


def build(commands: dict[str, Command]) -> typer.Typer:
    """The app: the main command as the callback, subcommands and groups below it."""
    app = typer.Typer(
        add_completion=False,
        pretty_exceptions_enable=False,
        pretty_exceptions_show_locals=False,
        rich_markup_mode=None,
        help=ABOUT,
    )
    groups = {"": app}
    for name, command in commands.items():
        *parents, word = name.split() or [""]
        if not name:
            app.callback(invoke_without_command=True)(_function(command))
        elif command.group:
            group = typer.Typer(help=command.help)
            groups[" ".join(parents)].add_typer(group, name=word)
            group.callback(invoke_without_command=True)(_function(command))
            groups[name] = group
        else:
            groups[" ".join(parents)].command(word)(_function(command))
    return app


def run(commands: dict[str, Command], command: Command, argv: list[str]) -> int:
    """Parse argv with typer and run the command; usage mistakes become one line and exit 2."""
    from planner.output import streams

    words = command.name.split()
    args = words + normalise(command, argv[len(words) :])
    try:
        # Without standalone mode, typer.Exit comes back as the return value.
        code = build(commands)(args=args, prog_name="plan", standalone_mode=False)
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
