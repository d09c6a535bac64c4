"""Fixtures and helpers of the training tests."""

import csv
import pathlib
import time

import numpy as np
import pytest

PROJECT_ROOT = pathlib.Path(__file__).resolve().parents[2]


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


def read_csv(path):
    with open(path, newline="") as file:
        return list(csv.DictReader(file))


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
            "num_generated": num_samples, "extractor": features.identifier,
        }

    monkeypatch.setattr(callbacks, "evaluate", scripted_evaluate)
    return script
