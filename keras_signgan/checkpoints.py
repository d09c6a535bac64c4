"""Checkpoint files of a run directory (`checkpoints/`): writing, listing and restoring them.

A checkpoint holds the GAN's variables (generator, discriminator, EMA generator, the step
counter and random-seed states), and both optimizers' variables (moments, iteration
counts, loss scale), each under a key made of its network and its variable path:
`model/generator/block_0/cbn_1/batch_norm/moving_mean`, `model/ema_generator/...`,
`model/discriminator/...`, `model/gan/<model>/step`, `g_optimizer/adam/iteration`, ... (every
layer that holds weights is named, so the keys are the same in every process). Restoring
matches keys and shapes; a checkpoint whose keys differ from the model's comes from another
architecture and is refused, naming what is missing. Checkpoints written before keys
(format 1) are given their keys by `keras_signgan.legacy` when read.
Files are written to a temporary name and renamed, so a checkpoint is never half-written;
only the newest `keep` are kept. Loading never unpickles (`allow_pickle=False`).
"""

import json
import pathlib
import re

import numpy as np
from keras import ops

from keras_signgan import legacy
from keras_signgan.errors import IncompatibleCheckpoint, RunError, UnreadableCheckpoint
from keras_signgan.io_utils import atomic_path, write_json_atomic

CHECKPOINT_DIR = "checkpoints"
BEST_CHECKPOINT = "best.npz"
BEST_RECORD = "best.json"
_PATTERN = re.compile(r"^ckpt-(\d+)\.npz$")
# 2: variables keyed by network and path (format 1, by position, is read through legacy.py).
CHECKPOINT_FORMAT = 2
_FORMAT_KEY = "__format__"
_STEP_KEY = "__step__"
# Keras makes an unnamed object's name unique per process ("adam_2"); keys drop the suffix.
_UNIQUE_SUFFIX = re.compile(r"_\d+$")


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
            raise ValueError(f"Two variables have the checkpoint key {key!r}: give their layers distinct names.")
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


def _keyed_assignments(expected, arrays, path, include_optimizers):
    """Pair the saved arrays with the model's variables (`expected`: `{key: variable}`) by key."""
    groups = ("model/", "d_optimizer/", "g_optimizer/") if include_optimizers else ("model/",)
    saved = {key for key in arrays if key.startswith(groups)}
    missing = sorted(set(expected) - saved)
    unexpected = sorted(saved - set(expected))
    if missing or unexpected:
        parts = []
        if missing:
            parts.append(
                f"it lacks {len(missing)} of the model's variables ({', '.join(missing[:3])}"
                + (", ..." if len(missing) > 3 else "")
                + ")"
            )
        if unexpected:
            parts.append(
                f"it holds {len(unexpected)} the model does not have ({', '.join(unexpected[:3])}"
                + (", ..." if len(unexpected) > 3 else "")
                + ")"
            )
        raise IncompatibleCheckpoint(
            f"Checkpoint {path} was written by a different architecture or configuration: "
            + "; ".join(parts)
            + ". Restore it with the config.json of the run that wrote it."
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
    expected = checkpoint_keys(gan, include_optimizers)
    arrays = legacy.upgrade_checkpoint(arrays, gan, expected, path, include_optimizers)
    checkpoint_format = int(arrays[_FORMAT_KEY])
    if checkpoint_format != CHECKPOINT_FORMAT:
        raise IncompatibleCheckpoint(
            f"Checkpoint {path} has format {checkpoint_format}; this version of keras_signgan "
            f"reads formats up to {CHECKPOINT_FORMAT}. Upgrade keras_signgan to restore it."
        )
    assignments = _keyed_assignments(expected, arrays, path, include_optimizers)
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
