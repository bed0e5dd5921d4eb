"""Checks for the exercises: one checker per exercise, which helps when wrong and cannot be fooled.

Each checker takes the learner's function (or class), runs it on many cases and either prints one
short line (all cases pass) or raises :class:`AssertionError` with the case that failed, the expected
value against the value received, and a hint naming the likely mistake. Checkers never print the
reference code and write nothing to stderr, so they work as nbgrader tests.

=====================================  ===========================================================
exercise                               checker(s)
=====================================  ===========================================================
ex01 moving averages                   :func:`check_ema`, :func:`check_correction_constant`
ex02 momentum step                     :func:`check_momentum_step`
ex03 RMSProp step                      :func:`check_rmsprop_step`
ex04 Adam step                         :func:`check_adam_step`
ex05 AdaMax step                       :func:`check_adamax_step`
ex06 AMSGrad                           :func:`check_amsgrad_step`, :func:`check_reddi_run`
ex07 find the bug                      :func:`check_bug_named`, :func:`check_adam_step`
ex08 tuning                            :func:`check_tuning`
ex09 derivations                       :func:`check_first_step_without_correction`, :func:`check_spike_step`,
                                       :func:`check_adamax_bound`, :func:`check_efficient_eps`
ex10 Adam in PyTorch                   :func:`check_torch_adam` (imports torch when called)
ex11 train a network                   :func:`check_adam_l2_step`, :func:`check_adamw_step`,
                                       :func:`check_training` (needs scikit-learn when called)
=====================================  ===========================================================

Numpy only: torch is imported inside :func:`check_torch_adam`, scikit-learn (for the digits) inside
:func:`check_training`, and nothing here needs matplotlib.
"""

from .adam import check_adam_step
from .adamax import check_adamax_step
from .amsgrad import check_amsgrad_step, check_reddi_run
from .averages import check_correction_constant, check_ema
from .derivations import check_adamax_bound, check_efficient_eps, check_first_step_without_correction, check_spike_step
from .find_the_bug import CHOICES, buggy_adam_step, check_bug_named
from .momentum import check_momentum_step
from .rmsprop import check_rmsprop_step
from .torch_adam import check_torch_adam
from .tuning import TASKS, check_tuning
from .weight_decay import check_adam_l2_step, check_adamw_step, check_training

__all__ = [
    "CHOICES",
    "TASKS",
    "buggy_adam_step",
    "check_adam_l2_step",
    "check_adam_step",
    "check_adamax_bound",
    "check_adamax_step",
    "check_adamw_step",
    "check_amsgrad_step",
    "check_bug_named",
    "check_correction_constant",
    "check_efficient_eps",
    "check_ema",
    "check_first_step_without_correction",
    "check_momentum_step",
    "check_reddi_run",
    "check_rmsprop_step",
    "check_spike_step",
    "check_torch_adam",
    "check_training",
    "check_tuning",
]
