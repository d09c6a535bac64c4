"""Export to SavedModel and use it without keras_signgan (the commands: tests/cli/test_export.py)."""

import json
import subprocess
import sys

import numpy as np

from keras_signgan.generators import load_generator
from keras_signgan.runs import load_run
from tests.conftest import EXPORT_CLASSES as CLASSES


def test_export_writes_metadata(export_dir):
    metadata = json.loads((export_dir / "signgan.json").read_text())
    assert metadata["class_names"] == CLASSES
    assert metadata["model"] == "biggan" and metadata["step"] == 2 and metadata["truncation"] == 1.5
    assert metadata["image_size"] == 32 and metadata["z_dim"] > 0
    assert not [p for p in export_dir.parent.iterdir() if p.name.startswith(".")]


def test_export_runs_with_tensorflow_only_and_matches_in_process(exported_run, export_dir, tmp_path):
    from keras_signgan.models.sampling import generated_to_uint8

    _, gan, _ = load_run(exported_run)
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


def test_export_and_run_dir_generate_the_same_images(exported_run, export_dir):
    from_export, from_run = load_generator(export_dir), load_generator(exported_run)
    assert from_export.class_names == from_run.class_names == CLASSES
    labels = [0, 2, 2]
    a = from_export.generate(labels, seed=7)
    np.testing.assert_array_equal(a, from_run.generate(labels, seed=7))
    np.testing.assert_array_equal(a, from_export.generate(labels, seed=7))
    assert not np.array_equal(a, from_export.generate(labels, seed=8))
