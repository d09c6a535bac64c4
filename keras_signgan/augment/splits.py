"""Train/test splits of the augmentation experiment: stratified random, or by subject."""

import numpy as np

from keras_signgan.classifier import stratified_split
from keras_signgan.errors import DatasetError

SPLITS = ("random", "subject")


def train_test_split(dataset, split, repeat, test_fraction=0.2, seed=0):
    """`(train_indices, test_indices, info)` for one repeat of the experiment.

    `random`: a stratified split, reshuffled for every repeat (what the reference study did).
    `subject`: whole subjects are held out: the subjects are shuffled once (by `seed`) and
    each repeat tests on the next `round(test_fraction * subjects)` of them, so repeats test
    on different people and no test subject is ever seen in training.
    """
    if split == "random":
        train, test = stratified_split(dataset.labels, test_fraction, seed=seed * 7919 + repeat)
        return train, test, {}
    if split != "subject":
        raise DatasetError(f"Unknown split {split!r}; choose one of: {', '.join(SPLITS)}.")
    subjects = dataset.metadata.get("subject")
    if subjects is None:
        raise DatasetError(
            f"{dataset.name} has no subject metadata, so --split subject is unavailable for it; use --split random."
        )
    unique = np.random.default_rng(seed).permutation(np.unique(subjects))
    if len(unique) < 2:
        raise DatasetError(f"{dataset.name} has {len(unique)} subject; --split subject needs at least 2.")
    per_test = min(max(1, int(round(len(unique) * test_fraction))), len(unique) - 1)
    start = (repeat * per_test) % len(unique)
    test_subjects = np.take(unique, range(start, start + per_test), mode="wrap")
    test_mask = np.isin(subjects, test_subjects)
    return np.flatnonzero(~test_mask), np.flatnonzero(test_mask), {"test_subjects": sorted(int(s) for s in test_subjects)}
