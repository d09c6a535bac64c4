"""How a generator's hands vary within each class, against the real ones: size, place, angle.

Usage:
    python scripts/hand_geometry.py RUN_OR_EXPORT lsa16
    python scripts/hand_geometry.py RUN_OR_EXPORT lsa64 --checkpoint 18000 --classes Five,Four

The `diversity` metric of `signgan evaluate` says how much the images of a class spread in
the FID network's features, generated over real; it does not say along what. This script
measures what a reader of a sample grid sees, on the hand itself: the pixels brighter than
`--threshold` (in their brightest channel) on the datasets' black background. Per image: its
size (the hand's share of the image), its centre (x and y, in pixels) and its angle (the
principal axis of the pixels' second moments). Per class, as many generated images as real
ones: each quantity's spread (standard deviation; for the angle, the circular one of the
axis), generated over real. 1 is the real spread; below 1 the rows vary less than the data.
The last line does the same for the real images' two halves (even and odd indices) against
each other: how far from 1 the ratios stray by sampling alone.
"""

import argparse

import numpy as np

import keras_signgan  # noqa: F401  (sets the Keras backend)

QUANTITIES = ("size", "x", "y", "angle")


def hand_geometry(images, threshold=40):
    """`(N, 4)` size, centre x, centre y and doubled axis angle (radians) of each image's hand.

    The hand is the pixels whose brightest channel exceeds `threshold`; an image with none
    gets size 0 and the image centre.
    """
    images = np.asarray(images)
    mask = (images.max(axis=-1) > threshold).astype(np.float64)
    n, height, width = mask.shape
    ys, xs = np.mgrid[0:height, 0:width]
    area = mask.sum(axis=(1, 2))
    safe = np.maximum(area, 1.0)
    cx = np.where(area > 0, (mask * xs).sum(axis=(1, 2)) / safe, (width - 1) / 2)
    cy = np.where(area > 0, (mask * ys).sum(axis=(1, 2)) / safe, (height - 1) / 2)
    dx, dy = xs[None] - cx[:, None, None], ys[None] - cy[:, None, None]
    mxx = (mask * dx * dx).sum(axis=(1, 2)) / safe
    myy = (mask * dy * dy).sum(axis=(1, 2)) / safe
    mxy = (mask * dx * dy).sum(axis=(1, 2)) / safe
    doubled_angle = np.arctan2(2 * mxy, mxx - myy)
    return np.stack([area / (height * width), cx, cy, doubled_angle], axis=1)


def spreads(geometry):
    """Standard deviations of size, x and y, and the circular one of the (undoubled) angle."""
    linear = geometry[:, :3].std(axis=0)
    resultant = np.abs(np.exp(1j * geometry[:, 3]).mean())
    angle = np.sqrt(-2.0 * np.log(np.clip(resultant, 1e-12, 1.0))) / 2.0
    return np.append(linear, angle)


def spread_ratios(generated, real, threshold=40):
    """Each quantity's spread over the generated images divided by its spread over the real."""
    return spreads(hand_geometry(generated, threshold)) / np.maximum(spreads(hand_geometry(real, threshold)), 1e-9)


def _row(name, ratios):
    return f"{name[:18]:18s} " + "  ".join(f"{value:5.2f}" for value in ratios)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("generator", help="a run directory or an export directory")
    parser.add_argument("dataset", help="the dataset name or path the generator was trained on")
    parser.add_argument("--checkpoint", default="latest", help="latest, best or a step (run directories)")
    parser.add_argument("--classes", default=None, help="comma-separated class names (default: all)")
    parser.add_argument("--threshold", type=int, default=40, help="brightness above which a pixel is hand")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    from keras_signgan.data import load_dataset
    from keras_signgan.generators import load_generator

    generator = load_generator(args.generator, checkpoint=args.checkpoint)
    dataset = load_dataset(args.dataset, image_size=generator.image_size)
    names = args.classes.split(",") if args.classes else generator.class_names
    print(f"{generator.source} step {generator.step:,} against {dataset.name}; spread generated / real")
    print(f"{'class':18s} " + "  ".join(f"{q:>5s}" for q in QUANTITIES))
    all_ratios, half_ratios = [], []
    for name in names:
        label = generator.class_index(name)
        real = dataset.images[dataset.labels == label]
        generated = generator.generate(np.full(len(real), label), seed=args.seed + label)
        ratios = spread_ratios(generated, real, args.threshold)
        all_ratios.append(ratios)
        half_ratios.append(spread_ratios(real[0::2], real[1::2], args.threshold))
        print(_row(generator.class_names[label], ratios))
    print(_row("mean", np.mean(all_ratios, axis=0)))
    print(_row("real halves, mean", np.mean(half_ratios, axis=0)))


if __name__ == "__main__":
    main()
