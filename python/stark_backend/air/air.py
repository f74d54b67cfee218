"""The :class:`Air` base class users subclass to define a chip."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from .builder import AirBuilder

__all__ = ["Air"]


class Air:
    """An algebraic intermediate representation: a trace layout plus constraints.

    Subclass it and set, as class or instance attributes:

    - ``width``: number of main trace columns, all partitions together (``>= 1``);
    - ``num_public_values`` (default 0);
    - ``cached_main_widths`` (default empty): widths of the cached main partitions, each
      committed on its own; the common main holds the remaining
      ``width - sum(cached_main_widths)`` columns. ``b.main()`` lists the cached partitions
      first, in order, then the common main;
    - ``name`` (defaults to the class name; used in error messages).

    and override :meth:`eval` (and :meth:`preprocessed_trace` for fixed columns).
    """

    width: int
    num_public_values: int = 0
    cached_main_widths: Sequence[int] = ()
    name: str = "Air"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "name" not in cls.__dict__:
            cls.name = cls.__name__

    def eval(self, builder: AirBuilder) -> None:
        """Declare the constraints and interactions through ``builder``.

        Runs once, symbolically, at keygen; every constraint is then checked on every row.
        """
        raise NotImplementedError(f"{type(self).__name__} must define eval(self, builder)")

    def preprocessed_trace(self) -> npt.NDArray[np.integer[Any]] | None:
        """The fixed (preprocessed) trace, shape ``(height, width)``, or ``None`` (default).

        When given, its height (a power of two) fixes the height of every main trace of this
        AIR; its values must be canonical field elements (integer dtype, ``< p``).
        """
        return None

    def __repr__(self) -> str:
        return f"<Air {self.name!r} width={getattr(self, 'width', '?')}>"
