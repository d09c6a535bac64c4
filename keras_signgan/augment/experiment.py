"""The augmentation experiment: does adding generated images help a handshape classifier?

For every repeat, the dataset is split into a real training part and a real test part (see
`splits`); a tenth of the training part is kept aside (real) for early stopping. Then one
classifier is trained per condition:

    real only         ratio 0, no augmentation (the baseline)
    classical         ratio 0, random shifts / rotations / brightness
    GAN, ratio r      plus r% of the real training size in generated images, class-balanced,
                      drawn with fresh seeds for each repeat

and scored on the untouched test part. Results are written after every cell, so an
interrupted experiment keeps what it finished and `resume=True` completes the rest.
"""

import dataclasses
import json
import pathlib
import sys
import time

import keras
import numpy as np

from keras_signgan.augment.splits import SPLITS, train_test_split
from keras_signgan.classifier import accuracy_per_class, predict_labels, stratified_split, train_classifier
from keras_signgan.data import load_dataset
from keras_signgan.errors import ConfigError, RunError
from keras_signgan.generators import balanced_labels, load_generator
from keras_signgan.io_utils import atomic_path, write_json_atomic

RESULTS_JSON = "results.json"
RESULTS_MD = "results.md"
PLOT = "accuracy.png"


@dataclasses.dataclass
class Cell:
    augmentation: str  # "none", "classical" or "gan"
    ratio: float
    repeat: int

    @property
    def key(self):
        return (self.augmentation, float(self.ratio), int(self.repeat))


def parse_ratios(text):
    """`"0,25,50"` -> `[0.0, 25.0, 50.0]`; ConfigError for anything not a number >= 0."""
    values = []
    for part in str(text).split(","):
        part = part.strip()
        if not part:
            continue
        try:
            value = float(part)
        except ValueError:
            raise ConfigError(f"--ratios must be numbers >= 0 separated by commas. Received: {part!r}.") from None
        if not np.isfinite(value) or value < 0:
            raise ConfigError(f"--ratios must be numbers >= 0 separated by commas. Received: {part!r}.")
        values.append(value)
    if not values:
        raise ConfigError("--ratios is empty; give e.g. 0,25,50,100,200.")
    return sorted(set(values))


def plan_cells(ratios, repeats, classical=True):
    cells = []
    for repeat in range(repeats):
        cells.append(Cell("none", 0.0, repeat))
        if classical:
            cells.append(Cell("classical", 0.0, repeat))
        cells.extend(Cell("gan", ratio, repeat) for ratio in ratios if ratio > 0)
    return cells


def summarize(runs):
    """Mean and std of accuracy per (augmentation, ratio), in table order."""
    groups = {}
    for run in runs:
        groups.setdefault((run["augmentation"], run["ratio"]), []).append(run["accuracy"])
    order = {"none": 0, "classical": 1, "gan": 2}
    summary = []
    for (augmentation, ratio), values in sorted(groups.items(), key=lambda item: (order[item[0][0]], item[0][1])):
        summary.append({
            "augmentation": augmentation, "ratio": ratio, "repeats": len(values),
            "mean_accuracy": float(np.mean(values)), "std_accuracy": float(np.std(values)),
        })
    return summary


def _label(augmentation, ratio):
    return {"none": "real only", "classical": "real + classical augmentation"}.get(augmentation, f"real + {ratio:g}% generated")


def results_table(results):
    """The study's table: training data x accuracy (mean +- std over repeats), as Markdown."""
    settings = results["settings"]
    lines = [
        f"# Augmentation experiment: {settings['dataset']}",
        "",
        f"Generator: `{settings['generator']}` (step {settings.get('generator_step')}). Split: {settings['split']}, "
        f"{settings['repeats']} repeat(s), test fraction {settings['test_fraction']}, classifier width "
        f"{settings['width']}, at most {settings['epochs']} epochs with early stopping.",
        "",
        "| training data | synthetic ratio | accuracy (mean ± std) | repeats |",
        "|---|---:|---:|---:|",
    ]
    for row in results["summary"]:
        lines.append(
            f"| {_label(row['augmentation'], row['ratio'])} | {row['ratio']:g}% | "
            f"{100 * row['mean_accuracy']:.1f}% ± {100 * row['std_accuracy']:.1f} | {row['repeats']} |"
        )
    return "\n".join(lines) + "\n"


