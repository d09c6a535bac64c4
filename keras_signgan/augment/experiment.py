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
"""

import dataclasses
import hashlib
import json
import math
import pathlib
import shutil
import sys
import time

import numpy as np

from keras_signgan import legacy
from keras_signgan.augment.splits import SPLITS, fold_split, reduce_fraction
from keras_signgan.classifier import accuracy_per_class, predict_labels, stratified_split, train_classifier
from keras_signgan.config import TrainConfig
from keras_signgan.data import load_dataset
from keras_signgan.errors import ConfigError, RunError
from keras_signgan.generators import balanced_labels, load_generator
from keras_signgan.io_utils import atomic_path, write_json_atomic
from keras_signgan.runs import CONFIG_FILE, latest_checkpoint, read_config

RESULTS_JSON = "results.json"
RESULTS_MD = "results.md"
PLOT = "accuracy.png"
VERSION = 2
GANS_DIR = "gans"
GAN_IMAGES = "images.npz"
GAN_RUN = "run"
CONDITIONS = ("none", "classical", "gan", "gan+classical", "synthetic")
GENERATOR_WARNING = (
    "**Warning:** the generator was trained elsewhere (`--generator`) and may have seen the test images, "
    "so a gain measured here is not evidence. Let `augment` train one GAN per fold (`--model`) instead."
)


@dataclasses.dataclass
class Cell:
    augmentation: str  # one of CONDITIONS
    ratio: float
    repeat: int  # the fold
    fraction: float = 1.0

    @property
    def key(self):
        return (self.augmentation, float(self.ratio), int(self.repeat), float(self.fraction))


def _parse_numbers(text, flag, low, high=None, example="0,25,50,100,200"):
    values = []
    for part in str(text).split(","):
        part = part.strip()
        if not part:
            continue
        try:
            value = float(part)
        except ValueError:
            value = float("nan")
        if not np.isfinite(value) or value < low or (high is not None and (value <= 0 or value > high)):
            bound = f"> 0 and <= {high:g}" if high is not None else f">= {low:g}"
            raise ConfigError(f"{flag} must be numbers {bound} separated by commas. Received: {part!r}.")
        values.append(value)
    if not values:
        raise ConfigError(f"{flag} is empty; give e.g. {example}.")
    return sorted(set(values))


def parse_ratios(text):
    """`"0,25,50"` -> `[0.0, 25.0, 50.0]`; ConfigError for anything not a number >= 0."""
    return _parse_numbers(text, "--ratios", 0)


def parse_fractions(text):
    """`"0.1,1"` -> `[0.1, 1.0]`; ConfigError for anything outside (0, 1]."""
    return _parse_numbers(text, "--train-fractions", 0, high=1, example="0.1,0.25,1")


def _as_list(values, parse):
    return parse(values if isinstance(values, str) else ",".join(str(v) for v in values))


def plan_cells(ratios, repeats, classical=True, fractions=(1.0,), synthetic=False):
    """The classifier cells in run order: fold, then fraction, then condition."""
    cells = []
    gan_ratios = [r for r in ratios if r > 0]
    for repeat in range(repeats):
        for fraction in fractions:
            cells.append(Cell("none", 0.0, repeat, fraction))
            if classical:
                cells.append(Cell("classical", 0.0, repeat, fraction))
            cells.extend(Cell("gan", ratio, repeat, fraction) for ratio in gan_ratios)
            if classical:
                cells.extend(Cell("gan+classical", ratio, repeat, fraction) for ratio in gan_ratios)
            if synthetic:
                cells.append(Cell("synthetic", 100.0, repeat, fraction))
    return cells


def gan_key(fold, fraction):
    """`OUT/gans/<key>`: e.g. `0-f0.1`."""
    return f"{fold}-f{fraction:g}"


def image_hashes(images):
    """sha256 of each image's bytes, as hex strings."""
    return [hashlib.sha256(np.ascontiguousarray(image).tobytes()).hexdigest() for image in images]


