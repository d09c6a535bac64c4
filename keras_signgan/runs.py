"""The run directory: what `signgan fit` writes, and how a run is read back.

    runs/<model>-<dataset>-<YYYYmmdd-HHMMSS>/
      config.json        the TrainConfig, written first; rebuilding the run needs nothing else
      checkpoints/       ckpt-<step>.npz, the newest `keep_checkpoints`; with --eval-every
                         also best.npz (the lowest FID so far, never rotated) and best.json
                         (its step, FID, KID, extractor, image count)
      tensorboard/       scalars and sample grids
      samples/           step-NNNNNN.png
      metrics.csv        step, one column per logged metric, wall_seconds
      evaluations.csv    step, FID, KID, ..., images_seen, wall_seconds, eval_seconds with
                         --eval-every (see EVALUATION_COLUMNS)
      evaluation.json    what `signgan evaluate RUN_DIR` wrote last
      fid-curve.png      FID against minutes and steps (`signgan plot`, and the end of fit)

Every file name lives here; `load_run` rebuilds a run's GAN from a checkpoint: the newest,
the best-FID one or the one of a given step.

Checkpoints (their format, writing, restoring and the best-FID one) are
`keras_signgan.checkpoints`; the names it defines are importable from here too.
"""

import csv
import dataclasses
import datetime
import io
import math
import pathlib
import sys

# Re-exported: the run directory's API keeps its checkpoint functions.
from keras_signgan.checkpoints import (  # noqa: F401  # noqa: F401
    BEST_CHECKPOINT,
    BEST_RECORD,
    CHECKPOINT_DIR,
    CHECKPOINT_FORMAT,
    checkpoint_keys,
    latest_checkpoint,
    list_checkpoints,
    read_best,
    restore_checkpoint,
    restore_latest_checkpoint,
    save_best_checkpoint,
    save_checkpoint,
)
from keras_signgan.config import TrainConfig
from keras_signgan.errors import RunError
from keras_signgan.io_utils import append_text, atomic_path
from keras_signgan.models.build import build_gan

CONFIG_FILE = "config.json"
TENSORBOARD_DIR = "tensorboard"
SAMPLES_DIR = "samples"
METRICS_FILE = "metrics.csv"
EVALUATIONS_FILE = "evaluations.csv"
EVALUATION_FILE = "evaluation.json"
FID_CURVE_FILE = "fid-curve.png"
# evaluations.csv, one row per evaluation during training. images_seen: step * batch_size,
# the real images drawn from the data (a step shows its one batch to each of its n_critic
# discriminator updates); wall_seconds: the run's wall-clock seconds when the evaluation
# ended (continued across --resume, evaluations included); eval_seconds: what the evaluation
# itself took. Files written before the last three columns existed still read.
EVALUATION_COLUMNS = (
    "step",
    "fid",
    "kid",
    "kid_std",
    "num_generated",
    "extractor",
    "images_seen",
    "wall_seconds",
    "eval_seconds",
)
WALL_SECONDS = "wall_seconds"


def is_run_dir(path):
    """Whether `path` is a run directory (it has a config.json)."""
    return (pathlib.Path(path) / CONFIG_FILE).is_file()


def default_run_dir(config, root="runs"):
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    name = pathlib.Path(config.dataset).name if pathlib.Path(config.dataset).exists() else config.dataset
    return pathlib.Path(root) / f"{config.model}-{name}-{stamp}"


def read_config(run_dir):
    """The TrainConfig of a run directory; RunError when it has none."""
    path = pathlib.Path(run_dir) / CONFIG_FILE
    if not path.is_file():
        raise RunError(f"{run_dir} is not a run directory: it has no {CONFIG_FILE}.")
    return TrainConfig.from_json(path.read_text())


def _warn(message):
    print(message, file=sys.stderr)


CHECKPOINT_CHOICES = "latest, best or a step number"


