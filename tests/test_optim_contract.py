"""The contract every optimizer keeps: defaults, immutability, a readable repr, pure steps, any shape, dtype kept.

::

    opt = Adam(lr=1e-3)  # keyword construction, the paper's defaults
    state = opt.init(theta)  # t = 0, zero moments shaped like theta
    theta, state = opt.step(theta, grad, state)  # pure: no argument is modified
"""

from __future__ import annotations

import dataclasses
import inspect

import numpy as np
import pytest

import adam_edu.optim as optim
from adam_edu.optim import (
    SGD,
    AdaDelta,
    Adafactor,
    AdaGrad,
    Adam,
    AdaMax,
    AdamW,
    AMSGrad,
    Lion,
    Momentum,
    NAdam,
    Nesterov,
    RAdam,
    RMSProp,
    RMSPropMomentum,
    Yogi,
)

# The paper's defaults (Adam, AdaMax: Kingma & Ba; the rest: their papers / torch.optim).
DEFAULTS = {
    SGD: {"lr": 0.01},
    Momentum: {"lr": 0.01, "momentum": 0.9},
    Nesterov: {"lr": 0.01, "momentum": 0.9},
    AdaGrad: {"lr": 0.01, "eps": 1e-10},
    RMSProp: {"lr": 0.01, "beta2": 0.99, "eps": 1e-8},
    Adam: {"lr": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.0, "bias_correction": True},
    AdaMax: {"lr": 2e-3, "beta1": 0.9, "beta2": 0.999, "weight_decay": 0.0},
    AMSGrad: {"lr": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.0},
    AdamW: {"lr": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 1e-2},
    NAdam: {"lr": 2e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.0, "momentum_decay": 4e-3},
    RAdam: {"lr": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.0},
    AdaDelta: {"lr": 1.0, "rho": 0.9, "eps": 1e-6, "weight_decay": 0.0},
    RMSPropMomentum: {"lr": 0.01, "beta2": 0.99, "momentum": 0.9, "eps": 1e-8},
    Lion: {"lr": 1e-4, "beta1": 0.9, "beta2": 0.99, "weight_decay": 0.0},
    Yogi: {"lr": 0.01, "beta1": 0.9, "beta2": 0.999, "eps": 1e-3, "bias_correction": False},
    Adafactor: {"lr": 1e-2, "beta2_decay": -0.8, "eps1": None, "eps2": 1e-3, "d": 1.0, "weight_decay": 0.0},
}

# Non-default values for every hyperparameter, all valid.
CUSTOM = {
    SGD: {"lr": 0.2},
    Momentum: {"lr": 0.05, "momentum": 0.5},
    Nesterov: {"lr": 0.05, "momentum": 0.7},
    AdaGrad: {"lr": 0.3, "eps": 1e-6},
    RMSProp: {"lr": 0.02, "beta2": 0.9, "eps": 1e-6},
    Adam: {"lr": 0.02, "beta1": 0.8, "beta2": 0.99, "eps": 1e-6, "weight_decay": 0.1, "bias_correction": False},
    AdaMax: {"lr": 0.01, "beta1": 0.5, "beta2": 0.99, "weight_decay": 0.1},
    AMSGrad: {"lr": 0.02, "beta1": 0.5, "beta2": 0.9, "eps": 1e-6, "weight_decay": 0.1},
    AdamW: {"lr": 0.02, "beta1": 0.5, "beta2": 0.9, "eps": 1e-6, "weight_decay": 0.3},
    NAdam: {"lr": 0.02, "beta1": 0.5, "beta2": 0.9, "eps": 1e-6, "weight_decay": 0.1, "momentum_decay": 0.01},
    RAdam: {"lr": 0.02, "beta1": 0.5, "beta2": 0.9, "eps": 1e-6, "weight_decay": 0.1},
    AdaDelta: {"lr": 0.5, "rho": 0.95, "eps": 1e-4, "weight_decay": 0.1},
    RMSPropMomentum: {"lr": 0.002, "beta2": 0.9, "momentum": 0.5, "eps": 1e-6},
    Lion: {"lr": 3e-3, "beta1": 0.8, "beta2": 0.9, "weight_decay": 0.1},
    Yogi: {"lr": 0.02, "beta1": 0.5, "beta2": 0.99, "eps": 1e-6, "bias_correction": True},
    Adafactor: {"lr": 0.05, "beta2_decay": -0.5, "eps1": 1e-20, "eps2": 1e-2, "d": 2.0, "weight_decay": 0.1},
}

