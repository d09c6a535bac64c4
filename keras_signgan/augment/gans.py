"""The study's GANs: one per fold and training fraction ("cell"), trained by `training.fit`
on exactly that cell's reduced real training part and nothing else.

    OUT/gans/<fold>-f<fraction>/images.npz   the images it trains on (what is hashed)
    OUT/gans/<fold>-f<fraction>/run/         its run directory
    OUT/gans/<fold>-f<fraction>/fit.log      its log, when trained beside others (gan_pool.py)

A finished GAN is reused, an interrupted one resumed from its checkpoint. With a target FID, a
GAN stops at its first evaluation at or below it, and its best-FID checkpoint is used.
"""

import dataclasses
import pathlib
import shutil
import time

import numpy as np

from keras_signgan.augment.plan import image_hashes, set_hash
from keras_signgan.config import TrainConfig
from keras_signgan.data import load_dataset
from keras_signgan.errors import RunError
from keras_signgan.generators import load_generator
from keras_signgan.io_utils import atomic_path, write_json_atomic
from keras_signgan.runs import (
    CONFIG_FILE,
    latest_checkpoint,
    list_checkpoints,
    read_best,
    read_config,
    read_wall_seconds,
)

GANS_DIR = "gans"
GAN_IMAGES = "images.npz"
GAN_RUN = "run"
GAN_LOG = "fit.log"  # a GAN trained in a process of its own (gan_pool.py) logs here


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


@dataclasses.dataclass
class GANJob:
    """A cell's GAN to train: a new run (`config`) or one to continue (`config` None)."""

    key: str
    run_dir: pathlib.Path
    config: TrainConfig
    num_images: int
    batch_size_requested: int
    images_sha256: str
    test_images_sha256: str
    target_fid: float = None


def prepare_cell_gan(out, key, data, gan_idx, test_hashes, gan_options, seed, results, target_fid=None):
    """Everything before a cell's GAN trains: its images written (or checked), its config made
    (or its run found). Returns None when its GAN is finished, else the GANJob."""
    folder = out / GANS_DIR / key
    images_path, run_dir = folder / GAN_IMAGES, folder / GAN_RUN
    record = results["gans"].get(key)
    if record is None or not images_path.exists():
        _write_cell_images(folder, data, gan_idx)
    trained_on, hashes = _read_cell_images(folder, key, data, gan_idx, test_hashes)
    requested = probe_config(gan_options).batch_size
    if record is not None and record.get("finished") and latest_checkpoint(run_dir) is not None:
        return None
    job = GANJob(
        key,
        run_dir,
        None,
        len(trained_on),
        requested,
        set_hash(hashes),
        set_hash(test_hashes),
        target_fid,
    )
    if latest_checkpoint(run_dir) is not None:
        config = read_config(run_dir)
        if config.dataset != str(images_path.resolve()):
            # The results folder moved since the GAN started: point it at its images again.
            config.dataset = str(images_path.resolve())
            write_json_atomic(run_dir / CONFIG_FILE, config.to_dict())
        return job
    if run_dir.exists():
        shutil.rmtree(run_dir)  # started but no checkpoint: nothing to keep
    batch_size = min(requested, len(trained_on))
    options = {k: v for k, v in gan_options.items() if k != "model"}
    options.update(batch_size=batch_size, seed=seed)
    if options.get("eval_every"):  # as many generated as real images, as the quality record's FID
        options.setdefault("eval_samples", len(trained_on))
    job.config = TrainConfig.create(gan_options["model"], str(images_path.resolve()), **options)
    return job


def refresh_gan_seconds(out, results):
    """Set every finished GAN's recorded seconds to its run's clock, every resumed segment
    included (earlier versions recorded the seconds of its last segment only)."""
    for record in results["gans"].values():
        if record.get("finished") and record.get("run_dir") and record.get("step"):
            seconds = read_wall_seconds(out / record["run_dir"], record["step"])
            record["seconds"] = round(seconds, 1) if seconds else record.get("seconds")


def describe_job(job):
    """The study's one line about a GAN it starts or continues."""
    if job.config is None:
        return f"GAN {job.key}: resuming {job.run_dir}."
    config = job.config
    capped = config.batch_size < job.batch_size_requested
    return (
        f"GAN {job.key}: training {config.model} ({config.size}) for {config.steps} steps on {job.num_images} images"
        + (
            f" (batch size {config.batch_size}, capped from {job.batch_size_requested} to the cell's image count)"
            if capped
            else ""
        )
        + (f", stopping at FID <= {job.target_fid:g}" if job.target_fid is not None else "")
        + "..."
    )


