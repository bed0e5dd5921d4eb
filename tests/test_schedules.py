"""Learning-rate schedules: torch.optim.lr_scheduler's values over many steps, validation, and Scheduled runs."""

import dataclasses
import math

import numpy as np
import pytest

from adam_edu.optim import SGD, Adam, AdamW, RAdam
from adam_edu.problems import LogisticRegression, train
from adam_edu.recording import feed
from adam_edu.schedules import (
    Constant,
    Cosine,
    InverseSqrt,
    LinearWarmup,
    Scheduled,
    StepDecay,
    WarmupThen,
)

LR = 0.3


def torch_rates(make_scheduler, steps, lr=LR):
    """The lr torch's optimizer uses at each of ``steps`` updates, with scheduler.step() after each (torch's order)."""
    torch = pytest.importorskip("torch")
    param = torch.nn.Parameter(torch.zeros(1, dtype=torch.float64))
    opt = torch.optim.SGD([param], lr=lr)
    scheduler = make_scheduler(torch.optim.lr_scheduler, opt)
    rates = []
    for _ in range(steps):
        rates.append(opt.param_groups[0]["lr"])
        opt.step()
        scheduler.step()
    return np.array(rates)


@pytest.mark.parametrize(
    ("ours", "make", "steps"),
    [
        (StepDecay(LR, step_size=7, gamma=0.5), lambda s, o: s.StepLR(o, step_size=7, gamma=0.5), 100),
        (StepDecay(LR, step_size=1, gamma=0.9), lambda s, o: s.StepLR(o, step_size=1, gamma=0.9), 200),
        (Cosine(LR, total=500, lr_min=0.01), lambda s, o: s.CosineAnnealingLR(o, T_max=500, eta_min=0.01), 501),
        (Cosine(LR, total=3, lr_min=0.1), lambda s, o: s.CosineAnnealingLR(o, T_max=3, eta_min=0.1), 4),
        (LinearWarmup(LR, warmup=50), lambda s, o: s.LinearLR(o, start_factor=1 / 50, total_iters=49), 300),
        (LinearWarmup(LR, warmup=2), lambda s, o: s.LinearLR(o, start_factor=1 / 2, total_iters=1), 20),
        (LinearWarmup(LR, warmup=1), lambda s, o: s.LambdaLR(o, lambda e: min(1.0, (e + 1) / 1)), 20),
        (LinearWarmup(LR, warmup=37), lambda s, o: s.LambdaLR(o, lambda e: min(1.0, (e + 1) / 37)), 200),
        (InverseSqrt(LR), lambda s, o: s.LambdaLR(o, lambda e: 1 / math.sqrt(e + 1)), 1000),
        (Constant(LR), lambda s, o: s.LambdaLR(o, lambda e: 1.0), 50),
        (
            WarmupThen(20, Cosine(LR, total=300, lr_min=0.02)),
            lambda s, o: s.SequentialLR(
                o,
                [s.LinearLR(o, start_factor=1 / 20, total_iters=19), s.CosineAnnealingLR(o, T_max=300, eta_min=0.02)],
                milestones=[20],
            ),
            321,
        ),
        (
            WarmupThen(10, StepDecay(LR, step_size=25, gamma=0.5)),
            lambda s, o: s.SequentialLR(
                o, [s.LinearLR(o, start_factor=1 / 10, total_iters=9), s.StepLR(o, 25, 0.5)], milestones=[10]
            ),
            200,
        ),
    ],
    ids=lambda x: repr(x) if not callable(x) or isinstance(x, type) else None,
)
def test_rates_equal_torch_lr_scheduler_with_t_equal_epoch_plus_one(ours, make, steps):
    np.testing.assert_allclose(ours.values(steps), torch_rates(make, steps), rtol=1e-12, atol=0)


def test_cosine_down_to_zero_matches_torch_where_the_rate_is_zero_up_to_rounding():
    theirs = torch_rates(lambda s, o: s.CosineAnnealingLR(o, T_max=1000), 1001)
    np.testing.assert_allclose(Cosine(LR, total=1000).values(1001), theirs, rtol=1e-12, atol=1e-15 * LR)


def test_cosine_starts_at_lr_ends_at_lr_min_and_holds_it():
    cosine = Cosine(1.0, total=10, lr_min=0.1)
    assert cosine(1) == 1.0 and cosine(11) == pytest.approx(0.1, abs=1e-15)
    assert cosine(6) == pytest.approx(0.55, rel=1e-14)  # half-way
    assert all(cosine(t) == 0.1 for t in (12, 20, 10_000))  # torch's cosine would rise again
    assert np.all(np.diff(cosine.values(11)) < 0)


def test_step_decay_first_step_size_updates_at_lr():
    rates = StepDecay(1.0, step_size=3, gamma=0.5).values(7)
    np.testing.assert_array_equal(rates, [1, 1, 1, 0.5, 0.5, 0.5, 0.25])


