"""The first steps' losses of a training run at a fixed seed, to show that a change to the
code (a faster kernel, a fused op) leaves training the same.

Usage:
    python scripts/loss_trace.py biggan lsa16 --size small --steps 50 --out after.json
    python scripts/loss_trace.py --compare before.json after.json

The run is built and fed exactly as `signgan fit` builds it (same seed: same weights, data
order and noise), with every callback left out; each step's d_loss, g_loss, d_real, d_fake
are recorded. `--compare` prints the largest relative difference per metric and step range.
To judge a difference, compare it with the spread of the same code under another thread
count (`TF_NUM_INTRAOP_THREADS=1`): float sums in another order already move the losses.
"""

import argparse
import json


def trace(model, dataset_name, size, steps, batch_size=None, seed=0):
    import keras

    from keras_signgan.config import TrainConfig
    from keras_signgan.data import load_dataset
    from keras_signgan.data.pipeline import make_training_dataset
    from keras_signgan.training.fit import build_compiled_gan

    config = TrainConfig.create(model, dataset_name, size=size, steps=steps, batch_size=batch_size, seed=seed)
    dataset = load_dataset(config.dataset, image_size=config.image_size)
    config.class_names = list(dataset.class_names)
    keras.utils.set_random_seed(config.seed)
    gan = build_compiled_gan(config)
    rows = []

    class Record(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            rows.append({name: float(value) for name, value in logs.items()})
            for metric in self.model.metrics:
                metric.reset_state()

    data = make_training_dataset(dataset, config.batch_size, seed=config.seed)
    gan.fit(data, epochs=1, steps_per_epoch=steps, verbose=0, callbacks=[Record()], shuffle=False)
    return rows


def compare(before, after, spans=((0, 10), (10, 25), (25, 50), (50, None))):
    names = sorted(before[0])
    steps = min(len(before), len(after))
    print(f"{steps} steps; largest |after - before| / max(|before|, 0.1) per metric:")
    for start, stop in spans:
        stop = steps if stop is None else min(stop, steps)
        if start >= stop:
            continue
        cells = []
        for name in names:
            worst = max(
                abs(a[name] - b[name]) / max(abs(b[name]), 0.1) for a, b in zip(after[start:stop], before[start:stop])
            )
            cells.append(f"{name} {worst:.2e}")
        print(f"  steps {start + 1:3d}-{stop:3d}: " + ", ".join(cells))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("model", nargs="?")
    parser.add_argument("dataset", nargs="?")
    parser.add_argument("--size", default="small")
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--batch-size", type=int)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out")
    parser.add_argument("--compare", nargs=2, metavar=("BEFORE", "AFTER"))
    args = parser.parse_args()
    if args.compare:
        before, after = (json.load(open(path)) for path in args.compare)
        compare(before, after)
        return
    if not (args.model and args.dataset and args.out):
        parser.error("give MODEL DATASET --out FILE, or --compare BEFORE AFTER")
    rows = trace(args.model, args.dataset, args.size, args.steps, args.batch_size, args.seed)
    with open(args.out, "w") as file:
        json.dump(rows, file)
    print(f"{len(rows)} steps -> {args.out}; last: {rows[-1]}")


if __name__ == "__main__":
    main()
