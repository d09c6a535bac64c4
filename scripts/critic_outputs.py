"""What a run's discriminator (critic) sees through each DiffAugment transform.

Usage:
    python scripts/critic_outputs.py RUN [RUN ...] [--checkpoint latest|best|STEP] [--images 512] [--draws 8]

For real images of the run's dataset and as many generated ones (the training generator,
the images the discriminator is trained against), at one checkpoint, the script applies
each transform of DiffAugment alone and the run's whole policy, `--draws` times per image,
and prints per transform:

- `gap`: mean D(real) - mean D(generated), the Wasserstein estimate a critic maximises;
- `aug sd`: the standard deviation of one image's output across draws of the transform
  (averaged over images), the noise the transform adds to the critic's output;
- `aug sd / gap`: how many gaps that noise spans;
- `AUC`: the chance that a real image scores above a generated one (0.5: no separation).

A Wasserstein critic is trained on the gap alone, a linear loss that does not penalise the
noise a transform adds; a hinge loss saturates beyond its margins and does.
"""

import argparse

import numpy as np
import tensorflow as tf

import keras_signgan  # noqa: F401  (sets the Keras backend)


def auc(real, fake):
    """P(real > fake) over all pairs, ties counted half (the Mann-Whitney U statistic)."""
    scores = np.concatenate([real, fake])
    ranks = scores.argsort().argsort().astype("float64") + 1
    return float((ranks[: len(real)].sum() - len(real) * (len(real) + 1) / 2) / (len(real) * len(fake)))


def critic_outputs(discriminator, augment, images, labels, draws, batch=256):
    """`(draws, N)` outputs of `discriminator` on `augment(images)` (None: the images as they are)."""
    rows = []
    for _ in range(draws if augment is not None else 1):
        outs = []
        for start in range(0, len(images), batch):
            x = tf.convert_to_tensor(images[start : start + batch])
            if augment is not None:
                x = augment(x, training=True)
            outs.append(
                np.asarray(
                    discriminator([x, tf.convert_to_tensor(labels[start : start + batch])], training=False)
                ).reshape(-1)
            )
        rows.append(np.concatenate(outs))
    return np.stack(rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("runs", nargs="+", help="run directories")
    parser.add_argument("--checkpoint", default="latest")
    parser.add_argument("--images", type=int, default=512)
    parser.add_argument("--draws", type=int, default=8)
    args = parser.parse_args()

    from keras_signgan.data import load_dataset
    from keras_signgan.layers.diff_augment import POLICIES, DiffAugment
    from keras_signgan.runs import load_run

    for run in args.runs:
        config, gan, step = load_run(run, args.checkpoint)
        data = load_dataset(config.dataset, image_size=config.image_size)
        rng = np.random.default_rng(0)
        pick = rng.choice(len(data.images), size=min(args.images, len(data.images)), replace=False)
        real = data.images[pick].astype("float32") / 127.5 - 1.0 if data.images.dtype == np.uint8 else data.images[pick]
        labels = data.labels[pick].astype("int32")
        z = rng.standard_normal((len(labels), gan.generator.inputs[0].shape[-1])).astype("float32")
        fake = np.asarray(gan.generator([z, labels], training=False))
        print(f"{run} at step {step:,} (loss {config.loss}, DiffAugment {config.diffaugment!r})")
        print(f"  {'transform':28s} {'gap':>8s} {'aug sd':>8s} {'sd/gap':>7s} {'AUC':>6s}")
        policies = (
            [("none", None)] + [(p, p) for p in POLICIES] + [(f"policy {config.diffaugment}", config.diffaugment)]
        )
        for name, policy in policies:
            augment = DiffAugment(policy, seed=1) if policy else None
            r = critic_outputs(gan.discriminator, augment, real, labels, args.draws)
            f = critic_outputs(gan.discriminator, augment, fake, labels, args.draws)
            gap = float(r.mean() - f.mean())
            spread = float(np.concatenate([r.std(axis=0), f.std(axis=0)]).mean()) if augment is not None else 0.0
            ratio = spread / abs(gap) if gap else float("inf")
            print(f"  {name:28s} {gap:8.3f} {spread:8.3f} {ratio:7.2f} {auc(r.ravel(), f.ravel()):6.3f}")


if __name__ == "__main__":
    main()
