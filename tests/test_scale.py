"""Memory arithmetic, timing helpers, and ZeRO's sharded Adam against plain torch Adam."""

import importlib.util

import numpy as np
import pytest

from adam_edu import scale

needs_torch = pytest.mark.skipif(importlib.util.find_spec("torch") is None, reason="needs torch")


def test_fp32_training_memory_is_16_bytes_per_parameter():
    memory = scale.training_memory(7e9, "fp32")
    assert memory == {"parameters": 28e9, "gradients": 28e9, "m": 28e9, "v": 28e9}


def test_mixed_precision_also_needs_16_bytes_per_parameter():
    memory = scale.training_memory(1.0, "mixed")
    assert sum(memory.values()) == 16
    assert memory["master parameters (fp32)"] + memory["m"] + memory["v"] == 12


def test_zero_stage1_shards_only_the_optimizer_state():
    one = scale.training_memory(1.0, "mixed")
    many = scale.training_memory(1.0, "mixed", workers=64)
    assert sum(many.values()) == pytest.approx(4 + 12 / 64)
    assert many["parameters (bf16)"] == one["parameters (bf16)"]


@pytest.mark.parametrize("kwargs", [{"precision": "fp16"}, {"workers": 0}, {"workers": 2.0}, {"workers": True}])
def test_bad_memory_arguments_are_refused(kwargs):
    with pytest.raises(ValueError):
        scale.training_memory(10, **kwargs)


def _scripted_clock(monkeypatch, durations):
    """Make time.perf_counter, as adam_edu.scale sees it, advance by ``durations`` between start and stop."""
    ticks, now = [], 100.0
    for seconds in durations:
        ticks += [now, now + seconds]
        now += seconds + 1.0
    clock = iter(ticks)
    monkeypatch.setattr(scale.time, "perf_counter", lambda: next(clock))


def test_best_time_is_the_minimum_of_the_calls(monkeypatch):
    # Timings are never asserted (they depend on the machine and its load); the arithmetic on them is, on a
    # scripted clock.
    calls = []
    _scripted_clock(monkeypatch, [0.3, 0.1, 0.2, 0.5])
    assert scale.best_time(lambda: calls.append(1), repeats=4) == pytest.approx(0.1)
    assert len(calls) == 4


def test_copy_bandwidth_counts_a_read_and_a_write_of_the_array(monkeypatch):
    copies = []

    def fake_best_time(fn, repeats):
        fn()
        copies.append(repeats)
        return 0.25

    monkeypatch.setattr(scale, "best_time", fake_best_time)
    assert scale.copy_bandwidth(1000, repeats=3) == 2 * 4 * 1000 / 0.25  # float32: 4 bytes read, 4 written
    assert copies == [3]


def test_bytes_per_param_counts_seven_arrays():
    assert scale.adam_bytes_per_param() == 28
    assert scale.adam_bytes_per_param(2) == 14


def test_free_port_is_a_tcp_port():
    assert 0 < scale.free_port() < 65536


@needs_torch
@pytest.mark.torch
def test_torch_step_time_times_adam_steps_and_restores_the_thread_count(monkeypatch):
    import torch

    seen = []

    def fake_best_time(fn, repeats):
        seen.append((torch.get_num_threads(), repeats, getattr(fn, "__name__", "")))
        fn()  # one more step of the optimizer that was built
        return 0.125

    monkeypatch.setattr(scale, "best_time", fake_best_time)
    before = torch.get_num_threads()
    assert scale.torch_adam_step_time(10_000, repeats=2, threads=1, foreach=True) == 0.125
    assert seen == [(1, 2, "step")]  # timed with one thread, the optimizer's step
    assert torch.get_num_threads() == before


@needs_torch
@pytest.mark.torch
@pytest.mark.slow
@pytest.mark.parametrize("start_method", [None, "spawn"], ids=["default", "spawn"])
def test_zero_halves_the_state_per_rank_and_matches_unsharded_adam(start_method):
    single = scale.run_unsharded(steps=3)
    ranks = scale.run_zero(world_size=2, steps=3, start_method=start_method)
    assert [r["state_bytes"] / single["state_bytes"] for r in ranks] == pytest.approx([0.5, 0.5], abs=0.01)
    start = scale.run_unsharded(steps=0)["parameters"]
    moved = np.abs(single["parameters"] - start).max()
    for r in ranks:
        assert np.abs(r["parameters"] - single["parameters"]).max() < 1e-3 * moved
