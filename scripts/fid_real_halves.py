"""The real-vs-real floor: FID and KID between two halves of one dataset.

Usage:
    python scripts/fid_real_halves.py lsa16 --features fid-inception
    python scripts/fid_real_halves.py lsa64 --features inception

Splits the dataset, in its loading order, into the even-indexed and the odd-indexed images
(LSA16: 400 and 400, 25 of every class in each, every subject in both) and prints the FID
and KID between the halves: what a generator indistinguishable from the data would score
at that number of images. FID at 400 images is biased upwards (see the README): compare a
generator's FID with this floor only at the same image count.
"""

import argparse
import time

import keras_signgan  # noqa: F401  (sets the Keras backend)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dataset", help="a dataset name or path")
    parser.add_argument("--features", default="fid-inception", help="inception, fid-inception or a .keras model")
    parser.add_argument("--batch-size", type=int, default=50)
    args = parser.parse_args()

    from keras_signgan.data import load_dataset
    from keras_signgan.metrics import RunningStatistics, frechet_distance, kernel_inception_distance
    from keras_signgan.metrics.features import load_extractor

    dataset = load_dataset(args.dataset)
    extractor = load_extractor(args.features, batch_size=args.batch_size)
    start = time.perf_counter()
    features = extractor(dataset.images)
    seconds = time.perf_counter() - start
    even, odd = features[0::2], features[1::2]
    a, b = RunningStatistics().update(even), RunningStatistics().update(odd)
    fid = frechet_distance(a.mean, a.covariance, b.mean, b.covariance)
    kid, kid_std = kernel_inception_distance(even, odd)
    print(
        f"{dataset.name}: {len(even):,} even-indexed vs {len(odd):,} odd-indexed images, features {extractor.identifier}"
    )
    print(f"FID {fid:.3f}   KID {kid:.5f} +- {kid_std:.5f}   ({len(features):,} images in {seconds:.0f} s)")


if __name__ == "__main__":
    main()
