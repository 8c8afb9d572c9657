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
    if request.seq_len is not None and not request.recipe:
        raise InputError("--seq-len sets the recipe's sequence length; add --recipe, or drop --seq-len")
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

    length = SEQ_LEN if request.seq_len is None else request.seq_len
    return [
        item.replace(recipe=recipe(item, seq_len=length)) if isinstance(item, Plan) else item
        for item in results
    ]
