"""The classification score: does a classifier trained on real images recognise generated ones?"""

import numpy as np

from keras_signgan.classifier import accuracy_per_class, predict_labels, train_classifier


def train_real_classifier(images, labels, num_classes, epochs=40, seed=0):
    """The score's classifier, trained on real images with early stopping on 10% of them.

    Returns:
        `(model, real_val_accuracy)`: the accuracy on the held-out real images is the
        ceiling to compare the score with (None when nothing was held out).
    """
    classifier, history = train_classifier(images, labels, num_classes, epochs=epochs, seed=seed)
    real_val_accuracy = float(np.max(history["val_accuracy"])) if history.get("val_accuracy") else None
    return classifier, real_val_accuracy


def classification_score(
    real_images, real_labels, fake_images, fake_labels, num_classes, epochs=40, seed=0, classifier=None
):
    """Train the handshape classifier on the real images, classify the generated ones.

    Args:
        real_images, real_labels: the real training data (uint8, int).
        fake_images, fake_labels: generated images and the classes they were asked for.
        num_classes: int.
        epochs: int. The classifier's most epochs (early stopping on 10% of the real data).
        seed: int.
        classifier: a trained Keras classifier to use instead of training one.

    Returns:
        dict: `accuracy` (generated images recognised as their class), `per_class`
        (array, NaN where no images), `real_val_accuracy` (the classifier's accuracy on its
        held-out real images: the ceiling to compare with; None when given a classifier).
    """
    real_val_accuracy = None
    if classifier is None:
        classifier, real_val_accuracy = train_real_classifier(real_images, real_labels, num_classes, epochs, seed)
    predicted = predict_labels(classifier, fake_images)
    accuracy, per_class = accuracy_per_class(fake_labels, predicted, num_classes)
    return {"accuracy": accuracy, "per_class": per_class, "real_val_accuracy": real_val_accuracy}
