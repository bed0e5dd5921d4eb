"""Exercise 10: Adam as a ``torch.optim.Optimizer`` subclass that matches ``torch.optim.Adam`` step for step.

Contract::

    class MyAdam(torch.optim.Optimizer):
        def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8): ...
        def step(self, closure=None): ...  # returns closure() when given, else None

Parameter groups with their own ``lr``, ``betas`` and ``eps`` are honoured; parameters whose ``.grad`` is
None are skipped. torch is imported only when the checker runs.
"""

from __future__ import annotations

from typing import Any

from ._harness import STUB_MESSAGE, fail, fmt, quiet, require_callable, student_facing

__tracebackhide__ = True  # pytest shows the learner's frames and the message, not the checker's

STEPS = 25


def _build(torch, dtype):
    """Parameters for three groups, data and a loss with gradients of very different sizes (1e-7 .. 10)."""
    generator = torch.Generator().manual_seed(0)
    weight = torch.randn(4, 3, generator=generator, dtype=dtype)
    bias = torch.randn(3, generator=generator, dtype=dtype)
    small = torch.randn(5, generator=generator, dtype=dtype)
    unused = torch.randn(2, generator=generator, dtype=dtype)
    data = torch.randn(8, 4, generator=generator, dtype=dtype)
    target = torch.randn(8, 3, generator=generator, dtype=dtype)
    return [weight, bias, small, unused], data, target


def _loss(params, data, target, step):
    weight, bias, small, _ = params
    fit = ((data @ weight + bias - target) ** 2).mean()
    return fit * (1.0 + 0.1 * step) + 1e-7 * (small**2).sum()


def _groups(params, torch_style: bool):
    weight, bias, small, unused = params
    return [
        {"params": [weight]},
        {"params": [bias], "lr": 0.05, "betas": (0.5, 0.9)},
        {"params": [small, unused], "lr": 0.01, "eps": 1e-6},
    ]


@student_facing
def check_torch_adam(cls: Any) -> None:
    """Check an Adam written as a ``torch.optim.Optimizer`` subclass against ``torch.optim.Adam``.

    Runs both for 25 steps on three parameter groups (their own lr, betas and eps; one parameter without
    gradient; gradients from 1e-7 to 10) in float64 and float32, and compares every parameter after every
    step. Raises AssertionError at the first difference; prints one line when everything matches.
    """
    import torch

    require_callable("check_torch_adam", cls, "check_torch_adam(MyAdam)")
    name = getattr(cls, "__name__", "MyAdam")
    if not (isinstance(cls, type) and issubclass(cls, torch.optim.Optimizer)):
        fail(
            f"{name} is not a subclass of torch.optim.Optimizer.",
            f"{name}",
            "",
            f"declare it as `class {name}(torch.optim.Optimizer):` and call `super().__init__(params, defaults)`.",
        )
    _check_defaults(torch, cls, name)
    for dtype, rtol, atol in ((torch.float64, 1e-10, 1e-12), (torch.float32, 1e-5, 1e-6)):
        _compare_runs(torch, cls, name, dtype, rtol, atol)
    print(f"{name} matches torch.optim.Adam: {STEPS} steps, 3 parameter groups, float64 and float32.")


def _construct(cls, name, args, kwargs, case):
    try:
        with quiet():
            return cls(*args, **kwargs)
    except NotImplementedError:
        raise AssertionError(STUB_MESSAGE.format(name=f"{name}.__init__")) from None
    except Exception as exc:
        raise AssertionError(f"{name}(...) raised {type(exc).__name__}: {exc}\nCase: {case}") from exc


