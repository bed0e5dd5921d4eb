"""Yogi: Adam with an additive second-moment update that controls how fast the step size grows."""

from __future__ import annotations

import dataclasses

import numpy as np

from .base import Optimizer, flag, hyperparameter, zeros_like_params
from .states import MomentState


@dataclasses.dataclass(frozen=True)
class Yogi(Optimizer):
    r"""Yogi (Zaheer et al., 2018, Algorithm 2).

    .. math::

        m_t &= \beta_1 m_{t-1} + (1-\beta_1)\, g_t \\
        v_t &= v_{t-1} - (1-\beta_2)\, \operatorname{sign}(v_{t-1} - g_t^2)\, g_t^2 \\
        \theta_t &= \theta_{t-1} - \alpha\, m_t / (\sqrt{v_t} + \epsilon), \qquad m_0 = v_0 = 0

    Adam's :math:`v_t - v_{t-1} = (1-\beta_2)(g_t^2 - v_{t-1})` moves :math:`v` by a fraction of the gap
    to :math:`g_t^2`: after large gradients, small ones shrink :math:`v` (and so grow the effective
    step :math:`\alpha/\sqrt{v}`) by a factor :math:`\beta_2` per step. Yogi moves :math:`v` in the same
    direction by :math:`(1-\beta_2)\, g_t^2` only, whatever the gap: :math:`|v_t - v_{t-1}| = (1-\beta_2)
    g_t^2`, so the effective step grows slowly. :math:`v_t` stays :math:`\ge 0`.

    ``bias_correction=False`` (the default) is the paper's Algorithm 2: no correction, :math:`v_0 = 0`.
    ``bias_correction=True`` divides as Adam does, :math:`\hat m_t = m_t/(1-\beta_1^t)`,
    :math:`\hat v_t = v_t/(1-\beta_2^t)`, and steps :math:`\alpha\, \hat m_t/(\sqrt{\hat v_t} + \epsilon)`:
    that is d2l's Yogi (the Yogi part of its Adam section), also from :math:`v_0 = 0`. This class always
    starts from :math:`v_0 = 0`. TensorFlow's implementations (tensorflow_addons ``Yogi``, TensorFlow
    Federated ``build_yogi``) start from ``initial_accumulator_value = 1e-6`` instead, and apply Adam's
    correction in its efficient form, :math:`\alpha\sqrt{1-\beta_2^t}/(1-\beta_1^t)`; neither is what this
    class does. torch has no Yogi.

    Parameters
    ----------
    lr : float, default 0.01
        Step size :math:`\alpha`, in [0, inf) (the paper's default, ten times Adam's).
    beta1 : float, default 0.9
        :math:`\beta_1`, in [0, 1).
    beta2 : float, default 0.999
        :math:`\beta_2`, in [0, 1).
    eps : float, default 1e-3
        :math:`\epsilon`, added to :math:`\sqrt{v_t}`, in [0, inf) (the paper's default, far above Adam's).
    bias_correction : bool, default False
        Adam's bias correction (d2l's variant); off in the paper's Algorithm 2.

    References
    ----------
    Zaheer, Reddi, Sachan, Kale & Kumar, "Adaptive Methods for Nonconvex Optimization", NeurIPS 2018,
    Algorithm 2; Zhang et al., "Dive into Deep Learning", the Adam section (Yogi).

    Examples
    --------
    >>> import numpy as np
    >>> opt = Yogi()
    >>> theta, state = opt.step(np.zeros(1), np.array([10.0]), opt.init(np.zeros(1)))
    >>> state.v  # v_1 = 0 + (1 - beta2) * g^2, as in Adam
    array([0.1])
    >>> theta, state = opt.step(theta, np.array([0.1]), state)
    >>> state.v.round(6)  # g^2 < v: v falls by (1 - beta2) g^2 only (Adam's v: 0.09991)
    array([0.09999])
    """

    State = MomentState

    lr: float = hyperparameter(0.01, "α", 0.0)
    beta1: float = hyperparameter(0.9, "β₁", 0.0, 1.0)
    beta2: float = hyperparameter(0.999, "β₂", 0.0, 1.0)
    eps: float = hyperparameter(1e-3, "ε", 0.0)
    bias_correction: bool = flag(False)

    def init(self, theta):
        zeros = zeros_like_params(theta)
        return MomentState(t=0, m=zeros, v=zeros)

    def step(self, theta, grad, state):
        theta, g = self._prepare(theta, grad, state)
        t = state.t + 1
        m = self.beta1 * state.m + (1 - self.beta1) * g
        v = state.v - (1 - self.beta2) * np.sign(state.v - g**2) * g**2
        if self.bias_correction:
            m_hat = m / (1 - self.beta1**t)
            v_hat = v / (1 - self.beta2**t)
        else:
            m_hat, v_hat = m, v
        theta = theta - self.lr * m_hat / (np.sqrt(v_hat) + self.eps)
        return theta, MomentState(t=t, m=m, v=v)
