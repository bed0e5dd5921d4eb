"""adam_edu.labs imports without torch, and says how to install torch when a lab needs it."""

import subprocess
import sys
import textwrap

import pytest


def run_python(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=120)


def test_importing_the_labs_package_does_not_import_torch():
    result = run_python(
        """
        import sys
        import adam_edu.labs
        from adam_edu.labs import data, backend, reporting
        assert "torch" not in sys.modules, "torch was imported"
        assert "sklearn" not in sys.modules, "scikit-learn was imported"
        print("ok")
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


@pytest.mark.parametrize("name", ["PaperAdam", "NumpyOptimizer", "train", "TensorData", "grid_search", "sqrt_v_hat"])
def test_missing_torch_gives_the_install_command(name):
    result = run_python(
        f"""
        import sys
        sys.modules["torch"] = None  # as if torch were not installed
        import adam_edu.labs as labs
        from adam_edu.labs import sparse_bag_of_words
        assert sparse_bag_of_words(n_docs=10, n_words=5).x_train.shape == (10, 5)  # numpy parts still work
        try:
            getattr(labs, {name!r})
        except ImportError as exc:
            print(exc)
        else:
            raise SystemExit("no ImportError")
        """
    )
    assert result.returncode == 0, result.stderr
    message = result.stdout
    assert "PyTorch, which is not installed" in message
    assert "pip install torch==2.13.0" in message and 'pip install -e ".[labs]"' in message


def test_missing_torch_in_backend_functions():
    result = run_python(
        """
        import sys
        sys.modules["torch"] = None
        from adam_edu.labs import backend
        for call in (backend.pick_device, backend.lab_mode, lambda: backend.seed_everything(0)):
            try:
                call()
            except ImportError as exc:
                assert "pip install torch==2.13.0" in str(exc), exc
                assert exc.__cause__ is None and exc.__suppress_context__  # one clear message, no chained traceback
            else:
                raise SystemExit("no ImportError")
        print("ok")
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_missing_scikit_learn_explains_where_the_digits_come_from():
    result = run_python(
        """
        import sys
        sys.modules["sklearn"] = None
        sys.modules["sklearn.datasets"] = None
        from adam_edu.labs import load_digits
        try:
            load_digits()
        except ImportError as exc:
            print(exc)
        """
    )
    assert "ships with scikit-learn" in result.stdout and "pip install scikit-learn" in result.stdout


def test_unknown_names_raise_attribute_error():
    import adam_edu.labs as labs

    with pytest.raises(AttributeError, match="no attribute 'Adamm'"):
        labs.Adamm  # noqa: B018
    assert "PaperAdam" in dir(labs) and "PaperAdam" in labs.__all__
