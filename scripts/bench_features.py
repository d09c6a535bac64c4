"""Feature-extraction throughput and peak memory of the FID/KID pipeline.

Usage:
    python scripts/bench_features.py                         # 10,000 images, InceptionV3
    python scripts/bench_features.py --num-images 2000 --weights imagenet --batch-size 128

Runs `--num-images` random 32x32 uint8 images through the same path `signgan evaluate`
takes (resize to 299x299, InceptionV3 average pool, streaming float64 mean/covariance),
in chunks of 500, and prints images/s and the process's peak resident memory. `--weights
none` (the default) gives the same computation as the ImageNet weights without a download.
"""

import argparse
import resource
import time

import keras_signgan  # noqa: F401  (sets the Keras backend)


def peak_rss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--num-images", type=int, default=10_000)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--weights", choices=["none", "imagenet"], default="none")
    parser.add_argument("--image-size", type=int, default=32)
    args = parser.parse_args()

    import numpy as np
    import tensorflow as tf

    from keras_signgan.metrics import RunningStatistics
    from keras_signgan.metrics.evaluate import CHUNK
    from keras_signgan.metrics.features import inception_extractor

    extractor = inception_extractor(weights=None if args.weights == "none" else "imagenet", batch_size=args.batch_size)
    rng = np.random.default_rng(0)
    warm = rng.integers(0, 255, (args.batch_size, args.image_size, args.image_size, 3), dtype="uint8")
    extractor(warm)  # trace once
    baseline = peak_rss_mib()
    stats = RunningStatistics()
    start = time.perf_counter()
    for done in range(0, args.num_images, CHUNK):
        count = min(CHUNK, args.num_images - done)
        images = rng.integers(0, 255, (count, args.image_size, args.image_size, 3), dtype="uint8")
        stats.update(extractor(images))
    seconds = time.perf_counter() - start
    mu, sigma = stats.mean, stats.covariance
    print(f"TensorFlow {tf.__version__}, devices: {[d.name for d in tf.config.list_logical_devices()]}")
    print(f"extractor {extractor.identifier}, {extractor.dim}-d features, batch {args.batch_size}")
    print(f"{args.num_images:,} images in {seconds:.1f} s: {args.num_images / seconds:.1f} images/s")
    print(f"peak RSS after warm-up {baseline:,.0f} MiB, at the end {peak_rss_mib():,.0f} MiB "
          f"(statistics: mu {mu.shape}, sigma {sigma.shape}, float64)")


if __name__ == "__main__":
    main()
