"""One cell of the study: a fold at a training fraction, with what its conditions share.

A `Cell` (plan.py) is one condition of a cell; the `CellContext` here holds, for the cell's
conditions in turn: its split (real training part reduced to the fraction, a tenth of it
for early stopping, the test part), its generator (the cell's GAN, trained once), its
real-only classifier, and the generated images drawn so far (one set per ratio, so the
conditions and the GAN's quality score share them).

The real-only classifier (the "real only" condition's) is kept as
`OUT/classifiers/<fold>-f<fraction>.npz` (its weights): the filtered conditions and the
classification score use it, after a restart too. Without that file (an experiment
started by an earlier version), it is trained again with the same data and seed.
"""

import dataclasses
import math

import numpy as np

from keras_signgan.augment import plan
from keras_signgan.augment.filtering import draw_filtered
from keras_signgan.augment.gans import prepare_cell_gan, train_cell_gan
from keras_signgan.augment.splits import fold_split, reduce_fraction
from keras_signgan.classifier import build_classifier, predict_probabilities, stratified_split, train_classifier
from keras_signgan.generators import balanced_labels
from keras_signgan.interrupts import raise_if_stop_requested
from keras_signgan.io_utils import atomic_path

CLASSIFIERS_DIR = "classifiers"


@dataclasses.dataclass
class CellContext:
    key: str
    fold: int
    fraction: float
    train_idx: np.ndarray  # the fold's whole real training part
    test_idx: np.ndarray
    split_info: dict
    reduced: np.ndarray  # the cell's real training part (the GAN's dataset)
    fit_idx: np.ndarray  # what the classifiers train on (the reduced part less validation)
    val_idx: np.ndarray
    test_hashes: list
    steps_per_epoch: int
    generator: object = None
    classifier: object = None
    drawn: dict = dataclasses.field(default_factory=dict)


def prepare_cell(study, fold, fraction):
    """The CellContext of fold `fold` at training fraction `fraction`."""
    data, seed = study.data, study.seed
    train_idx, test_idx, split_info = fold_split(data, study.split, fold, study.num_folds, study.test_fraction, seed)
    reduced = train_idx[reduce_fraction(data.labels[train_idx], fraction, seed=seed * 31 + fold)]
    fit_rel, val_rel = stratified_split(data.labels[reduced], 0.1, seed=seed + fold)
    return CellContext(
        key=plan.gan_key(fold, fraction),
        fold=fold,
        fraction=fraction,
        train_idx=train_idx,
        test_idx=test_idx,
        split_info=split_info,
        reduced=reduced,
        fit_idx=reduced[fit_rel],
        val_idx=reduced[val_rel],
        test_hashes=plan.image_hashes(data.images[test_idx]),
        # Every classifier of a fold: as many batches per epoch as its whole real part fills.
        steps_per_epoch=math.ceil(len(train_idx) / study.batch_size),
    )


def _gan_arguments(study, ctx, out):
    return (out, ctx.key, study.data, ctx.reduced, ctx.test_hashes, study.gan_options, study.seed * 1000 + ctx.fold)


def cell_gan_job(study, ctx, out, results):
    """The GANJob of the cell's GAN (gans.prepare_cell_gan), None when it is finished."""
    return prepare_cell_gan(*_gan_arguments(study, ctx, out), results, target_fid=study.target_fid)


def cell_generator(study, ctx, out, results, log, write):
    """The cell's generator: the study's own, or (with a model) the cell's GAN, trained once;
    `write(results)` records it."""
    if study.model is None:
        return study.generator
    if ctx.generator is None:
        ctx.generator = train_cell_gan(*_gan_arguments(study, ctx, out), results, log, target_fid=study.target_fid)
        write(results)
    return ctx.generator


def fit_classifier(study, ctx, augmentation, images, labels):
    """Train the classifier of one condition of the cell; `(model, history)`. A stop request
    lost in a finalizer during the previous fit is raised here."""
    raise_if_stop_requested()
    data = study.data
    return train_classifier(
        images,
        labels,
        data.num_classes,
        epochs=study.epochs,
        batch_size=study.batch_size,
        width=study.width,
        classical_augmentation=augmentation in plan.CLASSICAL,
        seed=study.seed * 101 + ctx.fold,
        validation=(data.images[ctx.val_idx], data.labels[ctx.val_idx]),
        steps_per_epoch=ctx.steps_per_epoch,
    )


def save_real_only(out, ctx, classifier):
    """Keep the cell's real-only classifier (its weights) for the conditions that use it."""
    ctx.classifier = classifier
    with atomic_path(out / CLASSIFIERS_DIR / f"{ctx.key}.npz") as tmp:
        with open(tmp, "wb") as handle:
            np.savez(handle, *[np.asarray(w) for w in classifier.get_weights()])


def real_only_classifier(study, ctx, out, log):
    """The cell's real-only classifier: in memory, else from its file, else trained again."""
    if ctx.classifier is not None:
        return ctx.classifier
    path = out / CLASSIFIERS_DIR / f"{ctx.key}.npz"
    if path.is_file():
        data = study.data
        classifier = build_classifier(data.num_classes, data.images.shape[1], width=study.width)
        with np.load(path, allow_pickle=False) as saved:
            classifier.set_weights([saved[f"arr_{i}"] for i in range(len(saved.files))])
        ctx.classifier = classifier
        return classifier
    log(f"Cell {ctx.key}: training its real-only classifier again ({path} is missing).")
    images, labels = study.data.images[ctx.fit_idx], study.data.labels[ctx.fit_idx]
    classifier, _ = fit_classifier(study, ctx, "none", images, labels)
    save_real_only(out, ctx, classifier)
    return classifier


def generated(study, ctx, generator, ratio):
    """`(images, labels)`: ratio% of the cell's real part in class-balanced generated images,
    drawn once per cell and ratio with a seed from (fold, fraction, ratio)."""
    if ratio not in ctx.drawn:
        num = int(round(ratio / 100 * len(ctx.reduced)))
        labels = balanced_labels(list(range(study.data.num_classes)), num=num) if num else np.zeros(0, "int32")
        seed = plan.draw_seed(study.seed, plan.Cell("gan", ratio, ctx.fold, ctx.fraction))
        images = generator.generate(labels, seed=seed) if num else study.data.images[:0]
        ctx.drawn[ratio] = (images, labels)
    return ctx.drawn[ratio]


def filtered(study, ctx, generator, classifier, ratio):
    """`(images, labels, record)`: as many images per class as `generated` gives, each
    assigned to its class by the real-only classifier with confidence >= the threshold."""
    num = int(round(ratio / 100 * len(ctx.reduced)))
    if not num:
        return study.data.images[:0], np.zeros(0, "int32"), None
    quotas = np.bincount(
        balanced_labels(list(range(study.data.num_classes)), num=num), minlength=study.data.num_classes
    )
    return draw_filtered(
        lambda labels, seed: generator.generate(labels, seed=seed),
        lambda images: predict_probabilities(classifier, images),
        quotas,
        study.filter_confidence,
        seed=plan.draw_seed(study.seed, plan.Cell("filtered", ratio, ctx.fold, ctx.fraction)),
    )
