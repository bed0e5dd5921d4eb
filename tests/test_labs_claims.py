"""The labs' claims (adam_edu.labs.claims) and the measures that adam_edu.labs.runs computes for them.

The measures are checked on hand-made histories, so each test knows the answer without training anything.
"""

import math

import pytest

from adam_edu.labs.claims import CLAIMS, MEASURES, Claim, check_claims, claims_of


def test_less_than_claim_holds_below_its_bound_and_never_on_nan():
    claim = Claim("lab1", "dense", "m", "<", 0.85, "text")
    assert claim.holds(0.84) and not claim.holds(0.85) and not claim.holds(0.9) and not claim.holds(math.nan)


def test_worst_case_is_the_largest_for_below_and_the_smallest_for_above():
    below = Claim("lab1", "dense", "m", "<", 1.0, "text")
    above = Claim("lab1", "dense", "m", ">=", 1.0, "text")
    assert below.worst([0.2, 0.7, 0.5]) == 0.7
    assert above.worst([3.0, 1.0, 2.0]) == 1.0
    assert math.isnan(below.worst([0.2, math.nan]))


def test_unknown_operator_is_refused_with_its_name():
    with pytest.raises(ValueError, match="'op' of a Claim"):
        Claim("lab1", "dense", "m", "=", 1.0, "text")


def test_every_claim_names_a_known_measure_of_its_part():
    for lab, claims in CLAIMS.items():
        for claim in claims:
            assert claim.measure in MEASURES[lab], (lab, claim.measure)
            assert MEASURES[lab][claim.measure][0] == claim.part, (lab, claim.measure)


def test_check_claims_raises_on_a_failed_asserted_claim_and_names_it(capsys):
    margins = {"float64_max_gap": 1e-15, "float32_gap_step1": 1e-3, "float32_gap_step100": 1e-6}
    with pytest.raises(AssertionError, match="float32_gap_step1"):
        check_claims("lab5", margins)
    assert "FAILS" in capsys.readouterr().out
    check_claims("lab5", margins, enforce=False)  # full mode: printed, not asserted


def test_check_claims_does_not_raise_on_an_observation(capsys):
    margins = {"adam_best_other_auc": 0.5, "adam_sgd_final": 0.5, "adam_best_other_final": 1.2}
    check_claims("lab2", margins)
    assert "does not hold" in capsys.readouterr().out


def test_check_claims_wants_every_measure_of_the_part():
    with pytest.raises(KeyError, match="dense_sgd_adagrad_final"):
        check_claims("lab1", {"dense_adam_adagrad_final": 0.5, "dense_adam_sgd_final": 1.0}, part="dense")


def test_claims_of_one_part():
    assert {c.part for c in claims_of("lab3", "v_hat")} == {"v_hat"}
    with pytest.raises(KeyError, match="Unknown lab"):
        claims_of("lab9")


# ----------------------------------------------------------------------------- measures on hand-made runs
torch = pytest.importorskip("torch")

from adam_edu.labs import runs  # noqa: E402
from adam_edu.labs.experiments import GridResult  # noqa: E402
from adam_edu.labs.training import EpochRecord, History  # noqa: E402


def history(losses, name="run"):
    """A History with these per-epoch losses (epoch 0 first); infinite from the first non-finite one."""
    records, diverged = [], False
    for epoch, loss in enumerate(losses):
        diverged = diverged or not math.isfinite(loss)
        value = math.inf if diverged else loss
        records.append(EpochRecord(name, epoch, value, math.nan, math.nan, math.nan, 0.0, epoch))
    return History(name, tuple(records), diverged)


def grid(finals: dict, aucs: dict | None = None) -> GridResult:
    """A GridResult whose best runs have these final losses (and AUCs: each run is two epochs after epoch 0)."""
    aucs = aucs or finals
    best = {name: history([10.0, 2 * aucs[name] - final, final], name) for name, final in finals.items()}
    return GridResult({(n, 1.0): h for n, h in best.items()}, best, dict.fromkeys(best, 1.0))


