"""keras_signgan.classifier: predictions batch by batch, without model.predict."""

import numpy as np

from keras_signgan.classifier import build_classifier, predict_labels, predict_probabilities


def _model_and_images():
    model = build_classifier(num_classes=4, image_size=8, width=4, classical_augmentation=True)
    images = np.random.default_rng(0).integers(0, 256, (5, 8, 8, 3), dtype="uint8")
    return model, images


def test_probabilities_are_the_softmax_of_the_inference_logits_across_batches():
    model, images = _model_and_images()
    logits = np.asarray(model(images.astype("float32"), training=False), "float64")
    expected = np.exp(logits) / np.exp(logits).sum(axis=-1, keepdims=True)
    # 5 images in batches of 2: the last batch is short.
    probabilities = predict_probabilities(model, images, batch_size=2)
    np.testing.assert_allclose(probabilities, expected, rtol=1e-6, atol=1e-9)
    np.testing.assert_array_equal(predict_labels(model, images, batch_size=2), logits.argmax(axis=-1))
    # Inference mode: the classical augmentation layers leave the images alone, so it repeats.
    np.testing.assert_allclose(predict_probabilities(model, images, batch_size=3), probabilities, rtol=1e-5)


def test_no_images_give_empty_predictions():
    model, images = _model_and_images()
    assert predict_probabilities(model, images[:0]).shape == (0, 4)
    assert predict_labels(model, images[:0]).shape == (0,)
