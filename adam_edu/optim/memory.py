"""How much an optimizer keeps between steps: the floats of its state, the step count aside."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np


def state_floats(state: NamedTuple) -> int:
    """The number of floats in an optimizer state: every field but ``t``, unused (None) fields counted as 0.

    Adam keeps ``m`` and ``v``, two floats per parameter; Adafactor keeps ``n + m`` for an ``n x m`` matrix
    (its row and column factors) and a full variance for a vector.

    >>> import numpy as np
    >>> from adam_edu.optim import Adafactor, Adam
    >>> state_floats(Adam().init(np.zeros((1000, 500)))), state_floats(Adafactor().init(np.zeros((1000, 500))))
    (1000000, 1500)
    """
    return sum(int(np.size(x)) for name, x in zip(state._fields, state, strict=True) if name != "t" and x is not None)
