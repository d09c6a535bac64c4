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

A checkpoint holds the GAN's variables (generator, discriminator, EMA generator, the step
counter and random-seed states), and both optimizers' variables (moments, iteration
counts, loss scale), each under a key made of its network and its variable path:
`model/generator/block_0/cbn_1/batch_norm/moving_mean`, `model/ema_generator/...`,
`model/discriminator/...`, `model/gan/<model>/step`, `g_optimizer/adam/iteration`, ... (every
layer that holds weights is named, so the keys are the same in every process). Restoring
matches keys and shapes; a checkpoint whose keys differ from the model's comes from another
architecture and is refused, naming what is missing. Checkpoints written before keys
(no `__format__` entry) hold the variables in a fixed order and are restored by position.
Files are written to a temporary name and renamed, so a checkpoint is never half-written;
only the newest `keep` are kept. Loading never unpickles (`allow_pickle=False`).
"""

import csv
import dataclasses
import datetime
import io
import json
import math
import pathlib
import re
import sys

import numpy as np
from keras import ops

from keras_signgan.config import TrainConfig
from keras_signgan.errors import RunError
from keras_signgan.io_utils import append_text, atomic_path, write_json_atomic
from keras_signgan.models.build import build_gan

CONFIG_FILE = "config.json"
CHECKPOINT_DIR = "checkpoints"
TENSORBOARD_DIR = "tensorboard"
SAMPLES_DIR = "samples"
METRICS_FILE = "metrics.csv"
EVALUATIONS_FILE = "evaluations.csv"
EVALUATION_FILE = "evaluation.json"
BEST_CHECKPOINT = "best.npz"
BEST_RECORD = "best.json"
FID_CURVE_FILE = "fid-curve.png"
# evaluations.csv, one row per evaluation during training. images_seen: step * batch_size,
# the real images drawn from the data (a step shows its one batch to each of its n_critic
# discriminator updates); wall_seconds: the run's wall-clock seconds when the evaluation
# ended (continued across --resume, evaluations included); eval_seconds: what the evaluation
# itself took. Files written before the last three columns existed still read.
EVALUATION_COLUMNS = (
    "step", "fid", "kid", "kid_std", "num_generated", "extractor", "images_seen", "wall_seconds", "eval_seconds",
)
WALL_SECONDS = "wall_seconds"
_PATTERN = re.compile(r"^ckpt-(\d+)\.npz$")
# 1: variables by position (no __format__ entry); 2: variables keyed by network and path.
CHECKPOINT_FORMAT = 2
_FORMAT_KEY = "__format__"
_STEP_KEY = "__step__"
# Keras makes an unnamed object's name unique per process ("adam_2"); keys drop the suffix.
_UNIQUE_SUFFIX = re.compile(r"_\d+$")


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


def _groups(gan, include_optimizers=True):
    """Format 1: variable lists saved and restored by position."""
    groups = {"model": gan.variables}
    if include_optimizers:
        groups["d_optimizer"] = gan.d_optimizer.variables
        groups["g_optimizer"] = gan.g_optimizer.variables
    return groups


def checkpoint_keys(gan, include_optimizers=True):
    """`{key: variable}` of everything a checkpoint of `gan` holds (format 2).

    Network variables are keyed `model/<network>/<variable path>` (the generator and its EMA
    copy share layer names, so the network tells them apart); the GAN's own variables (step,
    LeCam averages, seed states) `model/gan/<path>`; optimizer variables
    `<d|g>_optimizer/<path>`, the optimizer's process-unique name suffix dropped.
    """
    keyed = {}

    def add(key, variable):
        if key in keyed:
            raise ValueError(
                f"Two variables have the checkpoint key {key!r}: give their layers distinct names."
            )
        keyed[key] = variable

    in_networks = set()
    for network_name in ("generator", "ema_generator", "discriminator"):
        network = getattr(gan, network_name, None)
        if network is None:
            continue
        for variable in network.variables:
            add(f"model/{network_name}/{variable.path}", variable)
            in_networks.add(id(variable))
    for variable in gan.variables:
        if id(variable) not in in_networks:
            add(f"model/gan/{variable.path}", variable)
    if include_optimizers:
        for group in ("d_optimizer", "g_optimizer"):
            for variable in getattr(gan, group).variables:
                head, _, rest = variable.path.partition("/")
                add(f"{group}/{_UNIQUE_SUFFIX.sub('', head)}/{rest}", variable)
    return keyed


def list_checkpoints(run_dir):
    """`(step, path)` of every checkpoint in `run_dir`, oldest first."""
    folder = pathlib.Path(run_dir) / CHECKPOINT_DIR
    found = []
    if folder.is_dir():
        for path in folder.iterdir():
            match = _PATTERN.match(path.name)
            if match:
                found.append((int(match.group(1)), path))
    return sorted(found)


def latest_checkpoint(run_dir):
    """Path of the newest checkpoint in `run_dir`, or None."""
    found = list_checkpoints(run_dir)
    return found[-1][1] if found else None


def _write_checkpoint(gan, path):
    """Write the state of a compiled GAN to `path` atomically; return its step.

    Raises RunError (and writes nothing) if any variable holds NaN or Inf.
    """
    step = int(ops.convert_to_numpy(gan.step))
    arrays = {}
    for key, variable in checkpoint_keys(gan).items():
        value = ops.convert_to_numpy(variable)
        if np.issubdtype(value.dtype, np.floating) and not np.all(np.isfinite(value)):
            raise RunError(f"Not writing a checkpoint at step {step}: {variable.path} holds NaN/Inf.")
        arrays[key] = value
    arrays[_STEP_KEY] = np.asarray(step, dtype="int64")
    arrays[_FORMAT_KEY] = np.asarray(CHECKPOINT_FORMAT, dtype="int64")
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as file:
            np.savez(file, **arrays)
    return step


def save_checkpoint(gan, run_dir, keep=3):
    """Write the state of a compiled GAN as `checkpoints/ckpt-<step>.npz`; return its path.

    Only the newest `keep` ckpt-<step>.npz files are kept (best.npz is not one of them).
    Raises RunError (and writes nothing) if any variable holds NaN or Inf.
    """
    step = int(ops.convert_to_numpy(gan.step))
    path = pathlib.Path(run_dir) / CHECKPOINT_DIR / f"ckpt-{step:07d}.npz"
    _write_checkpoint(gan, path)
    for _, old in list_checkpoints(run_dir)[:-keep]:
        old.unlink(missing_ok=True)
    return path


def save_best_checkpoint(gan, run_dir, record):
    """Write `checkpoints/best.npz` (a checkpoint like the others) and then `best.json`.

    Args:
        gan: the compiled GAN, in the state that was evaluated.
        run_dir: the run directory.
        record: dict. What to record beside it: `fid` at least (the step is added).

    Returns:
        The path of best.npz.
    """
    folder = pathlib.Path(run_dir) / CHECKPOINT_DIR
    step = _write_checkpoint(gan, folder / BEST_CHECKPOINT)
    write_json_atomic(folder / BEST_RECORD, {"checkpoint": BEST_CHECKPOINT, "step": step, **record})
    return folder / BEST_CHECKPOINT


def read_best(run_dir):
    """The record of a run's best-FID checkpoint (`step`, `fid`, ...), or None without one.

    None as well when best.json is unreadable or best.npz is missing: the next evaluation
    then writes both again.
    """
    folder = pathlib.Path(run_dir) / CHECKPOINT_DIR
    record_path = folder / BEST_RECORD
    if not (folder / BEST_CHECKPOINT).is_file() or not record_path.is_file():
        return None
    try:
        record = json.loads(record_path.read_text())
        record["step"], record["fid"] = int(record["step"]), float(record["fid"])
    except (ValueError, KeyError, TypeError, OSError):
        return None
    return record


def _read_arrays(path):
    """Every array of a checkpoint file, read fully now; RunError if the file is damaged."""
    try:
        with np.load(path, allow_pickle=False) as data:
            return {key: data[key] for key in data.files}
    except Exception as error:  # BadZipFile, zlib.error, EOFError, OSError, ValueError, ...
        raise UnreadableCheckpoint(f"Cannot read checkpoint {path}: {type(error).__name__}: {error}.") from None


class UnreadableCheckpoint(RunError):
    """A checkpoint file that is truncated or otherwise damaged."""


class IncompatibleCheckpoint(RunError):
    """A checkpoint that reads but was written by another architecture or configuration."""


def _positional_assignments(gan, arrays, path, include_optimizers):
    """Format 1: pair the saved arrays with the model's variables by position."""
    assignments = []
    for group, variables in _groups(gan, include_optimizers).items():
        keys = sorted(k for k in arrays if k.startswith(group + "/"))
        if len(keys) != len(variables):
            raise IncompatibleCheckpoint(
                f"Checkpoint {path} holds {len(keys)} {group} variables, the model has "
                f"{len(variables)}: it was written by a different architecture or configuration."
            )
        assignments.extend(zip(variables, (arrays[key] for key in keys)))
    return assignments


