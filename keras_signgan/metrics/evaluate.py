"""`evaluate`: score a generator (run directory or export) against its dataset.

The metrics are those of `metrics.registry` (fid, kid, intra_fid, cas, ...). `evaluate`
gathers what the requested metrics need once, and then computes each in turn:

    generated_features   generated images run through the extractor while they are drawn
    real_features        the dataset through the same extractor (cached, see below)
    real_statistics      their mean and covariance, or --reference-stats
    generated_images     the generated images kept in memory
    classifier           a handshape classifier trained on the real images

Real-image features are cached under `$KERAS_HOME/signgan/stats/`, keyed by the dataset's
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
from keras_signgan.metrics.classifier_scores import train_real_classifier
from keras_signgan.metrics.features import load_extractor
from keras_signgan.metrics.fid import MetricError, RunningStatistics, load_statistics, save_statistics
from keras_signgan.metrics.registry import METRICS, EvaluationInputs, parse_metrics

MAX_KEPT_FEATURES = 10_000  # KID and intra-FID use at most this many images per set
CHUNK = 500


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


def evaluate(
    source,
    dataset=None,
    num_samples=None,
    metrics=None,
    features="inception",
    reference_stats=None,
    save_stats=None,
    seed=0,
    truncation=None,
    classifier_epochs=40,
    progress=True,
    generator=None,
    checkpoint="latest",
):
    """Score a generator; return a JSON-ready dict.

    Args:
        source: a run directory or an export directory (ignored when `generator` is given).
        dataset: str or None. The real data; default: the one the generator was trained on.
        num_samples: int or None. Generated images, class-balanced; default: as many as
            the dataset has.
        metrics: names from `metrics.registry.METRICS` (a list or a comma-separated
            string); None for all of them.
        features: "inception", a `.keras` path, a keras.Model or a FeatureExtractor.
        reference_stats: path or None. An `.npz` with `mu`, `sigma` (pytorch-fid layout)
            used for FID instead of the dataset's statistics.
        save_stats: path or None. Write the real images' `mu`, `sigma` there.
        seed: int. Latents of the generated images.
        truncation: float or None. Default: the generator's.
        classifier_epochs: int. For the metrics that need the classifier (cas).
        progress: bool. Progress bars on stderr.
        generator: a LoadedGenerator to use instead of loading `source`.
        checkpoint: which checkpoint of a run directory: "latest", "best" (the lowest FID
            of `fit --eval-every`) or a step number. The result names its file
            (`checkpoint`) and `step`.
    """
    chosen = [METRICS[name] for name in parse_metrics(metrics)]
    needs = {need for metric in chosen for need in metric.needs}
    if save_stats or ("real_statistics" in needs and reference_stats is None):
        needs.add("real_features")
    generator = generator or load_generator(source, checkpoint=checkpoint)
    dataset_name = dataset or generator.dataset_name
    if not dataset_name:
        raise RunError("The generator does not record its dataset; pass --dataset NAME.")
    real = _load_real(dataset_name, generator) if needs & {"real_features", "classifier"} else None
    if num_samples is None:  # 0 is a mistake to report, not a request for the default
        num_samples = len(real) if real is not None else 10_000
    num_samples = int(num_samples)
    if num_samples < 2:
        raise MetricError(f"--num-samples must be at least 2 (a covariance needs two images). Received: {num_samples}.")
    labels = balanced_labels(list(range(generator.num_classes)), num=num_samples)
    labels = labels[_stratified_order(labels, seed)]  # classes interleaved: any prefix is balanced
    result = {
        "source": str(generator.source),
        "model": generator.model_name,
        "dataset": str(dataset_name),
        "step": generator.step,
        "checkpoint": generator.checkpoint,
        "num_generated": int(num_samples),
        "num_real": len(real) if real is not None else None,
        "seed": seed,
        "truncation": truncation if truncation is not None else generator.truncation,
        "metrics": {},
    }
    inputs = EvaluationInputs(class_names=list(generator.class_names), seed=seed)

    extractor = None
    if needs & {"generated_features", "real_features"}:
        extractor = load_extractor(features)
        result["extractor"] = extractor.identifier
    _add_generated(inputs, needs, generator, labels, extractor, seed, truncation, progress)
    _add_real(inputs, result, needs, real, extractor, reference_stats, save_stats, classifier_epochs, seed, progress)
    for metric in chosen:
        result["metrics"][metric.name] = metric.compute(inputs)
    return result


def _load_real(dataset_name, generator):
    """The real dataset, at the generator's image size; RunError when its classes are not
    the generator's."""
    real = load_dataset(dataset_name, image_size=generator.image_size)
    if list(real.class_names) != list(generator.class_names):
        raise RunError(
            f"The generator has {generator.num_classes} classes, the dataset {dataset_name!r} has "
            f"{real.num_classes}{' with other names' if real.num_classes == generator.num_classes else ''}: "
            "pass the dataset it was trained on with --dataset."
        )
    return real