def set_hash(hashes):
    """One sha256 for a set of images: over their sorted per-image hashes."""
    return hashlib.sha256("\n".join(sorted(hashes)).encode()).hexdigest()


def paired_interval(differences, confidence=0.95):
    """Mean of per-fold paired differences and its Student t interval: `(mean, low, high)`;
    low and high are None with fewer than two folds (no interval from one difference)."""
    d = np.asarray(differences, dtype="float64")
    mean = float(d.mean())
    if len(d) < 2:
        return mean, None, None
    from scipy import stats  # heavy: only when a summary is made

    half = float(stats.t.ppf(0.5 + confidence / 2, len(d) - 1) * d.std(ddof=1) / math.sqrt(len(d)))
    return mean, mean - half, mean + half


def _verdict(low, high):
    if low is None:
        return "n/a (one fold)"
    if low > 0:
        return "better"
    if high < 0:
        return "worse"
    return "no difference shown"


def _run_fraction(run):
    return float(run.get("fraction", 1.0))


def _run_fold(run):
    return int(run.get("fold", run.get("repeat", 0)))


def summarize(runs):
    """Per (fraction, augmentation, ratio), in table order: mean and std of accuracy over
    folds, and the paired differences to real only and to classical (`vs_real`,
    `vs_classical`: mean, 95% Student t interval over folds, verdict)."""
    groups = {}
    for run in runs:
        key = (_run_fraction(run), run["augmentation"], float(run["ratio"]))
        groups.setdefault(key, {})[_run_fold(run)] = run["accuracy"]
    order = {name: i for i, name in enumerate(CONDITIONS)}
    summary = []
    for (fraction, augmentation, ratio), by_fold in sorted(groups.items(), key=lambda item: (item[0][0], order[item[0][1]], item[0][2])):
        values = np.array(list(by_fold.values()), dtype="float64")
        row = {
            "fraction": fraction, "augmentation": augmentation, "ratio": ratio, "repeats": len(values),
            "mean_accuracy": float(values.mean()), "std_accuracy": float(values.std(ddof=1)) if len(values) > 1 else 0.0,
        }
        for name, baseline in (("vs_real", "none"), ("vs_classical", "classical")):
            base = groups.get((fraction, baseline, 0.0))
            if base is None or baseline == augmentation:
                continue
            folds = sorted(set(by_fold) & set(base))
            if not folds:
                continue
            mean, low, high = paired_interval([by_fold[f] - base[f] for f in folds])
            row[name] = {"mean": mean, "low": low, "high": high, "folds": len(folds), "verdict": _verdict(low, high)}
        summary.append(row)
    return summary


def _label(augmentation, ratio):
    return {
        "none": "real only", "classical": "real + classical augmentation",
        "gan": f"real + {ratio:g}% generated", "gan+classical": f"real + classical + {ratio:g}% generated",
        "synthetic": "synthetic only (as many as real)",
    }[augmentation]


def _difference(entry):
    if not entry:
        return "–"
    if entry["low"] is None:
        return f"{100 * entry['mean']:+.1f} (one fold, no interval)"
    return f"{100 * entry['mean']:+.1f} [{100 * entry['low']:+.1f}, {100 * entry['high']:+.1f}] {entry['verdict']}"


