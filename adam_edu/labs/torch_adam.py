"""Adam as a ``torch.optim.Optimizer``, written like the paper's Algorithm 1: one loop over the parameters.

This is the teaching version: each line of :meth:`PaperAdam.step` is a line of Algorithm 1, with the
paper's names (``t``, ``m``, ``v``, ``m_hat``, ``v_hat``). It computes what ``torch.optim.Adam`` computes
(tested to rtol 1e-6 in float32 and 1e-9 in float64 over hundreds of steps), but one tensor at a
time; torch's ``foreach`` implementation updates all tensors of a group with a few fused calls.
"""

from __future__ import annotations

from .backend import require_torch

torch = require_torch()


class PaperAdam(torch.optim.Optimizer):
    r"""Adam (Kingma & Ba, 2014, Algorithm 1) as a torch optimizer, one parameter tensor at a time.

    .. math::

        m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t, \quad v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2, \quad
        \theta_t = \theta_{t-1} - \alpha\, \frac{m_t/(1-\beta_1^t)}{\sqrt{v_t/(1-\beta_2^t)} + \epsilon}

    Parameters
    ----------
    params : iterable
        Parameters or parameter groups, as for ``torch.optim.Adam``.
    lr : float, default 1e-3
        Step size :math:`\alpha`, in [0, inf).
    betas : (float, float), default (0.9, 0.999)
        :math:`(\beta_1, \beta_2)`, each in [0, 1) (torch's name and order).
    eps : float, default 1e-8
        :math:`\epsilon`, added to :math:`\sqrt{\hat v_t}` as in Algorithm 1 (and torch).
    bias_correction : bool, default True
        Divide the moments by :math:`1-\beta^t` (Section 3). ``False`` gives the uncorrected Adam of Fig. 4.

    References
    ----------
    Kingma & Ba, "Adam: A Method for Stochastic Optimization", arXiv:1412.6980, Algorithm 1.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, bias_correction=True):
        if not 0.0 <= lr:
            raise ValueError(f"The 'lr' parameter (α) of PaperAdam must be in [0, inf). Got {lr!r} instead.")
        for i, beta in enumerate(betas):
            if not 0.0 <= beta < 1.0:
                raise ValueError(
                    f"The 'betas[{i}]' parameter (β{i + 1}) of PaperAdam must be in [0, 1). Got {beta!r} instead."
                )
        if not 0.0 <= eps:
            raise ValueError(f"The 'eps' parameter (ε) of PaperAdam must be in [0, inf). Got {eps!r} instead.")
        defaults = {"lr": lr, "betas": tuple(betas), "eps": eps, "bias_correction": bool(bias_correction)}
        super().__init__(params, defaults)

    @torch.no_grad()
    def step(self, closure=None):
        """One update of every parameter that has a gradient; returns ``closure()``'s loss if given."""
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
            for theta in group["params"]:
                if theta.grad is None:
                    continue
                g = theta.grad
                state = self.state[theta]
                if not state:  # t = 0, m_0 = v_0 = 0
                    state["t"] = 0
                    state["m"] = torch.zeros_like(theta)
                    state["v"] = torch.zeros_like(theta)
                state["t"] += 1
                t, m, v = state["t"], state["m"], state["v"]
                m.mul_(beta1).add_((1 - beta1) * g)  # m_t = β1 m_{t-1} + (1 - β1) g_t
                v.mul_(beta2).add_((1 - beta2) * g * g)  # v_t = β2 v_{t-1} + (1 - β2) g_t²
                if group["bias_correction"]:
                    m_hat = m / (1 - beta1**t)  # m̂_t = m_t / (1 - β1^t)
                    v_hat = v / (1 - beta2**t)  # v̂_t = v_t / (1 - β2^t)
                else:
                    m_hat, v_hat = m, v
                theta.sub_(lr * m_hat / (v_hat.sqrt() + eps))  # θ_t = θ_{t-1} - α m̂_t / (√v̂_t + ε)
        return loss