def test_warmup_reaches_lr_at_update_warmup_and_never_uses_zero():
    rates = LinearWarmup(2.0, warmup=4).values(6)
    np.testing.assert_allclose(rates, [0.5, 1.0, 1.5, 2.0, 2.0, 2.0], rtol=1e-15)


def test_warmup_then_ramps_to_where_the_schedule_starts_then_restarts_it_from_its_step_1():
    after = Cosine(1.0, total=8, lr_min=0.2)
    combined = WarmupThen(4, after)
    np.testing.assert_allclose(combined.values(4), [0.25, 0.5, 0.75, 1.0], rtol=1e-15)
    np.testing.assert_allclose(combined.values(13)[4:], after.values(9), rtol=1e-15)


def test_inverse_sqrt_is_the_papers_section_4_rate():
    np.testing.assert_allclose(InverseSqrt(0.1).values(4), [0.1, 0.1 / math.sqrt(2), 0.1 / math.sqrt(3), 0.05])


@pytest.mark.parametrize(
    ("build", "error", "message"),
    [
        (
            lambda: Cosine(-0.1, total=10),
            ValueError,
            "The 'lr' parameter (α) of Cosine must be a real number in [0, inf). Got -0.1 instead.",
        ),
        (
            lambda: Cosine(0.1, total=0),
            ValueError,
            "The 'total' parameter of Cosine must be an integer in [1, inf). Got 0 instead.",
        ),
        (
            lambda: Cosine(0.1, total=10.0),
            TypeError,
            "The 'total' parameter of Cosine must be an integer in [1, inf). Got 10.0 instead.",
        ),
        (
            lambda: Cosine(0.1, total=10, lr_min=0.2),
            ValueError,
            "The 'lr_min' parameter (α_min) of Cosine must be a real number in [0, 0.1]. Got 0.2 instead.",
        ),
        (
            lambda: StepDecay(0.1, step_size=True),
            TypeError,
            "The 'step_size' parameter of StepDecay must be an integer in [1, inf). Got True (bool) instead.",
        ),
        (
            lambda: StepDecay(0.1, step_size=5, gamma=0.0),
            ValueError,
            "The 'gamma' parameter (γ) of StepDecay must be a real number in (0, 1]. Got 0.0 instead.",
        ),
        (
            lambda: StepDecay(0.1, step_size=5, gamma=1.5),
            ValueError,
            "(γ) of StepDecay must be a real number in (0, 1]. Got 1.5 instead.",
        ),
        (
            lambda: LinearWarmup(0.1, warmup=0),
            ValueError,
            "The 'warmup' parameter of LinearWarmup must be an integer in [1, inf). Got 0 instead.",
        ),
        (
            lambda: LinearWarmup(float("nan"), warmup=5),
            ValueError,
            "The 'lr' parameter (α) of LinearWarmup must be a real number in [0, inf). Got nan instead.",
        ),
        (
            lambda: InverseSqrt("0.1"),
            TypeError,
            "The 'lr' parameter (α) of InverseSqrt must be a real number in [0, inf). Got '0.1' (str) instead.",
        ),
        (
            lambda: WarmupThen(0, Constant(0.1)),
            ValueError,
            "The 'warmup' parameter of WarmupThen must be an integer in [1, inf). Got 0 instead.",
        ),
        (lambda: WarmupThen(5, lambda t: 0.1), TypeError, "The 'schedule' parameter of WarmupThen must be a Schedule"),
        (
            lambda: Cosine(0.1, total=10)(0),
            ValueError,
            "The 't' argument (the 1-based update count) of Cosine must be an integer in [1, inf). Got 0 instead.",
        ),
        (
            lambda: InverseSqrt(0.1)(2.0),
            TypeError,
            "(the 1-based update count) of InverseSqrt must be an integer in [1, inf). Got 2.0 instead.",
        ),
        (lambda: Scheduled(Adam(), 0.1), TypeError, "The 'schedule' parameter of Scheduled must be a Schedule"),
        (
            lambda: Scheduled("adam", Constant(0.1)),
            TypeError,
            "The 'optimizer' parameter of Scheduled must be an optimizer",
        ),
        (lambda: Scheduled(Scheduled(Adam(), Constant(0.1)), Constant(0.1)), TypeError, "(not itself Scheduled)"),
    ],
)
def test_bad_input_names_the_parameter_the_range_and_the_value(build, error, message):
    with pytest.raises(error) as caught:
        build()
    assert message in str(caught.value)


def test_t_from_zero_is_refused_so_state_t_before_the_step_cannot_be_passed_by_mistake():
    with pytest.raises(ValueError, match=r"'t' argument .* Got 0 instead"):
        LinearWarmup(0.1, 10)(Adam().init(np.zeros(1)).t)


