"""What the study writes: results.json (read back through `legacy` when older), results.md
(the tables, paired differences with their intervals) and accuracy.png (drawn by plots)."""

import json
import pathlib

from keras_signgan import legacy, plots
from keras_signgan.augment.statistics import summarize, t_half_width
from keras_signgan.io_utils import atomic_path, write_json_atomic

RESULTS_JSON = "results.json"
VERSION = 2  # of results.json; version 1 is read through legacy.upgrade_results
RESULTS_MD = "results.md"
PLOT = "accuracy.png"
GENERATOR_WARNING = (
    "**Warning:** the generator was trained elsewhere (`--generator`) and may have seen the test images, "
    "so a gain measured here is not evidence. Let `augment` train one GAN per fold (`--model`) instead."
)


def condition_label(augmentation, ratio):
    """How a condition reads in tables, charts and logs."""
    return {
        "none": "real only",
        "classical": "real + classical augmentation",
        "gan": f"real + {ratio:g}% generated",
        "gan+classical": f"real + classical + {ratio:g}% generated",
        "synthetic": "synthetic only (as many as real)",
    }[augmentation]


def _difference(entry):
    if not entry:
        return "–"
    if entry["low"] is None:
        return f"{100 * entry['mean']:+.1f} (one fold, no interval)"
    return f"{100 * entry['mean']:+.1f} [{100 * entry['low']:+.1f}, {100 * entry['high']:+.1f}] {entry['verdict']}"


def _heading(settings):
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
        + (
            " of as many batches as the fold's whole real training part fills"
            if settings.get("classifier_steps_per_epoch")
            else ""
        )
        + " with early stopping on real training images. "
        "Differences are paired over folds, in accuracy points, with a 95% Student t interval; "
        '"better"/"worse" only where the interval excludes 0.',
        "",
    ]
    return lines


def results_table(results):
    """The study's tables, one per training fraction, as Markdown."""
    lines = _heading(results["settings"])
    by_fraction = {}
    for row in results["summary"]:
        by_fraction.setdefault(row.get("fraction", 1.0), []).append(row)
    for fraction, rows in sorted(by_fraction.items()):
        lines += [
            f"## Training fraction {fraction:g}",
            "",
            "| training data | accuracy (mean ± std) | vs real only | vs classical | folds |",
            "|---|---:|---:|---:|---:|",
        ]
        for row in rows:
            lines.append(
                f"| {condition_label(row['augmentation'], row['ratio'])} | {100 * row['mean_accuracy']:.1f}% ± "
                f"{100 * row['std_accuracy']:.1f} | {_difference(row.get('vs_real'))} | "
                f"{_difference(row.get('vs_classical'))} | {row['repeats']} |"
            )
        lines.append("")
    return "\n".join(lines)


def save_plot(results, path):
    """Accuracy vs training fraction (log x), one line per condition with its 95% interval."""
    by_condition = {}
    for row in results["summary"]:
        by_condition.setdefault((row["augmentation"], row["ratio"]), []).append(row)
    lines = []
    for (augmentation, ratio), rows in by_condition.items():
        rows = sorted(rows, key=lambda r: r.get("fraction", 1.0))
        err = [100 * (t_half_width(r["std_accuracy"], r["repeats"]) or 0.0) for r in rows]
        x = [r.get("fraction", 1.0) for r in rows]
        lines.append((condition_label(augmentation, ratio), x, [100 * r["mean_accuracy"] for r in rows], err))
    settings = results["settings"]
    # Accuracy is bounded; a t interval over few folds may not be.
    return plots.save_errorbar_chart(
        lines,
        path,
        title=f"{settings['dataset']}, {settings['split']} split",
        xlabel="fraction of the real training part (log)",
        ylabel="test accuracy (%), 95% interval",
        ylim=(0, 101),
        log_x=True,
    )


def read_results(path):
    """results.json of any version, as today's (earlier versions through `legacy`)."""
    results = legacy.upgrade_results(json.loads(pathlib.Path(path).read_text()), path)
    if "summary" not in results:
        results["summary"] = summarize(results["runs"])
    return results


def write_results(out, results):
    """Write results.json and results.md (each atomically), the summary recomputed first."""
    results["summary"] = summarize(results["runs"])
    write_json_atomic(out / RESULTS_JSON, results)
    with atomic_path(out / RESULTS_MD) as tmp:
        tmp.write_text(results_table(results))
