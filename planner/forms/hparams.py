"""What the hyper-parameter law forms share: the training setting a law was fitted under.

A hyper-parameter law (forms `hparams-compute` and `hparams-nd`) gives the peak learning
rate and the batch size (in tokens) that trained best at a budget, and holds only under the
setting its authors used: the optimizer, the learning-rate schedule (which fixes what "the
learning rate" means: its peak), and how the batch is counted. A law file states them in
its `[setting]` table, so every recipe can say which it assumes. Not a form itself (no
`LAW`). Pure data: no files, no printing, no user-facing errors.
"""

from __future__ import annotations

from planner.forms.base import Kind, Law
from planner.laws.format import STRICT, Bound
from planner.records import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Annotated, Any, ClassVar


class Setting(Record, eq=False):
    """The training setting of a hyper-parameter law, in the source's words.

    `optimizer`: the optimizer and its fixed constants; `schedule`: warmup and decay, which
    make `learning_rate` the peak of it; `batch`: how the batch size is counted (tokens per
    optimizer step); `near_optimal`: how flat the optimum is, where the source says.
    """

    __pydantic_config__: ClassVar[dict[str, Any]] = STRICT

    optimizer: Annotated[str, Bound(min_length=3)]
    schedule: Annotated[str, Bound(min_length=3)]
    learning_rate: Annotated[str, Bound(min_length=3)]
    batch: Annotated[str, Bound(min_length=3)]
    near_optimal: str | None = None


class HyperparameterLaw(Law, kw_only=True, eq=False):
    """A law of the learning rate and batch size, not of the loss: it prices no budget."""

    approach: ClassVar[str] = "hyper-parameters"
    """What the law answers, as `plan laws` groups the catalog."""

    setting: Setting

    kind: ClassVar[Kind] = "hyperparameters"
    unranged: ClassVar[tuple[str, ...]] = ("finetune_chars",)

    def why_unplannable(self) -> str:
        """A hyper-parameter law gives the learning rate and batch of a run, not its split."""
        return "it gives the learning rate and batch size of a run, not the split of a budget"
