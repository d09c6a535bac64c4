"""`evaluate`: score a generator (run directory or export) against its dataset.

Metrics:
    fid        Frechet Inception Distance over all generated vs all real images.
    kid        Kernel Inception Distance (mean and std over subsets); less biased than FID
               at a few hundred images.
    intra_fid  FID per class (generated images of class c vs real images of class c),
               reported per class and averaged.
    cas        Classification score: a classifier trained on the real images labels the
               generated ones; accuracy overall and per class.

Real-image statistics are cached under `$KERAS_HOME/signgan/stats/`, keyed by the dataset's
pixels, the extractor and the image count, so a change of any of them recomputes.
"""

import hashlib
import sys

import keras
import numpy as np

from keras_signgan.data import load_dataset
from keras_signgan.errors import RunError
from keras_signgan.generators import balanced_labels, load_generator
from keras_signgan.io_utils import atomic_path, data_home
from keras_signgan.metrics.classifier_scores import classification_score
from keras_signgan.metrics.features import load_extractor
from keras_signgan.metrics.fid import MetricError, RunningStatistics, frechet_distance, load_statistics, save_statistics
from keras_signgan.metrics.kid import kernel_inception_distance

METRICS = ("fid", "kid", "intra_fid", "cas")
FEATURE_METRICS = ("fid", "kid", "intra_fid")
MAX_KEPT_FEATURES = 10_000  # KID and intra-FID use at most this many images per set
CHUNK = 500


def parse_metrics(metrics):
    names = [m.strip() for m in (metrics.split(",") if isinstance(metrics, str) else metrics) if m.strip()]
    unknown = [m for m in names if m not in METRICS]
    if unknown or not names:
        raise MetricError(f"Unknown metrics {', '.join(unknown) or '(none)'}; choose from {', '.join(METRICS)}.")
    return names


def _progress(total, enabled, label):
    if not enabled:
        return None
    print(label, file=sys.stderr, flush=True)
    return keras.utils.Progbar(total, unit_name="image")


class FeatureSet:
    """Running statistics of every image, and the features of up to `keep` of them."""

    def __init__(self, keep=MAX_KEPT_FEATURES):
        self.stats = RunningStatistics()
        self.keep = keep
        self.features, self.labels = [], []

    def add(self, features, labels):
        self.stats.update(features)
        room = self.keep - sum(len(f) for f in self.features)
        if room > 0:
            self.features.append(np.asarray(features[:room], np.float32))
            self.labels.append(np.asarray(labels[:room]))

    def kept(self):
        if not self.features:
            return np.zeros((0, 0), np.float32), np.zeros((0,), int)
        return np.concatenate(self.features), np.concatenate(self.labels)


def _stratified_order(labels, seed=0):
    """A permutation interleaving the classes, so any prefix is close to class-balanced."""
    rng = np.random.default_rng(seed)
    labels = np.asarray(labels)
    per_class = [rng.permutation(np.flatnonzero(labels == c)).tolist() for c in np.unique(labels)]
    order = []
    for i in range(max((len(p) for p in per_class), default=0)):
        order.extend(p[i] for p in per_class if i < len(p))
    return np.asarray(order, dtype=int)


def real_features(dataset, extractor, progress=True, cache=True):
    """A FeatureSet of the dataset's images (every image in the statistics, a class-balanced
    subset of up to MAX_KEPT_FEATURES kept), from the cache when it holds them."""
    digest = hashlib.sha256(dataset.images.tobytes() + np.asarray(dataset.labels, np.int64).tobytes()).hexdigest()[:16]
    key = f"{digest}-{extractor.identifier}-{len(dataset)}-v2"  # v2: the file layout
    path = data_home() / "signgan" / "stats" / f"{key}.npz"
    feature_set = FeatureSet()
    if cache and path.is_file():
        with np.load(path, allow_pickle=False) as data:
            feature_set.stats = RunningStatistics.from_state(data["count"], data["mean"], data["m2"])
            feature_set.features, feature_set.labels = [data["features"]], [data["labels"]]
        return feature_set
    order = _stratified_order(dataset.labels)
    bar = _progress(len(order), progress, f"Real images: {len(order):,} through {extractor.identifier}")
    for start in range(0, len(order), CHUNK):
        index = order[start : start + CHUNK]
        feature_set.add(extractor(dataset.images[index]), dataset.labels[index])
        if bar:
            bar.add(len(index))
    if cache:
        features, labels = feature_set.kept()
        with atomic_path(path) as tmp:
            with open(tmp, "wb") as file:
                np.savez(file, **feature_set.stats.state(), features=features, labels=labels)
    return feature_set


