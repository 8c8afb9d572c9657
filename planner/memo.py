"""`cache`: functools.cache for the functions a plain plan calls, without importing functools.

`functools` imports `collections` and more, which a plain `plan --flops 1e21` would pay
for at every start (docs/speed.md). The functions cached here take hashable positional
arguments only. Standard library only.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any, TypeVar

    T = TypeVar("T")


class Cached:
    """A function whose results are kept by arguments; `cache_clear()` forgets them."""

    def __init__(self, function: Callable[..., Any]) -> None:
        self.__wrapped__ = function
        self.__name__ = function.__name__
        self.__qualname__ = function.__qualname__
        self.__doc__ = function.__doc__
        self.found: dict[tuple[Any, ...], Any] = {}

    def __call__(self, *args: Any) -> Any:
        try:
            return self.found[args]
        except KeyError:
            value = self.found[args] = self.__wrapped__(*args)
            return value

    def cache_clear(self) -> None:
        self.found.clear()


def cache(function: Callable[..., T]) -> Callable[..., T]:
    """`function` with its results kept, as functools.cache keeps them."""
    return Cached(function)
