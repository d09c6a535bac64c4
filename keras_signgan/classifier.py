"""The handshape classifier: what the classification score (`metrics`) and the augmentation
experiment (`augment`) train, and what `signgan features train-extractor` turns into a
feature extractor (`keras_signgan.metrics.features.train_feature_extractor`).

A compact VGG-style CNN for small images: three stages of two 3x3 convolutions (batch norm,
ReLU) and 2x2 max pooling, widths `w, 2w, 4w`, global average pooling, dropout, softmax.
It takes uint8-range pixels and scales them itself, so it trains and predicts on the
datasets' uint8 images as they are. Optional classical augmentation (random shifts of up to
10%, rotations of up to 10 degrees, brightness +-20%) runs inside the model in training only.
"""

import keras
import numpy as np
import tensorflow as tf


def build_classifier(num_classes, image_size=32, width=32, dropout=0.3, classical_augmentation=False):
    """An uncompiled Keras classifier `(B, S, S, 3) pixels in [0, 255] -> (B, classes) logits`."""
    inputs = keras.Input((image_size, image_size, 3), name="image")
    x = inputs
    if classical_augmentation:
        x = keras.layers.RandomTranslation(0.1, 0.1, fill_mode="constant", name="random_shift")(x)
        x = keras.layers.RandomRotation(10 / 360, fill_mode="constant", name="random_rotation")(x)
        x = keras.layers.RandomBrightness(0.2, value_range=(0, 255), name="random_brightness")(x)
    x = keras.layers.Rescaling(1 / 127.5, offset=-1.0)(x)
    for stage, filters in enumerate((width, 2 * width, 4 * width)):
        for i in range(2):
            x = keras.layers.Conv2D(filters, 3, padding="same", use_bias=False, name=f"conv_{stage}_{i}")(x)
            x = keras.layers.BatchNormalization(momentum=0.9)(x)
            x = keras.layers.ReLU()(x)
        x = keras.layers.MaxPooling2D(2)(x)
    x = keras.layers.GlobalAveragePooling2D()(x)
    x = keras.layers.Dropout(dropout)(x)
    outputs = keras.layers.Dense(num_classes, name="logits")(x)
    return keras.Model(inputs, outputs, name="handshape_classifier")


def stratified_split(labels, fraction, seed=0):
    """Indices `(kept, held_out)`: about `fraction` of each class held out (at least one
    image of every class with two or more)."""
    labels = np.asarray(labels)
    rng = np.random.default_rng(seed)
    held = []
    for cls in np.unique(labels):
        members = rng.permutation(np.flatnonzero(labels == cls))
        count = int(round(len(members) * fraction))
        if len(members) >= 2:
            count = min(max(count, 1), len(members) - 1)
        else:
            count = 0
        held.extend(members[:count].tolist())
    held = np.sort(np.asarray(held, dtype=int))
    kept = np.setdiff1d(np.arange(len(labels)), held)
    return kept, held


def train_classifier(
    images,
    labels,
    num_classes,
    epochs=40,
    batch_size=64,
    width=32,
    learning_rate=1e-3,
    validation_fraction=0.1,
    patience=8,
    classical_augmentation=False,
    seed=0,
    verbose=0,
    validation=None,
    steps_per_epoch=None,
):
    """Train a classifier with early stopping on a stratified validation part.

    Args:
        images: uint8 (N, S, S, 3). labels: int (N,).
        num_classes: int.
        epochs: int. The most epochs; training stops `patience` epochs after the best
            validation accuracy and keeps that epoch's weights.
        batch_size, width, learning_rate: the usual.
        validation_fraction: float. Held out of `images` for early stopping (0 disables it).
        classical_augmentation: bool. Random shifts, rotations and brightness in training.
        seed: int. Weights, split and batch order.
        verbose: int. Keras fit verbosity.
        validation: `(images, labels)` or None. Early-stopping data to use instead of a part
            of `images` (the augmentation experiment keeps it real).
        steps_per_epoch: int or None. Batches per epoch, drawn from the shuffled, repeated
            images; None: one pass over them. A fixed number gives every training set the
            same number of updates whatever its size (the augmentation experiment's
            comparisons depend on it: 48 images at batch 64 would otherwise train one step
            per epoch).

    Returns:
        (model, history dict).
    """
    if steps_per_epoch is not None and steps_per_epoch < 1:
        raise ValueError(f"steps_per_epoch must be >= 1. Received: steps_per_epoch={steps_per_epoch}")
    keras.utils.set_random_seed(seed)
    images = np.asarray(images)
    labels = np.asarray(labels, dtype="int32")
    model = build_classifier(num_classes, images.shape[1], width=width, classical_augmentation=classical_augmentation)
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    callbacks = []
    if validation is not None:
        validation = (np.asarray(validation[0]).astype("float32"), np.asarray(validation[1], dtype="int32"))
    elif validation_fraction > 0:
        train_idx, val_idx = stratified_split(labels, validation_fraction, seed=seed)
        if len(val_idx):
            validation = (images[val_idx].astype("float32"), labels[val_idx])
            images, labels = images[train_idx], labels[train_idx]
    if validation is not None and len(validation[0]):
        callbacks.append(
            keras.callbacks.EarlyStopping(
                monitor="val_accuracy", patience=patience, restore_best_weights=True, mode="max"
            )
        )
    data = tf.data.Dataset.from_tensor_slices((images, labels)).shuffle(
        len(images), seed=seed, reshuffle_each_iteration=True
    )
    if steps_per_epoch is not None:
        data = data.repeat()
    data = data.batch(batch_size).map(lambda x, y: (tf.cast(x, tf.float32), y)).prefetch(tf.data.AUTOTUNE)
    history = model.fit(
        data,
        epochs=epochs,
        validation_data=validation if callbacks else None,
        callbacks=callbacks,
        verbose=verbose,
        shuffle=False,
        steps_per_epoch=steps_per_epoch,
    )
    return model, history.history


def _logits(model, images, batch_size):
    """float64 logits `(N, classes)` for uint8 images, batch by batch. A direct call, not
    `model.predict`: the study predicts with a new classifier per cell, and every
    `predict` of a new model traces a new function (TensorFlow warns of "retracing")."""
    images = np.asarray(images)
    batches = [
        np.asarray(model(images[i : i + batch_size].astype("float32"), training=False), "float64")
        for i in range(0, len(images), batch_size)
    ]
    return np.concatenate(batches) if batches else np.zeros((0, model.outputs[0].shape[-1]))


def predict_labels(model, images, batch_size=256):
    """Predicted class indices for uint8 images."""
    return np.argmax(_logits(model, images, batch_size), axis=-1)


def predict_probabilities(model, images, batch_size=256):
    """Class probabilities (softmax of the logits), float64 `(N, classes)`, for uint8 images."""
    logits = _logits(model, images, batch_size)
    exp = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return exp / exp.sum(axis=-1, keepdims=True)


def accuracy_per_class(true_labels, predicted, num_classes):
    """`(overall, per_class)` accuracy; classes with no images get NaN."""
    true_labels, predicted = np.asarray(true_labels), np.asarray(predicted)
    per_class = np.full(num_classes, np.nan)
    for cls in range(num_classes):
        mask = true_labels == cls
        if mask.any():
            per_class[cls] = float(np.mean(predicted[mask] == cls))
    overall = float(np.mean(true_labels == predicted)) if len(true_labels) else float("nan")
    return overall, per_class
