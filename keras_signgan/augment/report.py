"""What the study writes: results.json (read back through `legacy` when older), results.md
(the tables, paired differences with their intervals, each cell's GAN quality) and
accuracy.png (drawn by plots)."""

import json
import pathlib

from keras_signgan import legacy, plots
from keras_signgan.augment.plan import FILTERED
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
        "filtered": f"real + {ratio:g}% filtered generated",
        "filtered+classical": f"real + classical + {ratio:g}% filtered generated",
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
    if settings.get("filter_confidence"):
        lines += [
            "Filtered generated images: only those the cell's real-only classifier assigns to their class with "
            f"confidence >= {settings['filter_confidence']:g}, drawn until each class has its share "
            '(or its draws run out); "vs unfiltered" pairs them with the same ratio unfiltered.',
            "",
        ]
    return lines


def _accuracy_table(rows):
    """One fraction's accuracies, with the paired differences."""
    filtered = any(row["augmentation"] in FILTERED for row in rows)
    lines = [
        "| training data | accuracy (mean ± std) | vs real only | vs classical |"
        + (" vs unfiltered |" if filtered else "")
        + " folds |",
        "|---|---:|---:|---:|" + ("---:|" if filtered else "") + "---:|",
    ]
    for row in rows:
        lines.append(
            f"| {condition_label(row['augmentation'], row['ratio'])} | {100 * row['mean_accuracy']:.1f}% ± "
            f"{100 * row['std_accuracy']:.1f} | {_difference(row.get('vs_real'))} | "
            f"{_difference(row.get('vs_classical'))} |"
            + (f" {_difference(row.get('vs_unfiltered'))} |" if filtered else "")
            + f" {row['repeats']} |"
        )
    return lines + [""]


def _steps(gan):
    """A GAN's steps as the table shows them: trained (of planned, when it stopped early),
    and the step of the checkpoint used when not the last."""
    text = f"{gan['step']:,}"
    if gan.get("steps_planned") and gan["step"] < gan["steps_planned"]:
        text += f" of {gan['steps_planned']:,}"
    used = gan.get("quality", {}).get("generator_step")
    return text + (f" (used: {used:,})" if used is not None and used != gan["step"] else "")


def _filter_cell(runs):
    """Draws per kept image (and acceptance) of a cell's filtered conditions, per ratio."""
    parts = []
    for run in sorted(runs, key=lambda r: r["ratio"]):
        record = run.get("filter")
        if not record:
            continue
        if record["draws_per_kept"] is None:
            parts.append(f"{run['ratio']:g}%: none of {record['num_drawn']} drawn kept")
            continue
        short = f", {record['num_kept']}/{record['num_requested']} kept" if record.get("short") else ""
        parts.append(
            f"{run['ratio']:g}%: {record['draws_per_kept']:.2f} ({100 * record['acceptance_rate']:.0f}%{short})"
        )
    return "; ".join(parts) or "–"


def _quality_table(results, fraction):
    """Each fold's GAN at `fraction`: steps, seconds, FID, KID, classification score, and the
    filter's draws per kept image; the mean over folds."""
    gans = results.get("gans") or {}
    keyed = sorted(
        ((int(key.split("-f")[0]), gan) for key, gan in gans.items() if float(key.split("-f")[1]) == fraction),
        key=lambda item: item[0],
    )
    keyed = [(fold, gan) for fold, gan in keyed if gan.get("quality")]
    if not keyed:
        return []
    first = keyed[0][1]["quality"]
    lines = [
        f"GANs (FID and KID with {first['extractor']} features against each cell's own real training images; "
        "classification score: the cell's real-only classifier on the generated images; filtered: draws per "
        "image kept, and the share accepted):",
        "",
        "| fold | GAN steps | GAN seconds | FID | KID | generated vs real | classification score | filtered |",
        "|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    runs = [r for r in results["runs"] if r["augmentation"] in FILTERED and float(r.get("fraction", 1.0)) == fraction]
    for fold, gan in keyed:
        q = gan["quality"]
        lines.append(
            f"| {fold} | {_steps(gan)} | {gan.get('seconds', 0):.0f} | {_number(q['fid'], '.1f')} | "
            f"{_number(q.get('kid'), '.4f')} | {q['num_generated']} vs {q['num_real']} | "
            f"{100 * q['classification_score']:.1f}% | {_filter_cell([r for r in runs if r.get('fold') == fold])} |"
        )
    fids = [gan["quality"]["fid"] for _, gan in keyed if gan["quality"]["fid"] is not None]
    scores = [gan["quality"]["classification_score"] for _, gan in keyed]
    mean_fid = _number(sum(fids) / len(fids) if fids else None, ".1f")
    lines.append(f"| mean | | | {mean_fid} | | | {100 * sum(scores) / len(scores):.1f}% | |")
    return lines + [""]


def _number(value, spec):
    return "–" if value is None else format(value, spec)


def results_table(results):
    """The study's tables, one per training fraction (and its GANs' quality), as Markdown."""
    lines = _heading(results["settings"])
    by_fraction = {}
    for row in results["summary"]:
        by_fraction.setdefault(row.get("fraction", 1.0), []).append(row)
    for fraction, rows in sorted(by_fraction.items()):
        lines += [f"## Training fraction {fraction:g}", ""]
        lines += _accuracy_table(rows)
        lines += _quality_table(results, fraction)
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
