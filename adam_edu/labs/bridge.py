"""Run an ``adam_edu.optim`` optimizer (numpy) on a PyTorch model.

:class:`NumpyOptimizer` is a ``torch.optim.Optimizer`` whose ``step`` copies each parameter and its
gradient to numpy, calls the course's pure ``opt.step(theta, grad, state)`` and copies the result
back. It is slow (two copies per tensor per step) and exact: the course's own Adam, with or without
bias correction, trains a real network and can be compared with ``torch.optim.Adam`` on the same model.

A diverging run overflows: numpy's overflow and invalid-value warnings are silenced inside ``step``
(the training loop detects the NaN and records the run as diverged).

The learning rate lives in the parameter group, as in torch: a schedule (or a torch scheduler) that
changes ``group["lr"]`` changes the ``lr`` the numpy optimizer is called with.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from ..optim import Optimizer as NumpyOptimizerSpec
from .backend import require_torch

torch = require_torch()


class NumpyOptimizer(torch.optim.Optimizer):
    """A torch optimizer that delegates every update to an ``adam_edu.optim`` optimizer.

    Parameters
    ----------
    params : iterable of torch.Tensor or dicts
        The model's parameters (or parameter groups), as for any torch optimizer.
    optimizer : adam_edu.optim.Optimizer
        For example ``Adam(lr=1e-3, bias_correction=False)``; its ``lr`` is the groups' default.

    Examples
    --------
    >>> import torch
    >>> from adam_edu.optim import Adam
    >>> w = torch.nn.Parameter(torch.zeros(2, dtype=torch.float64))
    >>> opt = NumpyOptimizer([w], Adam(lr=0.1))
    >>> w.grad = torch.tensor([3.0, -0.5], dtype=torch.float64)
    >>> opt.step()
    >>> w.detach().numpy().round(6)  # Adam's first step: lr * sign(g)
    array([-0.1,  0.1])
    """

    def __init__(self, params, optimizer: NumpyOptimizerSpec):
        if not isinstance(optimizer, NumpyOptimizerSpec):
            raise TypeError(
                f"NumpyOptimizer wraps an adam_edu.optim optimizer, for example Adam(). "
                f"Got {type(optimizer).__name__} instead."
            )
        self.optimizer = optimizer
        super().__init__(params, {"lr": optimizer.lr})

    def __repr__(self) -> str:
        return f"NumpyOptimizer({self.optimizer!r})"

    @torch.no_grad()
    def step(self, closure=None):
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            opt = self.optimizer
            if group["lr"] != opt.lr:
                opt = dataclasses.replace(opt, lr=float(group["lr"]))
            for p in group["params"]:
                if p.grad is None:
                    continue
                theta = p.detach().cpu().numpy()
                grad = p.grad.detach().cpu().numpy()
                state = self.state[p]
                if "numpy" not in state:
                    state["numpy"] = opt.init(theta)
                with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                    theta, state["numpy"] = opt.step(theta, grad, state["numpy"])
                p.copy_(torch.from_numpy(np.ascontiguousarray(theta)).to(p.device))
        return loss
