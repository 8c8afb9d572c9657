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


RECIPE_OPTIONS = (
    "seq_len",
    "vocab",
    "untied",
    "shape",
    "split",
    "zero",
    "recompute",
    "precision",
    "optimizer",
)
"""The options that set the recipe: each needs --recipe (or, for COUNTING_OPTIONS,
--flop-convention 6N+attn)."""

COUNTING_OPTIONS = ("--seq-len", "--vocab", "--untied")
"""The recipe options that also set the shape pricing attention under 6N+attn."""


def check_recipe(request: Request) -> None:
    """The recipe options go with one plan per result, and --seq-len with --recipe."""
    counting = request.flop_convention == "6N+attn" or request.param_convention is not None
    for option in request.given(*RECIPE_OPTIONS):
        if not request.recipe and not (option in COUNTING_OPTIONS and counting):
            raise InputError(f"{option} sets the recipe; add --recipe, or drop {option}")
    for option in request.given("compare", "size_range", "budgets_file"):
        if not request.recipe:
            break
        raise InputError(
            f"--recipe is given for each plan of --flops, --params or --target-loss; drop {option}"
        )
    if request.seq_len is not None:
        from planner.planning.recipe import check_seq_len

        check_seq_len(request.seq_len, "--seq-len")


def vocab_of(request: Request) -> int | str:
    """--vocab: a whole number of tokens above zero, or auto."""
    text = str(request.vocab).strip()
    if text == "auto":
        return "auto"
    from planner.planning.shapes import check_whole

    try:
        number = float(text)
    except ValueError:
        from planner.cli.sizes import is_size, suffixed

        if not is_size(text):
            raise InputError(
                f"--vocab takes a whole number of tokens or auto (got {text!r}); give e.g. --vocab 32000"
            ) from None
        number = suffixed("--vocab", "32000", text)
    return check_whole("--vocab", number, "32000")


def with_recipes(
    request: Request, results: Sequence[Plan | Comparison | SizeCurve]
) -> list[Plan | Comparison | SizeCurve]:
    """Each plan of `results` with its recipe."""
    from planner.planning.recipe import SEQ_LEN, recipe
    from planner.planning.results import Plan
    from planner.planning.shapes import DEFAULT_VOCAB

    length = SEQ_LEN if request.seq_len is None else int(request.seq_len)
    vocab = DEFAULT_VOCAB if request.vocab is None else vocab_of(request)
    if not isinstance(vocab, int):
        raise InputError(
            "--vocab auto sets --param-convention's vocabulary; the recipe's shapes take a number"
        )
    stage = 1 if request.zero is None else int(request.zero)
    mode = request.recompute or "selective"

    shape = _triple("--shape", request.shape, "x", "layers x d_model x heads", "32x4096x32")
    split = _triple("--split", request.split, ",", "data,tensor,pipeline degrees", "64,4,1")

    def made(item: Plan) -> Plan:
        found = recipe(
            item,
            seq_len=length,
            vocab=vocab,
            tied=not request.untied,
            zero_stage=stage,
            recompute=mode,
            precision=request.precision or "mixed",
            optimizer=request.optimizer or "adam",
            shape=shape,
            split=split,
        )
        return item.replace(recipe=found)

    return [made(item) if isinstance(item, Plan) else item for item in results]


def _triple(flag: str, text: str | None, sep: str, what: str, example: str) -> tuple[int, int, int] | None:
    """Three whole numbers written with `sep` between them, e.g. 32x4096x32; None without the option."""
    if text is None:
        return None
    parts = text.lower().split(sep)
    try:
        numbers = [int(part.strip()) for part in parts]
    except ValueError:
        numbers = []
    if len(numbers) != 3 or any(number < 1 for number in numbers):
        raise InputError(
            f"{flag} takes {what} as three whole numbers above zero, e.g. {flag} {example} (got {text!r})"
        )
    return numbers[0], numbers[1], numbers[2]