def _keyed_assignments(gan, arrays, path, include_optimizers):
    """Format 2: pair the saved arrays with the model's variables by key."""
    expected = checkpoint_keys(gan, include_optimizers)
    groups = ("model/", "d_optimizer/", "g_optimizer/") if include_optimizers else ("model/",)
    saved = {key for key in arrays if key.startswith(groups)}
    missing = sorted(set(expected) - saved)
    unexpected = sorted(saved - set(expected))
    if missing or unexpected:
        parts = []
        if missing:
            parts.append(f"it lacks {len(missing)} of the model's variables ({', '.join(missing[:3])}"
                         + (", ..." if len(missing) > 3 else "") + ")")
        if unexpected:
            parts.append(f"it holds {len(unexpected)} the model does not have ({', '.join(unexpected[:3])}"
                         + (", ..." if len(unexpected) > 3 else "") + ")")
        raise IncompatibleCheckpoint(
            f"Checkpoint {path} was written by a different architecture or configuration: "
            + "; ".join(parts) + ". Restore it with the config.json of the run that wrote it."
        )
    return [(variable, arrays[key]) for key, variable in expected.items()]


def restore_checkpoint(gan, path, include_optimizers=True):
    """Load the checkpoint at `path` into a GAN built from the same config; return its step.

    With `include_optimizers=True` (to continue training) the GAN must be compiled; without,
    only the networks, EMA and step are restored (for sampling and export). Every value is
    checked before any variable is assigned, so a refused checkpoint changes nothing.
    """
    path = pathlib.Path(path)
    arrays = _read_arrays(path)
    if _STEP_KEY not in arrays:
        raise UnreadableCheckpoint(f"Cannot read checkpoint {path}: it has no {_STEP_KEY} entry.")
    checkpoint_format = int(arrays.get(_FORMAT_KEY, 1))
    if checkpoint_format == 1:
        assignments = _positional_assignments(gan, arrays, path, include_optimizers)
    elif checkpoint_format == CHECKPOINT_FORMAT:
        assignments = _keyed_assignments(gan, arrays, path, include_optimizers)
    else:
        raise IncompatibleCheckpoint(
            f"Checkpoint {path} has format {checkpoint_format}; this version of keras_signgan "
            f"reads formats 1 and {CHECKPOINT_FORMAT}. Upgrade keras_signgan to restore it."
        )
    for variable, value in assignments:
        if tuple(value.shape) != tuple(variable.shape):
            raise IncompatibleCheckpoint(
                f"Checkpoint {path}: {variable.path} has shape {value.shape}, the model expects "
                f"{tuple(variable.shape)}: it was written by a different architecture or configuration."
            )
    for variable, value in assignments:
        variable.assign(value)
    return int(arrays[_STEP_KEY])


