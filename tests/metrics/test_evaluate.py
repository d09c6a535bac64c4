"""`evaluate` and `signgan evaluate` on a tiny run, with a small random Keras extractor."""

import json

import keras
import numpy as np
import pytest
from click.testing import CliRunner

from keras_signgan.cli.main import cli
from keras_signgan.config import TrainConfig
from keras_signgan.metrics.evaluate import evaluate, format_table
from keras_signgan.metrics.registry import METRICS, parse_metrics, register_metric
from keras_signgan.training.fit import fit

CLASSES = ["A", "B", "C", "D"]


@pytest.fixture(scope="module")
def toy(tmp_path_factory):
    folder = tmp_path_factory.mktemp("evaluate")
    rng = np.random.default_rng(0)
    x = rng.integers(0, 255, (32, 32, 32, 3), dtype="uint8")
    y = np.repeat(np.arange(4), 8)
    for i, label in enumerate(y):
        x[i, :, :, label % 3] //= 4
    np.savez(folder / "toy.npz", x=x, y=y, class_names=np.array(CLASSES))
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


def test_evaluate_reports_finite_metrics(toy):
    folder, run, extractor = toy
    result = evaluate(run, num_samples=40, features=str(extractor), classifier_epochs=2, progress=False)
    m = result["metrics"]
    assert np.isfinite(m["fid"]) and m["fid"] > 0
    assert np.isfinite(m["kid"]["mean"]) and m["kid"]["std"] >= 0
    assert set(m["intra_fid"]["per_class"]) == set(CLASSES)
    assert all(np.isfinite(v) for v in m["intra_fid"]["per_class"].values())
    assert 0 <= m["cas"]["accuracy"] <= 1 and set(m["cas"]["per_class"]) == set(CLASSES)
    assert result["num_generated"] == 40 and result["num_real"] == 32 and result["step"] == 2
    assert result["extractor"].startswith("extractor-")


def test_same_seed_same_fid_and_reference_statistics_round_trip(toy, tmp_path, keras_home):
    folder, run, extractor = toy
    first = evaluate(run, num_samples=24, metrics="fid", features=str(extractor), save_stats=tmp_path / "real.npz", progress=False)
    assert list((keras_home / "signgan" / "stats").glob("*.npz")), "real statistics were not cached"
    again = evaluate(run, num_samples=24, metrics="fid", features=str(extractor), reference_stats=tmp_path / "real.npz", progress=False)
    assert again["metrics"]["fid"] == pytest.approx(first["metrics"]["fid"], rel=1e-9)
    other_seed = evaluate(run, num_samples=24, metrics="fid", features=str(extractor), seed=1, progress=False)
    assert other_seed["metrics"]["fid"] != first["metrics"]["fid"]


def test_evaluate_cli_writes_json(toy, tmp_path):
    folder, run, extractor = toy
    out = tmp_path / "scores.json"
    result = CliRunner().invoke(
        cli, ["evaluate", str(run), "--features", str(extractor), "--num-samples", "16",
              "--metrics", "fid,kid", "--json", str(out)],
    )
    assert result.exit_code == 0, result.output
    assert "FID" in result.output and "KID" in result.output
    data = json.loads(out.read_text())
    assert set(data["metrics"]) == {"fid", "kid"} and np.isfinite(data["metrics"]["fid"])
    assert data["dataset"].endswith("toy.npz") and data["num_generated"] == 16


@pytest.mark.parametrize(
    "args, message",
    [
        (["--num-samples", "1"], "at least 2"),
        (["--num-samples", "0"], "at least 2"),
        (["--metrics", "fid,isc"], "Unknown metrics isc"),
        (["--features", "missing.keras"], "no such file"),
        (["--features", "{junk}"], "not a loadable Keras model"),
        (["--dataset", "{other}"], "The generator has 4 classes, the dataset"),
    ],
)
def test_evaluate_cli_errors(toy, tmp_path, args, message):
    folder, run, extractor = toy
    junk = tmp_path / "junk.keras"
    junk.write_bytes(b"not a model")
    np.savez(tmp_path / "other.npz", x=np.zeros((6, 32, 32, 3), "uint8"), y=np.arange(6) % 3)
    args = [a.format(junk=junk, other=tmp_path / "other.npz") for a in args]
    result = CliRunner().invoke(cli, ["evaluate", str(run), "--features", str(extractor), *args])
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output


def test_evaluate_needs_a_checkpoint(tmp_path):
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "config.json").write_text(
        TrainConfig.create("biggan", "lsa16", size="tiny").to_json()
    )
    result = CliRunner().invoke(cli, ["evaluate", str(tmp_path / "run")])
    assert result.exit_code == 2 and "checkpoint" in result.output


def test_metric_names_come_in_registry_order():
    assert parse_metrics(None) == list(METRICS) and list(METRICS)[:4] == ["fid", "kid", "intra_fid", "cas"]
    assert parse_metrics("cas, fid") == ["fid", "cas"]


def test_a_new_metric_is_one_registered_function(toy):
    folder, run, extractor = toy
    seen = {}

    @register_metric("mean_pixel", needs=("generated_images",), row=lambda value: f"mean pixel {value:.1f}")
    def mean_pixel(inputs):
        images, labels = inputs.generated_images
        seen.update(features=inputs.generated_features, classifier=inputs.classifier, labels=labels)
        return float(images.mean())

    try:
        result = evaluate(run, num_samples=8, metrics="mean_pixel", progress=False)
        table = format_table(result)
    finally:
        del METRICS["mean_pixel"]
    assert 0 <= result["metrics"]["mean_pixel"] <= 255
    # Only what the metric declared was gathered: no extractor, no classifier, no real data.
    assert seen["features"] is None and seen["classifier"] is None and "extractor" not in result
    assert result["num_real"] is None and sorted(seen["labels"].tolist()) == [0, 0, 1, 1, 2, 2, 3, 3]
    assert table[-1] == f"  mean pixel {result['metrics']['mean_pixel']:.1f}"
    assert format_table(result)[-1] == f"  mean_pixel {result['metrics']['mean_pixel']}"  # unregistered: as stored
