"""How good a cell's GAN is, measured with what the cell already has: FID (and KID) of the
images it generated for the cell against the cell's own real training images (the GAN's
whole dataset; never the test part), and its classification score: the cell's real-only
classifier labels the generated images, and the score is how many get their intended class.

The extractor is `--gan-eval-features`: by default the FID Inception when its weights are
imported (FIDs on the published scale), else Keras InceptionV3 (what `signgan evaluate`
and `fit --eval-every` use by default), said in the log and named in the record.
"""

import pathlib

import numpy as np

from keras_signgan.classifier import accuracy_per_class, predict_labels
from keras_signgan.errors import ConfigError
from keras_signgan.metrics.fid import RunningStatistics, frechet_distance
from keras_signgan.metrics.fid_inception import is_cached
from keras_signgan.metrics.kid import kernel_inception_distance

FALLBACK_FEATURES = "inception"


def resolve_features(requested, log):
    """The extractor name for the GANs' FIDs: `requested`, or with None "fid-inception" when
    its converted weights are in the cache, else "inception" (logged); a model file by its
    absolute path. ConfigError for a model file that is not there."""
    if requested in ("inception", "fid-inception"):
        return requested
    if requested is not None:
        path = pathlib.Path(requested)
        if not path.is_file() or path.suffix != ".keras":
            raise ConfigError(
                f"--gan-eval-features {requested}: not a .keras model file. "
                "Use 'fid-inception', 'inception' or the path of a .keras feature extractor."
            )
        return str(path.resolve())  # the same file when the study resumes from elsewhere
    if is_cached():
        return "fid-inception"
    log(
        "GAN FIDs: the FID Inception weights are not imported (signgan features import fid-inception FILE), "
        f"so Keras InceptionV3 features ({FALLBACK_FEATURES!r}, as signgan evaluate) are used: "
        "not on the published FID scale."
    )
    return FALLBACK_FEATURES


def images_fid(real_features, fake_features):
    """The Frechet distance between two sets of features."""
    real = RunningStatistics().update(real_features)
    fake = RunningStatistics().update(fake_features)
    return frechet_distance(real.mean, real.covariance, fake.mean, fake.covariance)


def gan_quality(extractor, classifier, real_images, fake_images, fake_labels, class_names, seed=0):
    """The quality record of one cell's GAN (JSON-ready).

    Args:
        extractor: a FeatureExtractor.
        classifier: the cell's real-only classifier (a Keras model).
        real_images: the cell's real training images (what the GAN trained on).
        fake_images, fake_labels: images the GAN generated for the cell and their classes.
        class_names: list of str.
        seed: int. KID's subsets.

    Returns:
        dict: `fid`, `kid` (mean over subsets), `extractor`, `num_generated`, `num_real`,
        `classification_score` (share of generated images the classifier assigns to their
        class) and `classification_per_class` (class name -> score; None without images).
    """
    real_features, fake_features = extractor(real_images), extractor(fake_images)
    fid = kid = None  # a covariance needs two images of each set
    if min(len(real_features), len(fake_features)) >= 2:
        fid = images_fid(real_features, fake_features)
        kid = kernel_inception_distance(real_features, fake_features, seed=seed)[0]
    score, per_class = accuracy_per_class(fake_labels, predict_labels(classifier, fake_images), len(class_names))
    return {
        "fid": fid,
        "kid": kid,
        "extractor": extractor.identifier,
        "num_generated": int(len(fake_images)),
        "num_real": int(len(real_images)),
        "classification_score": score,
        "classification_per_class": {
            name: (None if np.isnan(value) else float(value)) for name, value in zip(class_names, per_class)
        },
    }
