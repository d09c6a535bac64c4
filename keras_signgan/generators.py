"""Generators to draw labelled images from, and writing what they draw.

`load_generator` opens an export directory (`signgan export`) or a run directory (its EMA
generator at the newest, the best-FID or a given step's checkpoint) as a `LoadedGenerator`; `generator_from_gan` wraps a GAN
in memory the same way. `balanced_labels` spreads a number of images over classes;
`write_generated` writes images as a PNG grid, an `.npz` or a folder per class. Sampling
(latents, label checks, batches) is `keras_signgan.models.sampling.generate`, as for the GAN
itself, so a run directory, its export and the GAN give the same images for the same seed.
"""

import dataclasses
import json
import pathlib

import numpy as np
import tensorflow as tf
from PIL import Image

from keras_signgan import plots
from keras_signgan.errors import RunError, SignGANError
from keras_signgan.export import METADATA_FILE, is_export_dir
from keras_signgan.io_utils import atomic_path
from keras_signgan.models import sampling
from keras_signgan.runs import is_run_dir, load_run_checkpoint


@dataclasses.dataclass
class LoadedGenerator:
    """A generator from an export or a run directory.

    Attributes:
        class_names: list of str, in label order.
        z_dim: int. Latent size.
        image_size: int. Side of the generated images.
        step: int. Training step of the weights.
        model_name: str. "basic", "wcgan" or "biggan".
        dataset_name: str. The dataset it was trained on.
        truncation: float or None. Default truncation.
        source: pathlib.Path. Where it was loaded from.
        checkpoint: str or None. The run checkpoint's file name (ckpt-0000600.npz,
            best.npz); None for an export or a GAN in memory.
    """

    class_names: list
    z_dim: int
    image_size: int
    step: int
    model_name: str
    dataset_name: str
    truncation: float
    source: pathlib.Path
    checkpoint: str = None
    _generate_batch: object = dataclasses.field(repr=False, default=None)

    @property
    def num_classes(self):
        return len(self.class_names)

    def class_index(self, name_or_index):
        """The label of a class given by name (case-insensitive) or index."""
        text = str(name_or_index).strip()
        lowered = [c.lower() for c in self.class_names]
        if text.lower() in lowered:
            return lowered.index(text.lower())
        if text.isdigit() and int(text) < self.num_classes:
            return int(text)
        raise SignGANError(
            f"Unknown class {text!r}. Valid classes (names or 0-{self.num_classes - 1}): " + ", ".join(self.class_names)
        )

    def generate(self, labels, seed=None, truncation=None, batch_size=256):
        """uint8 images `(N, H, W, 3)` for `labels`; same seed, same images."""
        truncation = self.truncation if truncation is None else truncation
        return sampling.generate(
            self._generate_batch,
            labels,
            self.num_classes,
            self.z_dim,
            self.image_size,
            seed=seed,
            truncation=truncation,
            batch_size=batch_size,
        )


def load_generator(path, checkpoint="latest"):
    """Load a generator from an export directory or a run directory.

    A run directory gives its EMA generator (when the model keeps one) at `checkpoint`:
    "latest", "best" (the lowest FID of `fit --eval-every`) or a step number (see
    `runs.load_run_checkpoint`). Raises RunError for any other path, and for a checkpoint
    other than "latest" with an export (it holds one generator).
    """
    path = pathlib.Path(path)
    if is_export_dir(path):
        if checkpoint not in (None, "latest"):
            raise RunError(
                f"{path} is an export: it holds one generator, so --checkpoint {checkpoint} does not apply. "
                "Give the run directory it was exported from."
            )
        try:
            metadata = json.loads((path / METADATA_FILE).read_text())
        except json.JSONDecodeError as error:
            raise RunError(f"{path / METADATA_FILE} is not valid JSON: {error}.") from None
        signature = tf.saved_model.load(str(path)).signatures["serving_default"]

        def generate_batch(z, labels):
            return signature(z=tf.constant(z), label=tf.constant(labels))["images"].numpy()

        return LoadedGenerator(
            class_names=metadata["class_names"],
            z_dim=int(metadata["z_dim"]),
            image_size=int(metadata["image_size"]),
            step=metadata.get("step"),
            model_name=metadata.get("model"),
            dataset_name=metadata.get("dataset"),
            truncation=metadata.get("truncation"),
            source=path,
            _generate_batch=generate_batch,
        )
    if is_run_dir(path):
        loaded = load_run_checkpoint(path, checkpoint)
        return generator_from_gan(loaded.gan, loaded.config, loaded.step, source=path, checkpoint=loaded.path.name)
    if not path.exists():
        raise RunError(
            f"{path} does not exist. Give an export directory (saved_models/...) or a run directory (runs/...)."
        )
    raise RunError(
        f"{path} is neither an export directory (saved_model.pb + {METADATA_FILE}) nor a run "
        "directory (config.json + checkpoints/)."
    )


