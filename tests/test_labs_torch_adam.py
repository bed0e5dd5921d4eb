"""PaperAdam and the numpy bridge compute what torch.optim computes, over hundreds of steps and whole tensors."""

import pytest

torch = pytest.importorskip("torch")

from adam_edu.labs.bridge import NumpyOptimizer  # noqa: E402
from adam_edu.labs.torch_adam import PaperAdam  # noqa: E402
from adam_edu.optim import SGD, AdaGrad, Adam, Nesterov, RMSProp  # noqa: E402

pytestmark = pytest.mark.torch

SHAPES = [(20, 15), (15,), (3, 4, 5), (1,)]
# float32 rounds differently in the two programs (m/(1-β1^t)·α vs α/(1-β1^t)·m): ~2 ulp on O(1) parameters.
TOLERANCE = {torch.float32: {"rtol": 1e-6, "atol": 1e-6}, torch.float64: {"rtol": 1e-9, "atol": 1e-12}}


def gradient_sequence(steps, dtype, seed=0):
    """Gradients of very different sizes per tensor and step (1e-4 .. 10), the case where Adam's scaling matters."""
    g = torch.Generator().manual_seed(seed)
    return [
        [
            torch.randn(s, generator=g, dtype=dtype) * 10.0 ** torch.randint(-4, 2, (1,), generator=g).item()
            for s in SHAPES
        ]
        for _ in range(steps)
    ]


def run(make, grads, dtype, seed=1, schedule=None):
    g = torch.Generator().manual_seed(seed)
    params = [torch.nn.Parameter(torch.randn(s, generator=g, dtype=dtype)) for s in SHAPES]
    optimizer = make(params)
    scheduler = None if schedule is None else torch.optim.lr_scheduler.LambdaLR(optimizer, schedule)
    trajectory = []
    for step_grads in grads:
        for p, grad in zip(params, step_grads, strict=True):
            p.grad = grad.clone()
        optimizer.step()
        if scheduler is not None:
            scheduler.step()
        trajectory.append(torch.cat([p.detach().flatten() for p in params]))
    return torch.stack(trajectory)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("betas", [(0.9, 0.999), (0.0, 0.99), (0.5, 0.9999)])
def test_paper_adam_equals_torch_adam_at_every_step(dtype, betas):
    grads = gradient_sequence(300, dtype)
    expected = run(lambda p: torch.optim.Adam(p, lr=1e-3, betas=betas, foreach=False), grads, dtype)
    actual = run(lambda p: PaperAdam(p, lr=1e-3, betas=betas), grads, dtype)
    torch.testing.assert_close(actual, expected, **TOLERANCE[dtype])
    assert (expected[-1] != expected[0]).all()  # every coordinate moved: the comparison is not vacuous


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_paper_adam_equals_torch_foreach_adam(dtype):
    grads = gradient_sequence(200, dtype, seed=5)
    expected = run(lambda p: torch.optim.Adam(p, lr=3e-3, foreach=True), grads, dtype)
    actual = run(lambda p: PaperAdam(p, lr=3e-3), grads, dtype)
    torch.testing.assert_close(actual, expected, **TOLERANCE[dtype])


def test_paper_adam_matches_torch_adam_training_a_real_model():
    """Step by step on an MLP (the loss feeds back into the gradients), float64."""
    from adam_edu.labs.models import MLP

    g = torch.Generator().manual_seed(0)
    x, y = torch.rand(256, 1, 8, 8, generator=g, dtype=torch.float64), torch.randint(10, (256,), generator=g)
    models = []
    for make in (lambda p: torch.optim.Adam(p, lr=1e-3), lambda p: PaperAdam(p, lr=1e-3)):
        torch.manual_seed(0)
        model = MLP(64, 10, (32, 32), 0.0, 0.0).double()
        models.append((model, make(model.parameters())))
    for step in range(150):
        index = torch.arange(step * 64, step * 64 + 64) % 256
        for model, optimizer in models:
            optimizer.zero_grad()
            torch.nn.functional.cross_entropy(model(x[index]), y[index]).backward()
            optimizer.step()
        for a, b in zip(models[0][0].parameters(), models[1][0].parameters(), strict=True):
            torch.testing.assert_close(b, a, rtol=1e-9, atol=1e-12)


def test_paper_adam_first_step_is_lr_times_sign():
    w = torch.nn.Parameter(torch.zeros(3, dtype=torch.float64))
    w.grad = torch.tensor([5.0, -0.5, 0.3], dtype=torch.float64)
    PaperAdam([w], lr=0.1).step()
    torch.testing.assert_close(w.detach(), torch.tensor([-0.1, 0.1, -0.1], dtype=torch.float64), rtol=1e-6, atol=0)


