"""Filtered generated images (`augment.filtering.draw_filtered`) with a scripted generator and
classifier: what is kept passes the filter, quotas are met, and draws stop at their cap."""

import numpy as np
import pytest

from keras_signgan.augment.filtering import draw_filtered

NUM_CLASSES = 3


class ScriptedGenerator:
    """Each image carries, in its first pixel, the class a classifier will see and its
    confidence: class c's images are confident and right with probability `good[c]`, else
    unsure (confidence 0.5); `wrong` classes' confident images are given to the next class."""

    def __init__(self, good, wrong=()):
        self.good = good
        self.wrong = set(wrong)
        self.calls = []

    def __call__(self, labels, seed):
        self.calls.append((np.asarray(labels).copy(), seed))
        rng = np.random.default_rng(seed)
        images = np.zeros((len(labels), 4, 4, 3), "uint8")
        images[:, 1:, :, :] = rng.integers(0, 255, (len(labels), 3, 4, 3))  # distinct images
        for i, label in enumerate(labels):
            confident = rng.random() < self.good[label]
            shown = (label + 1) % NUM_CLASSES if label in self.wrong else label
            images[i, 0, 0] = (shown, 95 if confident else 50, 0)
        return images


def probabilities(images):
    """The scripted classifier: the shown class at the encoded confidence, the rest shared."""
    shown, confidence = images[:, 0, 0, 0].astype(int), images[:, 0, 0, 1] / 100
    probs = np.repeat(((1 - confidence) / (NUM_CLASSES - 1))[:, None], NUM_CLASSES, axis=1)
    probs[np.arange(len(images)), shown] = confidence
    return probs


def test_kept_images_pass_the_filter_and_fill_every_quota():
    generator = ScriptedGenerator(good=[0.9, 0.5, 0.25])
    quotas = [20, 20, 21]
    images, labels, record = draw_filtered(generator, probabilities, quotas, threshold=0.9, seed=3)
    assert list(np.bincount(labels, minlength=3)) == quotas and len(images) == sum(quotas)
    probs = probabilities(images)
    assert (probs.argmax(axis=1) == labels).all() and (probs[np.arange(len(labels)), labels] >= 0.9).all()
    drawn = np.concatenate([labels for labels, _ in generator.calls])
    assert record["num_drawn"] == len(drawn) and record["num_kept"] == sum(quotas) == record["num_requested"]
    assert record["num_accepted"] >= record["num_kept"] and not record["short"]
    assert record["acceptance_rate"] == pytest.approx(record["num_accepted"] / record["num_drawn"])
    assert record["draws_per_kept"] == pytest.approx(record["num_drawn"] / record["num_kept"])
    # Rarer acceptance, more draws: about 1 / 0.9, 1 / 0.5, 1 / 0.25 per image kept.
    per_class = np.bincount(drawn, minlength=3) / np.asarray(quotas)
    assert per_class[0] < per_class[1] < per_class[2] and 2.5 < per_class[2] < 8
    # Same seed, same images; each chunk of draws has its own latents.
    again = draw_filtered(ScriptedGenerator(good=[0.9, 0.5, 0.25]), probabilities, quotas, 0.9, seed=3)
    np.testing.assert_array_equal(again[0], images)
    assert len({seed for _, seed in generator.calls}) == len(generator.calls)


def test_a_class_that_never_passes_stops_at_its_cap_and_is_recorded_short():
    generator = ScriptedGenerator(good=[1.0, 1.0, 1.0], wrong=[2])  # class 2 always looks like class 0
    images, labels, record = draw_filtered(generator, probabilities, [5, 5, 4], threshold=0.9, seed=0)
    drawn = np.bincount(np.concatenate([labels for labels, _ in generator.calls]), minlength=3)
    assert list(drawn) == [5, 5, 4 * 20]  # the cap: 20 draws per image of its quota
    assert list(np.bincount(labels, minlength=3)) == [5, 5, 0]
    assert record["short"] == {"2": 4} and record["num_kept"] == 10 and record["max_draws_per_image"] == 20
    assert images.shape == (10, 4, 4, 3)
    # A threshold of 0 keeps every image the classifier assigns to its class.
    _, labels, record = draw_filtered(ScriptedGenerator(good=[0.0] * 3), probabilities, [3, 3, 3], 0.0, seed=1)
    assert record["num_drawn"] == 9 and record["acceptance_rate"] == 1.0 and len(labels) == 9
