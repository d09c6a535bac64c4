"""The augmentation experiment: does adding generated images help a handshape classifier?

The dataset is split into folds (`splits.fold_split`): by subject (K folds, each subject
tested once) or stratified random repeats. The same folds serve every condition, so the
comparisons are paired. For every fold and every training fraction ("a cell"):

    the real training part is reduced to the fraction, per class (at least one image each);
    a tenth of that reduced part (real, never the test part) is kept aside for early stopping;
    with `model`, a GAN is trained by `training.fit` on exactly the reduced part and nothing
    else (its run in `OUT/gans/<fold>-f<fraction>/run`, its images in `.../images.npz`),
    and its EMA generator makes the cell's generated images. The sha256 of the GAN's and of
    the test part's images are recorded, and the experiment stops if they share an image.
    With an external `generator`, nothing proves it never saw the test images, and the
    results say so (`generator_saw_test: "unknown"`).

Then one classifier per condition, scored on the untouched test part. Every classifier of a
fold trains the same number of batches per epoch, as many as the fold's whole real training
part fills (`classifier_steps_per_epoch`), whatever its own training set's size: a reduced
or an enlarged set changes what the classifier sees, not how long it trains.

    real only            the baseline
    classical            random shifts / rotations / brightness
    GAN, ratio r         plus r% of the reduced part's size in generated images, class-balanced
    classical + GAN r    both
    synthetic only       as many generated images as the reduced part, no real training image
                         (the classification accuracy score of Ravuri & Vinyals 2019)

Generated images are drawn with a seed from (fold, fraction, ratio). Results are written
after every classifier, so an interrupted experiment keeps what it finished; `resume=True`
reuses finished GANs and classifiers and resumes an interrupted GAN from its checkpoint.
Per fraction and condition, `summarize` gives mean and std over folds and the paired
difference to real only and to classical with a 95% Student t interval over folds.

The parts: plan.py (options, cells, hashes), gans.py (the per-cell GANs), statistics.py
(paired intervals), report.py (results.json, results.md, the chart); here, the run itself
and the classifier of each cell.
"""

import dataclasses
import math
import pathlib
import sys
import time

import numpy as np

from keras_signgan.augment import plan
from keras_signgan.augment.gans import probe_config, train_cell_gan
from keras_signgan.augment.report import (
    PLOT,
    RESULTS_JSON,
    VERSION,
    condition_label,
    read_results,
    save_plot,
    write_results,
)
from keras_signgan.augment.splits import fold_split, reduce_fraction
from keras_signgan.augment.statistics import run_fold, run_fraction, summarize
from keras_signgan.classifier import accuracy_per_class, predict_labels, stratified_split, train_classifier
from keras_signgan.data import load_dataset
from keras_signgan.errors import RunError
from keras_signgan.generators import balanced_labels, load_generator
from keras_signgan.io_utils import write_json_atomic


@dataclasses.dataclass
class Study:
    """The checked options of one experiment and what it works on."""

    data: object  # HandshapeDataset
    generator: object  # LoadedGenerator, or None with `model`
    model: str
    gan_options: dict
    split: str
    num_folds: int
    seed: int
    test_fraction: float
    epochs: int
    width: int
    batch_size: int