def _available(run_dir):
    """ "200, 400 and best (step 300)": the checkpoints a run has, for error messages."""
    steps = [str(step) for step, _ in list_checkpoints(run_dir)]
    text = ", ".join(steps) if steps else "no ckpt-<step>.npz"
    best = read_best(run_dir)
    if best is not None:
        text += f" and best (step {best['step']})"
    elif (pathlib.Path(run_dir) / CHECKPOINT_DIR / BEST_CHECKPOINT).is_file():
        text += " and best"
    return text


def checkpoint_path(run_dir, checkpoint="latest"):
    """The checkpoint file `checkpoint` names in `run_dir`; None for "latest" (the newest that
    reads, found when restoring).

    Args:
        run_dir: a run directory.
        checkpoint: "latest", "best" (the lowest FID of the evaluations during training),
            a step (int or digits), or the path of a checkpoint file.

    Raises RunError naming the fix: `best` without best.npz, a step without its file (listing
    the available ones), any other word.
    """
    run_dir = pathlib.Path(run_dir)
    if checkpoint is None or checkpoint == "latest":
        return None
    if isinstance(checkpoint, pathlib.PurePath) or (isinstance(checkpoint, str) and checkpoint.endswith(".npz")):
        return pathlib.Path(checkpoint)
    if checkpoint == "best":
        path = run_dir / CHECKPOINT_DIR / BEST_CHECKPOINT
        if not path.is_file():
            raise RunError(
                f"Run directory {run_dir} has no best checkpoint ({CHECKPOINT_DIR}/{BEST_CHECKPOINT}): it is "
                "written when training evaluates FID, with signgan fit --eval-every N. "
                "Use --checkpoint latest or a step number."
            )
        return path
    text = str(checkpoint).strip()
    if not text.isdigit():
        raise RunError(f"--checkpoint must be {CHECKPOINT_CHOICES}. Received: {checkpoint!r}.")
    found = dict(list_checkpoints(run_dir))
    if int(text) not in found:
        raise RunError(f"Run directory {run_dir} has no checkpoint at step {int(text)}. It has: {_available(run_dir)}.")
    return found[int(text)]


@dataclasses.dataclass
class RunCheckpoint:
    """A run's GAN restored from one of its checkpoints (by `load_run_checkpoint`).

    Attributes:
        config: TrainConfig.
        gan: the GAN, networks and EMA restored, EMA standing statistics recomputed.
        step: int. The checkpoint's training step.
        path: pathlib.Path. The checkpoint file restored.
    """

    config: TrainConfig
    gan: object
    step: int
    path: pathlib.Path


def load_run_checkpoint(run_dir, checkpoint="latest"):
    """Rebuild the GAN of a run directory from one of its checkpoints, for sampling, export
    and evaluation (with the EMA generator's standing statistics recomputed).

    Args:
        run_dir: a run directory.
        checkpoint: "latest" (the newest that reads and fits; a damaged newest one is
            skipped with a warning), "best" (checkpoints/best.npz, the lowest FID of
            `fit --eval-every`), a step number, or a checkpoint file's path.

    Returns:
        A `RunCheckpoint`.
    """
    run_dir = pathlib.Path(run_dir)
    config = read_config(run_dir)
    path = checkpoint_path(run_dir, checkpoint)
    if path is None and not list_checkpoints(run_dir):
        # Refused before building: a run stopped before its first checkpoint may not even
        # have its class names yet.
        raise RunError(f"Run directory {run_dir} has no checkpoint yet (checkpoints/ckpt-*.npz).")
    gan = build_gan(config)
    if path is not None:
        step = restore_checkpoint(gan, path, include_optimizers=False)
    else:
        step, path = restore_latest_checkpoint(gan, run_dir, include_optimizers=False, warn=_warn)
    gan.refresh_ema_statistics()
    return RunCheckpoint(config, gan, step, pathlib.Path(path))


def load_run(run_dir, checkpoint="latest"):
    """`(config, gan, step)` of `load_run_checkpoint(run_dir, checkpoint)`."""
    loaded = load_run_checkpoint(run_dir, checkpoint)
    return loaded.config, loaded.gan, loaded.step


def _read_rows(path):
    """`(columns, rows)` of a CSV file with a header; `((), [])` for a missing or empty file."""
    path = pathlib.Path(path)
    if not path.is_file():
        return (), []
    with open(path, newline="") as file:
        reader = csv.DictReader(file)
        return tuple(reader.fieldnames or ()), list(reader)