def intra_fid(real, fake, num_classes):
    """Per-class FID from two FeatureSets' kept features; NaN for classes with < 2 images."""
    real_x, real_y = real.kept()
    fake_x, fake_y = fake.kept()
    values = np.full(num_classes, np.nan)
    for cls in range(num_classes):
        r, f = real_x[real_y == cls], fake_x[fake_y == cls]
        if len(r) >= 2 and len(f) >= 2:
            rs, fs = RunningStatistics().update(r), RunningStatistics().update(f)
            values[cls] = frechet_distance(rs.mean, rs.covariance, fs.mean, fs.covariance)
    return values


def evaluate(
    source,
    dataset=None,
    num_samples=None,
    metrics=METRICS,
    features="inception",
    reference_stats=None,
    save_stats=None,
    seed=0,
    truncation=None,
    classifier_epochs=40,
    progress=True,
    generator=None,
):
    """Score a generator; return a JSON-ready dict.

    Args:
        source: a run directory or an export directory (ignored when `generator` is given).
        dataset: str or None. The real data; default: the one the generator was trained on.
        num_samples: int or None. Generated images, class-balanced; default: as many as
            the dataset has.
        metrics: names from METRICS (a list or a comma-separated string).
        features: "inception", a `.keras` path, a keras.Model or a FeatureExtractor.
        reference_stats: path or None. An `.npz` with `mu`, `sigma` (pytorch-fid layout)
            used for FID instead of the dataset's statistics.
        save_stats: path or None. Write the real images' `mu`, `sigma` there.
        seed: int. Latents of the generated images.
        truncation: float or None. Default: the generator's.
        classifier_epochs: int. For `cas`.
        progress: bool. Progress bars on stderr.
        generator: a LoadedGenerator to use instead of loading `source`.
    """
    names = parse_metrics(metrics)
    generator = generator or load_generator(source)
    dataset_name = dataset or generator.dataset_name
    if not dataset_name:
        raise RunError("The generator does not record its dataset; pass --dataset NAME.")
    real = None
    uses_features = any(m in FEATURE_METRICS for m in names)
    needs_real_features = bool(save_stats) or any(m in ("kid", "intra_fid") for m in names) or (
        "fid" in names and reference_stats is None
    )
    if needs_real_features or "cas" in names:
        real = load_dataset(dataset_name, image_size=generator.image_size)
        if list(real.class_names) != list(generator.class_names):
            raise RunError(
                f"The generator has {generator.num_classes} classes, the dataset {dataset_name!r} has "
                f"{real.num_classes}{' with other names' if real.num_classes == generator.num_classes else ''}: "
                "pass the dataset it was trained on with --dataset."
            )
    num_samples = int(num_samples or (len(real) if real is not None else 10_000))
    if num_samples < 2:
        raise MetricError(f"--num-samples must be at least 2 (a covariance needs two images). Received: {num_samples}.")
    labels = balanced_labels(list(range(generator.num_classes)), num=num_samples)
    labels = labels[_stratified_order(labels, seed)]  # classes interleaved: any prefix is balanced
    result = {
        "source": str(generator.source),
        "model": generator.model_name,
        "dataset": str(dataset_name),
        "step": generator.step,
        "num_generated": int(num_samples),
        "num_real": len(real) if real is not None else None,
        "seed": seed,
        "truncation": truncation if truncation is not None else generator.truncation,
        "metrics": {},
    }

    fake_set, fake_images, fake_labels = FeatureSet(), [], []
    extractor = None
    if uses_features or save_stats:
        extractor = load_extractor(features)
        result["extractor"] = extractor.identifier
    keep_images = "cas" in names
    bar = _progress(num_samples, progress, f"Generated images: {num_samples:,}")
    for start in range(0, num_samples, CHUNK):
        chunk_labels = labels[start : start + CHUNK]
        images = generator.generate(chunk_labels, seed=seed * 1_000_003 + start, truncation=truncation)
        if uses_features:
            fake_set.add(extractor(images), chunk_labels)
        if keep_images:
            fake_images.append(images)
            fake_labels.append(chunk_labels)
        if bar:
            bar.add(len(chunk_labels))

    real_set = None
    if needs_real_features:
        real_set = real_features(real, extractor, progress=progress)
    if save_stats:
        save_statistics(save_stats, real_set.stats.mean, real_set.stats.covariance)
        result["saved_stats"] = str(save_stats)

    if "fid" in names:
        if reference_stats is not None:
            mu, sigma = load_statistics(reference_stats)
            result["reference_stats"] = str(reference_stats)
        else:
            mu, sigma = real_set.stats.mean, real_set.stats.covariance
        result["metrics"]["fid"] = frechet_distance(mu, sigma, fake_set.stats.mean, fake_set.stats.covariance)
    if "kid" in names:
        mean, std = kernel_inception_distance(real_set.kept()[0], fake_set.kept()[0], seed=seed)
        result["metrics"]["kid"] = {"mean": mean, "std": std}
    if "intra_fid" in names:
        per_class = intra_fid(real_set, fake_set, generator.num_classes)
        if np.isnan(per_class).all():
            raise MetricError("Intra-FID needs at least 2 images per class: raise --num-samples.")
        result["metrics"]["intra_fid"] = {
            "mean": float(np.nanmean(per_class)),
            "per_class": {name: _finite_or_none(v) for name, v in zip(generator.class_names, per_class)},
        }
    if "cas" in names:
        score = classification_score_for(real, np.concatenate(fake_images), np.concatenate(fake_labels), classifier_epochs, seed)
        result["metrics"]["cas"] = {
            "accuracy": score["accuracy"],
            "real_val_accuracy": score["real_val_accuracy"],
            "per_class": {name: _finite_or_none(v) for name, v in zip(generator.class_names, score["per_class"])},
        }
    return result