def test_paper_adam_without_correction_equals_numpy_adam_without_correction():
    """The uncorrected Adam of Fig. 4: first step sqrt(1-β2)/(1-β1) = 0.316 α, and the same trajectory as ours."""
    dtype = torch.float64
    grads = gradient_sequence(200, dtype, seed=2)
    ours = run(lambda p: NumpyOptimizer(p, Adam(lr=1e-3, bias_correction=False)), grads, dtype)
    paper = run(lambda p: PaperAdam(p, lr=1e-3, bias_correction=False), grads, dtype)
    torch.testing.assert_close(paper, ours, rtol=1e-9, atol=1e-12)
    w = torch.nn.Parameter(torch.zeros(1, dtype=dtype))
    w.grad = torch.ones(1, dtype=dtype)
    PaperAdam([w], lr=1.0, bias_correction=False).step()
    assert w.item() == pytest.approx(-0.1 / (0.001**0.5 + 1e-8), rel=1e-12)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        (lambda: Adam(lr=1e-3), lambda p: torch.optim.Adam(p, lr=1e-3)),
        (lambda: Adam(lr=1e-2, beta1=0.5, beta2=0.99), lambda p: torch.optim.Adam(p, lr=1e-2, betas=(0.5, 0.99))),
        (lambda: SGD(lr=1e-3), lambda p: torch.optim.SGD(p, lr=1e-3)),
        (lambda: Nesterov(lr=1e-3), lambda p: torch.optim.SGD(p, lr=1e-3, momentum=0.9, nesterov=True)),
        (lambda: AdaGrad(lr=1e-2), lambda p: torch.optim.Adagrad(p, lr=1e-2)),
        (lambda: RMSProp(lr=1e-3), lambda p: torch.optim.RMSprop(p, lr=1e-3)),
    ],
    ids=["Adam", "Adam-betas", "SGD", "Nesterov", "AdaGrad", "RMSProp"],
)
def test_bridge_runs_numpy_optimizers_like_torch_optim(dtype, ours, theirs):
    grads = gradient_sequence(300, dtype, seed=3)
    expected = run(theirs, grads, dtype)
    actual = run(lambda p: NumpyOptimizer(p, ours()), grads, dtype)
    torch.testing.assert_close(actual, expected, **TOLERANCE[dtype])


def test_bridge_keeps_float32_parameters_float32():
    w = torch.nn.Parameter(torch.zeros(2))
    w.grad = torch.ones(2)
    NumpyOptimizer([w], Adam()).step()
    assert w.dtype == torch.float32


def test_bridge_follows_the_group_learning_rate():
    """A schedule that changes group['lr'] changes the numpy optimizer's lr, as for torch's optimizers."""
    dtype = torch.float64
    grads = gradient_sequence(50, dtype, seed=4)

    def schedule(t):
        return 1 / (t + 1) ** 0.5

    expected = run(lambda p: torch.optim.Adam(p, lr=0.1), grads, dtype, schedule=schedule)
    actual = run(lambda p: NumpyOptimizer(p, Adam(lr=0.1)), grads, dtype, schedule=schedule)
    constant = run(lambda p: NumpyOptimizer(p, Adam(lr=0.1)), grads, dtype)
    assert not torch.allclose(actual, constant)
    torch.testing.assert_close(actual, expected, rtol=1e-9, atol=1e-12)


def test_bridge_skips_parameters_without_gradient_and_returns_closure_loss():
    a, b = torch.nn.Parameter(torch.ones(2)), torch.nn.Parameter(torch.ones(2))
    optimizer = NumpyOptimizer([a, b], SGD(lr=0.5))

    def closure():
        optimizer.zero_grad()
        loss = (a**2).sum()
        loss.backward()
        return loss

    assert optimizer.step(closure).item() == 2.0
    assert a.tolist() == [0.0, 0.0] and b.tolist() == [1.0, 1.0]
    assert "NumpyOptimizer(SGD(lr=0.5))" == repr(optimizer)


def test_invalid_arguments_are_named():
    w = [torch.nn.Parameter(torch.zeros(1))]
    with pytest.raises(ValueError, match=r"'betas\[0\]' parameter \(β1\) of PaperAdam must be in \[0, 1\). Got 1.0"):
        PaperAdam(w, betas=(1.0, 0.999))
    with pytest.raises(ValueError, match="'lr'"):
        PaperAdam(w, lr=-1.0)
    with pytest.raises(ValueError, match="'eps'"):
        PaperAdam(w, eps=-1e-8)
    with pytest.raises(TypeError, match=r"wraps an adam_edu\.optim optimizer"):
        NumpyOptimizer(w, torch.optim.Adam(w))