# The state's array fields (the rest of a state is t, or NAdam's float mu_product).
STATE_ARRAYS = {
    SGD: [],
    Momentum: ["velocity"],
    Nesterov: ["velocity"],
    AdaGrad: ["sum_sq"],
    RMSProp: ["v"],
    Adam: ["m", "v"],
    AdaMax: ["m", "u"],
    AMSGrad: ["m", "v", "v_max"],
    AdamW: ["m", "v"],
    NAdam: ["m", "v"],
    RAdam: ["m", "v"],
    AdaDelta: ["v", "delta_sq"],
    RMSPropMomentum: ["v", "velocity"],
    Lion: ["m"],
    Yogi: ["m", "v"],
    Adafactor: ["row_var", "col_var", "variance"],  # factored shapes: see state_shapes
}


def state_shapes(cls, shape: tuple[int, ...]) -> dict[str, tuple[int, ...]]:
    """The shape of each array in the state for parameters of ``shape``: the parameters' own shape, but
    for Adafactor, whose state is factored over the last two axes when there are two or more (torch's
    shapes ``(..., n, 1)`` and ``(..., 1, m)``) and is a full ``variance`` otherwise."""
    if cls is not Adafactor:
        return dict.fromkeys(STATE_ARRAYS[cls], shape)
    if len(shape) < 2:
        return {"variance": shape}
    return {"row_var": (*shape[:-1], 1), "col_var": (*shape[:-2], 1, shape[-1])}


CLASSES = list(DEFAULTS)
ids = [cls.__name__ for cls in CLASSES]


def optimizers():
    """Every class with its defaults and with every hyperparameter changed."""
    params = []
    for cls in CLASSES:
        params.append(pytest.param(cls(), id=f"{cls.__name__}-defaults"))
        params.append(pytest.param(cls(**CUSTOM[cls]), id=f"{cls.__name__}-custom"))
    return params


