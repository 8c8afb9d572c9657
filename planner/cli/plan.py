"""The main command, `plan [OPTIONS]`: its options, declared once, and its body.

The body reads the request, asks the library one question (planner.cli.questions says
which options ask which), prints the answers in the format asked for, and returns the exit
code. Raises PlannerError for bad input (planner.cli.main reports it); never parses argv.
"""

from __future__ import annotations

from planner.cli.declare import FORMAT, Command, Option, Request, output_format
from planner.cli.intervals import interval_options
from planner.output import streams

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable

    from planner.planning.results import Notice

CHARS_PER_TOKEN = Option(
    "--chars-per-token",
    "RATIO",
    "Characters per token of your tokenizer on the fine-tuning data (never guessed).",
    kind="count",
    example="3.3",
    panel="question",
)
"""--chars-per-token, the same option on `plan` and `plan transfer`."""

OPTIONS = (
    Option(
        "--flops",
        "FLOPS",
        "Training budget in FLOPs, e.g. 1e21. Repeat for more budgets.",
        kind="count",
        many=True,
        panel="budget",
    ),
    Option(
        "--law", "ID|PATH", "Law id (see `plan laws`) or a law file. Default: besiroglu2024.", panel="law"
    ),
    Option(
        "--domain",
        "DOMAIN",
        "language, image, video, multimodal, math or code: use that domain's default law.",
        panel="law",
    ),
    Option(
        "--compare", None, "Plan under every law of the domain; show the spread.", kind="flag", panel="law"
    ),
    Option("--max-params", "PARAMS", "Cap on the parameter count.", kind="count", panel="budget"),
    Option("--max-tokens", "TOKENS", "Cap on the training tokens.", kind="count", panel="budget"),
    Option(
        "--unique-tokens",
        "TOKENS",
        "Unique tokens available; the plan may repeat them (Muennighoff et al. 2023).",
        kind="count",
        panel="budget",
    ),
    Option(
        "--repeated-fraction",
        "FRACTION",
        "Size of a subset seen --repeats times, as a fraction of the training tokens (e.g. 0.001).",
        kind="number",
        example="0.001",
        panel="budget",
    ),
    Option(
        "--repeats",
        "TIMES",
        "How many times that subset is seen; warned about per Hernandez et al. 2022.",
        kind="number",
        example="100",
        panel="budget",
    ),
    Option(
        "--json",
        None,
        "JSON Lines, one object per budget: short for --format json.",
        kind="flag",
        panel="output",
    ),
    Option(
        "--transfer",
        "ID|PATH",
        "Transfer law pricing a fine-tuning set at the plan's N, e.g. hernandez2021-text. "
        "With --max-tokens, N is chosen for a data-limited fine-tune.",
        panel="question",
    ),
    Option(
        "--finetune-chars", "CHARS", "Fine-tuning set size in characters.", kind="count", panel="question"
    ),
    Option(
        "--finetune-tokens",
        "TOKENS",
        "Fine-tuning set size in tokens; needs --chars-per-token.",
        kind="count",
        panel="question",
    ),
    CHARS_PER_TOKEN,
    Option(
        "--from",
        "FILE|-",
        "Budgets from a file, or stdin with -: one number or JSON object (flops, law, max_params, "
        "max_tokens) per line.",
        field="budgets_file",
        panel="budget",
    ),
    FORMAT,
    *interval_options(
        "Level of the intervals, in (0, 1), e.g. 0.9. Default 0.95.", "Plan without intervals (and faster)."
    ),
    Option(
        "--flop-convention",
        "6N|6N+attn",
        "What the FLOPs count: 6N (C = 6ND) or 6N+attn (attention too: 12 n_layer d_model "
        "l_seq a token, at --seq-len). Default: the law's own (docs/shapes.md).",
        kind="choice",
        choices=("6N", "6N+attn"),
        panel="budget",
    ),
    Option(
        "--kaplan-compute",
        "min|critical",
        "Under kaplan2020 (C = C_min): min (default) or critical, a budget spent at the critical "
        "batch, C = 2 C_min (Eq. 5.5): twice the tokens.",
        kind="choice",
        choices=("min", "critical"),
        panel="budget",
    ),
    Option(
        "--recipe",
        None,
        "Add the training recipe: shapes, peak learning rate, batch, memory and split, time (docs/recipe.md).",
        kind="flag",
        panel="recipe",
    ),
    Option(
        "--seq-len",
        "TOKENS",
        "Sequence length of the recipe and of --flop-convention 6N+attn, in tokens. Default 4096.",
        kind="number",
        example="4096",
        panel="recipe",
    ),
    Option(
        "--vocab",
        "TOKENS|auto",
        "Vocabulary of the recipe's shapes (and of 6N+attn's and --param-convention's; auto: Tao et "
        "al. 2024's for the size). Default 32000.",
        example="32000",
        panel="recipe",
    ),
    Option(
        "--untied",
        None,
        "The recipe's shapes have an output head of their own (not tied).",
        kind="flag",
        panel="recipe",
    ),
    Option(
        "--param-convention",
        "total|non-embedding",
        "What your --params and --max-params count, where the law counts the other: converted "
        "(Pearce & Song 2024 at --vocab, or Tao et al. 2024 with --vocab auto).",
        kind="choice",
        choices=("total", "non-embedding"),
        panel="law",
    ),
    Option(
        "--shape",
        "LxDxH",
        "The recipe's model shape, layers x d_model x heads, e.g. 32x4096x32 (default: candidates).",
        example="32x4096x32",
        panel="recipe",
    ),
    Option(
        "--split",
        "DP,TP,PP",
        "Data, tensor and pipeline degrees of the GPUs for the recipe's memory, e.g. 64,4,1.",
        example="64,4,1",
        panel="recipe",
    ),
    Option(
        "--precision",
        "KIND",
        "Model states of the recipe's memory: mixed (default), mixed-fp32-grads or fp32.",
        kind="choice",
        choices=("mixed", "mixed-fp32-grads", "fp32"),
        panel="recipe",
    ),
    Option(
        "--optimizer",
        "NAME",
        "Optimizer of the recipe's memory: adam (default) or sgd-momentum.",
        kind="choice",
        choices=("adam", "sgd-momentum"),
        panel="recipe",
    ),
    Option(
        "--zero",
        "STAGE",
        "ZeRO stage of the recipe's memory, 0 to 3. Default 1.",
        kind="choice",
        choices=("0", "1", "2", "3"),
        panel="recipe",
    ),
    Option(
        "--recompute",
        "MODE",
        "Activation recompute of the recipe's memory: none, selective (default) or full.",
        kind="choice",
        choices=("none", "selective", "full"),
        panel="recipe",
    ),
    Option(
        "--params",
        "PARAMS",
        "Model size. Alone: the budget it is compute-optimal for; with --tokens: evaluate "
        "that run; with --flops: that size at that budget.",
        kind="count",
        example="7e9",
        panel="question",
    ),
    Option(
        "--tokens",
        "TOKENS",
        "Training tokens. Alone: the budget they are compute-optimal for; with --params: "
        "evaluate that run; with --flops: that many tokens at that budget.",
        kind="count",
        example="2e12",
        panel="question",
    ),
    Option("--gpu", "ID", "Chip from `plan gpus`, e.g. h100: adds GPU-hours.", panel="hardware"),
    Option(
        "--gpus",
        "N",
        "GPUs running at once: adds wall-clock days.",
        kind="number",
        example="512",
        panel="hardware",
    ),
    Option(
        "--days",
        "DAYS",
        "Budget from time: days of N GPUs (with --gpus).",
        kind="count",
        example="30",
        panel="budget",
    ),
    Option(
        "--hours",
        "HOURS",
        "Budget from time, in hours instead of days.",
        kind="count",
        example="12",
        panel="budget",
    ),
    Option(
        "--weeks",
        "WEEKS",
        "Budget from time, in weeks instead of days.",
        kind="count",
        example="4",
        panel="budget",
    ),
    Option(
        "--mfu",
        "FRACTION",
        "Model FLOPs utilization in (0, 1]. Default 0.462 (PaLM).",
        kind="number",
        example="0.4",
        panel="hardware",
    ),
    Option(
        "--price-per-gpu-hour",
        "PRICE",
        "Price of one GPU-hour: adds the cost.",
        kind="count",
        example="2.5",
        panel="hardware",
    ),
    Option(
        "--target-loss",
        "LOSS",
        "The least compute (and its N, D) whose compute-optimal loss is LOSS. "
        "With --inference-tokens: the loss the lifetime-optimal model must reach.",
        kind="number",
        example="2.0",
        panel="question",
    ),
    Option(
        "--size-range",
        "LOW HIGH",
        "With --flops: loss and compute overhead of sizes from LOW to HIGH times the "
        "optimum, e.g. --size-range 0.25 2 (or 0.25:2).",
        kind="pair",
        example="0.25 2",
        panel="question",
    ),
    Option(
        "--inference-tokens",
        "TOKENS",
        "Lifetime inference tokens: minimise training plus inference (Sardana et al. 2023) "
        "for --target-loss, or for the loss of the optimum at --flops.",
        kind="amount",
        example="2e12",
        panel="question",
    ),
    Option(
        "--inference-mfu",
        "FRACTION",
        "MFU of inference on --gpu, in (0, 1]; needed by --objective cost (no default).",
        kind="number",
        example="0.2",
        panel="hardware",
    ),
    Option(
        "--objective",
        "flops|cost",
        "With --inference-tokens: minimise FLOPs (default) or dollars (needs --gpu, "
        "--price-per-gpu-hour and --inference-mfu).",
        kind="choice",
        choices=("flops", "cost"),
        panel="question",
    ),
    Option(
        "--granularity",
        "G",
        "Granularity G = d_ff / d_expert of a fine-grained MoE law (krajewski2024 needs it).",
        kind="count",
        example="8",
        panel="law",
    ),
    Option(
        "--experts",
        "E",
        "Expansion rate E = N_MoE / N_ff of a fine-grained MoE law; krajewski2024 takes 64 only.",
        kind="count",
        example="64",
        panel="law",
    ),
)


