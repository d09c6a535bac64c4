"""Train the handshape classifier on a dataset and save its feature layer as a `.keras` model,
for FID/KID with `--features FILE` where ImageNet weights cannot be downloaded.

Usage:
    python scripts/make_feature_extractor.py lsa16 lsa16_features.keras --epochs 40

The saved model maps (B, S, S, 3) images in [-1, 1] (how every extractor is fed) to the
classifier's globally pooled features (4 x width values). Scores computed with it are
comparable with each other, never with FIDs computed with InceptionV3.
"""

import argparse

import keras_signgan  # noqa: F401  (sets the Keras backend)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dataset")
    parser.add_argument("out")
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--width", type=int, default=32)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    import keras
    import numpy as np

    from keras_signgan.classifier import train_classifier
    from keras_signgan.data import load_dataset
    from keras_signgan.io_utils import atomic_path

    data = load_dataset(args.dataset)
    classifier, history = train_classifier(
        data.images, data.labels, data.num_classes, epochs=args.epochs, width=args.width, seed=args.seed
    )
    pooled = next(layer for layer in classifier.layers if isinstance(layer, keras.layers.GlobalAveragePooling2D))
    # The classifier takes [0, 255] pixels; extractors are fed [-1, 1]: map back first.
    inputs = keras.Input(classifier.inputs[0].shape[1:], name="image")
    pixels = keras.layers.Rescaling(127.5, offset=127.5)(inputs)
    features = keras.Model(classifier.inputs, pooled.output)(pixels)
    model = keras.Model(inputs, features, name=f"{data.name.replace('/', '_')}_classifier_features")
    if not args.out.endswith(".keras"):
        parser.error("OUT must end in .keras")
    with atomic_path(args.out) as tmp:  # the temporary name keeps the .keras suffix
        model.save(tmp)
    print(f"validation accuracy {np.max(history.get('val_accuracy', [float('nan')])):.3f}; "
          f"{model.outputs[0].shape[-1]}-d features -> {args.out}")


if __name__ == "__main__":
    main()