def gradients(shape, steps=20, seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    return (10.0 ** rng.uniform(-3, 1, size=shape) * rng.standard_normal((steps, *shape))).astype(dtype)


def test_the_tables_cover_every_exported_optimizer():
    exported = {getattr(optim, name) for name in optim.__all__} - {optim.Optimizer}
    assert exported == set(CLASSES)


@pytest.mark.parametrize("cls", CLASSES, ids=ids)
def test_defaults_are_the_papers(cls):
    opt = cls()
    assert {f.name: getattr(opt, f.name) for f in dataclasses.fields(opt)} == DEFAULTS[cls]
    for name, value in DEFAULTS[cls].items():
        assert type(getattr(opt, name)) is type(value)


@pytest.mark.parametrize("cls", CLASSES, ids=ids)
def test_every_hyperparameter_is_a_keyword_with_a_default(cls):
    parameters = inspect.signature(cls).parameters
    assert list(parameters) == list(DEFAULTS[cls])
    assert all(p.default == DEFAULTS[cls][name] for name, p in parameters.items())


@pytest.mark.parametrize("cls", CLASSES, ids=ids)
def test_keyword_construction_stores_every_hyperparameter(cls):
    opt = cls(**CUSTOM[cls])
    for name, value in CUSTOM[cls].items():
        assert getattr(opt, name) == value


@pytest.mark.parametrize("cls", CLASSES, ids=ids)
def test_integer_and_numpy_hyperparameters_are_stored_as_python_floats(cls):
    opt = cls(lr=np.float32(0.5) if cls is not SGD else 1)
    assert type(opt.lr) is float
    assert opt.lr == (float(np.float32(0.5)) if cls is not SGD else 1.0)


def test_torch_defaults_are_ours_where_torch_has_the_same_optimizer():
    torch = pytest.importorskip("torch", reason="torch is not installed: pip install torch==2.13.0 (CPU)")

    def torch_defaults(torch_cls):
        return {n: p.default for n, p in inspect.signature(torch_cls).parameters.items()}

    for ours, theirs in [
        (Adam, torch.optim.Adam),
        (AdamW, torch.optim.AdamW),
        (AdaMax, torch.optim.Adamax),
        (NAdam, torch.optim.NAdam),
        (RAdam, torch.optim.RAdam),
    ]:
        expected = torch_defaults(theirs)
        opt = ours()
        assert opt.lr == expected["lr"], ours.__name__
        assert (opt.beta1, opt.beta2) == expected["betas"], ours.__name__
        assert opt.weight_decay == expected["weight_decay"], ours.__name__
        if hasattr(opt, "eps"):
            assert opt.eps == expected["eps"], ours.__name__
    assert NAdam().momentum_decay == torch_defaults(torch.optim.NAdam)["momentum_decay"]
    assert (AdaGrad().lr, AdaGrad().eps) == (0.01, torch_defaults(torch.optim.Adagrad)["eps"])
    rmsprop = torch_defaults(torch.optim.RMSprop)
    assert (RMSProp().lr, RMSProp().beta2, RMSProp().eps) == (rmsprop["lr"], rmsprop["alpha"], rmsprop["eps"])


def test_torch_defaults_are_ours_for_adadelta_adafactor_and_rmsprop_with_momentum():
    torch = pytest.importorskip("torch", reason="torch is not installed: pip install torch==2.13.0 (CPU)")

    def torch_defaults(torch_cls):
        return {n: p.default for n, p in inspect.signature(torch_cls).parameters.items()}

    adadelta = torch_defaults(torch.optim.Adadelta)
    assert DEFAULTS[AdaDelta] == {name: adadelta[name] for name in ("lr", "rho", "eps", "weight_decay")}
    adafactor = torch_defaults(torch.optim.Adafactor)
    assert adafactor["eps"] == (Adafactor().eps1, Adafactor().eps2)
    assert {name: adafactor[name] for name in ("lr", "beta2_decay", "d", "weight_decay")} == {
        name: getattr(Adafactor(), name) for name in ("lr", "beta2_decay", "d", "weight_decay")
    }
    rmsprop = torch_defaults(torch.optim.RMSprop)  # all but momentum, which is 0 in torch (plain RMSProp)
    ours = RMSPropMomentum()
    assert (ours.lr, ours.beta2, ours.eps) == (rmsprop["lr"], rmsprop["alpha"], rmsprop["eps"])
    assert rmsprop["momentum"] == 0 and ours.momentum == 0.9
    assert not hasattr(torch.optim, "Lion") and not hasattr(torch.optim, "Yogi")  # tested against the papers


@pytest.mark.parametrize("opt", optimizers())
def test_optimizers_are_immutable(opt):
    for name in DEFAULTS[type(opt)]:
        before = getattr(opt, name)
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(opt, name, before)
        assert getattr(opt, name) == before
    with pytest.raises(dataclasses.FrozenInstanceError):
        opt.new_attribute = 1


@pytest.mark.parametrize("opt", optimizers())
def test_repr_shows_every_hyperparameter(opt):
    text = repr(opt)
    assert text.startswith(type(opt).__name__ + "(")
    for name in DEFAULTS[type(opt)]:
        assert f"{name}={getattr(opt, name)!r}" in text
    assert eval(text, vars(optim)) == opt  # the repr rebuilds the same optimizer


@pytest.mark.parametrize("opt", optimizers())
def test_step_is_pure(opt):
    """Neither theta, nor grad, nor any array of the state is modified by step, over 20 steps."""
    shape = (3, 4)
    theta = np.random.default_rng(1).standard_normal(shape)
    state = opt.init(theta)
    for g in gradients(shape):
        kept = (theta.copy(), g.copy(), [np.array(x, copy=True) for x in state])
        new_theta, new_state = opt.step(theta, g, state)
        np.testing.assert_array_equal(theta, kept[0])
        np.testing.assert_array_equal(g, kept[1])
        for field, value, copy in zip(state._fields, state, kept[2], strict=True):
            np.testing.assert_array_equal(value, copy, err_msg=field)
        assert new_theta is not theta
        assert not np.shares_memory(new_theta, theta)
        theta, state = new_theta, new_state


@pytest.mark.parametrize("opt", optimizers())
def test_the_same_inputs_give_the_same_outputs(opt):
    theta = np.random.default_rng(2).standard_normal(5)
    grads = gradients((5,), seed=2)
    runs = []
    for _ in range(2):
        point, state = theta, opt.init(theta)
        for g in grads:
            point, state = opt.step(point, g, state)
        runs.append((point, state))
    np.testing.assert_array_equal(runs[0][0], runs[1][0])
    for a, b in zip(runs[0][1], runs[1][1], strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("shape", [(), (3,), (2, 3, 4)], ids=["scalar", "vector", "3d"])
@pytest.mark.parametrize("opt", optimizers())
def test_any_shape_works_and_is_kept(opt, shape):
    theta = np.asarray(np.random.default_rng(3).standard_normal(shape))
    state = opt.init(theta)
    shapes = state_shapes(type(opt), shape)
    for name, state_shape in shapes.items():
        np.testing.assert_array_equal(getattr(state, name), np.zeros(state_shape))
    unused = set(STATE_ARRAYS[type(opt)]) - set(shapes)  # Adafactor's fields that this shape does not use
    for g in gradients(shape, steps=10, seed=3):
        theta, state = opt.step(theta, g, state)
        assert np.shape(theta) == shape
        for name, state_shape in shapes.items():
            assert np.shape(getattr(state, name)) == state_shape
        assert all(getattr(state, name) is None for name in unused)
    assert np.all(np.isfinite(theta))


@pytest.mark.parametrize("opt", optimizers())
def test_a_python_float_parameter_is_a_0d_array(opt):
    state = opt.init(1.5)
    theta, state = opt.step(1.5, 0.25, state)
    # numpy arithmetic turns a 0-d array into a numpy scalar: shape () and dtype float64 either way
    assert np.shape(theta) == () and np.asarray(theta).dtype == np.float64
    assert float(theta) < 1.5


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("opt", optimizers())
def test_dtype_of_theta_is_kept_in_theta_and_state(opt, dtype):
    theta = np.random.default_rng(4).standard_normal((2, 5)).astype(dtype)
    state = opt.init(theta)
    names = list(state_shapes(type(opt), theta.shape))
    for name in names:
        assert getattr(state, name).dtype == dtype, name
    for g in gradients((2, 5), steps=10, seed=4, dtype=np.float64):  # float64 gradients, cast to theta's dtype
        theta, state = opt.step(theta, g, state)
        assert theta.dtype == dtype
        for name in names:
            assert getattr(state, name).dtype == dtype, name


@pytest.mark.parametrize("opt", optimizers())
def test_float32_steps_agree_with_float64_to_float32_precision(opt):
    theta = np.random.default_rng(5).standard_normal(6)
    grads = gradients((6,), seed=5)
    results = {}
    for dtype in (np.float32, np.float64):
        point, state = theta.astype(dtype), opt.init(theta.astype(dtype))
        for g in grads.astype(dtype):
            point, state = opt.step(point, g, state)
        results[dtype] = point
    np.testing.assert_allclose(results[np.float32], results[np.float64], rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("opt", optimizers())
def test_integer_parameters_are_promoted_to_float64(opt):
    theta = np.array([1, -2, 3])
    state = opt.init(theta)
    new_theta, _ = opt.step(theta, np.array([0.5, 0.5, -0.5]), state)
    assert new_theta.dtype == np.float64
    assert np.all(new_theta != theta)


@pytest.mark.parametrize("opt", optimizers())
def test_t_counts_the_steps(opt):
    theta = np.zeros(3)
    state = opt.init(theta)
    assert isinstance(state, opt.State)
    assert state.t == 0
    for k, g in enumerate(gradients((3,), steps=7), start=1):
        theta, state = opt.step(theta, g, state)
        assert isinstance(state, opt.State)
        assert state.t == k


@pytest.mark.parametrize("opt", optimizers())
def test_a_grad_of_the_wrong_shape_is_refused_with_both_shapes(opt):
    theta = np.zeros((2, 3))
    with pytest.raises(ValueError, match=r"'grad' must have the shape of 'theta' \(2, 3\)\. Got shape \(3, 2\)"):
        opt.step(theta, np.zeros((3, 2)), opt.init(theta))
    with pytest.raises(ValueError, match=r"'grad'.*Got shape \(6,\)"):
        opt.step(theta, np.zeros(6), opt.init(theta))
    with pytest.raises(ValueError, match=type(opt).__name__):
        opt.step(theta, np.zeros(()), opt.init(theta))


@pytest.mark.parametrize("opt", optimizers())
def test_a_state_of_the_wrong_type_is_refused_with_its_name(opt):
    theta = np.zeros(3)
    other = AdaGrad() if not isinstance(opt, AdaGrad) else Adam()
    foreign = other.init(theta)
    expected = opt.State.__name__
    with pytest.raises(TypeError, match=rf"'state' must be the {expected} .*Got {type(foreign).__name__}"):
        opt.step(theta, np.ones(3), foreign)
    with pytest.raises(TypeError, match=rf"{type(opt).__name__}\.step: 'state'.*Got tuple"):
        opt.step(theta, np.ones(3), tuple(opt.init(theta)))
    with pytest.raises(TypeError, match="Got NoneType"):
        opt.step(theta, np.ones(3), None)
