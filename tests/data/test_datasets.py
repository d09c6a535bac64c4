"""The dataset layer: archives, named datasets, local folders and .npz files, pipelines (the
command: tests/cli/test_datasets.py)."""

import hashlib
import io
import tarfile
import zipfile

import numpy as np
import pytest
from PIL import Image

from keras_signgan.data import HandshapeDataset, archives, import_archive, list_datasets, load_dataset, lsa16
from keras_signgan.data.lsa64 import with_rotations
from keras_signgan.data.pipeline import make_training_dataset
from keras_signgan.errors import DatasetError


def sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_read_archive_decodes_images_labels_and_metadata(fake_lsa16_zip):
    dataset = lsa16.read_archive(fake_lsa16_zip, class_names=["a", "b", "c"])
    assert dataset.images.shape == (12, 32, 32, 3) and dataset.images.dtype == np.uint8
    assert dataset.labels.tolist() == [0] * 4 + [1] * 4 + [2] * 4
    assert dataset.metadata["subject"].tolist() == [1, 1, 2, 2] * 3
    assert dataset.metadata["repetition"].tolist() == [1, 2, 1, 2] * 3
    assert dataset.images[5, 0, 0, 0] == 80 and dataset.images[5, 20, 0, 1] == 52


def test_read_archive_refuses_files_that_are_not_lsa16(tmp_path):
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"not a zip")
    with pytest.raises(DatasetError, match="not a readable zip"):
        lsa16.read_archive(junk)
    empty = tmp_path / "empty.zip"
    with zipfile.ZipFile(empty, "w") as archive:
        archive.writestr("x.txt", "hi")
    with pytest.raises(DatasetError, match="not an LSA16 archive"):
        lsa16.read_archive(empty)


def test_import_checks_the_hash_and_leaves_the_cache_untouched(fake_lsa16_zip):
    with pytest.raises(DatasetError, match="sha256 expected"):
        import_archive("lsa16", fake_lsa16_zip)
    assert not (archives.cache_dir() / lsa16.FILE_NAME).exists()
    assert not lsa16.SPEC.is_cached()
    with pytest.raises(DatasetError, match="does not exist"):
        import_archive("lsa16", fake_lsa16_zip.parent / "missing.zip")


def test_imported_archive_is_what_load_dataset_reads(fake_lsa16_zip, monkeypatch):
    monkeypatch.setattr(lsa16, "SHA256", sha256(fake_lsa16_zip))
    monkeypatch.setattr(lsa16, "CLASS_NAMES", lsa16.CLASS_NAMES[:3])
    monkeypatch.setattr(lsa16.read_archive, "__defaults__", (lsa16.CLASS_NAMES[:3],))
    path = import_archive("lsa16", fake_lsa16_zip)
    assert path.parent == archives.cache_dir() and lsa16.SPEC.is_cached()
    dataset = load_dataset("lsa16")
    assert len(dataset) == 12 and dataset.class_names == ["Five", "Four", "Horns"]
    rotated = load_dataset("lsa64")
    assert len(rotated) == 48 and rotated.class_names[:4] == ["Five@0", "Five@90", "Five@180", "Five@270"]


def test_fetch_uses_get_file_with_the_hash(fake_lsa16_zip, keras_home):
    url = fake_lsa16_zip.as_uri()  # file:// keeps the test offline, the code path stays real
    path = archives.fetch("fake", "fake.zip", url, sha256(fake_lsa16_zip))
    assert path == keras_home / "datasets" / "fake.zip" and path.read_bytes() == fake_lsa16_zip.read_bytes()
    assert archives.is_cached("fake.zip", sha256(fake_lsa16_zip))
    with pytest.raises(DatasetError, match="signgan datasets import"):
        archives.fetch("fake", "other.zip", url, "0" * 64)
    assert not (keras_home / "datasets" / "other.zip").exists()


