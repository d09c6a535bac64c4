"""`signgan features`: importing the FID Inception weights (then fit evaluating with them), its
one-line errors, and training a classifier extractor. A module apart from
tests/metrics/test_fid_inception.py, so pytest-xdist runs the two heavy ones side by side."""

import pathlib

import numpy as np
import pytest
from click.testing import CliRunner

from keras_signgan.cli.main import cli
from keras_signgan.errors import ConfigError

FIXTURES = pathlib.Path(__file__).resolve().parents[1] / "fixtures"
CLASSES = ["P", "Q", "R"]


@pytest.mark.slow
def test_import_then_fit_evaluates_with_fid_inception(default_1, tmp_path, keras_home):
    from keras_signgan.config import TrainConfig
    from keras_signgan.training.fit import fit

    result = CliRunner().invoke(cli, ["features", "import", "fid-inception", str(default_1)])
    assert result.exit_code == 0, result.output
    assert (keras_home / "signgan" / "fid_inception.keras").is_file()

    rng = np.random.default_rng(0)
    np.savez(tmp_path / "toy.npz", x=rng.integers(0, 255, (16, 32, 32, 3), dtype="uint8"), y=np.arange(16) % 2)
    config = TrainConfig.create(
        "basic",
        str(tmp_path / "toy.npz"),
        size="tiny",
        steps=2,
        batch_size=8,
        sample_every=2,
        checkpoint_every=2,
        eval_every=2,
        eval_samples=8,
        eval_features="fid-inception",
    )
    run = fit(config, run_dir=tmp_path / "run", progress=False).run_dir
    header, row = (run / "evaluations.csv").read_text().splitlines()
    values = dict(zip(header.split(","), row.split(",")))
    assert header.split(",")[:2] == ["step", "fid"] and values["extractor"] == "fid_inception_2015_12_05"
    assert np.isfinite(float(row.split(",")[1]))

    # The periodic evaluation's real statistics are cached under the extractor's name.
    assert any("fid_inception_2015_12_05" in p.name for p in (keras_home / "signgan" / "stats").glob("*.npz"))


def test_wrong_files_get_one_line_errors(tmp_path):
    from keras_signgan.metrics.fid_inception import convert

    junk = tmp_path / "junk.pth"
    junk.write_bytes(b"not a weight file")
    with pytest.raises(ConfigError, match="not a published FID Inception weight file"):
        convert(junk)
    with pytest.raises(ConfigError, match="not a PyTorch file"):
        convert(junk, check_hash=False)
    with pytest.raises(ConfigError, match="lacks Conv2d_1a_3x3.conv.weight"):
        convert(FIXTURES / "tiny_zip.pth", check_hash=False)
    result = CliRunner().invoke(cli, ["features", "import", "fid-inception", str(junk)])
    assert result.exit_code == 2 and "not a published FID Inception weight file" in result.output
    assert len(result.output.strip().splitlines()) == 1


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
    result = CliRunner().invoke(
        cli, ["features", "train-extractor", str(tmp_path / "toy.npz"), str(out), "--epochs", "2", "--width", "4"]
    )
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