def run_plan(request: Request) -> int:
    """`plan --flops ...` and its variants: plans as a table, JSON Lines, CSV or Markdown."""
    from planner.cli.questions import answers
    from planner.planning.results import Plan

    fmt = output_format(request)
    if request.budgets_file is not None and fmt in ("json", "csv"):
        return _stream(request, fmt)
    from planner.cli.recipe import RECIPE_OPTIONS, check_recipe

    if request.recipe or request.given(*RECIPE_OPTIONS):
        check_recipe(request)
    results = answers(request)
    if request.recipe:
        from planner.cli.recipe import with_recipes

        results = with_recipes(request, results)
    streams.notices(notice for item in results if not isinstance(item, Plan) for notice in item.notices)
    streams.notices(_plan_notices(results))
    if fmt == "json":
        streams.json_lines(results)
    else:
        from planner.output.show import show

        show(results, fmt)
    return 0


def _stream(request: Request, fmt: str) -> int:
    """`--from` as JSON Lines or CSV: each block of lines planned and printed as it arrives."""
    import sys

    from planner.cli.questions import budget_blocks, checked_inputs
    from planner.output import tabular
    from planner.planning.results import Plan

    setup, data = checked_inputs(request)
    from planner.cli.intervals import level_of

    bounded = level_of(request) is not None and not request.compare
    columns = tabular.stream_columns(
        hardware=setup is not None, compare=request.compare, intervals=bounded, data=data
    )
    if fmt == "csv":
        tabular.csv_header(columns)
    from planner.output.jsonl import Writer

    writer = Writer()  # one for every block: it keeps the text the stream's lines share
    for block in budget_blocks(request, setup, data):
        if streams.plan_block(block) is None:  # plans and comparisons, not a block's columns
            streams.notices(notice for item in block if not isinstance(item, Plan) for notice in item.notices)
        streams.notices(_plan_notices(block))
        if fmt == "json":
            streams.json_lines(block, writer)
        else:
            tabular.csv_rows(columns, block)
        sys.stdout.flush()
    return 0


def _plan_notices(results: Iterable[object]) -> Iterable[Notice]:
    from planner.planning.results import Comparison, Plan

    block = streams.plan_block(results)
    if block is not None:
        yield from block.notices()
        return
    for item in results:
        plans = item.plans if isinstance(item, Comparison) else (item,) if isinstance(item, Plan) else ()
        for plan in plans:
            yield from plan.notices
            if plan.recipe is not None:
                yield from plan.recipe.notices


COMMAND = Command(
    "",
    "Compute-optimal parameters, tokens and loss for each FLOP budget.",
    OPTIONS,
    run_plan,
    group=True,
    examples=(
        "plan --flops 1e21",
        "plan --params 7B --tokens 2T --gpu h100 --gpus 512",
        "plan --gpu h100 --gpus 512 --weeks 4 --json",
    ),
)