def test_lab1_margins_are_the_ratios_the_lab_names():
    dense = grid({"Adam": 0.1, "SGD-Nesterov": 0.2, "AdaGrad": 0.4})
    constant = grid({"AdaGrad": 0.25})
    sparse = grid(
        {"Adam": 0.3, "SGD-Nesterov": 0.6, "AdaGrad": 0.5}, {"Adam": 0.4, "SGD-Nesterov": 0.7, "AdaGrad": 0.8}
    )
    presence = grid({"Adam": 0.3, "SGD-Nesterov": 0.3, "AdaGrad": 0.6})
    margins = runs.lab1_margins(dense, constant, sparse, presence)
    assert set(margins) == set(MEASURES["lab1"])
    assert margins["dense_adam_adagrad_final"] == pytest.approx(0.25)
    assert margins["dense_sgd_adagrad_final"] == pytest.approx(0.5)
    assert margins["adagrad_constant_schedule_final"] == pytest.approx(0.625)
    assert margins["adam_adagrad_constant_final"] == pytest.approx(0.4)
    assert margins["sparse_adam_adagrad_auc"] == pytest.approx(0.5)
    assert margins["sparse_adam_sgd_final"] == pytest.approx(0.5)
    assert margins["presence_adam_sgd_final"] == pytest.approx(1.0)
    assert margins["presence_adagrad_sgd_final"] == pytest.approx(2.0)


def test_lab2_compares_adam_with_the_best_other_optimizer():
    finals = {"Adam": 0.2, "AdaGrad": 0.3, "RMSProp": 0.1, "SGD-Nesterov": 0.4, "AdaDelta": 0.5}
    aucs = {"Adam": 0.3, "AdaGrad": 0.6, "RMSProp": 0.5, "SGD-Nesterov": 1.2, "AdaDelta": 0.9}
    margins = runs.lab2_margins(grid(finals, aucs))
    assert set(margins) == set(MEASURES["lab2"])
    assert margins["adam_best_other_auc"] == pytest.approx(0.6)  # against RMSProp's 0.5
    assert margins["adam_best_other_final"] == pytest.approx(2.0)  # RMSProp ends lower: the observation fails
    assert margins["adam_sgd_final"] == pytest.approx(0.5)


def test_a_diverged_run_makes_its_ratio_nan_so_every_claim_on_it_fails():
    dense = grid({"Adam": 0.1, "SGD-Nesterov": 0.2, "AdaGrad": 0.4})
    dense.best["AdaGrad"] = history([1.0, math.nan, math.nan])
    margins = runs.lab1_margins(dense)
    assert math.isnan(margins["dense_adam_adagrad_final"])
    assert not claims_of("lab1", "dense")[0].holds(margins["dense_adam_adagrad_final"])


def test_lab4_counts_diverged_and_unstable_runs_and_takes_differences_of_best_losses():
    fake = {}
    for config in runs.LAB4_CONFIGS:
        b1, b2, lr, corrected = config
        final = 50.0 if corrected else 49.0
        losses = [100.0, 80.0, final]
        if not corrected and b2 == 0.9999 and lr >= 1e-2:
            losses = [100.0, math.nan, math.nan]  # 2 lrs x 2 beta1 = 4 diverged runs
        if not corrected and b2 == 0.99 and lr == 1e-1 and b1 == 0.0:
            losses = [100.0, 120.0, 60.0]  # rose above its start: unstable, not diverged
        fake[config] = history(losses)
    margins = runs.lab4_margins(fake)
    assert set(margins) == set(MEASURES["lab4"])
    assert margins["diverged_corrected"] == 0 and margins["diverged_uncorrected"] == 4
    # of the 4, the two at alpha = 1e-2 are below the grid's top rate (1e-1)
    assert margins["diverged_corrected_below_top_lr"] == 0 and margins["diverged_uncorrected_below_top_lr"] == 2
    assert margins["unstable_uncorrected_0.99"] == 1 and margins["unstable_uncorrected_0.9999"] == 4
    assert margins["unstable_growth"] == 3
    assert margins["gap_09_09999"] == pytest.approx(-1.0)  # the uncorrected runs end 1 nat lower here
    assert margins["tiny_lr_uncorrected_lead"] == pytest.approx(1.0)


def test_lab3_v_hat_measures():
    v_hat = runs.VHatRun(
        history([1.0, 0.5]),
        quantiles=torch.tensor([[1e-3, 4e-3, 1e-2], [1e-3, 2e-3, 1e-2]]).numpy(),
        near_eps=torch.tensor([0.05, 0.1]).numpy(),
        below=torch.tensor([0.2, 0.3]).numpy(),
        threshold=1e-4,
        eps=1e-8,
    )
    margins = runs.lab3_margins(v_hat=v_hat)
    assert margins["v_hat_median_shrink"] == pytest.approx(0.5)
    assert margins["v_hat_median_over_eps"] == pytest.approx(2e5, rel=1e-6)
    assert margins["v_hat_near_eps_share"] == pytest.approx(0.1)