def run_experiment(
    dataset,
    generator=None,
    out="augment-out",
    ratios=(0, 25, 50, 100, 200),
    repeats=3,
    split="random",
    epochs=40,
    classical=True,
    resume=False,
    seed=0,
    test_fraction=0.2,
    width=32,
    batch_size=64,
    log=None,
    model=None,
    gan_options=None,
    fractions=(1.0,),
    folds=None,
    synthetic=True,
    dry_run=False,
):
    """Run the experiment; return the results dict (also written to `out`).

    Args:
        dataset: str or HandshapeDataset. A dataset name or path (or the dataset itself).
        generator: a run directory, an export directory, a LoadedGenerator, or None with
            `model`. A generator trained elsewhere may have seen the test images; the
            results are flagged (`generator_saw_test: "unknown"`).
        out: path. Folder for results.json, results.md, accuracy.png and gans/.
        ratios: numbers >= 0 (percent of the real training size), or a comma string.
        repeats: int. Random splits (with `split="random"`).
        split: "random" or "subject".
        epochs: int. The classifier's most epochs.
        classical: bool. Also train the classical-augmentation conditions.
        resume: bool. Continue the experiment in `out`, skipping finished cells and GANs.
        seed, test_fraction, width, batch_size: see the module docstring.
        log: callable for one-line messages. Defaults to stderr.
        model: str or None. Train one GAN of this family per fold and fraction.
        gan_options: dict of TrainConfig overrides for those GANs (`size`, `steps`, `loss`...).
        fractions: numbers in (0, 1], or a comma string. Training fractions.
        folds: int or None. Subject folds (with `split="subject"`); None keeps `repeats`
            test-fraction splits.
        synthetic: bool. Also train the synthetic-only condition.
        dry_run: bool. Log the plan and return it without training anything.
    """
    log = log or (lambda message: print(message, file=sys.stderr))
    ratios = plan.as_list(ratios, plan.parse_ratios)
    fractions = plan.as_list(fractions, plan.parse_fractions)
    num_folds = plan.check_options(generator, model, split, folds, repeats, test_fraction)
    out = pathlib.Path(out)
    if (out / RESULTS_JSON).exists() and not resume and not dry_run:
        raise RunError(f"{out / RESULTS_JSON} exists: pass --resume to complete it, or choose another --out.")
    study = _study(
        dataset, generator, model, gan_options, split, num_folds, seed, test_fraction, epochs, width, batch_size
    )
    settings = _settings(study, dataset, fractions, ratios, classical, synthetic)
    results = {"version": VERSION, "settings": settings, "gans": {}, "runs": []}
    if resume and (out / RESULTS_JSON).exists():
        results = read_results(out / RESULTS_JSON)
        plan.check_resumable(results["settings"], settings, out)
        results["settings"] = settings
    for fold in range(num_folds):  # fail early: no subjects, too many folds
        fold_split(study.data, split, fold, num_folds, test_fraction, seed)

    done, cells, new_gans = _pending(results, ratios, fractions, num_folds, classical, synthetic, model, log)
    if dry_run:
        return _dry_run(settings, cells, new_gans, log)
    out.mkdir(parents=True, exist_ok=True)
    if done:
        log(f"Resuming: {len(done)} finished cell(s) kept, {len(cells)} to run.")
    cell_generators = {}
    for cell in cells:
        _run_cell(study, cell, out, results, cell_generators, log)
    if not results["runs"]:
        raise RunError("No cells to run.")
    write_results(out, results)
    save_plot(results, out / PLOT)
    return results


def _dry_run(settings, cells, new_gans, log):
    """Log the cells a run would train; return the plan."""
    for cell in cells:
        log(f"  fold {cell.repeat}, fraction {cell.fraction:g}: {condition_label(cell.augmentation, cell.ratio)}")
    return {"settings": settings, "cells": [dataclasses.asdict(c) for c in cells], "gans": new_gans}


def _pending(results, ratios, fractions, num_folds, classical, synthetic, model, log):
    """`(finished cells, cells to run, GANs to train)`, logged as the plan."""
    done = {(r["augmentation"], float(r["ratio"]), run_fold(r), run_fraction(r)) for r in results["runs"]}
    cells = [c for c in plan.plan_cells(ratios, num_folds, classical, fractions, synthetic) if c.key not in done]
    pending_gans = sorted({plan.gan_key(c.repeat, c.fraction) for c in cells}) if model else []
    new_gans = [k for k in pending_gans if not results["gans"].get(k, {}).get("finished")]
    log(
        f"Plan: {num_folds} fold(s) x {len(fractions)} fraction(s); {len(new_gans)} GAN(s) to train"
        f"{f' ({len(pending_gans) - len(new_gans)} reused)' if model else ''}, {len(cells)} classifier fit(s) to run"
        f"{f', {len(done)} finished kept' if done else ''}."
    )
    return done, cells, new_gans


def _study(dataset, generator, model, gan_options, split, num_folds, seed, test_fraction, epochs, width, batch_size):
    """The Study: the dataset loaded at the generator's (or the GANs') image size, the
    generator loaded; RunError when their classes differ."""
    gan_options = dict(gan_options or {})
    if model is not None:
        gan_options["model"] = model
        image_size = probe_config(gan_options).image_size
    else:
        generator = generator if hasattr(generator, "generate") else load_generator(generator)
        image_size = generator.image_size
    data = dataset if hasattr(dataset, "images") else load_dataset(dataset, image_size=image_size)
    if generator is not None and list(data.class_names) != list(generator.class_names):
        raise RunError(
            f"The generator has {generator.num_classes} classes and {dataset!r} has {data.num_classes}"
            f"{' with other names' if data.num_classes == generator.num_classes else ''}: use a generator trained on this dataset."
        )
    return Study(data, generator, model, gan_options, split, num_folds, seed, test_fraction, epochs, width, batch_size)


