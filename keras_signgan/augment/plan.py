"""Planning the augmentation study: its options (checked before anything loads), its cells
in run order, and the image hashes that show a cell's GAN never saw its test images."""

import dataclasses
import hashlib

import numpy as np

from keras_signgan.augment.splits import SPLITS
from keras_signgan.errors import ConfigError, RunError

CONDITIONS = ("none", "classical", "gan", "gan+classical", "filtered", "filtered+classical", "synthetic")
# The conditions whose classifier sees generated images.
GENERATED = ("gan", "gan+classical", "filtered", "filtered+classical", "synthetic")
# Those whose generated images pass the real-only classifier's filter.
FILTERED = ("filtered", "filtered+classical")
# Each filtered condition's unfiltered counterpart (same ratio), for paired comparisons.
UNFILTERED = {"filtered": "gan", "filtered+classical": "gan+classical"}
# Those whose classifier trains with classical augmentation.
CLASSICAL = ("classical", "gan+classical", "filtered+classical")


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


def as_list(values, parse):
    """A comma string or a sequence of numbers through `parse`."""
    return parse(values if isinstance(values, str) else ",".join(str(v) for v in values))


def check_options(generator, model, split, folds, repeats, test_fraction):
    """Refuse options that cannot go together (ConfigError); return the number of folds."""
    if (generator is None) == (model is None):
        raise ConfigError(
            "Give either --model (train one GAN per fold, leak-free) or --generator PATH, not both or neither."
        )
    if split not in SPLITS:
        raise ConfigError(f"--split must be one of {', '.join(SPLITS)}. Received: {split!r}.")
    if folds is not None and split != "subject":
        raise ConfigError("--folds goes with --split subject; with --split random use --repeats.")
    num_folds = folds if folds is not None else repeats
    if num_folds < 1:
        raise ConfigError(f"--repeats must be >= 1. Received: {num_folds}.")
    if not 0 < test_fraction < 1:
        raise ConfigError(f"test_fraction must lie in (0, 1). Received: {test_fraction}.")
    return num_folds


def check_gan_options(model, target_fid, eval_every, eval_features, filter_confidence, gan_workers=1):
    """Refuse the GAN-quality, filter and GAN-worker options that cannot be used (ConfigError)."""
    if not isinstance(gan_workers, int) or gan_workers < 1:
        raise ConfigError(f"--gan-workers must be a whole number >= 1. Received: {gan_workers!r}.")
    if model is None:
        for flag, value in (
            ("--gan-target-fid", target_fid),
            ("--gan-eval-every", eval_every),
            ("--gan-eval-features", eval_features),
            ("--gan-workers", None if gan_workers == 1 else gan_workers),
        ):
            if value is not None:
                raise ConfigError(f"{flag} goes with --model (the study's own GANs); drop it with --generator.")
    if target_fid is not None and not 0 < target_fid < float("inf"):
        raise ConfigError(f"--gan-target-fid must be a number > 0. Received: {target_fid}.")
    if eval_every is not None and target_fid is None:
        raise ConfigError("--gan-eval-every goes with --gan-target-fid (the evaluations that stop a GAN).")
    if eval_every is not None and eval_every < 1:
        raise ConfigError(f"--gan-eval-every must be >= 1. Received: {eval_every}.")
    if not 0 <= filter_confidence <= 1:
        raise ConfigError(
            f"--filter-confidence must lie in [0, 1] (0: no filtered condition). Received: {filter_confidence}."
        )


# What a resumed experiment must share with the finished cells it keeps.
FIXED_ON_RESUME = (
    "dataset",
    "split",
    "epochs",
    "seed",
    "test_fraction",
    "width",
    "batch_size",
    "model",
    "gan_options",
    "classifier_steps_per_epoch",
    "filter_confidence",
    "gan_eval_features",
    "gan_target_fid",
)
# Settings later versions added: an experiment finished without them resumes with any value.
ADDED_SETTINGS = ("filter_confidence", "gan_eval_features", "gan_target_fid")


def check_resumable(previous, settings, out):
    """RunError naming the settings of a resumed experiment that differ from `previous`
    (the finished cells'): the folds too with --split subject."""
    fixed = FIXED_ON_RESUME + (("folds",) if settings["split"] == "subject" else ())
    changed = [
        k
        for k in fixed
        if previous.get(k) != settings[k]
        and not (k in ("model", "gan_options") and previous.get(k) is None and settings[k] is None)
        and not (k in ADDED_SETTINGS and k not in previous)
    ]
    if changed:
        was = ", ".join(f"{k}={previous.get(k)!r}" for k in changed)
        raise RunError(f"Cannot resume {out}: {', '.join(changed)} differ from the finished cells' ({was}).")


def plan_cells(ratios, repeats, classical=True, fractions=(1.0,), synthetic=False, filtered=False):
    """The classifier cells in run order: fold, then fraction, then condition. With
    `filtered`, one filtered condition per ratio: classical + filtered generated, or real +
    filtered generated without `classical`."""
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
            if filtered:
                name = "filtered+classical" if classical else "filtered"
                cells.extend(Cell(name, ratio, repeat, fraction) for ratio in gan_ratios)
            if synthetic:
                cells.append(Cell("synthetic", 100.0, repeat, fraction))
    return cells


def gan_key(fold, fraction):
    """`OUT/gans/<key>`: e.g. `0-f0.1`."""
    return f"{fold}-f{fraction:g}"


def draw_seed(seed, cell):
    """The seed of a cell's generated images: from (fold, fraction, ratio)."""
    return (
        seed * 1_000_003 + cell.repeat * 1009 + int(round(cell.ratio * 10)) + int(round(cell.fraction * 10_000)) * 7919
    )


def image_hashes(images):
    """sha256 of each image's bytes, as hex strings."""
    return [hashlib.sha256(np.ascontiguousarray(image).tobytes()).hexdigest() for image in images]


def set_hash(hashes):
    """One sha256 for a set of images: over their sorted per-image hashes."""
    return hashlib.sha256("\n".join(sorted(hashes)).encode()).hexdigest()