def classification_score_for(real, fake_images, fake_labels, epochs, seed):
    return classification_score(real.images, real.labels, fake_images, fake_labels, real.num_classes, epochs=epochs, seed=seed)


def _finite_or_none(value):
    return float(value) if np.isfinite(value) else None


def format_table(result):
    """Human-readable lines for a result of `evaluate`."""
    lines = [
        f"{result.get('model') or 'generator'} at step {result.get('step')} vs {result['dataset']}: "
        f"{result['num_generated']:,} generated" + (f", {result['num_real']:,} real" if result.get("num_real") else "")
        + (f", features {result['extractor']}" if result.get("extractor") else "")
    ]
    m = result["metrics"]
    if "fid" in m:
        lines.append(f"  FID        {m['fid']:10.3f}")
    if "kid" in m:
        lines.append(f"  KID        {m['kid']['mean']:10.5f} +- {m['kid']['std']:.5f}")
    if "intra_fid" in m:
        lines.append(f"  intra-FID  {m['intra_fid']['mean']:10.3f}  (mean over classes)")
    if "cas" in m:
        ceiling = m["cas"]["real_val_accuracy"]
        lines.append(
            f"  CAS        {m['cas']['accuracy']:10.3f}  (generated images recognised as their class"
            + (f"; the classifier scores {ceiling:.3f} on held-out real images)" if ceiling is not None else ")")
        )
    return lines