def _read_header(path):
    """The header of a CSV file, () for a missing or empty one (without reading the rows)."""
    path = pathlib.Path(path)
    if not path.is_file():
        return ()
    with open(path, newline="") as file:
        return tuple(next(csv.reader(file), ()))


def _step(row):
    try:
        return int(row.get("step") or "")
    except ValueError:
        return None


def rewrite_csv(path, columns, until_step=None):
    """Rewrite the CSV log `path` with the header `columns`, keeping its rows (those at steps
    up to `until_step` when given: on resume, the rows lost with the crash go); atomic."""
    _, rows = _read_rows(path)
    if until_step is not None:
        rows = [row for row in rows if _step(row) is not None and _step(row) <= until_step]
    with atomic_path(path) as tmp:
        with open(tmp, "w", newline="") as file:
            writer = csv.DictWriter(file, fieldnames=list(columns), extrasaction="ignore")
            writer.writeheader()
            writer.writerows(rows)


def append_csv_row(path, columns, row):
    """Append `row` (a dict) to the CSV log `path` in one write, with the header `columns`
    first when the file is new; a log with another header is rewritten to `columns` first."""
    path = pathlib.Path(path)
    header = _read_header(path)
    if header and header != tuple(columns):
        rewrite_csv(path, columns)
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=list(columns), extrasaction="ignore")
    if not header:
        writer.writeheader()
    writer.writerow(row)
    if not header and path.exists():
        path.unlink()  # an empty file left by a failed first write
    append_text(path, text.getvalue())


def _number(text, kind=float):
    try:
        value = kind(text)
    except (TypeError, ValueError):
        return None
    return value if kind is not float or math.isfinite(value) else None


def read_evaluations(run_dir):
    """The rows of a run's evaluations.csv, oldest first, as dicts of numbers.

    Every column of EVALUATION_COLUMNS is a key; `images_seen`, `wall_seconds` and
    `eval_seconds` are None in files written before they were recorded (and `fid` None
    where an evaluation gave no finite FID). Raises RunError when the run has no
    evaluations.
    """
    run_dir = pathlib.Path(run_dir)
    if not is_run_dir(run_dir):
        raise RunError(f"{run_dir} is not a run directory: it has no {CONFIG_FILE}.")
    path = run_dir / EVALUATIONS_FILE
    header, rows = _read_rows(path)
    if not rows:
        state = "has no evaluations yet" if path.exists() else f"has no {EVALUATIONS_FILE}"
        raise RunError(
            f"{run_dir} {state}: FID is recorded during training with signgan fit --eval-every N "
            f"(continue it with: signgan fit --resume {run_dir} --eval-every N --steps MORE)."
        )
    if "step" not in header or "fid" not in header:
        raise RunError(f"{path} is not an evaluations file: its header has no step and fid columns.")
    evaluations = []
    for row in rows:
        step = _step(row)
        if step is None:
            continue
        evaluations.append(
            {
                "step": step,
                "fid": _number(row.get("fid")),
                "kid": _number(row.get("kid")),
                "kid_std": _number(row.get("kid_std")),
                "num_generated": _number(row.get("num_generated"), int),
                "extractor": row.get("extractor") or None,
                "images_seen": _number(row.get("images_seen"), int),
                "wall_seconds": _number(row.get("wall_seconds")),
                "eval_seconds": _number(row.get("eval_seconds")),
            }
        )
    return evaluations


def read_wall_seconds(run_dir, step):
    """The run's wall-clock seconds at `step`: the largest `wall_seconds` that metrics.csv and
    evaluations.csv record at or before `step` (0.0 when they record none), so a resumed
    run's clock continues from there."""
    latest = 0.0
    for name in (METRICS_FILE, EVALUATIONS_FILE):
        _, rows = _read_rows(pathlib.Path(run_dir) / name)
        for row in rows:
            seconds = _number(row.get(WALL_SECONDS))
            if seconds is not None and _step(row) is not None and _step(row) <= step:
                latest = max(latest, seconds)
    return latest
