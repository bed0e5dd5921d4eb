"""Adafactor: a factored second moment, O(n + m) floats for an n x m matrix (Shazeer & Stern, 2018)."""

from __future__ import annotations

import dataclasses
import math
from typing import NamedTuple

import numpy as np

from .base import Optimizer, hyperparameter
from .validation import check_real


class AdafactorState(NamedTuple):
    """Adafactor: for a parameter with ndim >= 2, the row and column means of g² (``row_var`` of shape
    ``(..., n, 1)``, ``col_var`` of shape ``(..., 1, m)``, as torch keeps them); for ndim < 2, the full
    moving average ``variance``. The fields a parameter does not use are None."""

    t: int
    row_var: np.ndarray | None
    col_var: np.ndarray | None
    variance: np.ndarray | None


@dataclasses.dataclass(frozen=True)
class Adafactor(Optimizer):
    r"""Adafactor without a first moment, in the form of ``torch.optim.Adafactor`` (torch 2.13).

    For a matrix parameter (factored over the last two axes; leading axes are a batch of matrices):

    .. math::

        \hat\beta_{2t} &= 1 - t^{\tau}, \qquad \rho_t = \min(\gamma, 1/\sqrt{t}), \qquad
            \alpha_t = \max(\epsilon_2, \mathrm{RMS}(\theta_{t-1}))\, \rho_t \\
        \theta' &= \theta_{t-1}\,(1 - \gamma\lambda) \\
        R_t &= \hat\beta_{2t} R_{t-1} + (1-\hat\beta_{2t})\, \mathrm{mean}_{\text{cols}}(g_t^2), \qquad
        C_t = \hat\beta_{2t} C_{t-1} + (1-\hat\beta_{2t})\, \mathrm{mean}_{\text{rows}}(g_t^2) \\
        \hat V_t &= R_t C_t / \max(\mathrm{mean}(R_t), \epsilon_1)
            \qquad \text{(for a vector: } \hat V_t = \hat\beta_{2t}\hat V_{t-1} + (1-\hat\beta_{2t})\, g_t^2) \\
        U_t &= g_t / \max(\sqrt{\hat V_t}, \epsilon_1), \qquad
        \hat U_t = U_t / \max(1, \mathrm{RMS}(U_t)/d) \\
        \theta_t &= \theta' - \alpha_t \hat U_t

    :math:`R_t C_t` is the outer product of an ``n``-vector and an ``m``-vector: the rank-1 estimate of
    the ``n x m`` matrix of :math:`E[g^2]` that keeps its row and column sums; only ``n + m`` floats are
    stored (:func:`~adam_edu.optim.memory.state_floats`). At :math:`t = 1`, :math:`\hat\beta_{21} = 0`, so no bias
    correction is needed. How torch's (and this) variant differs from Shazeer & Stern's paper:

    - no first moment (the paper's :math:`\beta_1` option is absent);
    - the relative step size is kept, :math:`\rho_t = \min(\gamma, 1/\sqrt{t})` times the parameter
      scale :math:`\max(\epsilon_2, \mathrm{RMS}(\theta_{t-1}))`, but its cap is ``lr`` (:math:`\gamma`)
      where the paper fixes 0.01: ``lr`` is not an absolute step size;
    - :math:`\epsilon_1` is not added to :math:`g^2` (the paper's :math:`g^2 + \epsilon_1`); it floors
      :math:`\mathrm{mean}(R_t)` and :math:`\sqrt{\hat V_t}` instead; ``eps1=None`` means the machine
      epsilon of the parameters' dtype (2.2e-16 in float64), the paper's :math:`10^{-30}` is not used;
    - means instead of the paper's sums for :math:`R, C` (the same :math:`\hat V`);
    - update clipping by :math:`d` and the schedule :math:`\hat\beta_{2t} = 1 - t^{\tau}` are the paper's
      (:math:`d = 1`, :math:`\tau = -0.8`);
    - decoupled weight decay :math:`\theta \leftarrow \theta(1 - \gamma\lambda)`, which the paper does
      not have; :math:`\alpha_t` is computed from :math:`\theta_{t-1}` before the decay.

    Parameters
    ----------
    lr : float, default 1e-2
        :math:`\gamma`, the largest relative step size :math:`\rho_t`, in [0, inf).
    beta2_decay : float, default -0.8
        :math:`\tau` of the schedule :math:`\hat\beta_{2t} = 1 - t^{\tau}`, in (-inf, 0] (torch's range;
        the paper's :math:`-c`, with :math:`c = 0.8`).
    eps1 : float or None, default None
        :math:`\epsilon_1`, a floor on :math:`\sqrt{\hat V}`, None or in [0, inf). None: the dtype's
        machine epsilon, as torch.
    eps2 : float, default 1e-3
        :math:`\epsilon_2`, a floor on the parameter scale :math:`\mathrm{RMS}(\theta)`, in [0, inf).
    d : float, default 1.0
        Clipping threshold :math:`d` on :math:`\mathrm{RMS}(U_t)`, in [1, inf).
    weight_decay : float, default 0
        Decoupled decay :math:`\lambda`, multiplied by :math:`\gamma`, in [0, inf).

    ``Adafactor(lr, beta2_decay, eps1, eps2, d, weight_decay)`` is
    ``torch.optim.Adafactor(lr=lr, beta2_decay=beta2_decay, eps=(eps1, eps2), d=d, weight_decay=weight_decay)``.

    References
    ----------
    Shazeer & Stern, "Adafactor: Adaptive Learning Rates with Sublinear Memory Cost", arXiv:1804.04235,
    Algorithms 4 and 5 (Sections 3, 5-8); torch 2.13, ``torch/optim/_adafactor.py``.

    Examples
    --------
    >>> import numpy as np
    >>> opt = Adafactor()
    >>> theta = np.ones((3, 2))
    >>> state = opt.init(theta)
    >>> state.row_var.shape, state.col_var.shape, state.variance
    ((3, 1), (1, 2), None)
    >>> theta, state = opt.step(theta, np.full((3, 2), 5.0), state)
    >>> theta.round(6)  # RMS(theta) * min(lr, 1) * sign(g): the clipped update has RMS 1
    array([[0.99, 0.99],
           [0.99, 0.99],
           [0.99, 0.99]])
    """

    State = AdafactorState

    lr: float = hyperparameter(1e-2, "γ", 0.0)
    beta2_decay: float = hyperparameter(-0.8, "τ", -math.inf, 0.0, low_closed=False, high_closed=True)
    eps1: float | None = None
    eps2: float = hyperparameter(1e-3, "ε₂", 0.0)
    d: float = hyperparameter(1.0, "d", 1.0)
    weight_decay: float = hyperparameter(0.0, "λ", 0.0)

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.eps1 is not None:
            try:
                eps1 = check_real("Adafactor", "eps1", "ε₁", self.eps1, 0.0)
            except (TypeError, ValueError) as error:
                message = str(error).replace("must be a real number", "must be None (machine epsilon) or a real number")
                raise type(error)(message) from None
            object.__setattr__(self, "eps1", eps1)

    def init(self, theta):
        theta = np.asarray(theta)
        dtype = theta.dtype if np.issubdtype(theta.dtype, np.floating) else np.float64
        if theta.ndim < 2:
            return AdafactorState(t=0, row_var=None, col_var=None, variance=np.zeros(theta.shape, dtype))
        row_shape, col_shape = (*theta.shape[:-1], 1), (*theta.shape[:-2], 1, theta.shape[-1])
        zeros = np.zeros(row_shape, dtype), np.zeros(col_shape, dtype)
        return AdafactorState(t=0, row_var=zeros[0], col_var=zeros[1], variance=None)

    def step(self, theta, grad, state):
        theta, g = self._prepare(theta, grad, state)
        eps1 = float(np.finfo(theta.dtype).eps) if self.eps1 is None else self.eps1
        t = state.t + 1
        beta2_hat = 1 - t**self.beta2_decay
        rho = min(self.lr, 1 / math.sqrt(t))
        alpha = max(self.eps2, np.sqrt(np.mean(theta**2))) * rho
        theta = theta * (1 - self.lr * self.weight_decay)
        row_var = col_var = variance = None
        if g.ndim >= 2:
            row_var = beta2_hat * state.row_var + (1 - beta2_hat) * np.mean(g**2, axis=-1, keepdims=True)
            col_var = beta2_hat * state.col_var + (1 - beta2_hat) * np.mean(g**2, axis=-2, keepdims=True)
            v_hat = row_var * col_var / np.maximum(np.mean(row_var, axis=-2, keepdims=True), eps1)
        else:
            variance = v_hat = beta2_hat * state.variance + (1 - beta2_hat) * g**2
        u = g / np.maximum(np.sqrt(v_hat), eps1)
        u_hat = u / max(1.0, np.sqrt(np.mean(u**2)) / self.d)
        theta = theta - alpha * u_hat
        return theta, AdafactorState(t=t, row_var=row_var, col_var=col_var, variance=variance)
