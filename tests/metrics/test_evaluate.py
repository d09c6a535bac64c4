"""`evaluate` on a tiny run, with a small random Keras extractor (the command: tests/cli/test_evaluate.py)."""

import numpy as np
import pytest

from keras_signgan.metrics.evaluate import evaluate, format_table
from keras_signgan.metrics.registry import METRICS, parse_metrics, register_metric
from tests.conftest import EVALUATE_CLASSES as CLASSES


def test_evaluate_reports_finite_metrics(evaluate_toy):
    folder, run, extractor = evaluate_toy
    result = evaluate(run, num_samples=40, features=str(extractor), classifier_epochs=2, progress=False)
    m = result["metrics"]
    assert np.isfinite(m["fid"]) and m["fid"] > 0
    assert np.isfinite(m["kid"]["mean"]) and m["kid"]["std"] >= 0
    assert set(m["intra_fid"]["per_class"]) == set(CLASSES)
    assert all(np.isfinite(v) for v in m["intra_fid"]["per_class"].values())
    assert 0 <= m["cas"]["accuracy"] <= 1 and set(m["cas"]["per_class"]) == set(CLASSES)
    assert m["diversity"]["mean"] > 0 and set(m["diversity"]["per_class"]) == set(CLASSES)
    assert result["num_generated"] == 40 and result["num_real"] == 32 and result["step"] == 2
    assert result["extractor"].startswith("extractor-")


def test_same_seed_same_fid_and_reference_statistics_round_trip(evaluate_toy, tmp_path, keras_home):
    folder, run, extractor = evaluate_toy
    first = evaluate(
        run, num_samples=24, metrics="fid", features=str(extractor), save_stats=tmp_path / "real.npz", progress=False
    )
    assert list((keras_home / "signgan" / "stats").glob("*.npz")), "real statistics were not cached"
    again = evaluate(
        run,
        num_samples=24,
        metrics="fid",
        features=str(extractor),
        reference_stats=tmp_path / "real.npz",
        progress=False,
    )
    assert again["metrics"]["fid"] == pytest.approx(first["metrics"]["fid"], rel=1e-9)
    other_seed = evaluate(run, num_samples=24, metrics="fid", features=str(extractor), seed=1, progress=False)
    assert other_seed["metrics"]["fid"] != first["metrics"]["fid"]


def test_metric_names_come_in_registry_order():
    assert parse_metrics(None) == list(METRICS) and list(METRICS)[:4] == ["fid", "kid", "intra_fid", "cas"]
    assert parse_metrics("cas, fid") == ["fid", "cas"]


def test_a_new_metric_is_one_registered_function(evaluate_toy):
    folder, run, extractor = evaluate_toy
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


def test_class_diversity_is_one_for_the_real_images_and_near_zero_for_copies():
    from keras_signgan.metrics.evaluate import FeatureSet
    from keras_signgan.metrics.registry import class_diversity

    rng = np.random.default_rng(0)
    labels = np.repeat([0, 1], 20)
    real = FeatureSet()
    real.add(rng.normal(size=(40, 5)), labels)
    assert class_diversity(real, real, 3)[:2] == pytest.approx([1.0, 1.0])
    assert np.isnan(class_diversity(real, real, 3)[2])  # a class without images
    # Near copies of one image per class: a hundredth of the real spread per feature.
    copies = FeatureSet()
    copies.add(np.repeat(rng.normal(size=(2, 5)), 20, axis=0) + 0.01 * rng.normal(size=(40, 5)), labels)
    assert (class_diversity(real, copies, 2) < 1e-3).all()
    # Twice the real scale: four times the spread.
    wide = FeatureSet()
    wide.add(2.0 * real.kept()[0], labels)
    assert class_diversity(real, wide, 2) == pytest.approx([4.0, 4.0])
