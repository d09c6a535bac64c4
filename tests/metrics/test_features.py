"""Feature extractors made from the handshape classifier."""

import keras
import numpy as np

from keras_signgan.classifier import build_classifier
from keras_signgan.metrics.features import FeatureExtractor, classifier_features


def test_classifier_features_see_the_pixels_the_classifier_sees():
    classifier = build_classifier(3, 32, width=4)
    images = np.random.default_rng(0).integers(0, 256, (5, 32, 32, 3), dtype="uint8")
    pooled = next(layer for layer in classifier.layers if isinstance(layer, keras.layers.GlobalAveragePooling2D))
    expected = np.asarray(keras.Model(classifier.inputs, pooled.output)(images.astype("float32"), training=False))
    # FeatureExtractor feeds [-1, 1]; the extractor maps that back to the classifier's [0, 255].
    features = FeatureExtractor(classifier_features(classifier), "classifier", batch_size=8)(images)
    assert features.shape == (5, 16)
    np.testing.assert_allclose(features, expected, rtol=1e-4, atol=1e-5)
