"""The study's statistics: per condition, mean and spread of accuracy over folds, and paired
differences with a Student t interval over folds."""

import math

import numpy as np

from keras_signgan.augment.plan import CONDITIONS, UNFILTERED


def t_half_width(std, n, confidence=0.95):
    """Half the width of the Student t interval of a mean of `n` values with sample standard
    deviation `std`; None with fewer than two values."""
    if n < 2:
        return None
    from scipy import stats  # heavy: only when a summary or a chart is made

    return float(stats.t.ppf(0.5 + confidence / 2, n - 1) * std / math.sqrt(n))


def paired_interval(differences, confidence=0.95):
    """Mean of per-fold paired differences and its Student t interval: `(mean, low, high)`;
    low and high are None with fewer than two folds (no interval from one difference)."""
    d = np.asarray(differences, dtype="float64")
    mean = float(d.mean())
    if len(d) < 2:
        return mean, None, None
    half = t_half_width(d.std(ddof=1), len(d), confidence)
    return mean, mean - half, mean + half


def verdict(low, high):
    if low is None:
        return "n/a (one fold)"
    if low > 0:
        return "better"
    if high < 0:
        return "worse"
    return "no difference shown"


def run_fraction(run):
    return float(run.get("fraction", 1.0))


def run_fold(run):
    return int(run.get("fold", run.get("repeat", 0)))


def _baselines(augmentation, ratio):
    """`(name, (augmentation, ratio))` of the conditions a condition is compared with."""
    pairs = [("vs_real", ("none", 0.0)), ("vs_classical", ("classical", 0.0))]
    if augmentation in UNFILTERED:
        pairs.append(("vs_unfiltered", (UNFILTERED[augmentation], ratio)))
    return pairs


def summarize(runs):
    """Per (fraction, augmentation, ratio), in table order: mean and std of accuracy over
    folds, and the paired differences to real only and to classical (`vs_real`,
    `vs_classical`), and for a filtered condition to the same ratio unfiltered
    (`vs_unfiltered`): mean, 95% Student t interval over folds, verdict."""
    groups = {}
    for run in runs:
        key = (run_fraction(run), run["augmentation"], float(run["ratio"]))
        groups.setdefault(key, {})[run_fold(run)] = run["accuracy"]
    order = {name: i for i, name in enumerate(CONDITIONS)}
    summary = []
    for (fraction, augmentation, ratio), by_fold in sorted(
        groups.items(), key=lambda item: (item[0][0], order[item[0][1]], item[0][2])
    ):
        values = np.array(list(by_fold.values()), dtype="float64")
        row = {
            "fraction": fraction,
            "augmentation": augmentation,
            "ratio": ratio,
            "repeats": len(values),
            "mean_accuracy": float(values.mean()),
            "std_accuracy": float(values.std(ddof=1)) if len(values) > 1 else 0.0,
        }
        for name, (baseline, base_ratio) in _baselines(augmentation, ratio):
            base = groups.get((fraction, baseline, base_ratio))
            if base is None or baseline == augmentation:
                continue
            folds = sorted(set(by_fold) & set(base))
            if not folds:
                continue
            mean, low, high = paired_interval([by_fold[f] - base[f] for f in folds])
            row[name] = {"mean": mean, "low": low, "high": high, "folds": len(folds), "verdict": verdict(low, high)}
        summary.append(row)
    return summary