def restore_latest_checkpoint(gan, run_dir, include_optimizers=True, warn=None):
    """Restore the newest checkpoint of `run_dir` that reads and fits; return `(step, path)`.

    A damaged checkpoint (a crash of the disk, a truncated copy) or one that does not fit the
    model is skipped with one warning through `warn` naming it, and the next older one is
    tried. When none fits, the newest one's error is raised (RunError).
    """
    found = list_checkpoints(run_dir)
    if not found:
        raise RunError(f"Run directory {run_dir} has no checkpoint yet (checkpoints/ckpt-*.npz).")
    skipped = []
    for _, path in reversed(found):
        try:
            step = restore_checkpoint(gan, path, include_optimizers=include_optimizers)
        except (UnreadableCheckpoint, IncompatibleCheckpoint) as error:
            skipped.append((path, error))
            continue
        if skipped and warn is not None:
            names = ", ".join(p.name for p, _ in skipped)
            warn(f"Warning: skipped unreadable checkpoint {names} ({skipped[0][1]}); restored {path.name}.")
        return step, path
    if all(isinstance(error, IncompatibleCheckpoint) for _, error in skipped):
        raise skipped[0][1]
    raise RunError(f"No checkpoint of {run_dir} can be restored ({skipped[0][1]}). Start the run again.")


def _warn(message):
    print(message, file=sys.stderr)


CHECKPOINT_CHOICES = "latest, best or a step number"


def _available(run_dir):
    """"200, 400 and best (step 300)": the checkpoints a run has, for error messages."""
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
        raise RunError(
            f"Run directory {run_dir} has no checkpoint at step {int(text)}. It has: {_available(run_dir)}."
        )
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
        evaluations.append({
            "step": step,
            "fid": _number(row.get("fid")),
            "kid": _number(row.get("kid")),
            "kid_std": _number(row.get("kid_std")),
            "num_generated": _number(row.get("num_generated"), int),
            "extractor": row.get("extractor") or None,
            "images_seen": _number(row.get("images_seen"), int),
            "wall_seconds": _number(row.get("wall_seconds")),
            "eval_seconds": _number(row.get("eval_seconds")),
        })
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
