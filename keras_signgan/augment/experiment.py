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
    classical + filtered GAN r   as many generated images, only those the cell's real-only
                         classifier assigns to their class with confidence >= the threshold
                         (real + filtered GAN r without classical)
    synthetic only       as many generated images as the reduced part, no real training image
                         (the classification accuracy score of Ravuri & Vinyals 2019)

With the study's own GANs, each cell's GAN is also measured once (quality.py): FID against
the cell's own real training images and the real-only classifier's score on its images,
beside its steps and seconds; with a target FID it stops at the first evaluation reaching it.

Generated images are drawn with a seed from (fold, fraction, ratio). Results are written
after every classifier, so an interrupted experiment keeps what it finished; `resume=True`
reuses finished GANs and classifiers and resumes an interrupted GAN from its checkpoint.
Per fraction and condition, `summarize` gives mean and std over folds and the paired
difference to real only and to classical with a 95% Student t interval over folds.

The parts: plan.py (options, cells, hashes), gans.py (the per-cell GANs), cells.py (what a
cell's conditions share), conditions.py (each condition's classifier, the GAN's quality),
filtering.py, quality.py, statistics.py (paired intervals), report.py (results.json,
results.md, the chart); here, the run itself.
"""

import dataclasses
import pathlib
import sys

from keras_signgan.augment import plan
from keras_signgan.augment.cells import cell_gan_job, prepare_cell
from keras_signgan.augment.conditions import record_quality, run_condition
from keras_signgan.augment.gan_pool import train_gans
from keras_signgan.augment.gans import probe_config, refresh_gan_seconds
from keras_signgan.augment.quality import resolve_features
from keras_signgan.augment.report import (
    PLOT,
    RESULTS_JSON,
    VERSION,
    condition_label,
    read_results,
    save_plot,
    write_results,
)
from keras_signgan.augment.splits import fold_split
from keras_signgan.augment.statistics import run_fold, run_fraction
from keras_signgan.data import load_dataset
from keras_signgan.errors import RunError
from keras_signgan.generators import load_generator
from keras_signgan.metrics.features import load_extractor


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
    batch_size: int = 64
    filter_confidence: float = 0.0
    target_fid: float = None
    gan_eval_features: str = None  # the extractor of the GANs' FIDs (with `model`)
    extractor: object = None  # loaded when a GAN's quality is to be measured
    gan_workers: int = 1  # GANs trained at once, before the classifiers (gan_pool.py)


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
    filter_confidence=0.9,
    gan_target_fid=None,
    gan_eval_every=None,
    gan_eval_features=None,
    gan_workers=1,
):
    """Run the experiment; return the results dict (also written to `out`).

    Args:
        dataset: str or HandshapeDataset. A dataset name or path (or the dataset itself).
        generator: a run directory, an export directory, a LoadedGenerator, or None with
            `model`. A generator trained elsewhere may have seen the test images; the
            results are flagged (`generator_saw_test: "unknown"`).
        out: path. Folder for results.json, results.md, accuracy.png, gans/ and classifiers/.
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
        filter_confidence: float in [0, 1]. The filtered conditions' least confidence; 0: none.
        gan_target_fid: float or None. Stop each GAN at FID <= this; use its best checkpoint.
        gan_eval_every: int or None. Steps between those FIDs. Default: a tenth of its steps.
        gan_eval_features: str or None. The GANs' FID extractor (see quality.py).
        gan_workers: int. With `model`, GANs trained at once before the classifiers (gan_pool.py).
    """
    log = log or (lambda message: print(message, file=sys.stderr))
    ratios = plan.as_list(ratios, plan.parse_ratios)
    fractions = plan.as_list(fractions, plan.parse_fractions)
    num_folds = plan.check_options(generator, model, split, folds, repeats, test_fraction)
    plan.check_gan_options(model, gan_target_fid, gan_eval_every, gan_eval_features, filter_confidence, gan_workers)
    out = pathlib.Path(out)
    previous = _previous(out, resume, dry_run)
    study = _study(dataset, generator, model, gan_options, split, num_folds, seed, test_fraction, epochs, width)
    study.gan_workers = gan_workers
    study.batch_size, study.filter_confidence, study.target_fid = batch_size, filter_confidence, gan_target_fid
    _gan_quality_options(study, gan_eval_features, gan_eval_every, previous, log)
    settings = _settings(study, dataset, fractions, ratios, classical, synthetic)
    if previous is not None:
        plan.check_resumable(previous["settings"], settings, out)
    results = {**(previous or {"version": VERSION, "settings": None, "gans": {}, "runs": []}), "settings": settings}
    done, cells, new_gans, quality_keys = _pending(results, settings, num_folds, model, log)
    if dry_run:
        return _dry_run(settings, cells, new_gans, quality_keys, log)
    _run_cells(study, cells, quality_keys, fractions, out, results, log, resumed=len(done))
    if not results["runs"]:
        raise RunError("No cells to run.")
    write_results(out, results)
    save_plot(results, out / PLOT)
    return results


def _previous(out, resume, dry_run):
    """The results of the experiment in `out` to resume, or None; RunError when they would be
    overwritten (without `resume`)."""
    if not (out / RESULTS_JSON).exists():
        return None
    if not resume and not dry_run:
        raise RunError(f"{out / RESULTS_JSON} exists: pass --resume to complete it, or choose another --out.")
    if not resume:
        return None
    previous = read_results(out / RESULTS_JSON)
    refresh_gan_seconds(out, previous)
    return previous


def _run_cells(study, cells, quality_keys, fractions, out, results, log, resumed=0):
    """Run the pending conditions cell by cell (one cell's GAN and classifier in memory at a
    time), each cell's GAN quality after its conditions."""
    if quality_keys:
        study.extractor = load_extractor(study.gan_eval_features)  # refused now, not after a GAN
    out.mkdir(parents=True, exist_ok=True)
    if resumed:
        log(f"Resuming: {resumed} finished cell(s) kept, {len(cells)} to run.")
    if study.model is not None and study.gan_workers > 1:
        _train_gans_at_once(study, cells, quality_keys, fractions, out, results, log)
    for fold in range(study.num_folds):
        for fraction in fractions:
            key = plan.gan_key(fold, fraction)
            mine = [c for c in cells if (c.repeat, c.fraction) == (fold, fraction)]
            if not mine and key not in quality_keys:
                continue
            ctx = prepare_cell(study, fold, fraction)
            for cell in mine:
                run_condition(study, ctx, cell, out, results, log, lambda r: write_results(out, r))
            if key in quality_keys:
                record_quality(study, ctx, out, results, log, lambda r: write_results(out, r))


def _train_gans_at_once(study, cells, quality_keys, fractions, out, results, log):
    """Train the GANs of the pending cells `study.gan_workers` at a time, before any classifier."""
    jobs = []
    for fold in range(study.num_folds):
        for fraction in fractions:
            key = plan.gan_key(fold, fraction)
            if key in quality_keys or any((c.repeat, c.fraction) == (fold, fraction) for c in cells):
                job = cell_gan_job(study, prepare_cell(study, fold, fraction), out, results)
                jobs += [job] if job is not None else []
    if jobs:
        log(f"Training {len(jobs)} GAN(s), {study.gan_workers} at a time.")
        train_gans(jobs, study.gan_workers, out, results, log, lambda r: write_results(out, r))


def _gan_quality_options(study, features, eval_every, previous, log):
    """With a model: the extractor of the GANs' FIDs (as the finished cells' on resume), and
    with a target FID, the GANs' evaluations during training (fit's --eval-every) with it,
    against their own training images."""
    if study.model is None:
        return
    if features is None and previous is not None:
        features = previous["settings"].get("gan_eval_features")
    study.gan_eval_features = resolve_features(features, log)
    if study.target_fid is None:
        return
    steps = probe_config(study.gan_options).steps
    study.gan_options.update(eval_every=eval_every or max(1, steps // 10), eval_features=study.gan_eval_features)


def _dry_run(settings, cells, new_gans, quality_keys, log):
    """Log the cells a run would train; return the plan."""
    for cell in cells:
        log(f"  fold {cell.repeat}, fraction {cell.fraction:g}: {condition_label(cell.augmentation, cell.ratio)}")
    if quality_keys:
        log(
            f"  GAN quality of {len(quality_keys)} cell(s): FID ({settings['gan_eval_features']}) against the cell's "
            "real training images, classification score by its real-only classifier."
        )
    return {
        "settings": settings,
        "cells": [dataclasses.asdict(c) for c in cells],
        "gans": new_gans,
        "quality": quality_keys,
    }


def _pending(results, settings, num_folds, model, log):
    """`(finished cells, cells to run, GANs to train, cells whose GAN quality is missing)`,
    logged as the plan."""
    fractions = settings["fractions"]
    planned = plan.plan_cells(
        settings["ratios"],
        num_folds,
        settings["classical"],
        fractions,
        settings["synthetic"],
        filtered=settings["filter_confidence"] > 0,
    )
    done = {(r["augmentation"], float(r["ratio"]), run_fold(r), run_fraction(r)) for r in results["runs"]}
    cells = [c for c in planned if c.key not in done]
    pending_gans = sorted({plan.gan_key(c.repeat, c.fraction) for c in cells}) if model else []
    quality_keys = []
    if model and any(c.augmentation in plan.GENERATED for c in planned):
        keys = [plan.gan_key(fold, fraction) for fold in range(num_folds) for fraction in fractions]
        quality_keys = [k for k in keys if "quality" not in results["gans"].get(k, {})]
        pending_gans = sorted(set(pending_gans) | set(quality_keys))
    new_gans = [k for k in pending_gans if not results["gans"].get(k, {}).get("finished")]
    log(
        f"Plan: {num_folds} fold(s) x {len(fractions)} fraction(s); {len(new_gans)} GAN(s) to train"
        f"{f' ({len(pending_gans) - len(new_gans)} reused)' if model else ''}, {len(cells)} classifier fit(s) to run"
        f"{f', {len(done)} finished kept' if done else ''}."
    )
    return done, cells, new_gans, quality_keys


def _study(dataset, generator, model, gan_options, split, num_folds, seed, test_fraction, epochs, width):
    """The Study: the dataset loaded at the generator's (or the GANs') image size, the
    generator loaded, the folds checked; RunError when their classes differ."""
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
    for fold in range(num_folds):  # fail early: no subjects, too many folds
        fold_split(data, split, fold, num_folds, test_fraction, seed)
    return Study(data, generator, model, gan_options, split, num_folds, seed, test_fraction, epochs, width)


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
        "filter_confidence": study.filter_confidence,
        "gan_eval_features": study.gan_eval_features,
        "gan_target_fid": study.target_fid,
        "seed": study.seed,
        "test_fraction": study.test_fraction,
        "width": study.width,
        "batch_size": study.batch_size,
        # Batches per classifier epoch: the fold's whole real training part / batch size.
        "classifier_steps_per_epoch": "fold",
    }
