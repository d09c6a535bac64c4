"""The run directory: what `signgan fit` writes, and how a run is read back.

    runs/<model>-<dataset>-<YYYYmmdd-HHMMSS>/
      config.json        the TrainConfig, written first; rebuilding the run needs nothing else
      checkpoints/       ckpt-<step>.npz, the newest `keep_checkpoints`
      tensorboard/       scalars and sample grids
      samples/           step-NNNNNN.png
      metrics.csv        step, then one column per logged metric
      evaluations.csv    step, FID, KID with --eval-every
      evaluation.json    what `signgan evaluate RUN_DIR` wrote last

Every file name lives here; `load_run` rebuilds a run's GAN from its newest checkpoint.

A checkpoint holds the GAN's variables (generator, discriminator, EMA generator, the step
counter and random-seed states), and both optimizers' variables (moments, iteration
counts, loss scale). Variables are stored in a fixed order and matched by position and
shape, so a rebuilt run restores them whatever names Keras gave its layers this time. Files
are written to a temporary name and renamed, so a checkpoint is never half-written; only the
newest `keep` are kept. Loading never unpickles (`allow_pickle=False`).
"""

import datetime
import pathlib
import re

import numpy as np
from keras import ops

from keras_signgan.config import TrainConfig
from keras_signgan.errors import RunError
from keras_signgan.io_utils import atomic_path
from keras_signgan.models.build import build_gan

CONFIG_FILE = "config.json"
CHECKPOINT_DIR = "checkpoints"
TENSORBOARD_DIR = "tensorboard"
SAMPLES_DIR = "samples"
METRICS_FILE = "metrics.csv"
EVALUATIONS_FILE = "evaluations.csv"
EVALUATION_FILE = "evaluation.json"
_PATTERN = re.compile(r"^ckpt-(\d+)\.npz$")


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
    groups = {"model": gan.variables}
    if include_optimizers:
        groups["d_optimizer"] = gan.d_optimizer.variables
        groups["g_optimizer"] = gan.g_optimizer.variables
    return groups


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


def save_checkpoint(gan, run_dir, keep=3):
    """Write the state of a compiled GAN as `checkpoints/ckpt-<step>.npz`; return its path.

    Raises RunError (and writes nothing) if any variable holds NaN or Inf.
    """
    step = int(ops.convert_to_numpy(gan.step))
    arrays = {}
    for group, variables in _groups(gan).items():
        for index, variable in enumerate(variables):
            value = ops.convert_to_numpy(variable)
            if np.issubdtype(value.dtype, np.floating) and not np.all(np.isfinite(value)):
                raise RunError(
                    f"Not writing a checkpoint at step {step}: {variable.path} holds NaN/Inf."
                )
            arrays[f"{group}/{index:05d}"] = value
    arrays["__step__"] = np.asarray(step, dtype="int64")
    path = pathlib.Path(run_dir) / CHECKPOINT_DIR / f"ckpt-{step:07d}.npz"
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as file:
            np.savez(file, **arrays)
    for _, old in list_checkpoints(run_dir)[:-keep]:
        old.unlink(missing_ok=True)
    return path


def restore_checkpoint(gan, path, include_optimizers=True):
    """Load the checkpoint at `path` into a GAN built from the same config; return its step.

    With `include_optimizers=True` (to continue training) the GAN must be compiled; without,
    only the networks, EMA and step are restored (for sampling and export).
    """
    path = pathlib.Path(path)
    try:
        data = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as error:
        raise RunError(f"Cannot read checkpoint {path}: {error}. Resume from an older one by deleting it.") from None
    with data:
        for group, variables in _groups(gan, include_optimizers).items():
            keys = sorted(k for k in data.files if k.startswith(group + "/"))
            if len(keys) != len(variables):
                raise RunError(
                    f"Checkpoint {path} holds {len(keys)} {group} variables, the model has "
                    f"{len(variables)}: it was written by a different configuration."
                )
            for key, variable in zip(keys, variables):
                value = data[key]
                if tuple(value.shape) != tuple(variable.shape):
                    raise RunError(
                        f"Checkpoint {path}: {variable.path} has shape {value.shape}, the model "
                        f"expects {tuple(variable.shape)}: it was written by a different configuration."
                    )
                variable.assign(value)
        return int(data["__step__"])


def load_run(run_dir, checkpoint=None):
    """Rebuild the GAN of a run directory from its newest checkpoint, for sampling/export
    (with the EMA generator's standing statistics recomputed).

    Returns:
        `(config, gan, step)`.
    """
    run_dir = pathlib.Path(run_dir)
    config = read_config(run_dir)
    checkpoint = checkpoint or latest_checkpoint(run_dir)
    if checkpoint is None:
        raise RunError(f"Run directory {run_dir} has no checkpoint yet (checkpoints/ckpt-*.npz).")
    gan = build_gan(config)
    step = restore_checkpoint(gan, checkpoint, include_optimizers=False)
    gan.refresh_ema_statistics()
    return config, gan, step
