r"""Read Adam's per-coordinate scale :math:`\sqrt{\hat v_t}` out of an optimizer, to compare it with :math:`\epsilon`.

Late in training the gradients, and so :math:`\hat v_t`, become small: where :math:`\sqrt{\hat v_t}`
approaches :math:`\epsilon` the step :math:`\alpha\,\hat m_t/(\sqrt{\hat v_t}+\epsilon)` stops being
scale-free and :math:`\epsilon` starts to set its size (the paper's remark on Fig. 3).
"""

from __future__ import annotations

from typing import Any

from .backend import require_torch

torch = require_torch()


def sqrt_v_hat(optimizer: Any) -> Any:
    r"""All :math:`\sqrt{\hat v_t} = \sqrt{v_t/(1-\beta_2^t)}` of an Adam-type optimizer, as one flat float64 tensor.

    Works for ``torch.optim.Adam``/``AdamW`` (state ``exp_avg_sq`` and ``step``) and for
    :class:`~adam_edu.labs.torch_adam.PaperAdam` (state ``v`` and ``t``). Parameters not yet updated
    are skipped.
    """
    values = []
    for group in optimizer.param_groups:
        beta2 = group["betas"][1]
        for p in group["params"]:
            state = optimizer.state.get(p, {})
            if "exp_avg_sq" in state:
                v, t = state["exp_avg_sq"], float(state["step"])
            elif "v" in state:
                v, t = state["v"], float(state["t"])
            else:
                continue
            correction = 1 - beta2**t if group.get("bias_correction", True) else 1.0
            values.append((v.detach().double() / correction).sqrt().flatten().cpu())
    if not values:
        raise ValueError("The optimizer holds no Adam second moments yet: call step() first.")
    return torch.cat(values)
