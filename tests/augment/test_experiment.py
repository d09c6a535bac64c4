"""The augmentation experiment on a synthetic dataset with a tiny generator (the command:
tests/cli/test_augment.py)."""

import numpy as np
import pytest

from keras_signgan.augment import conditions, experiment
from keras_signgan.augment.splits import train_test_split
from keras_signgan.classifier import build_classifier, stratified_split, train_classifier
from keras_signgan.data import load_dataset
from keras_signgan.errors import DatasetError
from keras_signgan.generators import load_generator


class RecordingGenerator:
    """Wraps a LoadedGenerator, remembering what it generated (to find it again later)."""

    def __init__(self, inner):
        self.inner = inner
        self.calls = []

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def generate(self, labels, seed=None, truncation=None):
        images = self.inner.generate(labels, seed=seed, truncation=truncation)
        self.calls.append((np.asarray(labels), images))
        return images


def test_synthetic_images_join_training_only_and_are_class_balanced(augment_toy, tmp_path, monkeypatch):
    folder, run = augment_toy
    generator = RecordingGenerator(load_generator(run))
    seen_test_sets = []
    original = conditions.predict_labels

    def recording_predict(model, images, batch_size=256):
        seen_test_sets.append(np.asarray(images))
        return original(model, images, batch_size)

    monkeypatch.setattr(conditions, "predict_labels", recording_predict)
    results = experiment.run_experiment(
        str(folder / "toy.npz"),
        generator,
        tmp_path / "out",
        ratios="0,50,100",
        repeats=1,
        epochs=1,
        width=4,
        test_fraction=0.3,
        synthetic=False,
        filter_confidence=0,  # filtered draws are per class, not balanced (tests/augment/test_filtering.py)
    )
    real = load_dataset(folder / "toy.npz")
    synthetic = np.concatenate([images for _, images in generator.calls])
    for test_images in seen_test_sets:
        # Every test image is a real one, and none is a generated one.
        real_rows = {img.tobytes() for img in real.images}
        assert all(img.tobytes() in real_rows for img in test_images)
        assert not {img.tobytes() for img in test_images} & {img.tobytes() for img in synthetic}
    for labels, _ in generator.calls:
        counts = np.bincount(labels, minlength=3)
        assert counts.max() - counts.min() <= 1
    runs = results["runs"]
    assert len(runs) == 6  # none, classical, 50, 100, classical + 50, classical + 100
    by_cell = {(r["augmentation"], r["ratio"], r["repeat"]): r for r in runs}
    train_size = by_cell[("none", 0.0, 0)]["num_train_real"] + by_cell[("none", 0.0, 0)]["num_validation"]
    assert by_cell[("gan", 100.0, 0)]["num_synthetic"] == train_size
    assert by_cell[("gan+classical", 50.0, 0)]["num_synthetic"] == round(train_size / 2)
    assert by_cell[("classical", 0.0, 0)]["num_synthetic"] == 0
    assert all(0 <= r["accuracy"] <= 1 for r in runs)


def test_subject_split_never_tests_on_training_subjects():
    from keras_signgan.data.dataset import HandshapeDataset

    labels = np.tile(np.arange(4), 10)
    subjects = np.repeat(np.arange(1, 11), 4)
    data = HandshapeDataset("s", np.zeros((40, 8, 8, 3), "uint8"), labels, list("abcd"), {"subject": subjects})
    tested = []
    for repeat in range(5):
        train, test, info = train_test_split(data, "subject", repeat, test_fraction=0.2)
        assert not set(subjects[train]) & set(subjects[test])
        assert len(info["test_subjects"]) == 2 and len(train) + len(test) == 40
        tested += info["test_subjects"]
    assert sorted(tested) == list(range(1, 11))  # five repeats test every subject once
    with pytest.raises(DatasetError, match="no subject metadata"):
        train_test_split(HandshapeDataset("n", data.images, labels, list("abcd")), "subject", 0)


def test_stratified_split_keeps_every_class():
    labels = np.repeat(np.arange(5), [10, 10, 10, 4, 2])
    kept, held = stratified_split(labels, 0.2, seed=1)
    assert set(labels[held]) == set(range(5)) and set(labels[kept]) == set(range(5))
    assert not set(kept) & set(held) and len(kept) + len(held) == len(labels)


def test_classifier_shapes_and_classical_augmentation_only_in_training():
    model = build_classifier(6, 32, width=4, classical_augmentation=True)
    x = np.random.default_rng(0).integers(0, 255, (2, 32, 32, 3)).astype("float32")
    assert tuple(model(x).shape) == (2, 6)
    np.testing.assert_allclose(np.asarray(model(x, training=False)), np.asarray(model(x, training=False)))


def test_a_fixed_number_of_steps_per_epoch_trains_small_sets_as_long_as_large_ones():
    rng = np.random.default_rng(0)
    images = rng.integers(0, 255, (12, 16, 16, 3), dtype="uint8")
    labels = np.repeat(np.arange(3), 4)
    model, history = train_classifier(images, labels, 3, epochs=2, batch_size=64, width=4, validation_fraction=0)
    assert int(model.optimizer.iterations) == 2  # one pass over 12 images at batch 64: one step
    model, history = train_classifier(
        images, labels, 3, epochs=2, batch_size=64, width=4, validation_fraction=0, steps_per_epoch=5
    )
    assert int(model.optimizer.iterations) == 10 and len(history["loss"]) == 2
    with pytest.raises(ValueError, match="steps_per_epoch"):
        train_classifier(images, labels, 3, epochs=1, width=4, validation_fraction=0, steps_per_epoch=0)
