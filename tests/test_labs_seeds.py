"""The seed study (adam-edu seeds): committed results are current, staleness is detected, and the study runs.

The study itself runs here for Lab 2 over two seeds: Lab 2 is the cheapest lab that chooses learning rates from
grids (15-18 training runs of 8 epochs per seed, a few seconds on one core), so the short run covers every part
of a results file: measures, claims, learning-rate choices and fingerprints. Lab 1 costs about twice as much,
Lab 3 four times; labs 4 and 5 choose no rates. Nothing here asserts a duration.
"""

import dataclasses
import json
import math

import pytest

from adam_edu.labs import seeds
from adam_edu.labs.claims import CLAIMS, MEASURES

pytest.importorskip("torch")
pytest.importorskip("sklearn")

pytestmark = pytest.mark.torch


@pytest.mark.parametrize("lab", seeds.LABS)
def test_committed_results_match_the_code_the_data_and_the_claims(lab):
    reasons = seeds.stale_reasons(lab)
    assert not reasons, f"adam_edu/labs/results/{lab}.json is stale: " + "; ".join(reasons)


@pytest.mark.parametrize("lab", seeds.LABS)
def test_committed_results_cover_every_seed_and_claim(lab):
    results = seeds.load_results(lab)
    n = len(results["seeds"])
    assert n >= 8 and results["mode"] == "quick"
    assert [c["measure"] for c in results["claims"]] == [c.measure for c in CLAIMS[lab]]
    assert set(results["measures"]) == set(MEASURES[lab])
    assert all(len(m["values"]) == n for m in results["measures"].values())
    for claim in results["claims"]:
        if claim["asserted"]:  # a bound that failed in some seed must not be asserted by the lab
            assert claim["held"] == n, f"{lab}: '{claim['text']}' held in {claim['held']} of {n} seeds only"


def _copy_results(tmp_path, lab):
    target = tmp_path / f"{lab}.json"
    target.write_text(seeds.results_path(lab).read_text(encoding="utf-8"), encoding="utf-8")
    return json.loads(target.read_text(encoding="utf-8")), target


def test_a_changed_module_makes_the_results_stale_and_names_the_command(tmp_path):
    results, target = _copy_results(tmp_path, "lab4")
    results["fingerprint"]["code"]["optim/adam.py"] = "0" * 64
    target.write_text(json.dumps(results), encoding="utf-8")
    (reason,) = seeds.stale_reasons("lab4", tmp_path)
    assert "adam_edu/optim/adam.py" in reason and "adam-edu seeds lab4 --seeds 15" in reason


def test_changed_data_makes_the_results_stale(tmp_path):
    results, target = _copy_results(tmp_path, "lab1")
    results["fingerprint"]["data"]["bag-of-words"] = "0" * 64
    target.write_text(json.dumps(results), encoding="utf-8")
    (reason,) = seeds.stale_reasons("lab1", tmp_path)
    assert "bag-of-words" in reason and "adam-edu seeds lab1" in reason


def test_a_changed_claim_asks_for_a_rescore_and_rescoring_fixes_it(tmp_path, monkeypatch):
    _copy_results(tmp_path, "lab2")
    changed = tuple(
        c if c.measure != "adam_best_other_auc" else dataclasses.replace(c, bound=0.01) for c in CLAIMS["lab2"]
    )
    monkeypatch.setitem(CLAIMS, "lab2", changed)
    (reason,) = seeds.stale_reasons("lab2", tmp_path)
    assert "adam-edu seeds lab2 --rescore" in reason
    assert seeds.main(["lab2", "--rescore", "--out", str(tmp_path)]) == 1  # the stricter bound fails in a seed
    assert seeds.stale_reasons("lab2", tmp_path) == []


def test_a_missing_file_names_the_command(tmp_path):
    (reason,) = seeds.stale_reasons("lab3", tmp_path)
    assert "adam-edu seeds lab3" in reason


def test_normalized_source_ignores_prose_but_not_code():
    code = 'def f(x):\n    """Doc."""\n    return x + 1  # add one\n'
    reworded = 'def f(x):\n    """Another docstring,\n    on two lines."""\n\n    return x + 1  # plus one\n'
    changed = 'def f(x):\n    """Doc."""\n    return x + 2  # add one\n'
    assert seeds.normalized_source(code) == seeds.normalized_source(reworded)
    assert seeds.normalized_source(code) != seeds.normalized_source(changed)
    assert seeds.normalized_source('x = "a # in a string"  # a comment') == 'x = "a # in a string"'


def test_the_study_over_two_seeds_writes_a_complete_file_whose_claims_hold(tmp_path, capsys):
    status = seeds.main(["lab2", "--seeds", "2", "--out", str(tmp_path), "--no-progress"])
    out = capsys.readouterr().out
    assert status == 0, out
    results = seeds.load_results("lab2", tmp_path)
    assert results["seeds"] == [0, 1] and results["command"] == "adam-edu seeds lab2 --seeds 2"
    assert results["fingerprint"]["code"] == seeds.code_fingerprint("lab2")
    assert set(results["fingerprint"]["data"]) == {"mnist-5k"}
    assert {"torch", "numpy", "python", "seconds_per_seed"} <= set(results["recorded"])
    for claim in results["claims"]:
        assert claim["seeds"] == 2 and 0 <= claim["held"] <= 2
        if claim["asserted"]:
            assert claim["held"] == 2, claim
            values = results["measures"][claim["measure"]]["values"]
            assert claim["worst"] == (max(values) if claim["op"] in ("<", "<=") else min(values))
    for name, choice in results["choices"]["grid"].items():
        assert sum(choice["counts"].values()) == 2, name
        assert all(lr in choice["grid"] for lr in choice["per_seed"])
    assert all(math.isfinite(v) for m in results["measures"].values() for v in m["values"])
    assert seeds.stale_reasons("lab2", tmp_path) == []
    report = seeds.seed_report("lab2", folder=tmp_path)
    assert "seeds 0-1 (2)" in report and "Adam has the smallest AUC" in report
    assert seeds.main(["lab2", "--check", "--out", str(tmp_path)]) == 0


def test_unknown_lab_is_refused(capsys):
    with pytest.raises(SystemExit):
        seeds.main(["lab9"])
    assert "unknown lab" in capsys.readouterr().err
