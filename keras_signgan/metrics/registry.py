"""The metrics `signgan evaluate` knows: each one's inputs, computation and table row, in the
manner of StyleGAN3's `metrics/metric_main.py`.

A metric is a function of an `EvaluationInputs` returning a JSON-ready value, registered
with the inputs it needs and a function that formats its line of the results table:

    @register_metric("fid", needs=("generated_features", "real_statistics"),
                     row=lambda value: f"FID        {value:10.3f}")
    def fid(inputs):
        ...

`metrics.evaluate.evaluate` gathers every need of the requested metrics once (generating
the images, running the extractor over generated and real images, training the classifier)
and then calls the metrics in the order they are registered. Adding a metric is adding a
function here; the computation itself may live in a module of its own (fid.py, kid.py).
"""

import dataclasses

import numpy as np

from keras_signgan.metrics.classifier_scores import classification_score
from keras_signgan.metrics.fid import MetricError, RunningStatistics, frechet_distance
from keras_signgan.metrics.kid import kernel_inception_distance

# What a metric may ask for, and what `EvaluationInputs` then holds.
NEEDS = {
    "generated_features": "a FeatureSet of the generated images: statistics of all, the features "
    "and labels of up to MAX_KEPT_FEATURES",
    "real_features": "the same for the real images",
    "real_statistics": "(mu, sigma) of the real features, or of --reference-stats",
    "generated_images": "(images, labels): the generated uint8 images and the classes asked for",
    "classifier": "(model, held-out accuracy): the handshape classifier trained on the real images",
}


@dataclasses.dataclass
class EvaluationInputs:
    """What the metrics of one evaluation read; a field is None unless some metric needs it."""

    class_names: list
    seed: int = 0
    generated_features: object = None
    real_features: object = None
    real_statistics: tuple = None
    generated_images: tuple = None
    classifier: tuple = None


@dataclasses.dataclass(frozen=True)
class Metric:
    """A registered metric: `compute(inputs) -> value`, `row(value) -> str`."""

    name: str
    compute: object
    needs: tuple
    row: object
    description: str


METRICS = {}


def register_metric(name, needs=(), row=None):
    """Register the decorated function `(EvaluationInputs) -> JSON-ready value` as `name`.

    Args:
        name: str. The name `--metrics` takes and the key in the results.
        needs: names from `NEEDS`: what the metric reads from its inputs.
        row: callable `value -> str`, its line in the results table. Defaults to
            `name value`.
    """
    unknown = sorted(set(needs) - set(NEEDS))
    if unknown:
        raise ValueError(f"Unknown metric needs {', '.join(unknown)}. Valid: {', '.join(NEEDS)}.")

    def decorator(compute):
        description = (compute.__doc__ or name).strip().splitlines()[0]
        METRICS[name] = Metric(name, compute, tuple(needs), row or (lambda value: f"{name:<10} {value}"), description)
        return compute

    return decorator


def parse_metrics(metrics):
    """Metric names from a list or a comma-separated string (None: every metric), in
    registry order; MetricError naming the valid ones for anything unknown."""
    if metrics is None:
        return list(METRICS)
    names = [m.strip() for m in (metrics.split(",") if isinstance(metrics, str) else metrics) if m.strip()]
    unknown = [m for m in names if m not in METRICS]
    if unknown or not names:
        raise MetricError(f"Unknown metrics {', '.join(unknown) or '(none)'}; choose from {', '.join(METRICS)}.")
    return [name for name in METRICS if name in names]


def _finite_or_none(value):
    return float(value) if np.isfinite(value) else None


@register_metric("fid", needs=("generated_features", "real_statistics"), row=lambda value: f"FID        {value:10.3f}")
def fid(inputs):
    """Frechet Inception Distance between all generated and all real images."""
    mu, sigma = inputs.real_statistics
    fake = inputs.generated_features.stats
    return frechet_distance(mu, sigma, fake.mean, fake.covariance)


