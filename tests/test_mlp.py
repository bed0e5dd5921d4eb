"""adam_edu.mlp: the digits split, the network's gradient, and training with adam_edu.optim's Adam and AdamW."""

from __future__ import annotations

import time

import numpy as np
import pytest

pytest.importorskip("sklearn", reason="the digits ship with scikit-learn: pip install scikit-learn")

from adam_edu.mlp import (
    N_TEST,
    PARAMETER_NAMES,
    accuracy,
    decay_edge,
    implemented,
    init_params,
    load_digits_split,
    loss,
    loss_and_grads,
    optimizer_step,
    sweep,
    train,
)
from adam_edu.optim import Adam, AdamW
from adam_edu.optim.states import MomentState


def test_the_split_is_fixed_disjoint_and_covers_every_digit():
    data = load_digits_split()
    assert data.x_train.shape == (1297, 64) and data.x_test.shape == (N_TEST, 64)
    assert data.y_train.shape == (1297,) and data.y_test.shape == (N_TEST,)
    assert data.x_train.dtype == np.float64 and 0.0 <= data.x_train.min() and data.x_train.max() == 1.0
    assert set(np.unique(data.y_test)) == set(range(10)) == set(np.unique(data.y_train))
    train_rows = {row.tobytes() for row in data.x_train}
    shared = sum(row.tobytes() in train_rows for row in data.x_test)
    assert shared <= 2, f"{shared} test images also appear in the training set"  # the raw data holds a few duplicates
    assert data.y_test[:10].tolist() == [1, 7, 6, 5, 2, 2, 9, 1, 8, 5]  # the fixed permutation (seed 0)
    with pytest.raises(ValueError):
        data.x_train[0, 0] = 5.0


def test_init_params_is_seeded_and_shaped():
    a, b, c = init_params(0), init_params(0), init_params(1)
    assert [a[k].shape for k in PARAMETER_NAMES] == [(64, 32), (32,), (32, 10), (10,)]
    assert all(np.array_equal(a[k], b[k]) for k in a) and not np.array_equal(a["W1"], c["W1"])
    assert np.abs(a["W1"]).max() <= np.sqrt(6 / (64 + 32))
    with pytest.raises(ValueError, match=r"'hidden'.*Got 0"):
        init_params(0, hidden=0)


def test_gradients_match_central_finite_differences():
    rng = np.random.default_rng(3)
    params = {k: p + 0.1 * rng.standard_normal(p.shape) for k, p in init_params(2, hidden=5).items()}
    x, y = rng.uniform(size=(7, 64)), rng.integers(0, 10, size=7)
    value, grads = loss_and_grads(params, x, y)
    assert value == pytest.approx(loss(params, x, y), rel=1e-14)
    h = 1e-6
    for name, p in params.items():
        numeric = np.zeros_like(p)
        for index in np.ndindex(p.shape):
            plus = {**params, name: p.copy()}
            minus = {**params, name: p.copy()}
            plus[name][index] += h
            minus[name][index] -= h
            numeric[index] = (loss(plus, x, y) - loss(minus, x, y)) / (2 * h)
        np.testing.assert_allclose(grads[name], numeric, rtol=1e-6, atol=1e-9, err_msg=name)


def test_loss_at_initialisation_is_near_log_10_and_accuracy_near_chance():
    data = load_digits_split()
    params = init_params(0)
    assert abs(loss(params, data.x_test, data.y_test) - np.log(10)) < 0.3
    assert accuracy(params, data.x_test, data.y_test) < 0.3


def test_optimizer_step_equals_adamw_from_the_package():
    rng = np.random.default_rng(0)
    theta, m, v = rng.standard_normal(6), np.zeros(6), np.zeros(6)
    opt, state = AdamW(lr=0.05, weight_decay=0.3), AdamW().init(theta)
    step = optimizer_step(AdamW)
    mine = theta
    for t in range(1, 30):
        g = rng.standard_normal(6) * 10.0 ** rng.uniform(-3, 1)
        theta, state = opt.step(theta, g, state)
        mine, m, v = step(mine, g, m, v, t, lr=0.05, weight_decay=0.3)
        assert state.t == t
    np.testing.assert_allclose(mine, theta, rtol=1e-12)
    np.testing.assert_allclose(m, state.m, rtol=1e-12)
    assert isinstance(state, MomentState)


def test_train_calls_the_step_once_per_array_with_1_based_t():
    calls = []

    def spy(theta, g, m, v, t, lr, weight_decay):
        calls.append((theta.shape, t, lr, weight_decay))
        return theta, m, v

    result = train(spy, lr=0.5, weight_decay=0.25, epochs=2, batch_size=500)
    assert len(calls) == 2 * 3 * 4  # epochs x minibatches (1297 = 500 + 500 + 297) x arrays
    assert [c[1] for c in calls[:8]] == [1, 1, 1, 1, 2, 2, 2, 2]
    assert {c[0] for c in calls} == {(64, 32), (32,), (32, 10), (10,)}
    assert all(c[2:] == (0.5, 0.25) for c in calls)
    assert result.train_loss.shape == (2,) and result.train_loss[0] == result.train_loss[1]  # nothing moved