def save_plot(results, path):
    from matplotlib.figure import Figure  # heavy: only when a plot is drawn

    summary = results["summary"]
    fig = Figure(figsize=(5.5, 3.6), dpi=100)  # no pyplot: the caller's backend stays as it is
    ax = fig.subplots()
    base = [r for r in summary if r["augmentation"] == "none"]
    gan = [r for r in summary if r["augmentation"] in ("none", "gan")]
    if gan:
        ax.errorbar([r["ratio"] for r in gan], [100 * r["mean_accuracy"] for r in gan],
                    yerr=[100 * r["std_accuracy"] for r in gan], marker="o", capsize=3, label="real + generated")
    if base:
        ax.axhline(100 * base[0]["mean_accuracy"], color="gray", linestyle="-", linewidth=1, label="real only")
    classical = [r for r in summary if r["augmentation"] == "classical"]
    if classical:
        ax.axhline(100 * classical[0]["mean_accuracy"], color="tab:green", linestyle="--", linewidth=1,
                   label="classical augmentation")
    ax.set_xlabel("generated images (% of the real training set)")
    ax.set_ylabel("test accuracy (%)")
    ax.set_title(f"{results['settings']['dataset']}, {results['settings']['split']} split", fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png")


def _write(out, results):
    results["summary"] = summarize(results["runs"])
    write_json_atomic(out / RESULTS_JSON, results)
    with atomic_path(out / RESULTS_MD) as tmp:
        tmp.write_text(results_table(results))


def run_experiment(
    dataset,
    generator,
    out,
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
):
    """Run the experiment; return the results dict (also written to `out`).

    Args:
        dataset: str. A dataset name or path.
        generator: a run directory, an export directory, or a LoadedGenerator.
        out: path. Folder for results.json, results.md and accuracy.png.
        ratios: numbers >= 0 (percent of the real training size), or a comma string.
        repeats: int. Splits (and synthetic draws) per condition.
        split: "random" or "subject".
        epochs: int. The classifier's most epochs.
        classical: bool. Also train the classical-augmentation baseline.
        resume: bool. Continue the experiment in `out`, skipping finished cells.
        seed, test_fraction, width, batch_size: see the module docstring.
        progress: bool. A progress bar over the cells.
        log: callable for one-line messages. Defaults to stderr.
    """
    log = log or (lambda message: print(message, file=sys.stderr))
    ratios = parse_ratios(",".join(str(r) for r in ratios) if not isinstance(ratios, str) else ratios)
    if repeats < 1:
        raise ConfigError(f"--repeats must be >= 1. Received: {repeats}.")
    if split not in SPLITS:
        raise ConfigError(f"--split must be one of {', '.join(SPLITS)}. Received: {split!r}.")
    if not 0 < test_fraction < 1:
        raise ConfigError(f"test_fraction must lie in (0, 1). Received: {test_fraction}.")
    out = pathlib.Path(out)
    if (out / RESULTS_JSON).exists() and not resume:
        raise RunError(f"{out / RESULTS_JSON} exists: pass --resume to complete it, or choose another --out.")

    generator = generator if hasattr(generator, "generate") else load_generator(generator)
    data = load_dataset(dataset, image_size=generator.image_size)
    if list(data.class_names) != list(generator.class_names):
        raise RunError(
            f"The generator has {generator.num_classes} classes and {dataset!r} has {data.num_classes}"
            f"{' with other names' if data.num_classes == generator.num_classes else ''}: use a generator trained on this dataset."
        )
    settings = {
        "dataset": str(dataset), "generator": str(generator.source), "generator_step": generator.step,
        "split": split, "repeats": repeats, "ratios": ratios, "epochs": epochs, "classical": classical,
        "seed": seed, "test_fraction": test_fraction, "width": width, "batch_size": batch_size,
    }
    if resume and (out / RESULTS_JSON).exists():
        results = json.loads((out / RESULTS_JSON).read_text())
        fixed = ("dataset", "split", "epochs", "seed", "test_fraction", "width", "batch_size")
        previous = results["settings"]
        changed = [k for k in fixed if previous.get(k) != settings[k]]
        if changed:
            was = ", ".join(f"{k}={previous.get(k)!r}" for k in changed)
            raise RunError(f"Cannot resume {out}: {', '.join(changed)} differ from the finished cells' ({was}).")
        results["settings"] = settings
    else:
        results = {"settings": settings, "runs": []}
    if split == "subject":
        train_test_split(data, split, 0, test_fraction, seed)  # fail early without subjects

    done = {(r["augmentation"], float(r["ratio"]), int(r["repeat"])) for r in results["runs"]}
    cells = [c for c in plan_cells(ratios, repeats, classical) if c.key not in done]
    out.mkdir(parents=True, exist_ok=True)
    if done:
        log(f"Resuming: {len(done)} finished cell(s) kept, {len(cells)} to run.")
    bar = None
    if progress and cells:
        bar = keras.utils.Progbar(len(cells), unit_name="cell")
    for index, cell in enumerate(cells):
        started = time.perf_counter()
        train_idx, test_idx, split_info = train_test_split(data, split, cell.repeat, test_fraction, seed)
        fit_rel, val_rel = stratified_split(data.labels[train_idx], 0.1, seed=seed + cell.repeat)
        fit_idx, val_idx = train_idx[fit_rel], train_idx[val_rel]
        images, labels = data.images[fit_idx], data.labels[fit_idx]
        num_synthetic = int(round(cell.ratio / 100 * len(train_idx))) if cell.augmentation == "gan" else 0
        if num_synthetic:
            synthetic_labels = balanced_labels(list(range(data.num_classes)), num=num_synthetic)
            synthetic = generator.generate(
                synthetic_labels, seed=seed * 1_000_003 + cell.repeat * 1009 + int(cell.ratio * 10)
            )
            images = np.concatenate([images, synthetic])
            labels = np.concatenate([labels, synthetic_labels])
        model, history = train_classifier(
            images, labels, data.num_classes, epochs=epochs, batch_size=batch_size, width=width,
            classical_augmentation=cell.augmentation == "classical", seed=seed * 101 + cell.repeat,
            validation=(data.images[val_idx], data.labels[val_idx]),
        )
        accuracy, per_class = accuracy_per_class(data.labels[test_idx], predict_labels(model, data.images[test_idx]), data.num_classes)
        results["runs"].append({
            "augmentation": cell.augmentation, "ratio": cell.ratio, "split": split, "repeat": cell.repeat,
            "accuracy": accuracy,
            "per_class_accuracy": {n: (None if np.isnan(v) else float(v)) for n, v in zip(data.class_names, per_class)},
            "num_train_real": int(len(fit_idx)), "num_validation": int(len(val_idx)),
            "num_synthetic": num_synthetic, "num_test": int(len(test_idx)),
            "epochs_trained": len(history.get("loss", [])), "seconds": round(time.perf_counter() - started, 1),
            **split_info,
        })
        _write(out, results)
        if bar:
            bar.update(index + 1, values=[("accuracy", accuracy)])
    if not results["runs"]:
        raise RunError("No cells to run.")
    _write(out, results)
    save_plot(results, out / PLOT)
    return results
