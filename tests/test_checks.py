"""The exercise checkers: they accept right answers with one line, explain wrong ones, and never touch stderr."""

from __future__ import annotations

import dataclasses
import math
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

from adam_edu import checks
from adam_edu.checks import (
    CHOICES,
    TASKS,
    buggy_adam_step,
    check_adam_step,
    check_adamax_bound,
    check_bug_named,
    check_correction_constant,
    check_efficient_eps,
    check_first_step_without_correction,
    check_reddi_run,
    check_spike_step,
    check_tuning,
)
from adam_edu.checks.adam import ADAM
from adam_edu.checks.adamax import ADAMAX
from adam_edu.checks.amsgrad import AMSGRAD, _amsgrad_points
from adam_edu.checks.momentum import MOMENTUM
from adam_edu.checks.rmsprop import RMSPROP
from adam_edu.functions import get_function
from adam_edu.online import ReddiProblem, run_online
from adam_edu.optim import Adam, AdaMax, AMSGrad
from adam_edu.trajectories import run

ROOT = Path(__file__).resolve().parents[1]
CONTRACTS = {
    "adam": (ADAM, checks.check_adam_step),
    "adamax": (ADAMAX, checks.check_adamax_step),
    "amsgrad": (AMSGRAD, checks.check_amsgrad_step),
    "momentum": (MOMENTUM, checks.check_momentum_step),
    "rmsprop": (RMSPROP, checks.check_rmsprop_step),
}


def _as_learner_function(contract, fn):
    """``fn`` (positional hyperparameters, no defaults) wrapped with the contract's keyword defaults."""
    defaults = contract.defaults

    def learner(*args, **kwargs):
        return fn(*args, **{**defaults, **kwargs})

    learner.__name__ = contract.name
    return learner


def _one_line(capsys) -> str:
    captured = capsys.readouterr()
    assert captured.err == "", f"a checker wrote to stderr: {captured.err!r}"
    lines = captured.out.splitlines()
    assert len(lines) == 1, captured.out
    return lines[0]


# ------------------------------------------------------------------------------------------------ step checkers


@pytest.mark.parametrize("name", list(CONTRACTS))
def test_the_reference_passes_with_one_short_line(name, capsys):
    contract, checker = CONTRACTS[name]
    checker(_as_learner_function(contract, contract.reference))
    line = _one_line(capsys)
    assert line.startswith(f"{contract.name} is correct:") and len(line) < 160


@pytest.mark.parametrize("name", list(CONTRACTS))
def test_other_seeds_pass_too(name, capsys):
    contract, checker = CONTRACTS[name]
    checker(_as_learner_function(contract, contract.reference), seed=7)
    _one_line(capsys)


MISTAKE_CASES = [(name, index) for name, (contract, _) in CONTRACTS.items() for index in range(len(contract.mistakes))]


@pytest.mark.parametrize(("name", "index"), MISTAKE_CASES, ids=[f"{n}-{i}" for n, i in MISTAKE_CASES])
def test_each_known_mistake_is_named_by_its_own_hint(name, index, capsys):
    contract, checker = CONTRACTS[name]
    mistake = contract.mistakes[index]
    with pytest.raises(AssertionError) as info:
        checker(_as_learner_function(contract, mistake.fn))
    message = str(info.value)
    crashed = "raised ZeroDivisionError" in message and "t counts updates from 1" in message  # Python floats
    assert mistake.hint in message or crashed, message
    assert capsys.readouterr().err == ""


