"""What runs in a cell: one classifier per condition, scored on the cell's untouched test
part, and (with the study's own GANs) the cell's GAN quality, measured once.

    real only                   the cell's real training images; the classifier is kept
                                (cells.py) for the filtered conditions and the GAN's score
    classical                   the same with random shifts / rotations / brightness
    real (+ classical) + r%     plus r% of the real part's size in generated images
    ... + filtered r%           as many generated images, each assigned to its class by the
                                real-only classifier with confidence >= the threshold
    synthetic only              as many generated images as real ones, no real training image
"""

import time

import numpy as np

from keras_signgan.augment import plan
from keras_signgan.augment.cells import (
    cell_generator,
    filtered,
    fit_classifier,
    generated,
    real_only_classifier,
    save_real_only,
)
from keras_signgan.augment.quality import gan_quality
from keras_signgan.augment.report import condition_label
from keras_signgan.classifier import accuracy_per_class, predict_labels


def _training_set(study, ctx, cell, out, results, log, write):
    """`(images, labels, extra)` a condition's classifier trains on; `extra` goes into its
    run record (`num_synthetic`, and the filter's record for a filtered condition)."""
    data = study.data
    images, labels = data.images[ctx.fit_idx], data.labels[ctx.fit_idx]
    if cell.augmentation not in plan.GENERATED:
        return images, labels, {"num_synthetic": 0}
    generator = cell_generator(study, ctx, out, results, log, write)
    extra = {}
    if cell.augmentation in plan.FILTERED:
        classifier = real_only_classifier(study, ctx, out, log)
        fake, fake_labels, record = filtered(study, ctx, generator, classifier, cell.ratio)
        extra["filter"] = record
        if record is not None and record["num_kept"] < record["num_requested"]:
            log(
                f"Cell {ctx.key}: {record['num_kept']} of {record['num_requested']} filtered images kept "
                f"after {record['num_drawn']} draws (at most {record['max_draws_per_image']} per image)."
            )
    else:
        fake, fake_labels = generated(study, ctx, generator, cell.ratio)
    extra["num_synthetic"] = int(len(fake))
    if cell.augmentation == "synthetic":
        return fake, fake_labels, extra
    return np.concatenate([images, fake]), np.concatenate([labels, fake_labels]), extra


def run_condition(study, ctx, cell, out, results, log, write):
    """Train and score the classifier of one condition; append its run to `results`, and
    `write(results)`."""
    data = study.data
    images, labels, extra = _training_set(study, ctx, cell, out, results, log, write)
    started = time.perf_counter()  # a run's seconds are its classifier's; the GAN's are in gans/
    classifier, history = fit_classifier(study, ctx, cell.augmentation, images, labels)
    if cell.augmentation == "none":
        save_real_only(out, ctx, classifier)
    accuracy, per_class = accuracy_per_class(
        data.labels[ctx.test_idx], predict_labels(classifier, data.images[ctx.test_idx]), data.num_classes
    )
    seconds = round(time.perf_counter() - started, 1)
    results["runs"].append(
        {
            "augmentation": cell.augmentation,
            "ratio": cell.ratio,
            "split": study.split,
            "repeat": cell.repeat,
            "fold": cell.repeat,
            "fraction": cell.fraction,
            "accuracy": accuracy,
            "per_class_accuracy": {n: (None if np.isnan(v) else float(v)) for n, v in zip(data.class_names, per_class)},
            "num_train_real": 0 if cell.augmentation == "synthetic" else int(len(ctx.fit_idx)),
            "num_validation": int(len(ctx.val_idx)),
            "num_test": int(len(ctx.test_idx)),
            "gan": ctx.key if study.model is not None and extra["num_synthetic"] else None,
            "train_images_sha256": plan.set_hash(plan.image_hashes(data.images[ctx.reduced])),
            "test_images_sha256": plan.set_hash(ctx.test_hashes),
            "epochs_trained": len(history.get("loss", [])),
            "steps_per_epoch": ctx.steps_per_epoch,
            "seconds": seconds,
            **extra,
            **ctx.split_info,
        }
    )
    write(results)
    log(
        f"fold {cell.repeat}, fraction {cell.fraction:g}, {condition_label(cell.augmentation, cell.ratio)}: "
        f"accuracy {100 * accuracy:.1f}% ({seconds:.0f} s, {len(history.get('loss', []))} epochs)."
    )


def record_quality(study, ctx, out, results, log, write):
    """Measure the cell's GAN once: FID against the cell's own real training images and the
    classification score by its real-only classifier, on the images it generated for the
    cell (the ratio-100 set: as many as the real part), into `results["gans"][key]["quality"]`."""
    generator = cell_generator(study, ctx, out, results, log, write)
    classifier = real_only_classifier(study, ctx, out, log)
    fake, fake_labels = generated(study, ctx, generator, 100.0)
    quality = gan_quality(
        study.extractor,
        classifier,
        study.data.images[ctx.reduced],
        fake,
        fake_labels,
        list(study.data.class_names),
        seed=study.seed,
    )
    quality.update(generator_step=generator.step, generator_checkpoint=generator.checkpoint)
    results["gans"][ctx.key]["quality"] = quality
    write(results)
    fid = "n/a" if quality["fid"] is None else f"{quality['fid']:.1f}"
    log(
        f"GAN {ctx.key}: FID {fid} ({quality['num_generated']} generated vs {quality['num_real']} real, "
        f"{quality['extractor']}), classification score {100 * quality['classification_score']:.1f}%."
    )