@pytest.mark.parametrize(
    ("optimizer", "hyper"),
    [(Adam, {"lr": 0.01}), (Adam, {"lr": 0.01, "weight_decay": 1e-4}), (AdamW, {"lr": 0.01, "weight_decay": 0.01})],
)
def test_training_with_the_package_optimizers_reaches_96_percent(optimizer, hyper):
    result = train(optimizer_step(optimizer), epochs=10, **hyper)
    assert result.test_accuracy >= 0.96, result
    assert result.train_loss[-1] < 0.3 * result.train_loss[0]
    assert not result.diverged


def test_a_too_large_learning_rate_is_reported_and_not_a_crash():
    result = train(optimizer_step(Adam), lr=30.0, epochs=2)
    assert result.test_accuracy < 0.5


def test_a_training_run_is_fast_enough_for_a_grid():
    def adamw(theta, g, m, v, t, lr, weight_decay, beta1=0.9, beta2=0.999, eps=1e-8):
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        step = lr * (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps)
        return theta * (1 - lr * weight_decay) - step, m, v

    load_digits_split()
    start = time.perf_counter()
    train(adamw, lr=0.01, weight_decay=0.01, epochs=10)
    assert time.perf_counter() - start < 2.0  # about 0.1 s here; generous for a loaded CI machine


def test_sweep_rows_are_learning_rates_and_per_step_decay_divides_by_lr():
    seen = []

    def spy(theta, g, m, v, t, lr, weight_decay):
        seen.append((lr, weight_decay))
        return theta, m, v

    errors = sweep(spy, [0.1, 0.2], [0.01, 0.04, 0.08], per_step_decay=True, epochs=1, batch_size=2000)
    assert errors.shape == (2, 3)
    expected = [(0.1, 0.1), (0.1, 0.4), (0.1, 0.8), (0.2, 0.05), (0.2, 0.2), (0.2, 0.4)]
    got = sorted(set(seen))
    assert len(got) == len(expected)
    np.testing.assert_allclose(np.array(got), np.array(expected), rtol=1e-12)


def test_train_rejects_bad_arguments_with_the_parameter_named():
    with pytest.raises(ValueError, match=r"'epochs'.*Got 0"):
        train(optimizer_step(Adam), lr=0.1, epochs=0)
    with pytest.raises(ValueError, match=r"'batch_size'.*Got 1\.5"):
        train(optimizer_step(Adam), lr=0.1, batch_size=1.5)
    with pytest.raises(TypeError, match="step function"):
        train(None, lr=0.1)


def test_implemented_tells_a_stub_from_a_written_step():
    def stub(theta, g, m, v, t, lr=1e-3, weight_decay=0.0):
        # YOUR CODE HERE
        raise NotImplementedError()

    assert not implemented(stub)
    assert implemented(optimizer_step(AdamW))


def test_decay_edge_interpolates_where_the_error_leaves_the_tolerance():
    decays = [1e-4, 1e-3, 1e-2, 1e-1]
    errors = [[0.10, 0.10, 0.20, 0.90], [0.05, 0.06, 0.07, 0.08]]
    edges = decay_edge(errors, decays, tolerance=0.05)
    np.testing.assert_allclose(edges, [-3 + 0.05 / 0.10, -1.0])


def test_decay_edge_from_the_smallest_decay_ignores_one_lucky_cell():
    decays = [1e-4, 1e-3, 1e-2, 1e-1]
    errors = [[0.10, 0.02, 0.12, 0.90]]  # a lucky 0.02 at 1e-3: from the best, 0.12 already costs too much
    np.testing.assert_allclose(decay_edge(errors, decays), [-3 + 0.05 / 0.10])
    np.testing.assert_allclose(decay_edge(errors, decays, reference="smallest"), [-2 + 0.03 / 0.78])
    with pytest.raises(ValueError, match=r"'reference'.*'best' or 'smallest'.*Got 'first'"):
        decay_edge(errors, decays, reference="first")


# ------------------------------------------------------------------------------ adam_edu.checks.check_training


def test_check_training_accepts_the_package_adamw_with_one_line(capsys):
    from adam_edu.checks import check_training

    check_training(optimizer_step(AdamW), lambda: {"lr": 0.01, "weight_decay": 0.01})
    out = capsys.readouterr()
    assert out.err == "" and len(out.out.splitlines()) == 1 and "reached the target" in out.out


@pytest.mark.parametrize(
    ("hyper", "message"),
    [
        ({"lr": 1e-4, "weight_decay": 0.01}, "the target is 0.96"),  # too timid for 10 epochs
        ({"lr": 0.01, "weight_decay": 0.0}, "positive finite number"),
        ({"lr": 0.01}, "exactly the keys"),
        ({"lr": 0.01, "weight_decay": 200.0}, "below 1"),
        ({"lr": 5.0, "weight_decay": 0.01}, "Hint:"),  # diverges or ends near chance
    ],
)
def test_check_training_rejects_with_a_message(hyper, message, capsys):
    from adam_edu.checks import check_training

    with pytest.raises(AssertionError, match=message) as info:
        check_training(optimizer_step(AdamW), hyper)
    assert "Case:" in str(info.value) and "Hint:" in str(info.value)
    assert capsys.readouterr().err == ""


def test_check_training_names_a_stub():
    from adam_edu.checks import check_training

    def adamw_step(theta, g, m, v, t, lr=1e-3, weight_decay=1e-2):
        # YOUR CODE HERE
        raise NotImplementedError()

    with pytest.raises(AssertionError, match="adamw_step is not implemented yet"):
        check_training(adamw_step, {"lr": 0.01, "weight_decay": 0.01})