def results_table(results):
    """The study's tables, one per training fraction, as Markdown."""
    settings = results["settings"]
    folds = settings.get("folds", settings.get("repeats"))
    lines = []
    if settings.get("generator_saw_test", "unknown") == "unknown":
        lines += [GENERATOR_WARNING, ""]
    lines += [f"# Augmentation experiment: {settings['dataset']}", ""]
    if settings.get("model"):
        gan = f"one {settings['model']} GAN per fold and fraction, trained on that cell's real training images only ({settings.get('gan_options')})"
    else:
        gan = f"generator `{settings['generator']}` (step {settings.get('generator_step')})"
    lines += [
        f"Generated images: {gan}. Split: {settings['split']}, {folds} fold(s), classifier width "
        f"{settings['width']}, at most {settings['epochs']} epochs"
        + (" of as many batches as the fold's whole real training part fills" if settings.get("classifier_steps_per_epoch") else "")
        + " with early stopping on real training images. "
        "Differences are paired over folds, in accuracy points, with a 95% Student t interval; "
        "\"better\"/\"worse\" only where the interval excludes 0.",
        "",
    ]
    by_fraction = {}
    for row in results["summary"]:
        by_fraction.setdefault(row.get("fraction", 1.0), []).append(row)
    for fraction, rows in sorted(by_fraction.items()):
        lines += [
            f"## Training fraction {fraction:g}", "",
            "| training data | accuracy (mean ± std) | vs real only | vs classical | folds |",
            "|---|---:|---:|---:|---:|",
        ]
        for row in rows:
            lines.append(
                f"| {_label(row['augmentation'], row['ratio'])} | {100 * row['mean_accuracy']:.1f}% ± "
                f"{100 * row['std_accuracy']:.1f} | {_difference(row.get('vs_real'))} | "
                f"{_difference(row.get('vs_classical'))} | {row['repeats']} |"
            )
        lines.append("")
    return "\n".join(lines)


def save_plot(results, path):
    """Accuracy vs training fraction (log x), one line per condition with its 95% interval."""
    from matplotlib.figure import Figure  # heavy: only when a plot is drawn

    lines = {}
    for row in results["summary"]:
        lines.setdefault((row["augmentation"], row["ratio"]), []).append(row)
    fig = Figure(figsize=(6, 4), dpi=100)  # no pyplot: the caller's backend stays as it is
    ax = fig.subplots()
    for (augmentation, ratio), rows in lines.items():
        rows = sorted(rows, key=lambda r: r.get("fraction", 1.0))
        x = [r.get("fraction", 1.0) for r in rows]
        y = [100 * r["mean_accuracy"] for r in rows]
        err = []
        for r in rows:
            n = r["repeats"]
            if n > 1:
                from scipy import stats  # heavy: only when a plot is drawn

                err.append(100 * float(stats.t.ppf(0.975, n - 1)) * r["std_accuracy"] / math.sqrt(n))
            else:
                err.append(0.0)
        ax.errorbar(x, y, yerr=err, marker="o", capsize=3, label=_label(augmentation, ratio))
    ax.set_xscale("log")
    ax.set_xlabel("fraction of the real training part (log)")
    ax.set_ylabel("test accuracy (%), 95% interval")
    ax.set_ylim(0, 101)  # accuracy is bounded; a t interval over few folds may not be
    settings = results["settings"]
    ax.set_title(f"{settings['dataset']}, {settings['split']} split", fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)
    fig.tight_layout()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png")


def read_results(path):
    """results.json of any version, as today's (earlier versions through `legacy`)."""
    results = legacy.upgrade_results(json.loads(pathlib.Path(path).read_text()), path)
    if "summary" not in results:
        results["summary"] = summarize(results["runs"])
    return results


def _write(out, results):
    results["summary"] = summarize(results["runs"])
    write_json_atomic(out / RESULTS_JSON, results)
    with atomic_path(out / RESULTS_MD) as tmp:
        tmp.write_text(results_table(results))


def _gan_batch_size(gan_options, count):
    probe = TrainConfig.create(gan_options["model"], "probe", **{k: v for k, v in gan_options.items() if k != "model"})
    return probe.batch_size, min(probe.batch_size, count)


