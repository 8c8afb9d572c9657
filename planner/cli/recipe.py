"""--recipe and --seq-len: the training recipe of each plan a command line asks for.

Owns which questions take a recipe (the plans of budgets, given runs, inverse questions and
hardware time; not comparisons, size curves or streams) and the one library call per plan,
planner.planning.recipe.recipe. Raises InputError; never prints.
"""

from __future__ import annotations

from planner.errors import InputError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

    from planner.cli.declare import Request
    from planner.planning.results import Comparison, Plan, SizeCurve


def check_recipe(request: Request) -> None:
    """The recipe options go with one plan per result, and --seq-len with --recipe."""
    for option in request.given("seq_len", "vocab", "untied", "zero", "recompute"):
        if not request.recipe:
            raise InputError(f"{option} sets the recipe; add --recipe, or drop {option}")
    for option in request.given("compare", "size_range", "budgets_file"):
        raise InputError(
            f"--recipe is given for each plan of --flops, --params or --target-loss; drop {option}"
        )
    if request.seq_len is not None:
        from planner.planning.recipe import check_seq_len

        check_seq_len(request.seq_len, "--seq-len")


def with_recipes(
    request: Request, results: Sequence[Plan | Comparison | SizeCurve]
) -> list[Plan | Comparison | SizeCurve]:
    """Each plan of `results` with its recipe."""
    from planner.planning.recipe import SEQ_LEN, recipe
    from planner.planning.results import Plan
    from planner.planning.shapes import DEFAULT_VOCAB, check_whole

    length = SEQ_LEN if request.seq_len is None else int(request.seq_len)
    vocab = DEFAULT_VOCAB if request.vocab is None else check_whole("--vocab", request.vocab, "32000")
    stage = 1 if request.zero is None else int(request.zero)
    mode = request.recompute or "selective"

    def made(item: Plan) -> Plan:
        found = recipe(
            item, seq_len=length, vocab=vocab, tied=not request.untied, zero_stage=stage, recompute=mode
        )
        return item.replace(recipe=found)

    return [made(item) if isinstance(item, Plan) else item for item in results]
