"""Export to SavedModel, use it without keras_signgan, and `signgan generate`."""

import json
import subprocess
import sys

import numpy as np
import pytest
from click.testing import CliRunner

from keras_signgan.cli.main import cli
from keras_signgan.config import TrainConfig
from keras_signgan.export import export_generator
from keras_signgan.generators import load_generator
from keras_signgan.runs import load_run
from keras_signgan.training.fit import fit

CLASSES = ["Five", "Four", "Horns"]


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("export")
    rng = np.random.default_rng(0)
    x = rng.integers(0, 255, (12, 32, 32, 3), dtype="uint8")
    y = np.repeat(np.arange(3), 4)
    np.savez(folder / "toy.npz", x=x, y=y, class_names=np.array(CLASSES))
    config = TrainConfig.create(
        "biggan", str(folder / "toy.npz"), size="tiny", steps=2, batch_size=4,
        sample_every=2, checkpoint_every=2, truncation=1.5,
    )
    return fit(config, run_dir=folder / "run", progress=False).run_dir


@pytest.fixture(scope="module")
def export_dir(run_dir, tmp_path_factory):
    return export_generator(run_dir, out=tmp_path_factory.mktemp("saved") / "biggan_toy")


def test_export_writes_metadata(export_dir):
    metadata = json.loads((export_dir / "signgan.json").read_text())
    assert metadata["class_names"] == CLASSES
    assert metadata["model"] == "biggan" and metadata["step"] == 2 and metadata["truncation"] == 1.5
    assert metadata["image_size"] == 32 and metadata["z_dim"] > 0
    assert not [p for p in export_dir.parent.iterdir() if p.name.startswith(".")]


def test_export_runs_with_tensorflow_only_and_matches_in_process(run_dir, export_dir, tmp_path):
    from keras_signgan.models.sampling import generated_to_uint8

    _, gan, _ = load_run(run_dir)
    rng = np.random.default_rng(1)
    z = rng.standard_normal((5, gan.z_dim)).astype("float32")
    labels = np.array([0, 1, 2, 1, 0], dtype="int32")
    expected = np.asarray(generated_to_uint8(gan.sampling_generator([z, labels], training=False)))
    np.savez(tmp_path / "inputs.npz", z=z, labels=labels)
    script = f"""
import sys
sys.modules["keras_signgan"] = None  # any import of the package now fails
import numpy as np, tensorflow as tf
inputs = np.load({str(tmp_path / "inputs.npz")!r})
serve = tf.saved_model.load({str(export_dir)!r}).signatures["serving_default"]
images = serve(z=tf.constant(inputs["z"]), label=tf.constant(inputs["labels"]))["images"]
np.save({str(tmp_path / "out.npy")!r}, images.numpy())
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    images = np.load(tmp_path / "out.npy")
    assert images.dtype == np.uint8 and images.shape == (5, 32, 32, 3)
    np.testing.assert_array_equal(images, expected)


def test_export_and_run_dir_generate_the_same_images(run_dir, export_dir):
    from_export, from_run = load_generator(export_dir), load_generator(run_dir)
    assert from_export.class_names == from_run.class_names == CLASSES
    labels = [0, 2, 2]
    a = from_export.generate(labels, seed=7)
    np.testing.assert_array_equal(a, from_run.generate(labels, seed=7))
    np.testing.assert_array_equal(a, from_export.generate(labels, seed=7))
    assert not np.array_equal(a, from_export.generate(labels, seed=8))


def generate(*args):
    return CliRunner().invoke(cli, ["generate", *[str(a) for a in args]])


def test_generate_npz_folder_and_png(export_dir, tmp_path):
    from keras_signgan.data import load_dataset

    result = generate(export_dir, "--classes", "Five,2", "--per-class", "3", "--seed", "1", "--out", tmp_path / "a.npz")
    assert result.exit_code == 0, result.output
    with np.load(tmp_path / "a.npz", allow_pickle=False) as data:
        assert data["x"].shape == (6, 32, 32, 3) and data["x"].dtype == np.uint8
        assert data["y"].tolist() == [0, 0, 0, 2, 2, 2]
        assert data["class_names"].tolist() == CLASSES
        first = data["x"].copy()
    assert generate(export_dir, "--classes", "Five,2", "--per-class", "3", "--seed", "1", "--out", tmp_path / "b.npz").exit_code == 0
    with np.load(tmp_path / "b.npz") as data:
        np.testing.assert_array_equal(first, data["x"])

    result = generate(export_dir, "--num", "7", "--out", tmp_path / "folder")
    assert result.exit_code == 0, result.output
    dataset = load_dataset(str(tmp_path / "folder"))
    assert sorted(dataset.class_names) == sorted(CLASSES)
    assert sorted(dataset.class_counts().tolist()) == [2, 2, 3]

    result = generate(export_dir, "--out", tmp_path / "grid.png")
    assert result.exit_code == 0 and (tmp_path / "grid.png").stat().st_size > 0


@pytest.mark.parametrize(
    "args, message",
    [
        (["--classes", "Seven"], "Five, Four, Horns"),
        (["--truncation", "0"], "truncation"),
        (["--num", "0"], "--num"),
        (["--per-class", "-1"], "--per-class"),
    ],
)
def test_generate_errors_leave_no_output(export_dir, tmp_path, args, message):
    out = tmp_path / "out.npz"
    result = generate(export_dir, *args, "--out", out)
    assert result.exit_code == 2 and message in result.output
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_not_an_export_or_run_dir(tmp_path):
    result = generate(tmp_path, "--out", tmp_path / "x.npz")
    assert result.exit_code == 2 and "neither an export" in result.output
    result = CliRunner().invoke(cli, ["export", str(tmp_path / "missing")])
    assert result.exit_code == 2 and "not a run directory" in result.output