def _train_gan(out, key, data, gan_idx, test_hashes, gan_options, seed, results, log):
    """Train (or reuse, or resume) the cell's GAN on exactly `data.images[gan_idx]`; return its
    generator. Records the run and the image hashes in `results["gans"][key]`."""
    from keras_signgan.training.fit import fit  # heavy (TensorFlow): only when GANs are trained

    folder = out / GANS_DIR / key
    images_path, run_dir = folder / GAN_IMAGES, folder / GAN_RUN
    record = results["gans"].get(key)
    if record is None or not images_path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        with atomic_path(images_path) as tmp:
            with open(tmp, "wb") as handle:
                np.savez(handle, x=data.images[gan_idx], y=data.labels[gan_idx], class_names=np.array(data.class_names))
    # What the GAN reads is what is hashed: the file, read back through the data layer.
    trained_on = load_dataset(images_path)
    hashes = image_hashes(trained_on.images)
    if set_hash(hashes) != set_hash(image_hashes(data.images[gan_idx])):
        raise RunError(f"{images_path} no longer holds this cell's training images: remove {folder} and --resume.")
    shared = set(hashes) & set(test_hashes)
    if shared:
        raise RunError(f"The GAN of cell {key} would train on {len(shared)} test image(s): the split is broken; report this.")
    if list(trained_on.class_names) != list(data.class_names):
        raise RunError(f"{images_path} has other classes than {data.name}: remove {folder} and --resume.")
    requested, batch_size = _gan_batch_size(gan_options, len(trained_on))
    started = time.perf_counter()
    if record is not None and record.get("finished") and latest_checkpoint(run_dir) is not None:
        log(f"GAN {key}: reusing the finished run {run_dir}.")
    else:
        if latest_checkpoint(run_dir) is not None:
            log(f"GAN {key}: resuming {run_dir}.")
            config = read_config(run_dir)
            if config.dataset != str(images_path.resolve()):
                # The results folder moved since the GAN started: point it at its images again.
                config.dataset = str(images_path.resolve())
                write_json_atomic(run_dir / CONFIG_FILE, config.to_dict())
            result = fit(resume=run_dir, log=lambda message: None, progress=False)
        else:
            if run_dir.exists():
                shutil.rmtree(run_dir)  # started but no checkpoint: nothing to keep
            options = {k: v for k, v in gan_options.items() if k != "model"}
            options.update(batch_size=batch_size, seed=seed)
            config = TrainConfig.create(gan_options["model"], str(images_path.resolve()), **options)
            log(f"GAN {key}: training {config.model} ({config.size}) for {config.steps} steps on {len(trained_on)} images"
                + (f" (batch size {batch_size}, capped from {requested} to the cell's image count)" if batch_size < requested else "")
                + "...")
            result = fit(config=config, run_dir=run_dir, log=lambda message: None, progress=False)
        seconds = round(time.perf_counter() - started, 1)
        results["gans"][key] = {
            "run_dir": str(run_dir.relative_to(out)), "finished": True, "step": int(result.step),
            "model": result.config.model, "size": result.config.size, "batch_size": int(result.config.batch_size),
            "batch_size_requested": int(requested), "num_images": len(trained_on),
            "images_sha256": set_hash(hashes), "test_images_sha256": set_hash(test_hashes), "shared_images": 0,
            "seconds": seconds + float((record or {}).get("seconds", 0)),
        }
        log(f"GAN {key}: finished at step {result.step} in {seconds:.0f} s.")
    return load_generator(run_dir)


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
    progress=True,
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
        progress: bool. Unused (kept for callers); progress is one log line per GAN and cell.
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
    ratios = _as_list(ratios, parse_ratios)
    fractions = _as_list(fractions, parse_fractions)
    if (generator is None) == (model is None):
        raise ConfigError("Give either --model (train one GAN per fold, leak-free) or --generator PATH, not both or neither.")
    if split not in SPLITS:
        raise ConfigError(f"--split must be one of {', '.join(SPLITS)}. Received: {split!r}.")
    if folds is not None and split != "subject":
        raise ConfigError("--folds goes with --split subject; with --split random use --repeats.")
    num_folds = folds if folds is not None else repeats
    if num_folds < 1:
        raise ConfigError(f"--repeats must be >= 1. Received: {num_folds}.")
    if not 0 < test_fraction < 1:
        raise ConfigError(f"test_fraction must lie in (0, 1). Received: {test_fraction}.")
    out = pathlib.Path(out)
    if (out / RESULTS_JSON).exists() and not resume and not dry_run:
        raise RunError(f"{out / RESULTS_JSON} exists: pass --resume to complete it, or choose another --out.")

    gan_options = dict(gan_options or {})
    if model is not None:
        gan_options["model"] = model
        probe = TrainConfig.create(model, "probe", **{k: v for k, v in gan_options.items() if k != "model"})
        image_size = probe.image_size
    else:
        generator = generator if hasattr(generator, "generate") else load_generator(generator)
        image_size = generator.image_size
    data = dataset if hasattr(dataset, "images") else load_dataset(dataset, image_size=image_size)
    if generator is not None and list(data.class_names) != list(generator.class_names):
        raise RunError(
            f"The generator has {generator.num_classes} classes and {dataset!r} has {data.num_classes}"
            f"{' with other names' if data.num_classes == generator.num_classes else ''}: use a generator trained on this dataset."
        )
    settings = {
        "dataset": str(getattr(data, "name", dataset)) if hasattr(dataset, "images") else str(dataset),
        "generator": None if generator is None else str(generator.source),
        "generator_step": None if generator is None else generator.step,
        "generator_saw_test": "unknown" if generator is not None else False,
        "model": model, "gan_options": {k: v for k, v in gan_options.items() if k != "model"} if model else None,
        "split": split, "repeats": num_folds, "folds": num_folds, "fractions": fractions, "ratios": ratios,
        "epochs": epochs, "classical": classical, "synthetic": synthetic,
        "seed": seed, "test_fraction": test_fraction, "width": width, "batch_size": batch_size,
        # Batches per classifier epoch: the fold's whole real training part / batch size.
        "classifier_steps_per_epoch": "fold",
    }
    if resume and (out / RESULTS_JSON).exists():
        results = read_results(out / RESULTS_JSON)
        fixed = ("dataset", "split", "epochs", "seed", "test_fraction", "width", "batch_size", "model", "gan_options",
                 "classifier_steps_per_epoch")
        previous = results["settings"]
        if split == "subject":
            fixed += ("folds",)
        changed = [k for k in fixed if previous.get(k) != settings[k] and not (k in ("model", "gan_options") and previous.get(k) is None and settings[k] is None)]
        if changed:
            was = ", ".join(f"{k}={previous.get(k)!r}" for k in changed)
            raise RunError(f"Cannot resume {out}: {', '.join(changed)} differ from the finished cells' ({was}).")
        results["settings"] = settings
    else:
        results = {"version": VERSION, "settings": settings, "gans": {}, "runs": []}
    for fold in range(num_folds):  # fail early: no subjects, too many folds
        fold_split(data, split, fold, num_folds, test_fraction, seed)

    done = {(r["augmentation"], float(r["ratio"]), _run_fold(r), _run_fraction(r)) for r in results["runs"]}
    cells = [c for c in plan_cells(ratios, num_folds, classical, fractions, synthetic) if c.key not in done]
    pending_gans = sorted({gan_key(c.repeat, c.fraction) for c in cells}) if model else []
    new_gans = [k for k in pending_gans if not results["gans"].get(k, {}).get("finished")]
    log(f"Plan: {num_folds} fold(s) x {len(fractions)} fraction(s); {len(new_gans)} GAN(s) to train"
        f"{f' ({len(pending_gans) - len(new_gans)} reused)' if model else ''}, {len(cells)} classifier fit(s) to run"
        f"{f', {len(done)} finished kept' if done else ''}.")
    if dry_run:
        for cell in cells:
            log(f"  fold {cell.repeat}, fraction {cell.fraction:g}: {_label(cell.augmentation, cell.ratio)}")
        return {"settings": settings, "cells": [dataclasses.asdict(c) for c in cells], "gans": new_gans}
    out.mkdir(parents=True, exist_ok=True)
    if done:
        log(f"Resuming: {len(done)} finished cell(s) kept, {len(cells)} to run.")

    cell_generators = {}
    for cell in cells:
        started = time.perf_counter()
        train_idx, test_idx, split_info = fold_split(data, split, cell.repeat, num_folds, test_fraction, seed)
        reduced = train_idx[reduce_fraction(data.labels[train_idx], cell.fraction, seed=seed * 31 + cell.repeat)]
        fit_rel, val_rel = stratified_split(data.labels[reduced], 0.1, seed=seed + cell.repeat)
        fit_idx, val_idx = reduced[fit_rel], reduced[val_rel]
        test_hashes = image_hashes(data.images[test_idx])
        key = gan_key(cell.repeat, cell.fraction)
        cell_generator = generator
        if model is not None and cell.augmentation in ("gan", "gan+classical", "synthetic"):
            if key not in cell_generators:
                cell_generators.clear()  # one cell's generator in memory at a time
                cell_generators[key] = _train_gan(
                    out, key, data, reduced, test_hashes, gan_options, seed * 1000 + cell.repeat, results, log
                )
                write_json_atomic(out / RESULTS_JSON, {**results, "summary": summarize(results["runs"])})
                started = time.perf_counter()  # a cell's seconds are its classifier's; the GAN's are in gans/
            cell_generator = cell_generators[key]
        images, labels = data.images[fit_idx], data.labels[fit_idx]
        if cell.augmentation in ("gan", "gan+classical", "synthetic"):
            num_synthetic = int(round(cell.ratio / 100 * len(reduced)))
        else:
            num_synthetic = 0
        if num_synthetic:
            synthetic_labels = balanced_labels(list(range(data.num_classes)), num=num_synthetic)
            draw_seed = seed * 1_000_003 + cell.repeat * 1009 + int(round(cell.ratio * 10)) + int(round(cell.fraction * 10_000)) * 7919
            generated = cell_generator.generate(synthetic_labels, seed=draw_seed)
            if cell.augmentation == "synthetic":
                images, labels = generated, synthetic_labels
            else:
                images = np.concatenate([images, generated])
                labels = np.concatenate([labels, synthetic_labels])
        steps_per_epoch = math.ceil(len(train_idx) / batch_size)
        classifier, history = train_classifier(
            images, labels, data.num_classes, epochs=epochs, batch_size=batch_size, width=width,
            classical_augmentation=cell.augmentation in ("classical", "gan+classical"), seed=seed * 101 + cell.repeat,
            validation=(data.images[val_idx], data.labels[val_idx]), steps_per_epoch=steps_per_epoch,
        )
        accuracy, per_class = accuracy_per_class(data.labels[test_idx], predict_labels(classifier, data.images[test_idx]), data.num_classes)
        seconds = round(time.perf_counter() - started, 1)
        results["runs"].append({
            "augmentation": cell.augmentation, "ratio": cell.ratio, "split": split, "repeat": cell.repeat,
            "fold": cell.repeat, "fraction": cell.fraction, "accuracy": accuracy,
            "per_class_accuracy": {n: (None if np.isnan(v) else float(v)) for n, v in zip(data.class_names, per_class)},
            "num_train_real": 0 if cell.augmentation == "synthetic" else int(len(fit_idx)),
            "num_validation": int(len(val_idx)), "num_synthetic": num_synthetic, "num_test": int(len(test_idx)),
            "gan": key if model is not None and num_synthetic else None,
            "train_images_sha256": set_hash(image_hashes(data.images[reduced])),
            "test_images_sha256": set_hash(test_hashes),
            "epochs_trained": len(history.get("loss", [])), "steps_per_epoch": steps_per_epoch, "seconds": seconds,
            **split_info,
        })
        _write(out, results)
        log(f"fold {cell.repeat}, fraction {cell.fraction:g}, {_label(cell.augmentation, cell.ratio)}: "
            f"accuracy {100 * accuracy:.1f}% ({seconds:.0f} s, {len(history.get('loss', []))} epochs).")
    if not results["runs"]:
        raise RunError("No cells to run.")
    _write(out, results)
    save_plot(results, out / PLOT)
    return results
