"""Feature extractors for FID and KID: Keras InceptionV3, the FID Inception, or any Keras model
(such as the handshape classifier's features, trained by `train_feature_extractor`).

An extractor maps uint8 images `(N, H, W, 3)` to float32 features `(N, d)` as pytorch-fid
does: scaled to [0, 1], resized bilinearly (half-pixel centres, no antialiasing) to the
model's input size, mapped to [-1, 1] by 2x - 1; the model runs in float32 whatever the
global dtype policy, as a compiled graph over fixed-size batches.
"""

import hashlib
import pathlib

import keras
import numpy as np
import tensorflow as tf

from keras_signgan.classifier import train_classifier
from keras_signgan.data import load_dataset
from keras_signgan.errors import ConfigError
from keras_signgan.io_utils import atomic_path
from keras_signgan.metrics.fid_inception import IDENTIFIER, load_fid_inception

INCEPTION_ID = "inception_v3_imagenet_avgpool"


class FeatureExtractor:
    """Run a Keras model over uint8 images in batches.

    Args:
        model: keras.Model taking (B, S, S, 3) images in [-1, 1].
        identifier: str. Names the extractor in reports and statistics caches; two
            extractors with the same identifier must give the same features.
        batch_size: int.
    """

    def __init__(self, model, identifier, batch_size=64):
        shape = model.inputs[0].shape
        if len(shape) != 4 or shape[-1] != 3 or shape[1] is None:
            raise ConfigError(
                f"A feature extractor must take (batch, height, width, 3) images; {identifier} takes {tuple(shape)}."
            )
        self.model = model
        self.identifier = identifier
        self.batch_size = int(batch_size)
        self.input_size = (int(shape[1]), int(shape[2]))

        @tf.function(reduce_retracing=True)
        def extract(images):
            # pytorch-fid's order: x / 255, F.interpolate(bilinear, align_corners=False),
            # 2x - 1 (tf.image.resize uses half-pixel centres, as align_corners=False does).
            x = tf.cast(images, tf.float32) / 255.0
            if tuple(x.shape[1:3]) != self.input_size:
                x = tf.image.resize(x, self.input_size, method="bilinear", antialias=False)
            x = 2.0 * x - 1.0
            features = tf.cast(model(x, training=False), tf.float32)
            return tf.reshape(features, (tf.shape(features)[0], -1))

        self._extract = extract

    @property
    def dim(self):
        return int(np.prod(self.model.outputs[0].shape[1:]))

    def __call__(self, images):
        """float32 features `(N, d)` of uint8 images `(N, H, W, 3)`."""
        images = np.asarray(images)
        out = [self._batch(images[i : i + self.batch_size]) for i in range(0, len(images), self.batch_size)]
        return np.concatenate(out) if out else np.zeros((0, self.dim), np.float32)

    def _batch(self, images):
        # Pad to a fixed batch so the graph is traced once.
        count = len(images)
        if count < self.batch_size:
            pad = np.zeros((self.batch_size - count,) + images.shape[1:], images.dtype)
            images = np.concatenate([images, pad])
        return self._extract(images).numpy()[:count]


def _float32_model(build):
    previous = keras.mixed_precision.global_policy()
    keras.mixed_precision.set_global_policy("float32")
    try:
        return build()
    finally:
        keras.mixed_precision.set_global_policy(previous)


def inception_extractor(weights="imagenet", batch_size=64):
    """Keras InceptionV3 (include_top=False, average pooling, 2048-d) at 299x299.

    `weights="imagenet"` downloads them on first use into the Keras cache; `weights=None`
    gives a randomly initialised network (for tests, offline).
    """
    try:
        model = _float32_model(
            lambda: keras.applications.InceptionV3(
                include_top=False, pooling="avg", weights=weights, input_shape=(299, 299, 3)
            )
        )
    except Exception as error:  # get_file raises a bare Exception when offline
        if weights != "imagenet":
            raise
        raise ConfigError(
            f"Could not get the InceptionV3 ImageNet weights ({type(error).__name__}: {error}). Connect to the "
            "internet once (they are cached under KERAS_HOME/models), or pass --features PATH to a Keras model file."
        ) from None
    identifier = INCEPTION_ID if weights == "imagenet" else f"inception_v3_{weights}"
    return FeatureExtractor(model, identifier, batch_size=batch_size)