def test_a_message_names_the_case_the_values_and_a_hint():
    def adam_step(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g**2
        return theta - lr * (m / (1 - beta1**t)) / np.sqrt(v / (1 - beta2**t) + eps), m, v

    with pytest.raises(AssertionError) as info:
        check_adam_step(adam_step)
    message = str(info.value)
    assert message.splitlines()[0] == "adam_step returned a wrong theta."
    assert "Case: t=1 of a run with the defaults" in message
    assert "expected" in message and "got" in message
    assert "Hint: eps is inside the square root" in message and "adds eps outside the square root" in message


def test_the_message_never_shows_the_reference_code():
    def adam_step(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
        return theta, m, v

    with pytest.raises(AssertionError) as info:
        check_adam_step(adam_step)
    assert "def " not in str(info.value) and "return theta - lr" not in str(info.value)


def test_warnings_and_stderr_from_the_learner_never_reach_stderr(capsys):
    def adam_step(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
        warnings.warn("a learner's warning", stacklevel=1)
        print("debugging", file=sys.stderr)
        np.log(np.zeros(1))  # RuntimeWarning: divide by zero
        return ADAM.reference(theta, g, m, v, t, lr, beta1, beta2, eps)

    check_adam_step(adam_step)
    captured = capsys.readouterr()
    assert captured.err == ""
    assert captured.out.startswith("adam_step is correct")


def test_the_learners_own_prints_still_show(capsys):
    calls = []

    def adam_step(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
        if not calls:
            print("my first call")
        calls.append(t)
        return ADAM.reference(theta, g, m, v, t, lr, beta1, beta2, eps)

    check_adam_step(adam_step)
    assert capsys.readouterr().out.startswith("my first call\n")


def test_a_crash_is_reported_with_the_learners_traceback_attached():
    def adam_step(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
        return theta - lr * m_hat, m, v  # noqa: F821

    with pytest.raises(AssertionError, match="adam_step raised NameError") as info:
        check_adam_step(adam_step)
    assert isinstance(info.value.__cause__, NameError)


def test_wrong_return_shapes_are_explained():
    def adam_step(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
        return theta

    with pytest.raises(AssertionError, match=r"should return a tuple \(theta, m, v\)"):
        check_adam_step(adam_step)


def test_not_a_function_is_explained():
    with pytest.raises(AssertionError, match=r"needs your function .*`check_adam_step\(adam_step\)`"):
        check_adam_step("adam_step")


def test_the_find_the_bug_function_fails_the_adam_check_without_the_bug_being_named():
    with pytest.raises(AssertionError) as info:
        check_adam_step(buggy_adam_step)
    message = str(info.value)
    assert "buggy_adam_step returned a wrong theta" in message
    assert "beta1 instead of beta2" not in message and CHOICES["D"] not in message


# ------------------------------------------------------------------------------------------------ exercise 1


def test_the_correction_constant_is_the_sum_of_the_weights(capsys):
    check_correction_constant(lambda beta, t: (1 - beta) * sum(beta ** (t - i) for i in range(1, t + 1)))
    _one_line(capsys)


@pytest.mark.parametrize(
    ("answer", "hint"),
    [(lambda beta, t: beta**t, "the weight missing"), (lambda beta, t: (1 - beta) ** t, "the power belongs")],
)
def test_wrong_correction_constants_are_explained(answer, hint):
    with pytest.raises(AssertionError, match=hint):
        check_correction_constant(answer)


# ------------------------------------------------------------------------------------------------ exercise 6


def test_the_reddi_reference_equals_the_packages_projected_amsgrad():
    problem = ReddiProblem(C=3.0)
    expected = run_online(AMSGrad(lr=0.01, beta1=0.0, beta2=0.1), problem, 1000).points
    np.testing.assert_allclose(_amsgrad_points(problem, 1000, 0.01, 0.0, 0.1, 1e-8), expected, rtol=0, atol=1e-12)


def _reddi_runner(clip=True, offset=0):
    def run_amsgrad_on_reddi(problem, steps, lr=0.01, beta1=0.0, beta2=0.1):
        optimizer = AMSGrad(lr=lr, beta1=beta1, beta2=beta2)
        x = np.zeros(1)
        state = optimizer.init(x)
        points = [0.0]
        for t in range(1, steps + 1):
            x, state = optimizer.step(x, np.array([problem.grad(t + offset)]), state)
            if clip:
                x = np.clip(x, problem.lower, problem.upper)
            points.append(float(x[0]))
        return np.array(points)

    return run_amsgrad_on_reddi


def test_a_right_reddi_run_passes(capsys):
    check_reddi_run(_reddi_runner())
    assert "run_amsgrad_on_reddi is correct" in _one_line(capsys)


@pytest.mark.parametrize(
    ("runner", "hint"),
    [(_reddi_runner(clip=False), "clip it after every step"), (_reddi_runner(offset=-1), "shifted by one step")],
)
def test_wrong_reddi_runs_are_explained(runner, hint):
    with pytest.raises(AssertionError, match=hint):
        check_reddi_run(runner)


def test_on_reddis_problem_adam_ends_at_the_worst_point_and_amsgrad_at_the_best():
    problem = ReddiProblem(C=3.0)
    adam = run_online(Adam(lr=0.01, beta1=0.0, beta2=0.1), problem, 1000)
    amsgrad = run_online(AMSGrad(lr=0.01, beta1=0.0, beta2=0.1), problem, 1000)
    assert adam.final_point > 0.95 and amsgrad.final_point < -0.95


# ------------------------------------------------------------------------------------------------ exercise 7


def test_the_right_bug_letter_passes_in_either_case(capsys):
    check_bug_named(lambda: "d")
    assert CHOICES["D"] in _one_line(capsys)


@pytest.mark.parametrize("letter", [c for c in CHOICES if c != "D"])
def test_every_wrong_letter_is_rejected(letter):
    with pytest.raises(AssertionError, match=f"{letter} is not the bug"):
        check_bug_named(lambda: letter)


def test_a_non_letter_is_explained():
    with pytest.raises(AssertionError, match="one letter of A, B, C, D, E, F"):
        check_bug_named(lambda: "the second one")


def test_the_bug_makes_the_first_steps_ten_times_too_large():
    theta, _, _ = buggy_adam_step(np.zeros(1), np.ones(1), np.zeros(1), np.zeros(1), 1)
    assert theta[0] == pytest.approx(-10 * 1e-3, rel=1e-6)


# ------------------------------------------------------------------------------------------------ exercise 8


@pytest.mark.parametrize(
    ("function", "hyper"),
    [("rosenbrock", {"lr": 0.1, "beta1": 0.9, "beta2": 0.99}), ("beale", {"lr": 0.5, "beta1": 0.8, "beta2": 0.99})],
)
def test_the_model_tuning_reaches_the_target_with_a_margin(function, hyper, capsys):
    check_tuning(lambda: hyper, function)
    _one_line(capsys)
    steps, target = TASKS[function]
    for scale in (0.95, 1.05):  # not a knife edge: small changes still pass
        final = run(Adam(**{**hyper, "lr": hyper["lr"] * scale}), get_function(function), steps=steps).final_loss
        assert final < target / 10


@pytest.mark.parametrize("function", list(TASKS))
def test_the_default_adam_does_not_reach_the_target(function):
    with pytest.raises(AssertionError, match="above the target"):
        check_tuning(lambda: {}, function)


def test_a_diverging_run_is_explained():
    with pytest.raises(AssertionError, match=r"diverged|far from the minimum|close, but"):
        check_tuning(lambda: {"lr": 50.0, "beta1": 0.0, "beta2": 0.0}, "rosenbrock")


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (lambda: [0.1], "should return a dict"),
        (lambda: {"learning_rate": 0.1}, "unknown hyperparameters"),
        (lambda: {"beta1": 1.5}, "does not accept"),
    ],
)
def test_malformed_tuning_answers_are_explained(answer, message):
    with pytest.raises(AssertionError, match=message):
        check_tuning(answer)


# ------------------------------------------------------------------------------------------------ exercise 9


def _first_step(beta1, beta2):
    opt = Adam(lr=1.0, beta1=beta1, beta2=beta2, eps=0.0, bias_correction=False)
    theta, _ = opt.step(np.zeros(1), np.array([0.37]), opt.init(np.zeros(1)))
    return abs(float(theta[0]))


def _spike(t, beta1, beta2):
    opt = Adam(lr=1.0, beta1=beta1, beta2=beta2, eps=1e-300)  # eps only keeps 0/0 away while g = 0
    theta, state = np.zeros(1), opt.init(np.zeros(1))
    for _ in range(t - 1):
        theta, state = opt.step(theta, np.zeros(1), state)
    new, _ = opt.step(theta, np.array([2.5]), state)
    return abs(float(new[0] - theta[0]))


def _adamax_worst(t, beta1, beta2):
    opt = AdaMax(lr=1.0, beta1=beta1, beta2=beta2)
    theta, state = np.zeros(1), opt.init(np.zeros(1))
    for i in range(1, t + 1):
        before = theta
        theta, state = opt.step(theta, np.array([beta2 ** -(t - i)]), state)
    return abs(float(theta[0] - before[0]))


def _efficient_eps_by_solving(eps, beta2, t):
    """The eps_hat that makes the efficient form's step equal Algorithm 1's, solved for (constant gradient)."""
    beta1, g = 0.9, 3e-3
    m, v = (1 - beta1**t) * g, (1 - beta2**t) * g**2
    algorithm_1 = (m / (1 - beta1**t)) / (math.sqrt(v / (1 - beta2**t)) + eps)
    lr_t = math.sqrt(1 - beta2**t) / (1 - beta1**t)
    return lr_t * m / algorithm_1 - math.sqrt(v)


@pytest.mark.parametrize(
    ("checker", "simulated"),
    [
        (check_first_step_without_correction, _first_step),
        (check_spike_step, _spike),
        (check_adamax_bound, _adamax_worst),
    ],
)
def test_the_derivation_answers_agree_with_simulations_of_the_optimizers(checker, simulated, capsys):
    checker(simulated)
    _one_line(capsys)


def test_the_efficient_eps_agrees_with_solving_for_it(capsys):
    check_efficient_eps(_efficient_eps_by_solving)
    _one_line(capsys)


@pytest.mark.parametrize(
    ("checker", "answer", "hint"),
    [
        (check_first_step_without_correction, lambda b1, b2: 1.0, "with bias correction the first step is exactly 1"),
        (check_spike_step, lambda t, b1, b2: 1.0, "only g_t is non-zero"),
        (check_adamax_bound, lambda t, b1, b2: 1.0, "not the exact maximum"),
        (check_efficient_eps, lambda eps, b2, t: eps / math.sqrt(1 - b2**t), "the other way"),
    ],
)
def test_wrong_derivations_are_explained(checker, answer, hint):
    with pytest.raises(AssertionError, match=hint):
        checker(answer)


# ------------------------------------------------------------------------------------------------ exercise 10


def test_the_checks_import_numpy_only():
    code = (
        "import sys, adam_edu.checks;"
        "print(sorted({'torch', 'matplotlib', 'nbformat', 'nbgrader', 'ipywidgets'} & set(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"


def _torch_adam_class(eps_inside=False, use_groups=True, skip_none=True, no_grad=True, return_loss=True):
    import torch

    class MyAdam(torch.optim.Optimizer):
        def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
            super().__init__(params, {"lr": lr, "betas": betas, "eps": eps})

        def _step(self, closure=None):
            loss = None
            if closure is not None:
                with torch.enable_grad():
                    loss = closure()
            for group in self.param_groups:
                settings = group if use_groups else self.defaults
                beta1, beta2 = settings["betas"]
                for p in group["params"]:
                    if p.grad is None and skip_none:
                        continue
                    state = self.state[p]
                    if not state:
                        state["step"] = 0
                        state["m"] = torch.zeros_like(p)
                        state["v"] = torch.zeros_like(p)
                    state["step"] += 1
                    t = state["step"]
                    state["m"].mul_(beta1).add_(p.grad, alpha=1 - beta1)
                    state["v"].mul_(beta2).addcmul_(p.grad, p.grad, value=1 - beta2)
                    m_hat = state["m"] / (1 - beta1**t)
                    v_hat = state["v"] / (1 - beta2**t)
                    if eps_inside:
                        p.sub_(settings["lr"] * m_hat / (v_hat + settings["eps"]).sqrt())
                    else:
                        p.sub_(settings["lr"] * m_hat / (v_hat.sqrt() + settings["eps"]))
            return loss if return_loss else None

        step = torch.no_grad()(_step) if no_grad else _step

    return MyAdam


def test_a_right_torch_adam_passes(capsys):
    pytest.importorskip("torch")
    checks.check_torch_adam(_torch_adam_class())
    assert "MyAdam matches torch.optim.Adam" in _one_line(capsys)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"eps_inside": True}, "disagrees with torch.optim.Adam"),
        ({"use_groups": False}, "read lr, betas and eps from each parameter group"),
        ({"skip_none": False}, "MyAdam.step raised"),
        ({"no_grad": False}, r"@torch.no_grad\(\)"),
        ({"return_loss": False}, "returned None"),
    ],
)
def test_wrong_torch_adams_are_explained(options, message, capsys):
    pytest.importorskip("torch")
    with pytest.raises(AssertionError, match=message):
        checks.check_torch_adam(_torch_adam_class(**options))
    assert capsys.readouterr().err == ""


def test_a_torch_stub_is_reported_as_not_implemented():
    torch = pytest.importorskip("torch")

    class MyAdam(torch.optim.Optimizer):
        def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
            # YOUR CODE HERE
            raise NotImplementedError()

    with pytest.raises(AssertionError, match=r"MyAdam\.__init__ is not implemented yet"):
        checks.check_torch_adam(MyAdam)


def test_a_class_that_is_not_an_optimizer_is_explained():
    pytest.importorskip("torch")
    with pytest.raises(AssertionError, match=r"not a subclass of torch\.optim\.Optimizer"):
        checks.check_torch_adam(dataclasses.make_dataclass("MyAdam", []))
