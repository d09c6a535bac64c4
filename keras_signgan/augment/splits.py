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
    return (
        np.flatnonzero(~test_mask),
        np.flatnonzero(test_mask),
        {"test_subjects": sorted(int(s) for s in test_subjects)},
    )


def fold_split(dataset, split, fold, folds, test_fraction=0.2, seed=0):
    """`(train_indices, test_indices, info)` for fold `fold` of `folds`.

    `subject`: the subjects, shuffled once by `seed`, are partitioned into `folds` groups and
    fold k tests on group k, so every subject is tested exactly once (`folds` = number of
    subjects is leave-one-subject-out). `random`: `train_test_split`'s repeat `fold`.
    The folds depend only on `(dataset, split, folds, seed)`, so every condition of the
    experiment sees the same folds and comparisons between conditions are paired.
    """
    if split != "subject":
        return train_test_split(dataset, split, fold, test_fraction, seed)
    subjects = dataset.metadata.get("subject")
    if subjects is None:
        raise DatasetError(
            f"{dataset.name} has no subject metadata, so --split subject is unavailable for it; use --split random."
        )
    unique = np.random.default_rng(seed).permutation(np.unique(subjects))
    if not 2 <= folds <= len(unique):
        raise DatasetError(
            f"--folds {folds} does not fit {dataset.name}'s {len(unique)} subjects: use 2 to {len(unique)} folds."
        )
    test_subjects = np.array_split(unique, folds)[fold]
    test_mask = np.isin(subjects, test_subjects)
    return (
        np.flatnonzero(~test_mask),
        np.flatnonzero(test_mask),
        {"test_subjects": sorted(int(s) for s in test_subjects)},
    )


def reduce_fraction(labels, fraction, seed=0):
    """Sorted indices of about `fraction` of each class (at least one image per class)."""
    labels = np.asarray(labels)
    if fraction >= 1:
        return np.arange(len(labels))
    rng = np.random.default_rng(seed)
    kept = []
    for cls in np.unique(labels):
        members = rng.permutation(np.flatnonzero(labels == cls))
        kept.extend(members[: max(1, int(round(len(members) * fraction)))].tolist())
    return np.sort(np.asarray(kept, dtype=int))
