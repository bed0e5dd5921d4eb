"""The vectorised sweep of Reddi et al.'s problem equals the per-run code; the drift predicts where each run ends."""

import numpy as np
import pytest

from adam_edu.online import ReddiProblem, run_online
from adam_edu.optim import Adam
from adam_edu.reddi_sweep import critical_beta2, cycle_drift, final_points

PAIRS = [(0.1, 3.0), (0.45, 3.0), (0.5, 3.0), (0.0, 2.5), (0.9, 2.1), (0.3, 10.0), (0.95, 30.0)]


def _plain_adam(beta2, C, steps, lr, period):
    """Projected Adam with beta1 = 0 written out in plain floats, for periods ReddiProblem does not have."""
    x, v = 0.0, 0.0
    for t in range(1, steps + 1):
        g = C if t % period == 1 else -1.0
        v = beta2 * v + (1 - beta2) * g * g
        x = min(1.0, max(-1.0, x - lr * g / (np.sqrt(v / (1 - beta2**t)) + 1e-8)))
    return x


def test_the_grid_equals_run_online_with_adam_run_by_run():
    beta2, C = np.array(PAIRS).T
    grid = final_points(beta2, C, steps=1500, lr=0.01)
    for (b, c), x in zip(PAIRS, grid, strict=True):
        reference = run_online(Adam(lr=0.01, beta1=0.0, beta2=b), ReddiProblem(C=c), steps=1500).final_point
        assert x == pytest.approx(reference, abs=1e-9)


def test_a_two_dimensional_grid_keeps_its_shape_and_values():
    beta2, C = np.meshgrid([0.1, 0.5, 0.9], [2.5, 5.0])
    grid = final_points(beta2, C, steps=600, lr=0.02)
    assert grid.shape == (2, 3)
    for idx in np.ndindex(grid.shape):
        assert grid[idx] == pytest.approx(_plain_adam(beta2[idx], C[idx], 600, 0.02, 3), abs=1e-9)


def test_other_periods_match_a_plain_loop():
    got = final_points([0.9, 0.99], 12.0, steps=2000, lr=0.01, period=10)
    expected = [_plain_adam(b, 12.0, 2000, 0.01, 10) for b in (0.9, 0.99)]
    np.testing.assert_allclose(got, expected, atol=1e-9)


def test_reddis_choice_fails_and_drifts_by_the_cycle_sum():
    # C = 3, beta2 = 0.1: the notebook's cycle of steps -1.047, +0.762, +0.966 (in units of alpha)
    assert float(cycle_drift(0.1, 3.0)) == pytest.approx(-1.047 + 0.762 + 0.966, abs=2e-3)
    for C in (2.1, 3.0, 10.0, 100.0):
        assert cycle_drift(1 / (1 + C**2), C) > 0.6


def test_the_drift_predicts_the_end_of_every_decided_run():
    beta2, C = np.meshgrid(np.linspace(0, 0.95, 20), np.geomspace(2.1, 30, 15))
    ends, drift = final_points(beta2, C, steps=6000), cycle_drift(beta2, C)
    assert np.all(ends[drift > 0.1] > 0.99) and np.all(ends[drift < -0.1] < -0.9)


@pytest.mark.parametrize("C", [2.2, 3.0, 10.0])
def test_critical_beta2_is_where_the_outcome_flips(C):
    b = critical_beta2(C)
    assert cycle_drift(b - 1e-3, C) > 0 > cycle_drift(b + 1e-3, C)
    below, above = final_points([max(b - 0.05, 0.0), b + 0.05], C, steps=20000, lr=0.01)
    assert below > 0.99 and above < -0.9


def test_the_boundary_falls_as_C_grows():
    values = [critical_beta2(C) for C in (2.1, 2.5, 3.0, 5.0, 10.0, 30.0)]
    assert np.all(np.diff(values) < 0) and values[0] > 0.85 and values[-1] < 0.05


def test_bad_arguments_raise_naming_the_parameter():
    with pytest.raises(ValueError, match="beta2"):
        final_points(1.0, 3.0, steps=10)
    with pytest.raises(ValueError, match="steps"):
        final_points(0.5, 3.0, steps=-1)
    with pytest.raises(ValueError, match="period"):
        cycle_drift(0.5, 3.0, period=1)
    with pytest.raises(ValueError, match="'C'"):
        critical_beta2(2.0)
