"""What one cell of `signgan augment` costs: classifier fit time per condition, on fold 0 of
a subject split, at each training fraction (default epochs, early stopping as in the study).

Generated images are stood in for by noise images of the same shape and count: a
classifier's cost depends on how many images it trains on, not on what they show. The
GAN's own cost is its steps times the step time (`scripts/bench_train.py`).

    python scripts/bench_augment_cell.py lsa16 --folds 5 --fractions 0.1,1
"""

import argparse
import time

import numpy as np

from keras_signgan.augment.splits import fold_split, reduce_fraction
from keras_signgan.classifier import stratified_split, train_classifier
from keras_signgan.data import load_dataset


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dataset")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--fractions", default="0.1,1")
    parser.add_argument("--epochs", type=int, default=40)
    args = parser.parse_args()
    data = load_dataset(args.dataset)
    train, test, _ = fold_split(data, "subject", 0, args.folds)
    rng = np.random.default_rng(0)
    print(
        f"{args.dataset}: fold 0 of {args.folds}, {len(train)} training and {len(test)} test images, {args.epochs} epochs at most"
    )
    for fraction in (float(f) for f in args.fractions.split(",")):
        reduced = train[reduce_fraction(data.labels[train], fraction)]
        fit_rel, val_rel = stratified_split(data.labels[reduced], 0.1)
        x, y = data.images[reduced[fit_rel]], data.labels[reduced[fit_rel]]
        fake = rng.integers(0, 255, (len(reduced),) + data.images.shape[1:], dtype="uint8")
        fake_y = rng.integers(0, data.num_classes, len(reduced))
        conditions = {
            "real only": (x, y, False),
            "classical": (x, y, True),
            "real + 100%": (np.concatenate([x, fake]), np.concatenate([y, fake_y]), False),
            "real + classical + 100%": (np.concatenate([x, fake]), np.concatenate([y, fake_y]), True),
            "synthetic only": (fake, fake_y, False),
        }
        total = 0.0
        for name, (images, labels, classical) in conditions.items():
            started = time.perf_counter()
            _, history = train_classifier(
                images,
                labels,
                data.num_classes,
                epochs=args.epochs,
                classical_augmentation=classical,
                validation=(data.images[reduced[val_rel]], data.labels[reduced[val_rel]]),
            )
            seconds = time.perf_counter() - started
            total += seconds
            print(
                f"fraction {fraction:g} ({len(reduced)} real images), {name}: {seconds:.1f} s, {len(history['loss'])} epochs",
                flush=True,
            )
        print(f"fraction {fraction:g}: {total:.1f} s for the five conditions", flush=True)


if __name__ == "__main__":
    main()
