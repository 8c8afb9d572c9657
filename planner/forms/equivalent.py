"""Forms whose loss is the Chinchilla form in other symbols: their questions, answered once.

A parameter record that mixes in `ChinchillaEquivalent` and gives `chinchilla` (the
`ChinchillaParams` its printed constants come to) answers every question of the Chinchilla
form (the optimum, the loss of a run, the inverses, the arrays) through
planner.forms.chinchilla, so the maths is written once. Not a form: no `LAW`. Pure maths.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from planner.forms.chinchilla import ChinchillaParams


class ChinchillaEquivalent:
    """Mixed into a parameter record: what the record lacks, its `chinchilla` answers."""

    @property
    def chinchilla(self) -> ChinchillaParams | None:
        """The Chinchilla parameters of the same loss, or None where there are none (yet)."""
        raise NotImplementedError

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or name == "chinchilla":  # copying and pickling ask for
            raise AttributeError(name)  # these before the fields exist
        same = self.chinchilla
        if same is None:
            raise AttributeError(f"{type(self).__name__} has no {name} until it is complete")
        return getattr(same, name)
