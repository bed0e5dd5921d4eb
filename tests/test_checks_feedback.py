"""What a learner sees when a check fails: the message and their own code, not the checker's frames.

In Jupyter (JupyterLab, nbconvert, nbgrader: all format tracebacks with IPython in the kernel) a real
kernel runs a failing check; in pytest a learner's own test file does. Neither may show a frame from
``adam_edu/checks``; both must show the message, and a crash in the learner's code must still show
the learner's line.
"""

from __future__ import annotations

import re
import subprocess
import sys

import numpy as np
import pytest

from adam_edu.checks import check_adam_step, check_adamax_step, check_momentum_step

ANSI = re.compile(r"\x1b\[[0-9;]*m")
CHECKER_FRAMES = re.compile(r"adam_edu[/\\]checks|_steps\.py|_harness\.py|check_step\(|_adam_family")

WRONG = """
import numpy as np
from adam_edu.checks import check_adam_step

def adam_step(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    return theta - lr * m / (np.sqrt(v) + eps), m, v
"""
CRASHES = """
import numpy as np
from adam_edu.checks import check_adam_step

def second_moment(v, g, beta2):
    return beta2 * v + (1 - beta2) * g.squared()  # the learner's own bug: no such method

def adam_step(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    v = second_moment(v, g, beta2)
    return theta, m, v
"""


@pytest.fixture(scope="module")
def kernel_tracebacks():
    """The error outputs of two failing checks, run in a real IPython kernel as JupyterLab would."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(WRONG + "check_adam_step(adam_step)")]
    nb.cells.append(nbformat.v4.new_code_cell(CRASHES + "check_adam_step(adam_step)"))
    nbclient.NotebookClient(nb, allow_errors=True, timeout=120, kernel_name="python3").execute()
    errors = []
    for cell in nb.cells:
        (error,) = [o for o in cell.outputs if o.output_type == "error"]
        errors.append((error.ename, error.evalue, ANSI.sub("", "\n".join(error.traceback))))
    return errors


def test_in_a_kernel_a_wrong_step_shows_the_message_and_no_checker_frame(kernel_tracebacks):
    ename, evalue, shown = kernel_tracebacks[0]
    assert ename == "AssertionError" and evalue.startswith("adam_step returned a wrong theta.")
    assert "Hint: m and v are not bias-corrected" in shown
    assert re.search(r"----> \d+ check_adam_step\(adam_step\)", shown)  # the learner's cell, with the call
    assert not CHECKER_FRAMES.search(shown), shown


def test_in_a_kernel_a_crash_shows_the_learners_lines_and_no_checker_frame(kernel_tracebacks):
    ename, evalue, shown = kernel_tracebacks[1]
    assert ename == "AssertionError" and "adam_step raised AttributeError" in evalue
    assert "g.squared()" in shown and "v = second_moment(v, g, beta2)" in shown  # both of the learner's frames
    assert "The above exception was the direct cause" in shown
    assert not CHECKER_FRAMES.search(shown), shown


def test_in_pytest_a_learners_failing_test_shows_the_message_and_no_checker_frame(tmp_path):
    test_file = tmp_path / "test_my_adam.py"
    test_file.write_text(
        WRONG
        + CRASHES.replace("adam_step", "crashing_step").replace("from adam_edu", "#")
        + """

def test_my_adam():
    check_adam_step(adam_step)


def test_my_crashing_adam():
    check_adam_step(crashing_step)
"""
    )
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-o", "addopts=", str(test_file)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    shown = result.stdout
    assert "2 failed" in shown, shown
    assert "Hint: m and v are not bias-corrected" in shown
    assert "g.squared()" in shown  # the learner's own line
    assert not CHECKER_FRAMES.search(shown), shown


def test_outside_ipython_the_error_is_still_a_plain_assertion_error():
    def momentum_step(theta, g, velocity, lr=0.01, momentum=0.9):
        return theta, velocity

    with pytest.raises(AssertionError, match="returns velocity unchanged") as info:
        check_momentum_step(momentum_step)
    assert type(info.value) is AssertionError  # nbgrader and nbval see the usual error name


def test_adamax_regime_hints_do_not_talk_about_an_eps_it_does_not_have():
    def adamax_step(theta, g, m, u, t, lr=0.002, beta1=0.9, beta2=0.999):
        m = beta1 * m + (1 - beta1) * g
        u = np.maximum(beta2 * u, np.abs(g))
        return theta - (lr / (1 - beta1**t)) * m / (u + 1e-9), m, u  # an eps no library uses: unknown here

    with pytest.raises(AssertionError) as info:
        check_adamax_step(adamax_step)
    message = str(info.value)
    assert "gradients of size about 1e-7" in message, message  # the plain cases pass; the tiny ones fail
    assert "sqrt(v)" not in message and "u is about 1e-7 too" in message


def test_the_find_the_bug_suspect_is_not_named_even_under_another_name():
    from adam_edu.checks import CHOICES, buggy_adam_step

    def my_copy(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g**2
        m_hat = m / (1 - beta1**t)
        v_hat = v / (1 - beta1**t)
        theta = theta - lr * m_hat / (np.sqrt(v_hat) + eps)
        return theta, m, v

    for suspect in (buggy_adam_step, my_copy):
        with pytest.raises(AssertionError) as info:
            check_adam_step(suspect)
        message = str(info.value)
        assert "returned a wrong theta" in message
        assert "corrected with beta1" not in message and CHOICES["D"] not in message, message
