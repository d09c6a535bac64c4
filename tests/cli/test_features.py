"""`signgan features`: making, importing and listing feature extractors."""

import numpy as np
import pytest
from click.testing import CliRunner

from keras_signgan.cli.main import cli

CLASSES = ["P", "Q", "R"]


def write_toy(path):
    """3 classes x 6 images of 32x32: each class a square in its own colour channel."""
    rng = np.random.default_rng(0)
    y = np.repeat(np.arange(3), 6)
    x = rng.integers(0, 60, (18, 32, 32, 3), dtype="uint8")
    for i, label in enumerate(y):
        x[i, 8:24, 8:24, label] = 220
    np.savez(path, x=x, y=y, class_names=np.array(CLASSES))
    return x


def test_train_extractor_saves_the_classifier_features_for_features_file(tmp_path):
    from keras_signgan.metrics.features import load_extractor

    images = write_toy(tmp_path / "toy.npz")
    out = tmp_path / "models" / "toy_features.keras"
    result = CliRunner().invoke(cli, ["features", "train-extractor", str(tmp_path / "toy.npz"), str(out),
                                      "--epochs", "2", "--width", "4"])
    assert result.exit_code == 0, result.output
    assert "16-d features" in result.output and str(out) in result.output
    assert [p.name for p in out.parent.iterdir()] == ["toy_features.keras"]  # no temporary file left

    extractor = load_extractor(str(out))  # what --features OUT loads
    features = extractor(images)
    assert extractor.dim == 16 and features.shape == (18, 16) and np.isfinite(features).all()
    assert not np.allclose(features[0], features[6])  # a P and a Q image differ


@pytest.mark.parametrize(
    "args, message",
    [
        (["{toy}", "{tmp}/features.h5"], "ending in .keras"),
        (["nonexistent", "{tmp}/features.keras"], "Unknown dataset"),
    ],
)
def test_train_extractor_errors_are_one_line_and_write_nothing(tmp_path, args, message):
    write_toy(tmp_path / "toy.npz")
    args = [a.format(toy=tmp_path / "toy.npz", tmp=tmp_path) for a in args]
    result = CliRunner().invoke(cli, ["features", "train-extractor", *args])
    assert result.exit_code == 2 and message in result.output, result.output
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1
    assert [p.name for p in tmp_path.iterdir()] == ["toy.npz"]