def _add_generated(inputs, needs, generator, labels, extractor, seed, truncation, progress):
    """Generate images for `labels` in chunks and give `inputs` what the metrics need of
    them: their features (streamed) and/or the images themselves."""
    fake_set, fake_images, fake_labels = FeatureSet(), [], []
    bar = _progress(len(labels), progress, f"Generated images: {len(labels):,}")
    for start in range(0, len(labels), CHUNK):
        chunk_labels = labels[start : start + CHUNK]
        images = generator.generate(chunk_labels, seed=seed * 1_000_003 + start, truncation=truncation)
        if "generated_features" in needs:
            fake_set.add(extractor(images), chunk_labels)
        if "generated_images" in needs:
            fake_images.append(images)
            fake_labels.append(chunk_labels)
        if bar:
            bar.add(len(chunk_labels))
    if "generated_features" in needs:
        inputs.generated_features = fake_set
    if "generated_images" in needs:
        inputs.generated_images = (np.concatenate(fake_images), np.concatenate(fake_labels))


def _add_real(inputs, result, needs, real, extractor, reference_stats, save_stats, classifier_epochs, seed, progress):
    """Give `inputs` what the metrics need of the real images (features, statistics: the
    dataset's or `reference_stats`, the classifier); save the statistics to `save_stats`."""
    if "real_features" in needs:
        inputs.real_features = real_features(real, extractor, progress=progress)
    if save_stats:
        save_statistics(save_stats, inputs.real_features.stats.mean, inputs.real_features.stats.covariance)
        result["saved_stats"] = str(save_stats)
    if "real_statistics" in needs:
        if reference_stats is not None:
            inputs.real_statistics = load_statistics(reference_stats)
            result["reference_stats"] = str(reference_stats)
        else:
            inputs.real_statistics = (inputs.real_features.stats.mean, inputs.real_features.stats.covariance)
    if "classifier" in needs:
        inputs.classifier = train_real_classifier(
            real.images, real.labels, real.num_classes, epochs=classifier_epochs, seed=seed
        )


def format_table(result):
    """Human-readable lines for a result of `evaluate`: a heading, then each metric's row
    (a metric no longer registered shows its stored value)."""
    checkpoint = f" ({result['checkpoint']})" if result.get("checkpoint") else ""
    lines = [
        f"{result.get('model') or 'generator'} at step {result.get('step')}{checkpoint} vs {result['dataset']}: "
        f"{result['num_generated']:,} generated"
        + (f", {result['num_real']:,} real" if result.get("num_real") else "")
        + (f", features {result['extractor']}" if result.get("extractor") else "")
    ]
    values = result["metrics"]
    for name in [n for n in METRICS if n in values] + [n for n in values if n not in METRICS]:
        lines.append("  " + (METRICS[name].row(values[name]) if name in METRICS else f"{name} {values[name]}"))
    return lines