def test_unreachable_download_explains_how_to_import(keras_home, tmp_path):
    with pytest.raises(DatasetError, match="signgan datasets import lsa16 FILE"):
        archives.fetch("lsa16", "x.zip", (tmp_path / "nowhere.zip").as_uri(), "0" * 64)


def test_safe_extract_refuses_path_traversal(tmp_path):
    tar_path = tmp_path / "evil.tar"
    with tarfile.open(tar_path, "w") as tar:
        data = b"payload"
        info = tarfile.TarInfo("../escaped.txt")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    with pytest.raises(DatasetError, match="escapes"):
        archives.safe_extract_tar(tar_path, tmp_path / "out")
    assert not (tmp_path / "escaped.txt").exists()


def test_safe_extract_unpacks_ordinary_archives(tmp_path):
    tar_path = tmp_path / "good.tar"
    with tarfile.open(tar_path, "w") as tar:
        data = b"hello"
        info = tarfile.TarInfo("inner/file.txt")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    archives.safe_extract_tar(tar_path, tmp_path / "out")
    assert (tmp_path / "out" / "inner" / "file.txt").read_bytes() == b"hello"


def test_folder_dataset_resizes_and_names_classes(tmp_path):
    for name, size in (("open", 40), ("fist", 20)):
        (tmp_path / "data" / name).mkdir(parents=True)
        for i in range(3):
            Image.fromarray(np.full((size, size, 3), 10 * i, "uint8")).save(tmp_path / "data" / name / f"{i}.png")
    (tmp_path / "data" / "fist" / "notes.txt").write_text("ignored")
    dataset = load_dataset(tmp_path / "data")
    assert dataset.class_names == ["fist", "open"] and dataset.images.shape == (6, 32, 32, 3)
    assert dataset.class_counts().tolist() == [3, 3]
    assert load_dataset(tmp_path / "data", image_size=16).images.shape == (6, 16, 16, 3)


def test_npz_dataset_and_its_errors(tmp_path):
    x = np.random.default_rng(0).integers(0, 255, (5, 32, 32, 3), dtype="uint8")
    np.savez(tmp_path / "ok.npz", x=x, y=np.array([0, 1, 1, 2, 0]), class_names=np.array(["a", "b", "c"]))
    dataset = load_dataset(tmp_path / "ok.npz")
    np.testing.assert_array_equal(dataset.images, x)
    assert dataset.class_names == ["a", "b", "c"]
    np.savez(tmp_path / "no_y.npz", x=x)
    with pytest.raises(DatasetError, match="lacks y"):
        load_dataset(tmp_path / "no_y.npz")
    np.savez(tmp_path / "float.npz", x=x.astype("float32"), y=np.zeros(5, int))
    with pytest.raises(DatasetError, match="uint8"):
        load_dataset(tmp_path / "float.npz")
    np.savez(tmp_path / "objects.npz", x=np.array([{"a": 1}], dtype=object), y=np.zeros(1, int))
    with pytest.raises(DatasetError, match="unpickling"):
        load_dataset(tmp_path / "objects.npz")


def test_unknown_names_and_missing_paths_are_clear_errors(tmp_path):
    with pytest.raises(DatasetError, match="Known datasets: lsa16, lsa64"):
        load_dataset("lsa17")
    with pytest.raises(DatasetError, match="does not exist"):
        load_dataset(tmp_path / "missing.npz")
    assert {"lsa16", "lsa64", "asl"} <= {spec.name for spec in list_datasets()}


def test_training_pipeline_scales_and_repeats_deterministically(tmp_path):
    x = np.arange(10 * 4 * 4 * 3, dtype="uint8").reshape(10, 4, 4, 3)
    np.savez(tmp_path / "d.npz", x=x, y=np.arange(10) % 2)
    dataset = load_dataset(tmp_path / "d.npz")
    a = [b for b in make_training_dataset(dataset, 4, seed=3).take(6)]
    b = [b for b in make_training_dataset(dataset, 4, seed=3).skip(2).take(4)]
    images, labels = a[0]
    assert images.dtype == "float32" and labels.dtype == "int32" and tuple(images.shape) == (4, 4, 4, 3)
    assert float(np.min(images)) >= -1 and float(np.max(images)) <= 1
    for (x1, y1), (x2, y2) in zip(a[2:], b):
        np.testing.assert_array_equal(x1, x2)
        np.testing.assert_array_equal(y1, y2)