def generator_from_gan(gan, config, step, source=None, checkpoint=None):
    """A `LoadedGenerator` over an in-memory GAN (its sampling, EMA, generator)."""
    return LoadedGenerator(
        class_names=list(config.class_names),
        z_dim=gan.z_dim,
        image_size=gan.image_size,
        step=step,
        model_name=config.model,
        dataset_name=config.dataset,
        truncation=config.truncation,
        source=source,
        checkpoint=checkpoint,
        _generate_batch=sampling.network_batches(gan.sampling_generator),
    )


def balanced_labels(class_indices, num=None, per_class=None):
    """Labels for `class_indices`: `per_class` each, or `num` in total spread evenly."""
    class_indices = list(class_indices)
    if per_class is not None:
        if per_class <= 0:
            raise SignGANError(f"--per-class must be > 0. Received: {per_class}.")
        return np.repeat(np.asarray(class_indices, dtype="int32"), per_class)
    if num is None or num <= 0:
        raise SignGANError(f"--num must be > 0. Received: {num}.")
    counts = np.full(len(class_indices), num // len(class_indices))
    counts[: num % len(class_indices)] += 1
    return np.repeat(np.asarray(class_indices, dtype="int32"), counts)


def _folder_name(class_name):
    safe = "".join(c if c.isalnum() or c in " -_@.+" else "_" for c in class_name).strip()
    return safe or "class"


def write_generated(images, labels, class_names, out):
    """Write images to `out`: a `.png` grid, an `.npz` (x, y, class_names) or a folder tree.

    The write is atomic: on any error nothing is left at `out`.
    """
    out = pathlib.Path(out)
    suffix = out.suffix.lower()
    if suffix == ".png":
        rows = [np.flatnonzero(labels == c) for c in dict.fromkeys(labels.tolist())]
        width = max(len(r) for r in rows)
        grid = np.zeros((len(rows), width) + images.shape[1:], dtype="uint8")
        for i, indices in enumerate(rows):
            grid[i, : len(indices)] = images[indices]
        plots.save_labelled_grid(grid, [class_names[labels[r[0]]] for r in rows], out)
    elif suffix == ".npz":
        with atomic_path(out) as tmp:
            with open(tmp, "wb") as file:
                np.savez_compressed(
                    file, x=images, y=labels.astype("int64"), class_names=np.asarray(class_names, dtype=str)
                )
    elif suffix == "":
        if out.exists() and (not out.is_dir() or any(out.iterdir())):
            raise SignGANError(f"{out} already exists and is not empty. Choose another --out.")
        with atomic_path(out, is_dir=True) as tmp:
            counters = {}
            for image, label in zip(images, labels):
                folder = tmp / _folder_name(class_names[label])
                folder.mkdir(exist_ok=True)
                index = counters.get(label, 0)
                counters[label] = index + 1
                Image.fromarray(image).save(folder / f"{index:05d}.png")
    else:
        raise SignGANError(f"--out must end in .png or .npz, or be a directory. Received: {out}.")
    return out