def _weights_digest(model):
    digest = hashlib.sha256()
    for weight in model.weights:
        digest.update(np.ascontiguousarray(weight.numpy()).tobytes())
    return digest.hexdigest()[:16]


def fid_inception_extractor(batch_size=64, download=True):
    """The TF 2015-12-05 FID Inception (pytorch-fid's network) from its converted cache.

    Downloads and converts pytorch-fid's weights on first use when `download`; offline,
    `signgan features import fid-inception FILE` fills the cache (see fid_inception.py).
    """
    return FeatureExtractor(load_fid_inception(download=download), IDENTIFIER, batch_size=batch_size)


def load_extractor(features="inception", batch_size=64):
    """A FeatureExtractor from `"inception"`, `"fid-inception"`, a `.keras` model file, or a `keras.Model`."""
    if isinstance(features, FeatureExtractor):
        return features
    if isinstance(features, keras.Model):
        return FeatureExtractor(features, f"{features.name}-{_weights_digest(features)}", batch_size=batch_size)
    if features in (None, "inception"):
        return inception_extractor(batch_size=batch_size)
    if features == "fid-inception":
        return fid_inception_extractor(batch_size=batch_size)
    path = pathlib.Path(features)
    if not path.is_file():
        raise ConfigError(
            f"--features {features}: no such file. Use 'inception', 'fid-inception' or the path of a .keras model."
        )
    if path.suffix != ".keras":
        raise ConfigError(f"--features {features}: not a .keras model file. Save the model with model.save('x.keras').")
    try:
        model = _float32_model(lambda: keras.models.load_model(path, compile=False))  # safe_mode stays on
    except Exception as error:
        raise ConfigError(
            f"--features {features} is not a loadable Keras model ({type(error).__name__}: {error})."
        ) from None
    return FeatureExtractor(model, f"{path.stem}-{_weights_digest(model)}", batch_size=batch_size)


def classifier_features(classifier):
    """The pooled features of a handshape classifier, as an extractor model.

    The classifier takes pixels in [0, 255]; extractors are fed images in [-1, 1] (see
    FeatureExtractor), so the returned model maps them back before running the classifier
    up to its global average pooling: `(B, S, S, 3) in [-1, 1] -> (B, 4 * width)`.
    """
    pooled = next(layer for layer in classifier.layers if isinstance(layer, keras.layers.GlobalAveragePooling2D))
    inputs = keras.Input(classifier.inputs[0].shape[1:], name="image")
    pixels = keras.layers.Rescaling(127.5, offset=127.5, name="to_pixels")(inputs)
    features = keras.Model(classifier.inputs, pooled.output, name="classifier_trunk")(pixels)
    return keras.Model(inputs, features, name="handshape_classifier_features")


def train_feature_extractor(dataset, out, epochs=40, width=32, seed=0):
    """Train the handshape classifier on `dataset` and save its pooled features to `out`.

    For `--features OUT` where the ImageNet or FID Inception weights cannot be downloaded.
    Scores computed with it rank models against each other; they are not FIDs.

    Args:
        dataset: str or path. A dataset name or path, as for `load_dataset`.
        out: str or path. The `.keras` file to write (atomically: nothing on failure).
        epochs: int. The classifier's most epochs (early stopping on a tenth of the data).
        width: int. The classifier's first-stage channels; the features have 4 x width.
        seed: int. Weights, validation split and batch order.

    Returns:
        `(path, feature dimension, best validation accuracy or None)`.
    """
    out = pathlib.Path(out)
    if out.suffix != ".keras":
        raise ConfigError(f"{out}: an extractor is saved as a .keras file. Give OUT a name ending in .keras.")
    data = load_dataset(dataset)
    classifier, history = train_classifier(
        data.images, data.labels, data.num_classes, epochs=epochs, width=width, seed=seed
    )
    model = classifier_features(classifier)
    with atomic_path(out) as tmp:  # the temporary name keeps the .keras suffix
        model.save(tmp)
    accuracy = max(history["val_accuracy"]) if history.get("val_accuracy") else None
    return out, int(model.outputs[0].shape[-1]), accuracy