def test_real_lsa16_archive(real_lsa16_zip):
    import_archive("lsa16", real_lsa16_zip)
    dataset = load_dataset("lsa16")
    assert dataset.images.shape == (800, 32, 32, 3) and dataset.num_classes == 16
    assert dataset.class_counts().tolist() == [50] * 16
    assert dataset.class_names[0] == "Five" and dataset.class_names[-1] == "V"
    assert sorted(set(dataset.metadata["subject"].tolist())) == list(range(1, 11))
    with zipfile.ZipFile(real_lsa16_zip) as archive:
        name = sorted(archive.namelist())[123]
        expected = np.asarray(Image.open(io.BytesIO(archive.read(name))).convert("RGB"))
    np.testing.assert_array_equal(dataset.images[123], expected)
    assert dataset.labels[123] == int(name[:2]) - 1
    rotated = load_dataset("lsa64")
    assert rotated.images.shape == (3200, 32, 32, 3) and rotated.class_counts().tolist() == [50] * 64
    five_at_90 = rotated.images[rotated.labels == 1]
    np.testing.assert_array_equal(five_at_90, np.rot90(dataset.images[dataset.labels == 0], k=1, axes=(1, 2)))
    assert with_rotations(dataset).class_names[5] == "Four@90"


def test_asl_is_listed_with_its_alias_and_size():
    from keras_signgan.data import get_spec

    spec = get_spec("pugeault-asl")
    assert spec.name == "asl" and spec.num_classes == 24 and spec.download_bytes > 2e9


def test_handshape_adapter_leaves_logging_and_the_library_as_it_found_them(monkeypatch):
    import logging
    import sys
    import types

    from keras_signgan.data import handshape

    root = logging.getLogger()
    before = (list(root.handlers), root.level)
    with handshape._root_logging_kept():
        logging.basicConfig(level=logging.INFO)  # what handshape_datasets does when it loads
    assert (list(root.handlers), root.level) == before

    module = types.ModuleType("fake_handshape_loader")
    monkeypatch.setitem(sys.modules, module.__name__, module)
    loader = type("Loader", (), {"__module__": module.__name__})()
    with handshape._safe_extraction(loader):
        assert module.extract_tar is not None
    assert not hasattr(module, "extract_tar")
    module.extract_tar = original = object()
    with handshape._safe_extraction(loader):
        assert module.extract_tar is not original
    assert module.extract_tar is original


def test_class_rows_draw_each_row_from_its_class():
    # Image i is filled with the value i, so each picked image says which it is.
    images = np.repeat(np.arange(7, dtype="uint8")[:, None, None, None], 4, axis=1).repeat(4, axis=2).repeat(3, axis=3)
    dataset = HandshapeDataset("toy", images, np.array([0, 0, 0, 0, 0, 2, 2]), ["a", "b", "c"])
    rows = dataset.class_rows([2, 1, 0], 3, seed=1)
    assert rows.shape == (3, 3, 4, 4, 3) and rows.dtype == np.uint8
    picked = rows[:, :, 0, 0, 0]
    assert set(picked[0]) <= {5, 6} and len(set(picked[0])) == 2  # two images: drawn again to fill three
    assert picked[1].tolist() == [0, 0, 0]  # no images: black
    assert set(picked[2]) <= {0, 1, 2, 3, 4} and len(set(picked[2])) == 3  # five: three different ones
    assert np.array_equal(rows, dataset.class_rows([2, 1, 0], 3, seed=1))
