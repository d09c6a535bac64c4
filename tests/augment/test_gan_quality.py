"""The pieces of the study's GAN quality and filtered conditions that need no training: the
quality record, the extractor's default, the plan, the paired statistics and results.md."""

import numpy as np
import pytest

from keras_signgan.augment import plan, quality
from keras_signgan.augment.report import results_table
from keras_signgan.augment.statistics import summarize
from keras_signgan.errors import ConfigError, RunError
from keras_signgan.metrics.features import load_extractor

CLASSES = ["P", "Q", "R"]


def colour_images(labels, seed=0):
    """Images of class c: noise with channel c bright, so the mean colour names the class."""
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 60, (len(labels), 32, 32, 3), dtype="uint8")
    for i, label in enumerate(labels):
        images[i, :, :, label] = 200
    return images


def colour_classifier():
    """A classifier without training: its logits are the mean of each channel."""
    import keras

    inputs = keras.Input((32, 32, 3))
    return keras.Model(inputs, keras.layers.GlobalAveragePooling2D()(inputs))


def test_the_quality_record_scores_the_generated_images_against_the_real_ones(tiny_extractor):
    extractor = load_extractor(str(tiny_extractor))
    real_labels = np.repeat(np.arange(3), 6)
    real = colour_images(real_labels, seed=1)
    fake_labels = np.repeat(np.arange(3), 4)
    shown = fake_labels.copy()
    shown[[0, 4, 5]] = [1, 2, 2]  # three images of the wrong class: 9 of 12 right
    record = quality.gan_quality(extractor, colour_classifier(), real, colour_images(shown, 2), fake_labels, CLASSES)
    assert record["classification_score"] == pytest.approx(9 / 12)
    assert record["classification_per_class"] == {"P": 0.75, "Q": 0.5, "R": 1.0}
    assert (record["num_generated"], record["num_real"]) == (12, 18) and record["extractor"] == extractor.identifier
    assert record["fid"] == pytest.approx(quality.images_fid(extractor(real), extractor(colour_images(shown, 2))))
    assert record["fid"] > 0 and record["kid"] is not None
    # The same images score FID 0; shifted features by |shift|^2.
    features = np.random.default_rng(0).normal(size=(40, 5))
    assert quality.images_fid(features, features) == pytest.approx(0, abs=1e-6)
    assert quality.images_fid(features, features + 2.0) == pytest.approx(5 * 4.0, rel=1e-6)


def test_the_fid_extractor_defaults_to_fid_inception_when_imported(monkeypatch, tiny_extractor):
    messages = []
    monkeypatch.setattr(quality, "is_cached", lambda: False)
    assert quality.resolve_features(None, messages.append) == "inception"
    assert "not imported" in messages[0] and "signgan features import fid-inception" in messages[0]
    monkeypatch.setattr(quality, "is_cached", lambda: True)
    assert quality.resolve_features(None, messages.append) == "fid-inception" and len(messages) == 1
    assert quality.resolve_features("inception", messages.append) == "inception"
    relative = tiny_extractor.relative_to(tiny_extractor.parent.parent)
    monkeypatch.chdir(tiny_extractor.parent.parent)
    assert quality.resolve_features(str(relative), messages.append) == str(tiny_extractor.resolve())
    with pytest.raises(ConfigError, match="--gan-eval-features x.keras: not a .keras model file"):
        quality.resolve_features("x.keras", messages.append)


def test_the_filtered_condition_in_the_plan_and_its_options():
    conditions = [c.augmentation for c in plan.plan_cells([0, 100], 1, classical=True, filtered=True)]
    assert conditions == ["none", "classical", "gan", "gan+classical", "filtered+classical"]
    conditions = [c.augmentation for c in plan.plan_cells([50, 100], 1, classical=False, filtered=True)]
    assert conditions == ["none", "gan", "gan", "filtered", "filtered"]
    for args, message in [
        ((None, 5.0, None, None, 0.9), "--gan-target-fid goes with --model"),
        ((None, None, None, "inception", 0.9), "--gan-eval-features goes with --model"),
        (("wcgan", None, 10, None, 0.9), "--gan-eval-every goes with --gan-target-fid"),
        (("wcgan", 0.0, None, None, 0.9), "--gan-target-fid must be a number > 0"),
        (("wcgan", None, None, None, 1.5), "--filter-confidence must lie in [0, 1]"),
    ]:
        with pytest.raises(ConfigError, match=message.replace("[", r"\[")):
            plan.check_gan_options(*args)
    settings = {k: None for k in plan.FIXED_ON_RESUME} | {"split": "random", "filter_confidence": 0.9}
    older = {k: v for k, v in settings.items() if k not in plan.ADDED_SETTINGS}
    plan.check_resumable(older, settings, "out")  # finished before the option existed: any value
    with pytest.raises(RunError, match="filter_confidence"):
        plan.check_resumable({**settings, "filter_confidence": 0.5}, settings, "out")


def results_with_filtered_and_quality():
    runs = []
    table = {"none": [0.50, 0.60, 0.55], "gan": [0.52, 0.58, 0.56], "filtered": [0.60, 0.66, 0.63]}
    for augmentation, accuracies in table.items():
        for fold, accuracy in enumerate(accuracies):
            run = {"augmentation": augmentation, "ratio": 0.0 if augmentation == "none" else 100.0}
            run.update(fold=fold, fraction=0.5, accuracy=accuracy)
            if augmentation == "filtered":
                run["filter"] = {"num_requested": 10, "num_drawn": 25, "num_kept": 10, "acceptance_rate": 0.4}
                run["filter"].update(draws_per_kept=2.5, short={})
            runs.append(run)
    gans = {
        f"{fold}-f0.5": {
            "step": 600,
            "steps_planned": 1500,
            "seconds": 120.0 + fold,
            "quality": {
                "fid": 80.0 + 10 * fold,
                "kid": 0.05,
                "extractor": "fid_inception_2015_12_05",
                "num_generated": 10,
                "num_real": 10,
                "classification_score": 0.5 + 0.1 * fold,
                "generator_step": 500,
            },
        }
        for fold in range(3)
    }
    settings = {"dataset": "toy", "model": "biggan", "gan_options": {}, "split": "subject", "folds": 3}
    settings.update(width=4, epochs=1, generator_saw_test=False, filter_confidence=0.9)
    return {"settings": settings, "gans": gans, "runs": runs, "summary": summarize(runs)}


def test_results_md_shows_the_filtered_condition_and_each_gans_quality():
    results = results_with_filtered_and_quality()
    rows = {r["augmentation"]: r for r in results["summary"]}
    d = np.array([0.08, 0.08, 0.07])  # filtered - unfiltered, per fold
    assert rows["filtered"]["vs_unfiltered"]["mean"] == pytest.approx(d.mean())
    assert rows["filtered"]["vs_unfiltered"]["verdict"] == "better"
    assert "vs_unfiltered" not in rows["gan"]
    text = results_table(results)
    assert "| real + 100% filtered generated | 63.0% ± 3.0 |" in text
    assert "| vs unfiltered |" in text and "confidence >= 0.9" in text
    assert "FID and KID with fid_inception_2015_12_05 features" in text
    assert "| 1 | 600 of 1,500 (used: 500) | 121 | 90.0 | 0.0500 | 10 vs 10 | 60.0% | 100%: 2.50 (40%) |" in text
    assert "| mean | | | 90.0 | | | 60.0% | |" in text