def _check_defaults(torch, cls, name):
    param = torch.zeros(2, requires_grad=True)
    case = f"{name}([param]) with no other argument"
    optimizer = _construct(cls, name, ([param],), {}, case)
    group = optimizer.param_groups[0]
    expected = {"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8}
    for key, value in expected.items():
        if key not in group:
            fail(
                f"{name}'s parameter groups have no '{key}'.",
                case,
                "",
                "pass the defaults to super().__init__(params, dict(lr=lr, betas=betas, eps=eps)).",
            )
        got = tuple(group[key]) if key == "betas" else group[key]
        if got != value:
            fail(f"{name}'s default {key} is {got!r}; it should be {value!r}, as in torch.optim.Adam.", case, "", "")


def _compare_runs(torch, cls, name, dtype, rtol, atol):
    reference_params, data, target = _build(torch, dtype)
    student_params = [p.clone() for p in reference_params]
    for p in (*reference_params, *student_params):
        p.requires_grad_(True)
    reference = torch.optim.Adam(_groups(reference_params, True), lr=1e-3, foreach=False)
    case = f"3 parameter groups, {str(dtype).replace('torch.', '')}"
    student = _construct(cls, name, (_groups(student_params, False),), {"lr": 1e-3}, case)
    labels = (
        "weight (group 0: defaults)",
        "bias (group 1: lr=0.05, betas=(0.5, 0.9))",
        "small (group 2: lr=0.01, eps=1e-6, gradients ~1e-7)",
        "unused (group 2, grad None)",
    )
    for step in range(1, STEPS + 1):
        for params, optimizer in ((reference_params, reference), (student_params, student)):
            optimizer.zero_grad()
            loss = _loss(params, data, target, step)
            loss.backward()
        closure_loss = _loss(reference_params, data, target, step).detach()
        with torch.no_grad():
            reference.step()
        returned = _student_step(student, name, step, case, lambda loss=closure_loss: loss)
        if step == 1 and returned is None:
            fail(
                f"{name}.step(closure) returned None.",
                f"{case}, step 1",
                "",
                "when a closure is given, call it (under torch.enable_grad()) and return its loss.",
            )
        for label, ref, got in zip(labels, reference_params, student_params, strict=True):
            if got.dtype != ref.dtype:
                fail(
                    f"{name} changed the dtype of {label} to {got.dtype}.",
                    f"{case}, step {step}",
                    "",
                    "update parameters in place (p.add_, p.addcdiv_) so they keep their dtype.",
                )
            close = torch.isclose(got.detach(), ref.detach(), rtol=rtol, atol=atol)
            if not bool(close.all()):
                index = tuple(int(i) for i in (~close).nonzero()[0])
                hint = _hint(label, step)
                fail(
                    f"{name} disagrees with torch.optim.Adam on {label}.",
                    f"{case}, after step {step}",
                    f"At index {index}: expected {fmt(ref.detach()[index])}, got {fmt(got.detach()[index])}.",
                    hint,
                )


def _student_step(student, name, step, case, closure):
    try:
        with quiet():
            return student.step(closure)
    except NotImplementedError:
        raise AssertionError(STUB_MESSAGE.format(name=f"{name}.step")) from None
    except RuntimeError as exc:
        hint = ""
        if "leaf Variable" in str(exc) or "requires grad" in str(exc):
            hint = "\nHint: decorate step with @torch.no_grad(): parameters are updated in place without autograd."
        raise AssertionError(f"{name}.step raised RuntimeError: {exc}\nCase: {case}, step {step}{hint}") from exc
    except Exception as exc:
        raise AssertionError(f"{name}.step raised {type(exc).__name__}: {exc}\nCase: {case}, step {step}") from exc


def _hint(label: str, step: int) -> str:
    if "grad None" in label:
        return "skip parameters whose .grad is None (they took no part in the loss)."
    if "group 1" in label or "group 2" in label:
        hint = "read lr, betas and eps from each parameter group (for group in self.param_groups), not the defaults."
        if "~1e-7" in label:
            hint += " These gradients are tiny, so eps matters: sqrt(v_hat) + eps, eps outside the square root."
        return hint
    if step == 1:
        return (
            "at t = 1 Adam moves each coordinate by lr * m_hat / (sqrt(v_hat) + eps), about lr * sign(g): check "
            "the bias corrections and where eps goes."
        )
    return (
        "keep the state per parameter in self.state[p] (step count, exp_avg, exp_avg_sq), and count t "
        "from 1 on the first step."
    )