def _settings(study, dataset, fractions, ratios, classical, synthetic):
    """results.json's "settings": everything the experiment was run with."""
    generator = study.generator
    return {
        "dataset": str(getattr(study.data, "name", dataset)) if hasattr(dataset, "images") else str(dataset),
        "generator": None if generator is None else str(generator.source),
        "generator_step": None if generator is None else generator.step,
        "generator_saw_test": "unknown" if generator is not None else False,
        "model": study.model,
        "gan_options": {k: v for k, v in study.gan_options.items() if k != "model"} if study.model else None,
        "split": study.split,
        "repeats": study.num_folds,
        "folds": study.num_folds,
        "fractions": fractions,
        "ratios": ratios,
        "epochs": study.epochs,
        "classical": classical,
        "synthetic": synthetic,
        "seed": study.seed,
        "test_fraction": study.test_fraction,
        "width": study.width,
        "batch_size": study.batch_size,
        # Batches per classifier epoch: the fold's whole real training part / batch size.
        "classifier_steps_per_epoch": "fold",
    }


def _cell_generator(study, cell, out, reduced, test_hashes, results, cell_generators, log):
    """The generator of a cell: the study's own, or (with a model) its cell's GAN, trained
    once and kept in memory for the cell's other conditions."""
    key = plan.gan_key(cell.repeat, cell.fraction)
    if study.model is None or cell.augmentation not in plan.GENERATED:
        return study.generator
    if key not in cell_generators:
        cell_generators.clear()  # one cell's generator in memory at a time
        cell_generators[key] = train_cell_gan(
            out, key, study.data, reduced, test_hashes, study.gan_options, study.seed * 1000 + cell.repeat, results, log
        )
        write_json_atomic(out / RESULTS_JSON, {**results, "summary": summarize(results["runs"])})
    return cell_generators[key]


def _run_cell(study, cell, out, results, cell_generators, log):
    """Train and score the classifier of one cell; append its run to `results` and write them."""
    data, seed = study.data, study.seed
    train_idx, test_idx, split_info = fold_split(
        data, study.split, cell.repeat, study.num_folds, study.test_fraction, seed
    )
    reduced = train_idx[reduce_fraction(data.labels[train_idx], cell.fraction, seed=seed * 31 + cell.repeat)]
    fit_rel, val_rel = stratified_split(data.labels[reduced], 0.1, seed=seed + cell.repeat)
    fit_idx, val_idx = reduced[fit_rel], reduced[val_rel]
    test_hashes = plan.image_hashes(data.images[test_idx])
    generator = _cell_generator(study, cell, out, reduced, test_hashes, results, cell_generators, log)
    started = time.perf_counter()  # a cell's seconds are its classifier's; the GAN's are in gans/
    images, labels = data.images[fit_idx], data.labels[fit_idx]
    num_synthetic = int(round(cell.ratio / 100 * len(reduced))) if cell.augmentation in plan.GENERATED else 0
    if num_synthetic:
        synthetic_labels = balanced_labels(list(range(data.num_classes)), num=num_synthetic)
        generated = generator.generate(synthetic_labels, seed=plan.draw_seed(seed, cell))
        if cell.augmentation == "synthetic":
            images, labels = generated, synthetic_labels
        else:
            images, labels = np.concatenate([images, generated]), np.concatenate([labels, synthetic_labels])
    steps_per_epoch = math.ceil(len(train_idx) / study.batch_size)
    classifier, history = train_classifier(
        images,
        labels,
        data.num_classes,
        epochs=study.epochs,
        batch_size=study.batch_size,
        width=study.width,
        classical_augmentation=cell.augmentation in ("classical", "gan+classical"),
        seed=seed * 101 + cell.repeat,
        validation=(data.images[val_idx], data.labels[val_idx]),
        steps_per_epoch=steps_per_epoch,
    )
    accuracy, per_class = accuracy_per_class(
        data.labels[test_idx], predict_labels(classifier, data.images[test_idx]), data.num_classes
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
            "num_train_real": 0 if cell.augmentation == "synthetic" else int(len(fit_idx)),
            "num_validation": int(len(val_idx)),
            "num_synthetic": num_synthetic,
            "num_test": int(len(test_idx)),
            "gan": plan.gan_key(cell.repeat, cell.fraction) if study.model is not None and num_synthetic else None,
            "train_images_sha256": plan.set_hash(plan.image_hashes(data.images[reduced])),
            "test_images_sha256": plan.set_hash(test_hashes),
            "epochs_trained": len(history.get("loss", [])),
            "steps_per_epoch": steps_per_epoch,
            "seconds": seconds,
            **split_info,
        }
    )
    write_results(out, results)
    log(
        f"fold {cell.repeat}, fraction {cell.fraction:g}, {condition_label(cell.augmentation, cell.ratio)}: "
        f"accuracy {100 * accuracy:.1f}% ({seconds:.0f} s, {len(history.get('loss', []))} epochs)."
    )
