"""The study's GANs: one per fold and training fraction ("cell"), trained by `training.fit`
on exactly that cell's reduced real training part and nothing else.

    OUT/gans/<fold>-f<fraction>/images.npz   the images it trains on (what is hashed)
    OUT/gans/<fold>-f<fraction>/run/         its run directory

A finished GAN is reused, an interrupted one resumed from its checkpoint. With a target FID, a
GAN stops at its first evaluation at or below it, and its best-FID checkpoint is used.
"""

import shutil
import time

import numpy as np

from keras_signgan.augment.plan import image_hashes, set_hash
from keras_signgan.config import TrainConfig
from keras_signgan.data import load_dataset
from keras_signgan.errors import RunError
from keras_signgan.generators import load_generator
from keras_signgan.io_utils import atomic_path, write_json_atomic
from keras_signgan.runs import CONFIG_FILE, latest_checkpoint, list_checkpoints, read_best, read_config

GANS_DIR = "gans"
GAN_IMAGES = "images.npz"
GAN_RUN = "run"


def probe_config(gan_options):
    """The TrainConfig the study's GANs start from (`gan_options` with its "model")."""
    return TrainConfig.create(gan_options["model"], "probe", **{k: v for k, v in gan_options.items() if k != "model"})


def _write_cell_images(folder, data, gan_idx):
    images_path = folder / GAN_IMAGES
    folder.mkdir(parents=True, exist_ok=True)
    with atomic_path(images_path) as tmp:
        with open(tmp, "wb") as handle:
            np.savez(handle, x=data.images[gan_idx], y=data.labels[gan_idx], class_names=np.array(data.class_names))


def _read_cell_images(folder, key, data, gan_idx, test_hashes):
    """What the GAN reads is what is hashed: the file, read back through the data layer.
    Returns `(dataset, hashes)`; RunError when it is not the cell's images or shares one
    with the test part."""
    images_path = folder / GAN_IMAGES
    trained_on = load_dataset(images_path)
    hashes = image_hashes(trained_on.images)
    if set_hash(hashes) != set_hash(image_hashes(data.images[gan_idx])):
        raise RunError(f"{images_path} no longer holds this cell's training images: remove {folder} and --resume.")
    shared = set(hashes) & set(test_hashes)
    if shared:
        raise RunError(
            f"The GAN of cell {key} would train on {len(shared)} test image(s): the split is broken; report this."
        )
    if list(trained_on.class_names) != list(data.class_names):
        raise RunError(f"{images_path} has other classes than {data.name}: remove {folder} and --resume.")
    return trained_on, hashes


def train_cell_gan(out, key, data, gan_idx, test_hashes, gan_options, seed, results, log, target_fid=None):
    """Train (or reuse, or resume) the cell's GAN on exactly `data.images[gan_idx]`; return its
    generator. Records the run and the image hashes in `results["gans"][key]`.

    With `target_fid`, the GAN (whose options then hold `eval_every` and `eval_features`)
    stops at the first evaluation scoring FID <= target_fid against its own training images,
    and the generator is its best-FID checkpoint."""
    folder = out / GANS_DIR / key
    images_path, run_dir = folder / GAN_IMAGES, folder / GAN_RUN
    record = results["gans"].get(key)
    if record is None or not images_path.exists():
        _write_cell_images(folder, data, gan_idx)
    trained_on, hashes = _read_cell_images(folder, key, data, gan_idx, test_hashes)
    requested = probe_config(gan_options).batch_size
    batch_size = min(requested, len(trained_on))
    started = time.perf_counter()
    if record is not None and record.get("finished") and latest_checkpoint(run_dir) is not None:
        log(f"GAN {key}: reusing the finished run {run_dir}.")
        return cell_generator(run_dir, target_fid)
    if latest_checkpoint(run_dir) is not None:
        step, config = _resume(run_dir, images_path, key, target_fid, log)
    else:
        if run_dir.exists():
            shutil.rmtree(run_dir)  # started but no checkpoint: nothing to keep
        options = {k: v for k, v in gan_options.items() if k != "model"}
        options.update(batch_size=batch_size, seed=seed)
        if options.get("eval_every"):  # as many generated as real images, as the quality record's FID
            options.setdefault("eval_samples", len(trained_on))
        config = TrainConfig.create(gan_options["model"], str(images_path.resolve()), **options)
        log(
            f"GAN {key}: training {config.model} ({config.size}) for {config.steps} steps on {len(trained_on)} images"
            + (
                f" (batch size {batch_size}, capped from {requested} to the cell's image count)"
                if batch_size < requested
                else ""
            )
            + (f", stopping at FID <= {target_fid:g}" if target_fid is not None else "")
            + "..."
        )
        step = _fit(run_dir, target_fid, log, config=config)
    seconds = round(time.perf_counter() - started, 1)
    best = read_best(run_dir)
    results["gans"][key] = {
        "run_dir": str(run_dir.relative_to(out)),
        "finished": True,
        "step": int(step),
        "steps_planned": int(config.steps),
        "target_fid": target_fid,
        "best_fid": None if best is None else best["fid"],
        "best_step": None if best is None else best["step"],
        "model": config.model,
        "size": config.size,
        "batch_size": int(config.batch_size),
        "batch_size_requested": int(requested),
        "num_images": len(trained_on),
        "images_sha256": set_hash(hashes),
        "test_images_sha256": set_hash(test_hashes),
        "shared_images": 0,
        "seconds": seconds + float((record or {}).get("seconds", 0)),
    }
    log(f"GAN {key}: finished at step {step} in {seconds:.0f} s.")
    return cell_generator(run_dir, target_fid)


def _fit(run_dir, target_fid, log, config=None):
    """Train a new GAN run (`config`) or continue the one in `run_dir`; return its step."""
    from keras_signgan.training.fit import fit  # heavy (TensorFlow): only when GANs are trained
    from keras_signgan.training.stop_at_fid import StopAtFID  # heavy (TensorFlow), as fit

    every = (config or read_config(run_dir)).eval_every
    callbacks = [StopAtFID(run_dir, every, target_fid, log=log)] if target_fid is not None else []
    if config is None:
        return fit(resume=run_dir, log=_quiet, progress=False, extra_callbacks=callbacks).step
    return fit(config=config, run_dir=run_dir, log=_quiet, progress=False, extra_callbacks=callbacks).step


def _quiet(message):
    """fit's own log lines stay out of the study's (it says one line per GAN)."""


def _resume(run_dir, images_path, key, target_fid, log):
    """Continue an interrupted GAN run (unless it already reached `target_fid`); `(step, config)`."""
    from keras_signgan.training.stop_at_fid import reached_target  # heavy (TensorFlow), as fit

    config = read_config(run_dir)
    if config.dataset != str(images_path.resolve()):
        # The results folder moved since the GAN started: point it at its images again.
        config.dataset = str(images_path.resolve())
        write_json_atomic(run_dir / CONFIG_FILE, config.to_dict())
    if target_fid is not None and reached_target(run_dir, target_fid):
        log(f"GAN {key}: {run_dir} reached FID <= {target_fid:g} before it was interrupted.")
        return list_checkpoints(run_dir)[-1][0], config
    log(f"GAN {key}: resuming {run_dir}.")
    return _fit(run_dir, target_fid, log), config


def cell_generator(run_dir, target_fid=None):
    """The generator of a cell's GAN: its best-FID checkpoint when it trained towards a target
    FID (and evaluated at least once), else its newest."""
    best = target_fid is not None and read_best(run_dir) is not None
    return load_generator(run_dir, checkpoint="best" if best else "latest")