def fit_gan_job(job, log, quiet=True):
    """Train the job's GAN in this process (unless an interrupted run already reached its
    target FID); return its step. `quiet`: fit's own lines stay out of `log`."""
    if job.config is None:
        from keras_signgan.training.stop_at_fid import reached_target  # heavy (TensorFlow), as fit

        if job.target_fid is not None and reached_target(job.run_dir, job.target_fid):
            log(f"GAN {job.key}: {job.run_dir} reached FID <= {job.target_fid:g} before it was interrupted.")
            return list_checkpoints(job.run_dir)[-1][0]
    return _fit(job.run_dir, job.target_fid, log, config=job.config, quiet=quiet)


def record_cell_gan(out, job, step, seconds, results, log, workers=1):
    """Record a trained GAN in `results["gans"]`. Its seconds are the run's own clock (every
    segment of a resumed run, building included), else the `seconds` measured here."""
    config = read_config(job.run_dir)
    best = read_best(job.run_dir)
    seconds = read_wall_seconds(job.run_dir, step) or seconds
    results["gans"][job.key] = {
        "run_dir": str(job.run_dir.relative_to(out)),
        "finished": True,
        "step": int(step),
        "steps_planned": int(config.steps),
        "target_fid": job.target_fid,
        "best_fid": None if best is None else best["fid"],
        "best_step": None if best is None else best["step"],
        "model": config.model,
        "size": config.size,
        "batch_size": int(config.batch_size),
        "batch_size_requested": int(job.batch_size_requested),
        "num_images": job.num_images,
        "images_sha256": job.images_sha256,
        "test_images_sha256": job.test_images_sha256,
        "shared_images": 0,
        "seconds": round(seconds, 1),
        "gans_at_once": int(workers),
    }
    log(f"GAN {job.key}: finished at step {step} in {seconds:.0f} s.")


def train_cell_gan(out, key, data, gan_idx, test_hashes, gan_options, seed, results, log, target_fid=None):
    """Train (or reuse, or resume) the cell's GAN on exactly `data.images[gan_idx]`; return its
    generator. Records the run and the image hashes in `results["gans"][key]`.

    With `target_fid`, the GAN (whose options then hold `eval_every` and `eval_features`)
    stops at the first evaluation scoring FID <= target_fid against its own training images,
    and the generator is its best-FID checkpoint."""
    job = prepare_cell_gan(out, key, data, gan_idx, test_hashes, gan_options, seed, results, target_fid)
    run_dir = out / GANS_DIR / key / GAN_RUN
    if job is None:
        log(f"GAN {key}: reusing the finished run {run_dir}.")
        return cell_generator(run_dir, target_fid)
    log(describe_job(job))
    started = time.perf_counter()
    step = fit_gan_job(job, log)
    record_cell_gan(out, job, step, round(time.perf_counter() - started, 1), results, log)
    return cell_generator(run_dir, target_fid)


def _fit(run_dir, target_fid, log, config=None, quiet=True):
    """Train a new GAN run (`config`) or continue the one in `run_dir`; return its step."""
    from keras_signgan.training.fit import fit  # heavy (TensorFlow): only when GANs are trained
    from keras_signgan.training.stop_at_fid import StopAtFID  # heavy (TensorFlow), as fit

    every = (config or read_config(run_dir)).eval_every
    callbacks = [StopAtFID(run_dir, every, target_fid, log=log)] if target_fid is not None else []
    fit_log = _quiet if quiet else log
    if config is None:
        return fit(resume=run_dir, log=fit_log, progress=False, extra_callbacks=callbacks).step
    return fit(config=config, run_dir=run_dir, log=fit_log, progress=False, extra_callbacks=callbacks).step


def _quiet(message):
    """fit's own log lines stay out of the study's (it says one line per GAN)."""


def cell_generator(run_dir, target_fid=None):
    """The generator of a cell's GAN: its best-FID checkpoint when it trained towards a target
    FID (and evaluated at least once), else its newest."""
    best = target_fid is not None and read_best(run_dir) is not None
    return load_generator(run_dir, checkpoint="best" if best else "latest")
