"""One Adam update with every part that learners' code changes made a knob: the known mistakes of the Adam family.

:func:`variant` builds the step of Adam, AMSGrad (torch's form), Adam + L2 or AdamW with some knobs
turned; all knobs at their defaults give the contract's reference. A mistake is a setting of one knob
(:func:`adam_edu.checks._steps.knob`), so mistakes that turn different knobs combine, and code with two
or three of them gets each one named.

Knobs and their values (the first is the contract's):

- ``correct``: ``both`` | ``none`` | ``m_only`` | ``v_only``: which moments are bias-corrected;
- ``power``: ``t`` | ``t-1`` | ``t+1`` | ``1`` | ``2``: the exponent in ``1 - beta**power``;
- ``corr_beta``: ``right`` | ``v_beta1`` | ``m_beta2``: a correction that uses the other beta;
- ``eps``: ``outside`` | ``inside`` (``sqrt(v_hat + eps)``) | ``inside_raw`` (``sqrt((v + eps) / (1-beta2**t))``) |
  ``hat_const`` (the efficient form with a constant eps) | ``hat_no_sqrt`` (the same, its step size missing a
  square root) | ``inside_and_outside`` (optax's eps_root = eps) | ``theta+`` | ``theta-``;
- ``sqrt``: ``True`` | ``False``; ``betas``: ``right`` | ``swapped``; ``v_of``: ``g2`` | ``abs`` | ``g``;
- ``m_weight``, ``v_weight``: ``right`` | ``no_one_minus`` | ``swapped``;
- ``sign``: ``down`` | ``up``; ``state``: ``raw`` | ``hat`` (the corrected moments returned as state);
- ``numerator``: ``m_hat`` | ``g``; ``lr_sched``: ``constant`` | ``sqrt_t`` (``lr / sqrt(t)``);
- AMSGrad: ``max_of``: ``v`` | ``v_hat`` | ``g2`` | ``old_v``; ``max_fn``: ``maximum`` | ``minimum``;
  ``max_returned``: ``new`` | ``old``; ``v_from``: ``v`` | ``v_max``; ``denominator``: ``v_max`` | ``v``;
- weight decay: ``decay``: ``contract`` | ``none`` | ``l2`` | ``decoupled`` | ``both`` | ``l2_m_only`` |
  ``after`` | ``in_direction`` | ``on_moments``; ``decay_scale``: ``right`` | ``negative`` | ``double`` |
  ``half`` | ``times_lr`` | ``without_lr``; ``decay_at_first``: ``True`` | ``False``.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

__tracebackhide__ = True  # pytest shows the learner's frames and the message, not the checker's

RIGHT = {
    "correct": "both",
    "power": "t",
    "corr_beta": "right",
    "eps": "outside",
    "sqrt": True,
    "betas": "right",
    "v_of": "g2",
    "m_weight": "right",
    "v_weight": "right",
    "sign": "down",
    "state": "raw",
    "numerator": "m_hat",
    "lr_sched": "constant",
    "max_of": "v",
    "max_fn": "maximum",
    "max_returned": "new",
    "v_from": "v",
    "denominator": "v_max",
    "decay": "contract",
    "decay_scale": "right",
    "decay_at_first": True,
}
CONTRACT_DECAY = {"adam": "none", "amsgrad": "none", "adam_l2": "l2", "adamw": "decoupled"}


def _average(old, new, beta, weight):
    if weight == "no_one_minus":
        return beta * old + new
    if weight == "swapped":
        return (1 - beta) * old + beta * new
    return beta * old + (1 - beta) * new


def _correction(beta, power, t):
    exponent = {"t": t, "t-1": t - 1, "t+1": t + 1, "1": 1, "2": 2}[power]
    return 1 - beta**exponent


def _update(k, kind, theta, g, m, v, v_max, t, lr, beta1, beta2, eps, weight_decay):
    b1, b2 = (beta2, beta1) if k["betas"] == "swapped" else (beta1, beta2)
    decay = CONTRACT_DECAY[kind] if k["decay"] == "contract" else k["decay"]
    scale = {"right": 1.0, "negative": -1.0, "double": 2.0, "half": 0.5, "times_lr": lr, "without_lr": 1 / lr}
    wd = weight_decay * scale[k["decay_scale"]] if (k["decay_at_first"] or t > 1) else 0.0
    g_m = g + wd * theta if decay in ("l2", "both", "l2_m_only") else g
    g_v = g + wd * theta if decay in ("l2", "both") else g
    if decay == "on_moments":
        m, v = m * (1 - lr * wd), v * (1 - lr * wd)
    m_new = _average(m, g_m, b1, k["m_weight"])
    square = {"g2": g_v**2, "abs": np.abs(g_v), "g": g_v}[k["v_of"]]
    v_prev = v_max if (kind == "amsgrad" and k["v_from"] == "v_max") else v
    v_new = _average(v_prev, square, b2, k["v_weight"])
    c1 = (
        _correction(b2 if k["corr_beta"] == "m_beta2" else b1, k["power"], t)
        if k["correct"] in ("both", "m_only")
        else 1
    )
    c2 = (
        _correction(b1 if k["corr_beta"] == "v_beta1" else b2, k["power"], t)
        if k["correct"] in ("both", "v_only")
        else 1
    )
    v_max_out = None
    if kind == "amsgrad":
        over = {"v": v_new, "v_hat": v_new / c2, "g2": square, "old_v": v}[k["max_of"]]
        max_new = (np.minimum if k["max_fn"] == "minimum" else np.maximum)(v_max, over)
        if k["denominator"] == "v":
            v_hat = v_new / c2
        else:
            v_hat = max_new if k["max_of"] == "v_hat" else max_new / c2
        v_max_out = max_new if k["max_returned"] == "new" else v_max
    else:
        v_hat = v_new / c2
    m_hat = m_new / c1
    numerator = m_hat if k["numerator"] == "m_hat" else g
    if decay == "in_direction":
        numerator = numerator + wd * theta
    root = np.sqrt(v_hat) if k["sqrt"] else v_hat
    if k["eps"] == "inside":
        denominator = np.sqrt(v_hat + eps) if k["sqrt"] else v_hat + eps
    elif k["eps"] == "inside_and_outside":
        denominator = (np.sqrt(v_hat + eps) if k["sqrt"] else v_hat + eps) + eps
    elif k["eps"] == "inside_raw":  # sqrt((v + eps) / c2)
        denominator = np.sqrt(v_hat + eps / c2) if k["sqrt"] else v_hat + eps / c2
    elif k["eps"] == "hat_const":  # lr sqrt(c2)/c1 * m/(sqrt(v) + eps) = lr m_hat/(sqrt(v_hat) + eps/sqrt(c2))
        denominator = root + eps / np.sqrt(c2)
    elif k["eps"] == "hat_no_sqrt":  # lr c2/c1 * m/(sqrt(v) + eps)
        denominator = (np.sqrt(v_hat * c2) + eps) / c2
    elif k["eps"] in ("theta+", "theta-"):
        denominator = root
    else:
        denominator = root + eps
    lr_t = lr / np.sqrt(t) if k["lr_sched"] == "sqrt_t" else lr
    step = lr_t * numerator / denominator
    start = theta * (1 - lr * wd) if decay in ("decoupled", "both") else theta
    new = start + step if k["sign"] == "up" else start - step
    if decay == "after":
        new = new * (1 - lr * wd)
    if k["eps"] in ("theta+", "theta-"):
        new = new + eps if k["eps"] == "theta+" else new - eps
    m_out, v_out = (m_hat, v_new / c2) if k["state"] == "hat" else (m_new, v_new)
    return (new, m_out, v_out, v_max_out) if kind == "amsgrad" else (new, m_out, v_out)


def variant(kind: str) -> Callable[..., Callable]:
    """``variant(kind)(**knobs)``: the step of ``kind`` (adam, amsgrad, adam_l2, adamw) with ``knobs`` turned."""
    if kind not in CONTRACT_DECAY:
        raise ValueError(f"kind must be one of {', '.join(CONTRACT_DECAY)}; got {kind!r}")

    def build(**knobs):
        unknown = set(knobs) - set(RIGHT)
        if unknown:
            raise ValueError(f"unknown knobs {sorted(unknown)}; the knobs are {', '.join(RIGHT)}")
        k = {**RIGHT, **knobs}
        if kind == "amsgrad":

            def amsgrad_step(theta, g, m, v, v_max, t, lr, beta1, beta2, eps):
                return _update(k, kind, theta, g, m, v, v_max, t, lr, beta1, beta2, eps, 0.0)

            return amsgrad_step
        if kind == "adam":

            def adam_step(theta, g, m, v, t, lr, beta1, beta2, eps):
                return _update(k, kind, theta, g, m, v, None, t, lr, beta1, beta2, eps, 0.0)

            return adam_step

        def decay_step(theta, g, m, v, t, lr, beta1, beta2, eps, weight_decay):
            return _update(k, kind, theta, g, m, v, None, t, lr, beta1, beta2, eps, weight_decay)

        return decay_step

    return build


def core_mistakes(kind: str) -> tuple:
    """The mistakes every member of the family can make, worded for ``kind`` (its v is v_max for AMSGrad)."""
    from ._steps import knob

    build = variant(kind)
    v = "v_max" if kind == "amsgrad" else "v"
    step = f"lr * m_hat / (np.sqrt({v} / (1 - beta2**t)) + eps)"
    library = {
        "adam": "torch.optim.Adam",
        "amsgrad": "torch.optim.Adam(amsgrad=True)",
        "adam_l2": "torch.optim.Adam(weight_decay=...)",
        "adamw": "torch.optim.AdamW",
    }[kind]
    keras = {
        "adam": "Keras (keras.optimizers.Adam) and TensorFlow 1's AdamOptimizer",
        "amsgrad": "Keras (keras.optimizers.Adam(amsgrad=True))",
        "adam_l2": "Keras (keras.optimizers.Adam) and TensorFlow 1's AdamOptimizer",
        "adamw": "Keras (keras.optimizers.AdamW)",
    }[kind]
    return (
        knob(
            build,
            f"m and {v} are not bias-corrected: divide m "
            f"by (1 - beta1**t) and {v} by (1 - beta2**t) before the step, and return the raw moments.",
            correct="none",
        ),
        knob(
            build,
            f"only m is bias-corrected: {v} is not bias-corrected; take the square root of {v} / (1 - beta2**t), "
            f"not of {v}.",
            correct="m_only",
        ),
        knob(
            build,
            "only v is bias-corrected: m is not bias-corrected; divide m by (1 - beta1**t) too.",
            correct="v_only",
        ),
        knob(
            build,
            "your bias correction uses t - 1 in place of t (as if t counted from 0). Here t is the 1-based count "
            "of this update: the first call has t=1 and divides by 1 - beta1**1.",
            power="t-1",
        ),
        knob(
            build,
            "your bias correction uses t + 1 in place of t: t is already the count of this update (1 on the first "
            "call), so use beta1**t and beta2**t as they are.",
            power="t+1",
        ),
        knob(
            build,
            "your update matches a bias correction with t fixed at 1: use the t you are given in "
            "beta1**t and beta2**t.",
            power="1",
        ),
        knob(
            build,
            "your bias correction uses beta**2 where it should use beta**t (the powers grow with the step count).",
            power="2",
        ),
        knob(build, f"{v} is bias-corrected with beta1: divide {v} by 1 - beta2**t.", corr_beta="v_beta1"),
        knob(build, "m is bias-corrected with beta2: divide m by 1 - beta1**t.", corr_beta="m_beta2"),
        knob(
            build,
            f"eps is inside the square root, np.sqrt({v} / (1 - beta2**t) + eps): the convention of TensorFlow 1's "
            "and Keras's RMSprop (and optax's Adam keeps a separate eps_root there, 0 by default, besides its eps "
            f"outside), not this contract's. Kingma & Ba's Algorithm 1, like {library}, adds eps outside the "
            f"square root: m_hat / (np.sqrt({v} / (1 - beta2**t)) + eps).",
            convention=True,
            eps="inside",
        ),
        knob(
            build,
            "eps appears twice, inside and outside the square root, m_hat / (np.sqrt(v_hat + eps) + eps): the form "
            "of optax.adam with eps_root = eps (optax's convention; its eps_root is 0 by default). This contract, "
            f"like {library}, adds eps once, outside: m_hat / (np.sqrt(v_hat) + eps).",
            convention=True,
            eps="inside_and_outside",
        ),
        knob(
            build,
            f"this is the paper's efficient form with a constant eps, the convention of {keras}, whose epsilon is "
            "the paper's eps_hat. This contract is Kingma & Ba's Algorithm 1 "
            f"(as {library}); the efficient form equals it only with eps_hat = eps * sqrt(1 - beta2**t) in place "
            "of eps.",
            convention=True,
            eps="hat_const",
        ),
        knob(
            build,
            f"eps is inside the square root and added to the raw {v} before the correction, np.sqrt(({v} + eps) / "
            f"(1 - beta2**t)). Algorithm 1 adds eps outside the square root of the corrected {v}: "
            f"m_hat / (np.sqrt({v} / (1 - beta2**t)) + eps).",
            eps="inside_raw",
        ),
        knob(
            build,
            "this is the paper's efficient form (Keras's convention, a constant eps) with its step size missing the "
            "square root on 1 - beta2**t: lr * sqrt(1 - beta2**t) / (1 - beta1**t), not lr * (1 - beta2**t) / "
            "(1 - beta1**t). "
            "This contract is Algorithm 1; the efficient form equals it with eps_hat = eps * sqrt(1 - beta2**t).",
            convention=False,
            eps="hat_no_sqrt",
        ),
        knob(
            build,
            "eps is added to the parameters; it belongs in the denominator: m_hat / (np.sqrt(v_hat) + eps).",
            eps="theta+",
        ),
        knob(
            build,
            "eps is subtracted from the parameters; it belongs in the denominator: m_hat / (np.sqrt(v_hat) + eps).",
            eps="theta-",
        ),
        knob(
            build,
            f"the step divides by {v}_hat itself: there is no square root. Divide by the square root, "
            f"np.sqrt({v}_hat) + eps, not by {v}_hat itself.",
            sqrt=False,
        ),
        knob(
            build, "beta1 and beta2 are swapped: m averages g with beta1, v averages g**2 with beta2.", betas="swapped"
        ),
        knob(build, "v must average the squared gradient g**2 (elementwise), not |g|.", v_of="abs"),
        knob(build, "v must average the squared gradient, g**2, not g: the gradient is not squared.", v_of="g"),
        knob(build, "m is missing the factor (1 - beta1): m = beta1 * m + (1 - beta1) * g.", m_weight="no_one_minus"),
        knob(
            build, "v is missing the factor (1 - beta2): v = beta2 * v + (1 - beta2) * g**2.", v_weight="no_one_minus"
        ),
        knob(
            build,
            "the weights of m are swapped: the old m keeps beta1 and the new g gets (1 - beta1).",
            m_weight="swapped",
        ),
        knob(
            build,
            "the weights of v are swapped: the old v keeps beta2 and the new g**2 gets (1 - beta2).",
            v_weight="swapped",
        ),
        knob(build, f"the step goes uphill: subtract {step} from theta.", sign="up"),
        knob(
            build,
            "you return the bias-corrected m_hat and v_hat as the new state. Return the raw m and v: the "
            "correction is computed afresh at every step and never fed back into the averages.",
            state="hat",
        ),
        knob(build, f"the step uses the raw g in the numerator: Adam steps along m_hat, not g: {step}.", numerator="g"),
        knob(
            build,
            "your step size decays as lr / sqrt(t): that is the convention of the papers' convergence analyses "
            "(Kingma & Ba's Theorem 4.1, Reddi et al.'s theorem for AMSGrad), not of "
            f"{library}. This contract keeps lr constant.",
            convention=True,
            lr_sched="sqrt_t",
        ),
    )