def test_scheduled_adam_equals_a_hand_loop_with_dataclasses_replace():
    rng = np.random.default_rng(0)
    grads = rng.standard_normal((120, 3)) * [1e-3, 1.0, 30.0]
    schedule = WarmupThen(15, Cosine(0.05, total=100, lr_min=1e-3))
    base = Adam(beta2=0.99)
    theta, state = np.ones(3), base.init(np.ones(3))
    hand = [theta]
    for t, g in enumerate(grads, start=1):
        theta, state = dataclasses.replace(base, lr=schedule(t)).step(theta, g, state)
        hand.append(theta)
    run = feed(Scheduled(base, schedule), grads, start=np.ones(3))
    np.testing.assert_allclose(run.points, np.array(hand), rtol=1e-12, atol=0)
    assert run.states[-1].t == 120
    np.testing.assert_allclose(run.states[-1].v, state.v, rtol=1e-12)


def test_scheduled_adam_equals_torch_adam_with_its_scheduler():
    torch = pytest.importorskip("torch")
    grads = np.random.default_rng(1).standard_normal((80, 4))
    param = torch.nn.Parameter(torch.ones(4, dtype=torch.float64))
    opt = torch.optim.Adam([param], lr=0.02)
    sched = torch.optim.lr_scheduler.SequentialLR(
        opt,
        [
            torch.optim.lr_scheduler.LinearLR(opt, start_factor=1 / 10, total_iters=9),
            torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=70),
        ],
        milestones=[10],
    )
    theirs = []
    for g in grads:
        param.grad = torch.tensor(g)
        opt.step()
        sched.step()
        theirs.append(param.detach().numpy().copy())
    ours = feed(Scheduled(Adam(), WarmupThen(10, Cosine(0.02, total=70))), grads, start=np.ones(4))
    np.testing.assert_allclose(ours.points[1:], np.array(theirs), rtol=1e-10, atol=1e-12)


def test_the_state_carries_over_a_run_split_in_two_equals_one_run():
    grads = np.random.default_rng(2).standard_normal((60, 2))
    opt = Scheduled(RAdam(), Cosine(0.1, total=59))
    whole = feed(opt, grads)
    first = feed(opt, grads[:25])
    theta, state = first.points[-1], first.states[-1]
    for g in grads[25:]:
        theta, state = opt.step(theta, g, state)
    assert state.t == 60
    np.testing.assert_allclose(theta, whole.points[-1], rtol=1e-13)


def test_the_rate_is_the_one_of_update_state_t_plus_one():
    opt = Scheduled(SGD(), StepDecay(1.0, step_size=1, gamma=0.5))  # rates 1, 1/2, 1/4, ...
    moves = -np.diff(feed(opt, np.ones((4, 1))).points[:, 0])
    np.testing.assert_allclose(moves, [1.0, 0.5, 0.25, 0.125], rtol=1e-15)
    assert opt.at(3).lr == 0.25 and opt.optimizer.lr == SGD().lr  # the wrapped optimizer is unchanged


def test_adamw_decay_follows_the_scheduled_rate_as_in_torch():
    opt = Scheduled(AdamW(weight_decay=0.5), LinearWarmup(0.1, warmup=2))
    theta = feed(opt, np.zeros((2, 1)), start=np.ones(1)).points[:, 0]  # zero gradient: only the decay moves
    np.testing.assert_allclose(theta, [1.0, 1 - 0.05 * 0.5, (1 - 0.05 * 0.5) * (1 - 0.1 * 0.5)], rtol=1e-15)


def test_scheduled_works_with_the_minibatch_trainer_and_warmup_shrinks_the_first_steps():
    problem = LogisticRegression.synthetic(n=300, dim=5, seed=0)
    plain = train(Adam(lr=0.05), problem, steps=40, batch_size=16)
    warm = train(Scheduled(Adam(), LinearWarmup(0.05, warmup=20)), problem, steps=40, batch_size=16)
    assert plain.max_steps[0] == pytest.approx(0.05, rel=1e-6)  # Adam's first step is lr * sign(g)
    assert warm.max_steps[0] == pytest.approx(0.05 / 20, rel=1e-6)
    assert np.all(warm.max_steps[:19] < plain.max_steps[:19])


def test_a_schedule_that_returns_a_bad_rate_is_refused_by_the_optimizer():
    @dataclasses.dataclass(frozen=True)
    class Negative(Constant):
        def rate(self, t):
            return -self.lr

    opt = Scheduled(Adam(), Negative(0.1))
    with pytest.raises(ValueError, match=r"'lr' parameter \(α\) of Adam .* Got -0.1 instead"):
        opt.step(np.zeros(1), np.ones(1), opt.init(np.zeros(1)))
