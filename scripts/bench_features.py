"""Feature-extraction throughput and peak memory of the FID/KID pipeline.

Usage:
    python scripts/bench_features.py                         # 10,000 images, InceptionV3
    python scripts/bench_features.py --num-images 2000 --weights imagenet --batch-size 128
    python scripts/bench_features.py --features fid-inception --num-images 2000
    python scripts/bench_features.py --features fid-inception --compare --num-images 640

Runs `--num-images` random 32x32 uint8 images through the same path `signgan evaluate`
takes (resize to 299x299, the extractor's 2048-d average pool, streaming float64
mean/covariance), in chunks of 500, and prints images/s and the process's peak resident
memory. `--features inception` is Keras' InceptionV3, `fid-inception` the FID Inception
(pytorch-fid's network). `--weights none` (the default) gives the same computation as the
real weights without a download or a conversion; `--weights imagenet` uses the real ones
(InceptionV3: Keras' download; fid-inception: the converted cache). `--compare` also runs
Keras' InceptionV3 (random weights) on the same chunks, alternating which goes first, so
both see the same load on a shared machine, and prints both rates (wall clock and per
CPU-second) and their ratio; the peak memory then holds both models.
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
    parser.add_argument("--features", choices=["inception", "fid-inception"], default="inception")
    parser.add_argument("--weights", choices=["none", "imagenet"], default="none")
    parser.add_argument("--image-size", type=int, default=32)
    parser.add_argument("--compare", action="store_true", help="alternate with Keras InceptionV3 and print the ratio")
    args = parser.parse_args()

    import numpy as np
    import tensorflow as tf

    from keras_signgan.metrics import RunningStatistics
    from keras_signgan.metrics.evaluate import CHUNK
    from keras_signgan.metrics.features import FeatureExtractor, fid_inception_extractor, inception_extractor
    from keras_signgan.metrics.fid_inception import fid_inception_v3

    if args.features == "inception":
        extractor = inception_extractor(
            weights=None if args.weights == "none" else "imagenet", batch_size=args.batch_size
        )
    elif args.weights == "none":
        extractor = FeatureExtractor(fid_inception_v3(), "fid_inception_random_init", batch_size=args.batch_size)
    else:
        extractor = fid_inception_extractor(batch_size=args.batch_size)
    extractors = [extractor]
    if args.compare:
        extractors.append(inception_extractor(weights=None, batch_size=args.batch_size))
    rng = np.random.default_rng(0)
    warm = rng.integers(0, 255, (args.batch_size, args.image_size, args.image_size, 3), dtype="uint8")
    for each in extractors:
        each(warm)  # trace once
    baseline = peak_rss_mib()
    stats = RunningStatistics()
    wall, cpu = [0.0] * len(extractors), [0.0] * len(extractors)
    chunk = args.batch_size if args.compare else CHUNK  # alternate often when comparing
    for index, done in enumerate(range(0, args.num_images, chunk)):
        count = min(chunk, args.num_images - done)
        images = rng.integers(0, 255, (count, args.image_size, args.image_size, 3), dtype="uint8")
        order = list(range(len(extractors)))
        for k in order if index % 2 == 0 else order[::-1]:
            start, start_cpu = time.perf_counter(), time.process_time()
            features = extractors[k](images)
            wall[k] += time.perf_counter() - start
            cpu[k] += time.process_time() - start_cpu
            if k == 0:
                stats.update(features)
    mu, sigma = stats.mean, stats.covariance
    print(f"TensorFlow {tf.__version__}, devices: {[d.name for d in tf.config.list_logical_devices()]}")
    for k, each in enumerate(extractors):
        print(
            f"extractor {each.identifier}, {each.dim}-d features, batch {args.batch_size}: {args.num_images:,} images "
            f"in {wall[k]:.1f} s: {args.num_images / wall[k]:.1f} images/s ({args.num_images / cpu[k]:.1f} per CPU-second)"
        )
    if args.compare:
        print(
            f"{extractors[0].identifier} takes {wall[0] / wall[1]:.3f}x the time of {extractors[1].identifier} "
            f"({cpu[0] / cpu[1]:.3f}x the CPU time)"
        )
    print(
        f"peak RSS after warm-up {baseline:,.0f} MiB, at the end {peak_rss_mib():,.0f} MiB "
        f"(statistics: mu {mu.shape}, sigma {sigma.shape}, float64)"
    )


if __name__ == "__main__":
    main()
