"""Writing an exported generator: a TF SavedModel and `signgan.json` beside it.

An export directory holds a TF SavedModel whose `serving_default` signature maps
`z: float32 [None, z_dim]` and `label: int32 [None]` to `images: uint8 [None, H, W, 3]`,
and `signgan.json` describing it (model, dataset, class names, z_dim, image size, step,
the checkpoint file it came from, default truncation, package version). Using it needs
TensorFlow only; in keras_signgan, `keras_signgan.generators.load_generator` reads it back.
"""

import json
import pathlib

import keras
import tensorflow as tf

from keras_signgan import __version__
from keras_signgan.errors import RunError
from keras_signgan.io_utils import atomic_path
from keras_signgan.models.sampling import generated_to_uint8
from keras_signgan.runs import is_run_dir, load_run_checkpoint

METADATA_FILE = "signgan.json"


def is_export_dir(path):
    path = pathlib.Path(path)
    return (path / METADATA_FILE).is_file() and (path / "saved_model.pb").is_file()


def default_export_dir(config, root="saved_models"):
    name = pathlib.Path(config.dataset).name if pathlib.Path(config.dataset).exists() else config.dataset
    return pathlib.Path(root) / f"{config.model}_{name}"


def export_generator(run_dir, out=None, overwrite=False, checkpoint="latest"):
    """Export the (EMA) generator of a run directory as a TF SavedModel; return the path.

    Args:
        run_dir: a run directory with at least one checkpoint.
        out: the export directory. Defaults to `saved_models/<model>_<dataset>/`.
        overwrite: bool. Replace an existing export at `out`.
        checkpoint: "latest", "best" (the lowest FID of `fit --eval-every`) or a step
            number; recorded in signgan.json with its step.
    """
    if not is_run_dir(run_dir):
        raise RunError(f"{run_dir} is not a run directory (it has no config.json).")
    loaded = load_run_checkpoint(run_dir, checkpoint)
    config, gan, step = loaded.config, loaded.gan, loaded.step
    out = pathlib.Path(out) if out else default_export_dir(config)
    if out.exists() and any(out.iterdir()) and not overwrite:
        raise RunError(f"{out} already exists. Pass --overwrite to replace it, or choose another --out.")
    generator = gan.sampling_generator

    archive = keras.export.ExportArchive()
    archive.track(generator)

    def serve(z, label):
        return {"images": generated_to_uint8(generator([z, label], training=False))}

    archive.add_endpoint(
        name="serving_default",
        fn=serve,
        input_signature=[
            tf.TensorSpec([None, gan.z_dim], tf.float32, name="z"),
            tf.TensorSpec([None], tf.int32, name="label"),
        ],
    )
    metadata = {
        "model": config.model,
        "dataset": config.dataset,
        "class_names": list(config.class_names),
        "num_classes": len(config.class_names),
        "z_dim": gan.z_dim,
        "image_size": gan.image_size,
        "step": step,
        "checkpoint": loaded.path.name,
        "truncation": config.truncation,
        "ema": gan.ema_generator is not None,
        "signature": {
            "inputs": {"z": "float32 [None, z_dim]", "label": "int32 [None]"},
            "outputs": {"images": "uint8 [None, H, W, 3]"},
        },
        "version": __version__,
    }
    with atomic_path(out, is_dir=True) as tmp:
        archive.write_out(str(tmp), verbose=False)
        (tmp / METADATA_FILE).write_text(json.dumps(metadata, indent=2) + "\n")
    return out