@register_metric(
    "kid",
    needs=("generated_features", "real_features"),
    row=lambda value: f"KID        {value['mean']:10.5f} +- {value['std']:.5f}",
)
def kid(inputs):
    """Kernel Inception Distance, mean and std over subsets: unbiased, so the better metric at a
    few hundred images."""
    mean, std = kernel_inception_distance(
        inputs.real_features.kept()[0], inputs.generated_features.kept()[0], seed=inputs.seed
    )
    return {"mean": mean, "std": std}


def _per_class_values(real, fake, num_classes, compare):
    """`compare(real_x, fake_x)` for each class's kept features of two FeatureSets; NaN for
    classes with fewer than 2 real or 2 generated images."""
    real_x, real_y = real.kept()
    fake_x, fake_y = fake.kept()
    values = np.full(num_classes, np.nan)
    for cls in range(num_classes):
        r, f = real_x[real_y == cls], fake_x[fake_y == cls]
        if len(r) >= 2 and len(f) >= 2:
            values[cls] = compare(r, f)
    return values


def _per_class_result(values, class_names, metric):
    """`{"mean", "per_class"}` of per-class `values`; MetricError when no class has a value."""
    if np.isnan(values).all():
        raise MetricError(f"{metric} needs at least 2 images per class: raise --num-samples.")
    return {
        "mean": float(np.nanmean(values)),
        "per_class": {name: _finite_or_none(v) for name, v in zip(class_names, values)},
    }


def _class_fid(real_x, fake_x):
    rs, fs = RunningStatistics().update(real_x), RunningStatistics().update(fake_x)
    return frechet_distance(rs.mean, rs.covariance, fs.mean, fs.covariance)


def intra_fid(real, fake, num_classes):
    """Per-class FID from two FeatureSets' kept features; NaN for classes with < 2 images."""
    return _per_class_values(real, fake, num_classes, _class_fid)


@register_metric(
    "intra_fid",
    needs=("generated_features", "real_features"),
    row=lambda value: f"intra-FID  {value['mean']:10.3f}  (mean over classes)",
)
def intra_fid_metric(inputs):
    """FID within each class (generated vs real images of that class), and its mean."""
    values = intra_fid(inputs.real_features, inputs.generated_features, len(inputs.class_names))
    return _per_class_result(values, inputs.class_names, "Intra-FID")


def _cas_row(value):
    ceiling = value["real_val_accuracy"]
    return f"CAS        {value['accuracy']:10.3f}  (generated images recognised as their class" + (
        f"; the classifier scores {ceiling:.3f} on held-out real images)" if ceiling is not None else ")"
    )


@register_metric("cas", needs=("generated_images", "classifier"), row=_cas_row)
def cas(inputs):
    """Classification score: the classifier trained on real images labels the generated ones."""
    images, labels = inputs.generated_images
    classifier, real_val_accuracy = inputs.classifier
    score = classification_score(None, None, images, labels, len(inputs.class_names), classifier=classifier)
    return {
        "accuracy": score["accuracy"],
        "real_val_accuracy": real_val_accuracy,
        "per_class": {name: _finite_or_none(v) for name, v in zip(inputs.class_names, score["per_class"])},
    }


def class_diversity(real, fake, num_classes):
    """Per class, the spread of the generated images' features over the real images': the
    trace of the generated class's feature covariance over the real class's (the mean
    squared distance between two images of a class is twice that trace). 1 is as varied as
    the real images, near 0 one image per class. NaN for classes with < 2 images."""
    return _per_class_values(real, fake, num_classes, _spread_ratio)


def _spread_ratio(real_x, fake_x):
    return np.var(fake_x, axis=0, ddof=1).sum() / np.var(real_x, axis=0, ddof=1).sum()


@register_metric(
    "diversity",
    needs=("generated_features", "real_features"),
    row=lambda value: f"diversity  {value['mean']:10.3f}  (within-class feature spread, generated / real)",
)
def diversity(inputs):
    """Within-class variety: each class's generated feature spread over its real one (1: as
    varied as the real images; near 0: copies of one image), per class and averaged."""
    values = class_diversity(inputs.real_features, inputs.generated_features, len(inputs.class_names))
    return _per_class_result(values, inputs.class_names, "Diversity")
