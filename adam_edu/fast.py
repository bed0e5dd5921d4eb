r"""An in-place Adam step in numpy: the same arithmetic as :meth:`adam_edu.optim.Adam.step`, no new arrays.

Performance code, kept apart from the teaching code. :class:`~adam_edu.optim.Adam` is pure: every
line of its ``step`` allocates a fresh array the size of the parameters. At scale the step is
limited by memory traffic, not arithmetic, so a fast path overwrites ``theta``, ``m`` and ``v``
where they lie and reuses one scratch buffer::

    m     <- m + (1 - beta1) (g - m)            (= beta1 m + (1 - beta1) g)
    v     <- beta2 v + (1 - beta2) g^2
    theta <- theta - (alpha / (1 - beta1^t)) m / (sqrt(v) / sqrt(1 - beta2^t) + eps)

Rounding differs from ``Adam.step`` in the last bits (``tests/test_fast.py`` checks the two agree).

Example
-------
>>> import numpy as np
>>> from adam_edu.optim import Adam
>>> theta, grad = np.zeros(3), np.array([1.0, -2.0, 0.5])
>>> fast = InPlaceAdam(Adam(lr=0.1), theta)
>>> fast.step(theta, grad)  # overwrites theta
>>> theta.round(6)
array([-0.1,  0.1, -0.1])
"""

from __future__ import annotations

import math

import numpy as np

from .optim import Adam


class InPlaceAdam:
    """Adam's state (``t``, ``m``, ``v``) and one scratch buffer, updated in place by :meth:`step`.

    The hyperparameters come from an :class:`~adam_edu.optim.Adam` (``lr``, ``beta1``, ``beta2``,
    ``eps``, ``weight_decay``, ``bias_correction``), so the two are configured the same way.
    Arrays keep ``theta``'s dtype: float32 parameters give float32 moments, as in torch.
    """

    def __init__(self, optimizer: Adam, theta: np.ndarray) -> None:
        if not isinstance(optimizer, Adam):
            raise TypeError(f"InPlaceAdam: 'optimizer' must be an Adam. Got {type(optimizer).__name__} instead.")
        theta = np.asarray(theta)
        if not np.issubdtype(theta.dtype, np.floating):
            raise TypeError(f"InPlaceAdam: 'theta' must be a floating array. Got dtype {theta.dtype} instead.")
        self.optimizer = optimizer
        self.t = 0
        self.m = np.zeros_like(theta)
        self.v = np.zeros_like(theta)
        self._scratch = np.empty_like(theta)

    def __repr__(self) -> str:
        return f"InPlaceAdam({self.optimizer!r}, t={self.t}, shape={self.m.shape}, dtype={self.m.dtype})"

    @property
    def state_bytes(self) -> int:
        """Bytes held by the moments ``m`` and ``v`` (the scratch buffer not counted)."""
        return self.m.nbytes + self.v.nbytes

    def step(self, theta: np.ndarray, grad: np.ndarray) -> None:
        """Overwrite ``theta`` (and ``m``, ``v``) with one Adam step; ``grad`` is read, not changed."""
        opt, m, v, s = self.optimizer, self.m, self.v, self._scratch
        if not isinstance(theta, np.ndarray) or theta.shape != m.shape or theta.dtype != m.dtype:
            raise ValueError(f"InPlaceAdam.step: 'theta' must be an array of shape {m.shape} and dtype {m.dtype}.")
        if grad.shape != m.shape:
            raise ValueError(f"InPlaceAdam.step: 'grad' must have shape {m.shape}. Got {grad.shape} instead.")
        if opt.weight_decay:
            grad = grad + opt.weight_decay * theta  # L2 inside the gradient, as Adam.step does
        self.t += 1
        t = self.t
        np.subtract(grad, m, out=s)  # m <- m + (1 - beta1)(g - m)
        s *= 1 - opt.beta1
        m += s
        np.multiply(grad, grad, out=s)  # v <- beta2 v + (1 - beta2) g^2
        s *= 1 - opt.beta2
        v *= opt.beta2
        v += s
        bc1, bc2 = (1 - opt.beta1**t, 1 - opt.beta2**t) if opt.bias_correction else (1.0, 1.0)
        np.sqrt(v, out=s)  # s <- sqrt(v_hat) + eps
        s *= 1 / math.sqrt(bc2)
        s += opt.eps
        np.divide(m, s, out=s)  # s <- alpha m_hat / (sqrt(v_hat) + eps)
        s *= opt.lr / bc1
        theta -= s
