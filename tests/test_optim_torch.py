"""Our numpy optimizers against torch.optim, step for step, on the same gradients (float64).

Each case runs 300 steps on whole arrays. Both optimizers are fed the SAME gradient sequence: at each
step the gradient is computed once (from our current theta), torch's parameter is set to that same
theta, ``p.grad`` is set to that gradient and ``torch.optim``'s ``step()`` is called, while ours takes
its step. Each optimizer keeps its own state for all 300 steps; only the parameter is re-synchronised,
so rounding differences cannot snowball through theta-dependent gradients (near a minimum Adam's
``1/sqrt(v)`` amplifies them by orders of magnitude) and every single step can be held to rtol 1e-9.
We compare every step Delta_t = theta_t - theta_{t-1} (not just theta, which would hide a wrong step
below rtol * |theta|) and the final state. Where the gradient ignores theta (no L2 term), two fully
independent runs are compared as well, whole path against whole path.

Gradients have mixed scales (each coordinate has its own scale 10**uniform(-6, 3), times N(0, 1)), so
the epsilon and the adaptive scaling are both exercised; the "linear" family makes the gradient depend
on the parameters (g = a * theta + noise), so the weight decay paths see a moving theta.

Convention mapping (ours -> torch), where names differ:

- ``beta1, beta2`` -> ``betas=(beta1, beta2)``.
- ``AMSGrad(...)`` -> ``torch.optim.Adam(..., amsgrad=True)``; ``v_max`` -> ``max_exp_avg_sq``.
- ``RMSProp(beta2=b)`` -> ``torch.optim.RMSprop(alpha=b)`` (torch's ``alpha`` is the decay rate, not the step size).
- ``Momentum(lr, momentum)`` -> ``torch.optim.SGD(lr, momentum)`` with dampening 0; our ``velocity`` is
  torch's ``momentum_buffer`` (torch sets it to g_1 on the first step, which equals our b_1 = mu * 0 + g_1).
- ``Nesterov`` -> ``torch.optim.SGD(..., nesterov=True)``.
- ``AdaGrad`` -> ``torch.optim.Adagrad`` with ``lr_decay=0`` and ``initial_accumulator_value=0``; ``sum_sq`` -> ``sum``.
- ``AdaDelta`` -> ``torch.optim.Adadelta`` (same names); ``v`` -> ``square_avg``, ``delta_sq`` -> ``acc_delta``.
- ``RMSPropMomentum(beta2=b, momentum=mu)`` -> ``torch.optim.RMSprop(alpha=b, momentum=mu)``; ``velocity`` ->
  ``momentum_buffer``.
- ``Adafactor(eps1=e1, eps2=e2)`` -> ``torch.optim.Adafactor(eps=(e1, e2))``; the state keeps torch's names and
  shapes (``row_var``, ``col_var`` for ndim >= 2, ``variance`` below; the fields a shape does not use are None).
- ``AdaMax`` (paper: ``u = max(beta2 u, |g|)``) -> ``torch.optim.Adamax`` with ``eps=0``; torch puts eps
  inside the max (``max(beta2 u, |g| + eps)``), see the Adamax tests at the end.
- ``weight_decay`` of Adam, AMSGrad, NAdam, RAdam, AdaMax: L2 added to the gradient, as torch's default
  (``decoupled_weight_decay=False``); AdamW's is torch.optim.AdamW's ``theta *= 1 - lr * weight_decay``.
- State: ``m`` -> ``exp_avg``, ``v`` -> ``exp_avg_sq``, ``u`` -> ``exp_inf``, ``t`` -> ``step``.
- Precision: torch keeps scalar state (``step``, NAdam's ``mu_product``) in its default dtype, float32
  unless told otherwise, which alone moves NAdam by ~1e-7; the tests run with float64 as torch's default.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np
import pytest

from adam_edu.optim import (
    SGD,
    AdaDelta,
    Adafactor,
    AdaGrad,
    Adam,
    AdaMax,
    AdamW,
    AMSGrad,
    Momentum,
    NAdam,
    Nesterov,
    RAdam,
    RMSProp,
    RMSPropMomentum,
)

torch = pytest.importorskip(
    "torch", reason="torch is not installed: pip install torch==2.13.0 (CPU) to run the torch comparisons"
)

pytestmark = pytest.mark.torch

STEPS = 300
RTOL = 1e-9
# Absolute floors, for values that cross zero (where no relative tolerance can hold):
# a step may differ by 1e-14 of |theta| (a few roundings of theta itself, which both sides do when
# they add the step); the signed moments m and velocity by 1e-12 of the coordinate's largest |g|.
STEP_FLOOR = 1e-14
MOMENT_FLOOR = 1e-12
SHAPES = [(4, 5), (7,)]


def mixed_scale_noise(shape: tuple[int, ...], steps: int, seed: int) -> np.ndarray:
    """``steps`` gradients of ``shape``: each coordinate has its own scale in [1e-6, 1e3], times N(0, 1)."""
    rng = np.random.default_rng(seed)
    scale = 10.0 ** rng.uniform(-6, 3, size=shape)
    return scale * rng.standard_normal((steps, *shape))


def gradient_source(kind: str, shape: tuple[int, ...], seed: int) -> Callable[[np.ndarray, int], np.ndarray]:
    """``grad(theta, k)`` for step ``k``: pure noise, or a linear pull toward 0 plus noise."""
    noise = mixed_scale_noise(shape, STEPS, seed)
    if kind == "noise":
        return lambda theta, k: noise[k]
    curvature = np.random.default_rng(seed + 1000).uniform(0.1, 2.0, size=shape)
    return lambda theta, k: curvature * theta + 1e-2 * noise[k]


def run_ours(opt, theta0: np.ndarray, grad: Callable) -> np.ndarray:
    """Our path theta_0..theta_T, alone."""
    theta, state = theta0.copy(), opt.init(theta0)
    path = [theta]
    for k in range(STEPS):
        theta, state = opt.step(theta, grad(theta, k), state)
        path.append(theta)
    return np.array(path)


@dataclasses.dataclass
class Lockstep:
    """Both optimizers from the same points with the same gradients; arrays are (step, *shape)."""

    before: np.ndarray  # theta_{t-1}: where both take step t from
    ours: np.ndarray  # our theta_t
    theirs: np.ndarray  # torch's theta_t
    state: Any  # our final state
    torch_state: dict  # torch's final state for the parameter
    largest_grad: np.ndarray  # each coordinate's largest |g| over the run


def run_lockstep(opt, make_torch: Callable, theta0: np.ndarray, grad: Callable) -> Lockstep:
    param = torch.tensor(theta0, dtype=torch.float64, requires_grad=True)
    torch_opt = make_torch([param])
    theta, state = theta0.copy(), opt.init(theta0)
    before, ours, theirs, largest_grad = [], [], [], np.zeros_like(theta0)
    for k in range(STEPS):
        g = grad(theta, k)  # the SAME gradient, computed once, for both
        largest_grad = np.maximum(largest_grad, np.abs(g))
        with torch.no_grad():
            param.copy_(torch.tensor(theta))  # torch steps from our theta_{t-1}
        param.grad = torch.tensor(g)
        torch_opt.step()
        before.append(theta)
        theta, state = opt.step(theta, g, state)
        ours.append(theta)
        theirs.append(param.detach().numpy().copy())
    return Lockstep(np.array(before), np.array(ours), np.array(theirs), state, torch_opt.state[param], largest_grad)


@pytest.fixture(autouse=True)
def torch_float64_scalars():
    """torch keeps scalar state (NAdam's mu_product, every 'step') in the default dtype, float32 unless
    told otherwise; NAdam's float32 mu_product alone moves the parameters by ~1e-7 relative. Run each
    test with float64 as the default dtype, then restore it."""
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(previous)


def as_numpy(value) -> np.ndarray:
    return value.detach().numpy() if torch.is_tensor(value) else np.asarray(value)


# (case id, our optimizer, torch constructor, {our state field: torch state key})
MOMENTS = {"m": "exp_avg", "v": "exp_avg_sq"}
ADAFACTOR = {"row_var": "row_var", "col_var": "col_var", "variance": "variance"}  # per shape: see assert_same_run
CASES = [
    # Adam: Algorithm 1, eps added to sqrt(v_hat) in both.
    ("adam-defaults", Adam(), lambda p: torch.optim.Adam(p), MOMENTS),
    (
        "adam-fast",
        Adam(lr=0.05, beta1=0.5, beta2=0.99, eps=1e-6),
        lambda p: torch.optim.Adam(p, lr=0.05, betas=(0.5, 0.99), eps=1e-6),
        MOMENTS,
    ),
    (
        "adam-eps0-beta1-0",
        Adam(lr=0.01, beta1=0.0, beta2=0.9, eps=0.0),
        lambda p: torch.optim.Adam(p, lr=0.01, betas=(0.0, 0.9), eps=0.0),
        MOMENTS,
    ),
    # torch's weight_decay in Adam is an L2 term added to the gradient, as ours.
    (
        "adam-l2",
        Adam(lr=0.01, weight_decay=0.1),
        lambda p: torch.optim.Adam(p, lr=0.01, weight_decay=0.1),
        MOMENTS,
    ),
    (
        "adam-l2-strong",
        Adam(lr=0.003, beta1=0.8, beta2=0.95, eps=1e-7, weight_decay=2.0),
        lambda p: torch.optim.Adam(p, lr=0.003, betas=(0.8, 0.95), eps=1e-7, weight_decay=2.0),
        MOMENTS,
    ),
    # AMSGrad: torch keeps the max of the raw v, then bias-corrects it (as ours).
    (
        "amsgrad-defaults",
        AMSGrad(),
        lambda p: torch.optim.Adam(p, amsgrad=True),
        {**MOMENTS, "v_max": "max_exp_avg_sq"},
    ),
    (
        "amsgrad-l2",
        AMSGrad(lr=0.02, beta1=0.5, beta2=0.9, eps=1e-6, weight_decay=0.05),
        lambda p: torch.optim.Adam(p, lr=0.02, betas=(0.5, 0.9), eps=1e-6, weight_decay=0.05, amsgrad=True),
        {**MOMENTS, "v_max": "max_exp_avg_sq"},
    ),
    # AdamW: theta *= 1 - lr * lambda, lambda not rescaled by 1/sqrt(v_hat) (both).
    ("adamw-defaults", AdamW(), lambda p: torch.optim.AdamW(p), MOMENTS),
    (
        "adamw-strong",
        AdamW(lr=0.01, beta1=0.7, beta2=0.99, eps=1e-6, weight_decay=0.5),
        lambda p: torch.optim.AdamW(p, lr=0.01, betas=(0.7, 0.99), eps=1e-6, weight_decay=0.5),
        MOMENTS,
    ),
    # NAdam: Dozat's momentum schedule mu_t, psi = momentum_decay; L2 (not decoupled) decay.
    ("nadam-defaults", NAdam(), lambda p: torch.optim.NAdam(p), {**MOMENTS, "mu_product": "mu_product"}),
    (
        "nadam-custom",
        NAdam(lr=0.01, beta1=0.8, beta2=0.99, eps=1e-7, weight_decay=0.1, momentum_decay=0.01),
        lambda p: torch.optim.NAdam(p, lr=0.01, betas=(0.8, 0.99), eps=1e-7, weight_decay=0.1, momentum_decay=0.01),
        {**MOMENTS, "mu_product": "mu_product"},
    ),
    # RAdam: rectified once rho_t > 5, eps added to sqrt(v) before correction (both).
    ("radam-defaults", RAdam(), lambda p: torch.optim.RAdam(p), MOMENTS),
    (
        "radam-short-memory",
        RAdam(lr=0.01, beta1=0.5, beta2=0.9, eps=1e-6, weight_decay=0.1),
        lambda p: torch.optim.RAdam(p, lr=0.01, betas=(0.5, 0.9), eps=1e-6, weight_decay=0.1),
        MOMENTS,
    ),
    # AdaGrad: torch's lr_decay and initial_accumulator_value left at 0.
    ("adagrad-defaults", AdaGrad(), lambda p: torch.optim.Adagrad(p), {"sum_sq": "sum"}),
    (
        "adagrad-custom",
        AdaGrad(lr=0.3, eps=1e-6),
        lambda p: torch.optim.Adagrad(p, lr=0.3, eps=1e-6),
        {"sum_sq": "sum"},
    ),
    # RMSProp: our beta2 is torch's alpha.
    ("rmsprop-defaults", RMSProp(), lambda p: torch.optim.RMSprop(p), {"v": "square_avg"}),
    (
        "rmsprop-custom",
        RMSProp(lr=0.001, beta2=0.9, eps=1e-6),
        lambda p: torch.optim.RMSprop(p, lr=0.001, alpha=0.9, eps=1e-6),
        {"v": "square_avg"},
    ),
    # SGD and momentum: plain torch.optim.SGD, dampening 0.
    ("sgd", SGD(lr=1e-4), lambda p: torch.optim.SGD(p, lr=1e-4), {}),
    ("sgd-defaults", SGD(), lambda p: torch.optim.SGD(p, lr=0.01), {}),
    (
        "momentum",
        Momentum(lr=1e-4, momentum=0.9),
        lambda p: torch.optim.SGD(p, lr=1e-4, momentum=0.9),
        {"velocity": "momentum_buffer"},
    ),
    (
        "momentum-light",
        Momentum(lr=1e-3, momentum=0.5),
        lambda p: torch.optim.SGD(p, lr=1e-3, momentum=0.5),
        {"velocity": "momentum_buffer"},
    ),
    (
        "nesterov",
        Nesterov(lr=1e-4, momentum=0.9),
        lambda p: torch.optim.SGD(p, lr=1e-4, momentum=0.9, nesterov=True),
        {"velocity": "momentum_buffer"},
    ),
    (
        "nesterov-light",
        Nesterov(lr=1e-3, momentum=0.3),
        lambda p: torch.optim.SGD(p, lr=1e-3, momentum=0.3, nesterov=True),
        {"velocity": "momentum_buffer"},
    ),
    # AdaDelta: Zeiler's Algorithm 1 times torch's lr, eps under both square roots, L2 added to the gradient.
    ("adadelta-defaults", AdaDelta(), lambda p: torch.optim.Adadelta(p), {"v": "square_avg", "delta_sq": "acc_delta"}),
    (
        "adadelta-l2",
        AdaDelta(lr=0.5, rho=0.95, eps=1e-4, weight_decay=0.1),
        lambda p: torch.optim.Adadelta(p, lr=0.5, rho=0.95, eps=1e-4, weight_decay=0.1),
        {"v": "square_avg", "delta_sq": "acc_delta"},
    ),
    # RMSProp with momentum on the rescaled gradient: torch's RMSprop(momentum > 0), our beta2 is its alpha.
    (
        "rmsprop-momentum-defaults",
        RMSPropMomentum(),
        lambda p: torch.optim.RMSprop(p, momentum=0.9),
        {"v": "square_avg", "velocity": "momentum_buffer"},
    ),
    (
        "rmsprop-momentum-custom",
        RMSPropMomentum(lr=0.002, beta2=0.9, momentum=0.5, eps=1e-6),
        lambda p: torch.optim.RMSprop(p, lr=0.002, alpha=0.9, eps=1e-6, momentum=0.5),
        {"v": "square_avg", "velocity": "momentum_buffer"},
    ),
    # Adafactor: factored over the last two axes of a matrix, a full variance for a vector; eps1=None is
    # the dtype's machine epsilon in both; decoupled decay theta *= 1 - lr * weight_decay.
    ("adafactor-defaults", Adafactor(), lambda p: torch.optim.Adafactor(p), ADAFACTOR),
    (
        "adafactor-decay",
        Adafactor(weight_decay=0.1),
        lambda p: torch.optim.Adafactor(p, weight_decay=0.1),
        ADAFACTOR,
    ),
    (
        "adafactor-custom",
        Adafactor(lr=0.5, beta2_decay=-0.5, eps1=1e-3, eps2=1e-2, d=2.0, weight_decay=0.3),
        lambda p: torch.optim.Adafactor(p, lr=0.5, beta2_decay=-0.5, eps=(1e-3, 1e-2), d=2.0, weight_decay=0.3),
        ADAFACTOR,
    ),
    # AdaMax with eps = 0: torch's max(beta2 u, |g| + 0) is the paper's max(beta2 u, |g|).
    (
        "adamax-eps0",
        AdaMax(),
        lambda p: torch.optim.Adamax(p, eps=0.0),
        {"m": "exp_avg", "u": "exp_inf"},
    ),
    (
        "adamax-eps0-l2",
        AdaMax(lr=0.01, beta1=0.5, beta2=0.99, weight_decay=0.1),
        lambda p: torch.optim.Adamax(p, lr=0.01, betas=(0.5, 0.99), eps=0.0, weight_decay=0.1),
        {"m": "exp_avg", "u": "exp_inf"},
    ),
]


SIGNED_FIELDS = {"m", "velocity"}  # averages of signed gradients: they may cross zero


def assert_close(actual, desired, floor, what: str) -> None:
    """|actual - desired| <= RTOL |desired| + floor, elementwise, with a message that shows where not."""
    actual, desired = np.asarray(actual, dtype=float), np.asarray(desired, dtype=float)
    assert actual.shape == desired.shape, f"{what}: shape {actual.shape} vs {desired.shape}"
    bad = np.abs(actual - desired) > RTOL * np.abs(desired) + floor
    assert not bad.any(), (
        f"{what}: {bad.sum()} of {bad.size} values differ beyond rtol {RTOL}, first at index "
        f"{np.argwhere(bad)[0].tolist()}: ours {actual[bad][:3]}, torch {desired[bad][:3]}"
    )


def assert_same_run(run: Lockstep, fields: dict[str, str]) -> None:
    steps_ours, steps_torch = run.ours - run.before, run.theirs - run.before
    assert steps_ours.shape == (STEPS, *run.before.shape[1:])
    # every coordinate must actually move, or the comparison would prove little
    assert np.all(steps_ours != 0)
    assert_close(steps_ours, steps_torch, STEP_FLOOR * np.abs(run.before), "step Delta_t (step, *index)")
    assert run.state.t == STEPS
    if "step" in run.torch_state:  # torch.optim.SGD keeps no step count
        assert int(as_numpy(run.torch_state["step"])) == STEPS
    for ours_name, torch_name in fields.items():
        if torch_name not in run.torch_state:  # Adafactor keeps either the factors or the full variance
            assert getattr(run.state, ours_name) is None, f"state {ours_name} should be None"
            continue
        floor = MOMENT_FLOOR * run.largest_grad if ours_name in SIGNED_FIELDS else 0.0
        expected = as_numpy(run.torch_state[torch_name])
        assert_close(getattr(run.state, ours_name), expected, floor, f"state {ours_name}")


@pytest.mark.parametrize("kind", ["noise", "linear"])
@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize(("case", "opt", "make_torch", "fields"), CASES, ids=[c[0] for c in CASES])
def test_matches_torch_for_300_steps_on_whole_arrays(case, opt, make_torch, fields, shape, kind):
    seed = sum(map(ord, case)) + len(shape)
    theta0 = np.random.default_rng(seed).standard_normal(shape)
    grad = gradient_source(kind, shape, seed)
    assert_same_run(run_lockstep(opt, make_torch, theta0, grad), fields)


NO_FEEDBACK = [case for case in CASES if not getattr(case[1], "weight_decay", 0.0) or case[0].startswith("adamw")]


@pytest.mark.parametrize(("case", "opt", "make_torch", "fields"), NO_FEEDBACK, ids=[c[0] for c in NO_FEEDBACK])
def test_independent_runs_agree_for_300_steps_when_the_gradient_ignores_theta(case, opt, make_torch, fields):
    """No re-synchronisation at all: two separate runs on the same gradient sequence. Without an L2 term
    the gradient does not depend on theta, so nothing amplifies rounding and whole paths agree."""
    shape = (4, 5)
    theta0 = np.random.default_rng(21).standard_normal(shape)
    noise = mixed_scale_noise(shape, STEPS, seed=21)
    ours = run_ours(opt, theta0, lambda theta, k: noise[k])
    param = torch.tensor(theta0, requires_grad=True)
    torch_opt = make_torch([param])
    theirs = [theta0]
    for g in noise:
        param.grad = torch.tensor(g)
        torch_opt.step()
        theirs.append(param.detach().numpy().copy())
    # floor: 1e-12 of the largest value each coordinate takes (for paths that cross zero)
    assert_close(ours, np.array(theirs), 1e-12 * np.abs(ours).max(axis=0), "theta (step, *index)")


def test_every_optimizer_class_is_compared_with_torch():
    compared = {type(opt).__name__ for _, opt, _, _ in CASES}
    assert compared == {
        "SGD",
        "Momentum",
        "Nesterov",
        "AdaGrad",
        "RMSProp",
        "Adam",
        "AdaMax",
        "AMSGrad",
        "AdamW",
        "NAdam",
        "RAdam",
        "AdaDelta",
        "RMSPropMomentum",
        "Adafactor",
    }


def test_the_comparison_catches_a_wrong_hyperparameter():
    """beta2 = 0.999 against torch's 0.998: the check above must fail on it."""
    shape = (4, 5)
    theta0 = np.random.default_rng(1).standard_normal(shape)
    grad = gradient_source("noise", shape, 1)
    run = run_lockstep(Adam(beta2=0.999), lambda p: torch.optim.Adam(p, betas=(0.9, 0.998)), theta0, grad)
    with pytest.raises(AssertionError, match="differ beyond rtol"):
        assert_same_run(run, MOMENTS)


def test_weight_decay_paths_change_the_run():
    """The L2 and decoupled cases above must not pass only because decay had no effect."""
    shape = (4, 5)
    theta0 = np.random.default_rng(3).standard_normal(shape)
    grad = gradient_source("linear", shape, 3)
    for plain, decayed in [
        (Adam(lr=0.01), Adam(lr=0.01, weight_decay=0.1)),
        (AMSGrad(lr=0.01), AMSGrad(lr=0.01, weight_decay=0.1)),
        (AdamW(lr=0.01, weight_decay=0.0), AdamW(lr=0.01, weight_decay=0.5)),
        (NAdam(lr=0.01), NAdam(lr=0.01, weight_decay=0.1)),
        (RAdam(lr=0.01), RAdam(lr=0.01, weight_decay=0.1)),
        (AdaMax(lr=0.01), AdaMax(lr=0.01, weight_decay=0.1)),
        (AdaDelta(), AdaDelta(weight_decay=0.1)),
        (Adafactor(lr=0.05), Adafactor(lr=0.05, weight_decay=0.3)),
    ]:
        gap = np.abs(run_ours(plain, theta0, grad)[-1] - run_ours(decayed, theta0, grad)[-1])
        assert gap.max() > 1e-3, type(plain).__name__


def test_l2_in_adam_and_decoupled_decay_differ():
    """Adam(weight_decay) and AdamW(weight_decay) are different algorithms, in torch and here."""
    shape = (7,)
    theta0 = np.random.default_rng(5).standard_normal(shape)
    grad = gradient_source("linear", shape, 5)
    l2 = run_ours(Adam(lr=0.01, weight_decay=0.1), theta0, grad)
    decoupled = run_ours(AdamW(lr=0.01, weight_decay=0.1), theta0, grad)
    assert np.max(np.abs(l2[-1] - decoupled[-1])) > 1e-3
    # and torch agrees that its Adam(weight_decay) is ours, not AdamW
    run = run_lockstep(
        Adam(lr=0.01, weight_decay=0.1), lambda p: torch.optim.AdamW(p, lr=0.01, weight_decay=0.1), theta0, grad
    )
    with pytest.raises(AssertionError, match="differ beyond rtol"):
        assert_same_run(run, MOMENTS)


# --- Adamax: the paper puts no eps anywhere, torch puts it inside the max -------------------------------


class AdamaxEpsInsideMax(NamedTuple):
    """torch's convention written out: u_t = max(beta2 u_{t-1}, |g_t| + eps), otherwise the paper's AdaMax."""

    lr: float
    beta1: float
    beta2: float
    eps: float

    def init(self, theta):
        return AdamaxState(0, np.zeros_like(theta), np.zeros_like(theta))

    def step(self, theta, g, state):
        t = state.t + 1
        m = self.beta1 * state.m + (1 - self.beta1) * g
        u = np.maximum(self.beta2 * state.u, np.abs(g) + self.eps)
        return theta - self.lr / (1 - self.beta1**t) * m / u, AdamaxState(t, m, u)


class AdamaxState(NamedTuple):
    t: int
    m: np.ndarray
    u: np.ndarray


@pytest.mark.parametrize("eps", [1e-8, 1e-6, 1e-3])
def test_torch_adamax_is_the_paper_adamax_with_eps_inside_the_max(eps):
    shape = (4, 5)
    theta0 = np.random.default_rng(11).standard_normal(shape)
    grad = gradient_source("noise", shape, 11)
    reference = AdamaxEpsInsideMax(lr=2e-3, beta1=0.9, beta2=0.999, eps=eps)
    run = run_lockstep(reference, lambda p: torch.optim.Adamax(p, eps=eps), theta0, grad)
    assert_same_run(run, {"m": "exp_avg", "u": "exp_inf"})


def test_torch_adamax_with_default_eps_differs_from_the_paper_on_tiny_gradients():
    """With |g| ~ 1e-6 torch's eps = 1e-8 inside the max changes a typical step by about 0.5%."""
    shape = (7,)
    theta0 = np.random.default_rng(12).standard_normal(shape)
    noise = 1e-6 * np.random.default_rng(13).standard_normal((STEPS, *shape))
    run = run_lockstep(AdaMax(), lambda p: torch.optim.Adamax(p), theta0, lambda theta, k: noise[k])
    steps_ours, steps_torch = run.ours - run.before, run.theirs - run.before
    relative = np.abs(steps_torch - steps_ours) / np.abs(steps_ours)
    assert 1e-3 < np.median(relative) < 0.05
    assert np.all(np.abs(steps_torch) <= np.abs(steps_ours))  # |g| + eps in the max only shrinks the step


# --- Adafactor: what the factored state is, on more shapes ---------------------------------------------


@pytest.mark.parametrize("shape", [(2, 3, 4), (1, 6), (5, 1), ()], ids=str)
def test_adafactor_matches_torch_on_batches_of_matrices_thin_matrices_and_scalars(shape):
    """A 3-D tensor is factored over its last two axes (a batch of 3x4 matrices); a 1x6 or 5x1 matrix
    is still factored; a 0-d parameter keeps a full variance, like a vector."""
    seed = 31 + len(shape)
    theta0 = np.asarray(np.random.default_rng(seed).standard_normal(shape))
    run = run_lockstep(
        Adafactor(weight_decay=0.1),
        lambda p: torch.optim.Adafactor(p, weight_decay=0.1),
        theta0,
        gradient_source("noise", shape, seed),
    )
    assert_same_run(run, ADAFACTOR)
    factored = len(shape) >= 2
    assert (run.state.variance is None) == factored and (run.state.row_var is not None) == factored


def test_adafactor_keeps_n_plus_m_floats_for_an_n_by_m_matrix_as_torch_does():
    from adam_edu.optim.memory import state_floats

    theta0 = np.random.default_rng(41).standard_normal((40, 25))
    run = run_lockstep(Adafactor(), lambda p: torch.optim.Adafactor(p), theta0, gradient_source("noise", (40, 25), 41))
    torch_floats = sum(v.numel() for k, v in run.torch_state.items() if k != "step")
    assert state_floats(run.state) == torch_floats == 40 + 25
    assert state_floats(Adafactor().init(np.zeros(7))) == 7


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        (Adafactor(beta2_decay=-0.8), {"beta2_decay": -0.7}),
        (Adafactor(eps2=1e-3), {"eps": (None, 2e-3)}),  # matters where RMS(theta) < eps2
        (Adafactor(eps1=None), {"eps": (1e-3, 1e-3)}),  # matters where sqrt(V) < eps1
    ],
    ids=["beta2_decay", "eps2", "eps1"],
)
def test_the_adafactor_comparison_catches_a_wrong_hyperparameter(ours, theirs):
    shape = (7,)  # unfactored: a coordinate's V is its own, so the tiny ones have sqrt(V) < eps1
    theta0 = 1e-3 * np.random.default_rng(42).standard_normal(shape)  # RMS(theta) near eps2
    grad = gradient_source("noise", shape, 42)  # scales down to 1e-6, below eps1 = 1e-3
    run = run_lockstep(ours, lambda p: torch.optim.Adafactor(p, **theirs), theta0, grad)
    with pytest.raises(AssertionError, match="differ beyond rtol"):
        assert_same_run(run, ADAFACTOR)
