"""The shared train_step, EMA and sampling, on small stand-in networks."""

import inspect

import keras
import numpy as np
import pytest
import tensorflow as tf
from keras import layers

from keras_signgan.models.gan import ConditionalGAN
from keras_signgan.models.sampling import sample_latents

NUM_CLASSES, SIZE, Z_DIM = 3, 8, 4


def tiny_networks():
    z = keras.Input((Z_DIM,), name="z")
    label = keras.Input((), name="label", dtype="int32")
    h = layers.Concatenate()([z, layers.Embedding(NUM_CLASSES, 4)(label)])
    h = layers.Dense(SIZE * SIZE * 3)(h)
    h = layers.BatchNormalization()(h)
    images = layers.Activation("tanh", dtype="float32")(layers.Reshape((SIZE, SIZE, 3))(h))
    generator = keras.Model([z, label], images, name="generator")

    image = keras.Input((SIZE, SIZE, 3), name="image")
    label = keras.Input((), name="label", dtype="int32")
    h = layers.Concatenate()([layers.Flatten()(image), layers.Embedding(NUM_CLASSES, 4)(label)])
    logits = layers.Dense(1, dtype="float32")(layers.Dense(8, activation="relu")(h))
    discriminator = keras.Model([image, label], logits, name="discriminator")
    return generator, discriminator


def make_gan(**kwargs):
    generator, discriminator = tiny_networks()
    gan = ConditionalGAN(generator, discriminator, num_classes=NUM_CLASSES, **kwargs)
    gan.compile(d_optimizer=keras.optimizers.Adam(1e-2), g_optimizer=keras.optimizers.Adam(1e-2))
    return gan


def twin_gans(loss, **option):
    """A GAN and one with `option` added, from the same initial weights (seed 0)."""
    keras.utils.set_random_seed(0)
    plain = make_gan(loss=loss)
    keras.utils.set_random_seed(0)
    return plain, make_gan(loss=loss, **option)


def batch(seed=0, n=6):
    rng = np.random.default_rng(seed)
    images = rng.uniform(-1, 1, (n, SIZE, SIZE, 3)).astype("float32")
    labels = rng.integers(0, NUM_CLASSES, n).astype("int32")
    return images, labels


@pytest.mark.parametrize("loss", ["bce", "wasserstein", "hinge"])
def test_train_step_updates_both_networks_with_finite_losses(loss):
    gan = make_gan(loss=loss, n_critic=2)
    g_before = [w.numpy().copy() for w in gan.generator.trainable_weights]
    d_before = [w.numpy().copy() for w in gan.discriminator.trainable_weights]
    logs = gan.train_step(batch())
    assert all(np.isfinite(float(v)) for v in logs.values())
    assert set(logs) == {"d_loss", "g_loss", "d_real", "d_fake"}
    assert any(not np.allclose(a, w.numpy()) for a, w in zip(g_before, gan.generator.trainable_weights))
    assert any(not np.allclose(a, w.numpy()) for a, w in zip(d_before, gan.discriminator.trainable_weights))
    assert int(gan.step.numpy()) == 1
    # n_critic discriminator updates, one generator update.
    assert int(gan.d_optimizer.iterations.numpy()) == 2
    assert int(gan.g_optimizer.iterations.numpy()) == 1


def test_ema_moves_toward_the_generator():
    gan = make_gan(ema_decay=0.5, ema_start=0)
    ema_before = [w.numpy().copy() for w in gan.ema_generator.trainable_weights]
    gan.train_step(batch())
    for old, ema, new in zip(ema_before, gan.ema_generator.trainable_weights, gan.generator.trainable_weights):
        np.testing.assert_allclose(ema.numpy(), 0.5 * old + 0.5 * new.numpy(), rtol=1e-5, atol=1e-6)
    assert gan.sampling_generator is gan.ema_generator


def test_ema_copies_before_ema_start():
    gan = make_gan(ema_decay=0.9, ema_start=100)
    gan.train_step(batch())
    for ema, new in zip(gan.ema_generator.weights, gan.generator.weights):
        np.testing.assert_allclose(ema.numpy(), new.numpy())


def test_training_noise_depends_on_step_not_on_call_count():
    gan = make_gan()
    first = gan._noise(4, 0).numpy()
    again = gan._noise(4, 0).numpy()
    np.testing.assert_array_equal(first, again)
    assert not np.allclose(first, gan._noise(4, 1).numpy())
    gan.step.assign(5)
    assert not np.allclose(first, gan._noise(4, 0).numpy())


def test_sample_is_uint8_and_repeatable():
    gan = make_gan()
    labels = [0, 1, 2, 2]
    a = gan.sample(labels, seed=3)
    assert a.dtype == np.uint8 and a.shape == (4, SIZE, SIZE, 3)
    np.testing.assert_array_equal(a, gan.sample(labels, seed=3))
    assert not np.array_equal(a, gan.sample(labels, seed=4))
    with pytest.raises(ValueError, match="labels must lie"):
        gan.sample([NUM_CLASSES])


def test_truncated_latents_stay_inside_the_bound():
    z = sample_latents(500, 8, seed=0, truncation=0.5)
    assert z.shape == (500, 8) and np.abs(z).max() <= 0.5
    np.testing.assert_array_equal(z, sample_latents(500, 8, seed=0, truncation=0.5))
    assert np.abs(sample_latents(500, 8, seed=0)).max() > 2.0


def test_refreshing_ema_statistics_updates_the_ema_alone():
    from keras_signgan.config import TrainConfig
    from keras_signgan.models.build import build_gan

    config = TrainConfig.create("biggan", "toy", size="tiny")
    config.class_names = list("ABCD")
    gan = build_gan(config)
    ema, live = gan.ema_generator, gan.generator
    before_ema = {w.path: np.array(w.numpy()) for w in ema.weights}
    before_live = [np.array(w.numpy()) for w in live.weights]
    gan.refresh_ema_statistics(num_samples=16)
    assert ema.trainable is False
    changed = {w.path for w in ema.weights if not np.array_equal(before_ema[w.path], w.numpy())}
    assert any("moving_mean" in path for path in changed) and any("moving_variance" in path for path in changed)
    assert not any("embedding" in path for path in changed)
    kernel = gan.ema_generator.get_layer("attention").query.layer.kernel.numpy()
    assert np.linalg.svd(kernel.reshape(-1, kernel.shape[-1]), compute_uv=False)[0] == pytest.approx(1.0, rel=0.1)
    assert all(np.array_equal(a, w.numpy()) for a, w in zip(before_live, live.weights))


def test_standing_statistics_for_samples_during_training_leave_the_ema_as_it_was():
    from keras_signgan.config import TrainConfig
    from keras_signgan.models.build import build_gan
    from keras_signgan.models.networks import batch_norm_layers

    config = TrainConfig.create("biggan", "toy", size="tiny")
    config.class_names = list("ABCD")
    gan = build_gan(config)
    norms = batch_norm_layers(gan.ema_generator)
    assert len(norms) == 3 * 2 + 1  # three blocks of two conditional batch norms, and output_bn
    momenta = [layer.momentum for layer in norms]
    before = [np.array(w.numpy()) for w in gan.ema_generator.weights]
    with gan.ema_standing_statistics(num_samples=16):
        inside = [np.array(w.numpy()) for w in gan.ema_generator.weights]
    assert any(not np.array_equal(a, b) for a, b in zip(before, inside))
    assert all(np.array_equal(a, w.numpy()) for a, w in zip(before, gan.ema_generator.weights))
    assert [layer.momentum for layer in norms] == momenta and gan.ema_generator.trainable is False


def test_a_batch_norm_the_walk_cannot_reach_is_an_error():
    from keras_signgan.models.networks import batch_norm_layers

    class Hidden(keras.layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.norm = layers.BatchNormalization()

        def call(self, x):
            return self.norm(x)

    inputs = keras.Input((4,))
    with pytest.raises(ValueError, match="batch_norm_layers"):
        batch_norm_layers(keras.Model(inputs, Hidden()(inputs)))


def test_lecam_term_adds_the_squared_excess_over_the_moving_averages():
    images, labels = batch(seed=5)
    plain, regularised = twin_gans("hinge", lecam_weight=10.0)
    real = plain.discriminator([images, labels], training=False).numpy().reshape(-1)
    np.testing.assert_allclose(real, regularised.discriminator([images, labels], training=False).numpy().reshape(-1))
    logs_plain = plain.train_step((images, labels))
    logs_reg = regularised.train_step((images, labels))
    # At the first step the averages are the batch's own mean logits.
    averages = regularised.lecam_averages.numpy()
    assert np.isfinite(averages).all()
    assert averages[0] == pytest.approx(float(logs_reg["d_real"]), rel=1e-5)
    # Real logits above the fake average add a positive term: the D loss grows.
    assert (real > averages[1]).any()
    assert float(logs_reg["d_loss"]) > float(logs_plain["d_loss"])
    with pytest.raises(ValueError, match="lecam_weight"):
        make_gan(lecam_weight=-1.0)


def test_r1_adds_the_weighted_squared_gradient_at_the_real_images_to_the_d_loss():
    images, labels = batch(seed=7)
    plain, regularised = twin_gans("wasserstein", r1=10.0)
    from keras_signgan.models import regularizers

    expected = 10.0 * float(
        regularizers.r1_penalty(regularised.discriminator, tf.constant(images), tf.constant(labels), 6.0)
    )
    assert expected > 0
    d_plain = float(plain.train_step((images, labels))["d_loss"])
    d_reg = float(regularised.train_step((images, labels))["d_loss"])
    # Same initial weights and noise: the D losses differ by the penalty (no DiffAugment).
    assert d_reg - d_plain == pytest.approx(expected, rel=1e-4)
    with pytest.raises(ValueError, match="r1"):
        make_gan(r1=-1.0)


def test_gradient_penalty_and_drift_of_a_linear_critic():
    # D(x) = <w, x> has gradient w everywhere: the penalty is (|w| - 1)^2 at every point.
    import keras
    import tensorflow as tf

    from keras_signgan.config import TrainConfig
    from keras_signgan.models import regularizers
    from keras_signgan.models.build import build_gan

    config = TrainConfig.create("wcgan", "toy", size="tiny", gradient_penalty=10.0, drift=0.001)
    config.class_names = ["a", "b"]
    gan = build_gan(config)
    assert gan.gradient_penalty == 10.0 and gan.drift == 0.001
    assert "d_grad_norm" in [m.name for m in gan.metrics]
    image, label = keras.Input((4, 4, 3)), keras.Input((), dtype="int32")
    critic = keras.Model([image, label], keras.layers.Dense(1, use_bias=False)(keras.layers.Flatten()(image)))
    w = np.random.default_rng(0).normal(size=(48, 1)).astype("float32")
    w *= 3.0 / np.linalg.norm(w)
    critic.layers[-1].kernel.assign(w)
    gan.discriminator = critic
    real = tf.random.normal((6, 4, 4, 3))
    fake = tf.random.normal((6, 4, 4, 3))
    penalty, norm = gan._gradient_penalty(real, fake, tf.zeros((6,), "int32"), 6.0, 0)
    assert float(norm) == pytest.approx(3.0, rel=1e-5)
    assert float(penalty) == pytest.approx(4.0, rel=1e-5)
    # R1 is zero-centred: the same linear critic pays |w|^2 / 2 = 4.5 on every real image,
    # and a unit-slope one, which WGAN-GP lets pass, still pays 0.5.
    assert float(regularizers.r1_penalty(critic, real, tf.zeros((6,), "int32"), 6.0)) == pytest.approx(4.5, rel=1e-5)
    critic.layers[-1].kernel.assign(w / 3.0)
    assert float(gan._gradient_penalty(real, fake, tf.zeros((6,), "int32"), 6.0, 0)[0]) == pytest.approx(0.0, abs=1e-6)
    assert float(regularizers.r1_penalty(critic, real, tf.zeros((6,), "int32"), 6.0)) == pytest.approx(0.5, rel=1e-5)
    # WCGAN's defaults hold the critic by the gradient penalty alone; BigGAN's keep no penalty.
    plain = TrainConfig.create("wcgan", "toy", size="tiny")
    plain.class_names = ["a", "b"]
    assert build_gan(plain).gradient_penalty == 10.0 and build_gan(plain).r1 == 0.0
    biggan = TrainConfig.create("biggan", "toy", size="tiny")
    biggan.class_names = ["a", "b"]
    assert build_gan(biggan).gradient_penalty == 0.0 and "d_grad_norm" not in [
        m.name for m in build_gan(biggan).metrics
    ]


def test_the_private_keras_method_the_gan_overrides_for_multi_worker_fit_is_still_called():
    # ConditionalGAN._maybe_symbolic_build skips Keras' eager symbolic build, which fails
    # under MultiWorkerMirroredStrategy; if Keras renames or drops it, the override is dead
    # and multi-worker fit breaks again: this test says so first.
    from keras.src.backend.tensorflow.trainer import TensorFlowTrainer

    assert hasattr(keras.Model, "_maybe_symbolic_build")
    assert list(inspect.signature(TensorFlowTrainer._maybe_symbolic_build).parameters) == [
        "self",
        "iterator",
        "data_batch",
    ]
    assert "self._maybe_symbolic_build(" in inspect.getsource(TensorFlowTrainer.fit)
    assert ConditionalGAN._maybe_symbolic_build is not keras.Model._maybe_symbolic_build


def test_mode_seeking_penalty_charges_a_generator_that_ignores_its_latent():
    from keras_signgan.models import regularizers

    z = tf.constant(np.random.default_rng(0).normal(size=(6, 4)), "float32")
    # Images that move with z: pair (i, 3 + i) lies |z_i - z_3+i| apart per entry.
    moving = tf.reshape(tf.tile(z, (1, 12)), (6, 4, 4, 3))
    penalty = float(regularizers.mode_seeking_penalty(moving, z, 6.0))
    # Each pair's ratio is 1 (same mean absolute distance): 3 pairs * 1/(1 + 1e-5) / 3.
    assert penalty == pytest.approx(1.0, rel=1e-4)
    doubled = float(regularizers.mode_seeking_penalty(2.0 * moving, z, 6.0))
    assert doubled == pytest.approx(0.5, rel=1e-4)
    # A generator that draws one image per class pays 1e5 per pair.
    frozen = tf.zeros((6, 4, 4, 3))
    assert float(regularizers.mode_seeking_penalty(frozen, z, 6.0)) == pytest.approx(1e5, rel=1e-3)


def test_mode_seeking_pairs_labels_and_adds_its_term_to_the_g_loss():
    images, labels = batch(seed=3)
    plain, seeking = twin_gans("hinge", mode_seeking=1.0)
    g_plain = float(plain.train_step((images, labels))["g_loss"])
    g_seeking = float(seeking.train_step((images, labels))["g_loss"])
    # The reciprocal of a ratio is positive: the term raises the G loss.
    assert g_seeking > g_plain
    with pytest.raises(ValueError, match="mode_seeking"):
        make_gan(mode_seeking=-1.0)
    from keras_signgan.config import TrainConfig
    from keras_signgan.models.build import build_gan

    config = TrainConfig.create("biggan", "toy", size="tiny", mode_seeking=0.5)
    config.class_names = ["a", "b"]
    assert build_gan(config).mode_seeking == 0.5
    assert TrainConfig.create("biggan", "toy", size="tiny").mode_seeking == 0.0


def test_consistency_penalty_is_the_squared_logit_difference_of_two_views():
    from keras_signgan.models import regularizers

    _, discriminator = tiny_networks()
    images, labels = (tf.constant(a) for a in batch(seed=5))
    logits = discriminator([images, labels], training=False)
    # The same view scores the same logits: nothing to pay.
    assert float(regularizers.consistency_penalty(discriminator, images, labels, logits, 6.0)) == 0.0
    shifted = tf.roll(images, shift=1, axis=2)
    expected = np.sum((discriminator([shifted, labels]).numpy() - logits.numpy()) ** 2) / 12.0
    assert expected > 0
    penalty = float(regularizers.consistency_penalty(discriminator, shifted, labels, logits, 12.0))
    assert penalty == pytest.approx(expected, rel=1e-5)


def test_consistency_adds_its_term_to_the_d_loss_and_needs_diffaugment():
    images, labels = batch(seed=9)
    keras.utils.set_random_seed(0)
    plain = make_gan(loss="hinge", diffaugment="translation,cutout")
    keras.utils.set_random_seed(0)
    regularised = make_gan(loss="hinge", diffaugment="translation,cutout", consistency=10.0)
    d_plain = plain.train_step((images, labels))
    d_reg = regularised.train_step((images, labels))
    # Same weights, noise and first views (the second view is drawn after them): the real
    # and fake logits agree and the D loss grows by the (positive) consistency term.
    assert float(d_reg["d_real"]) == pytest.approx(float(d_plain["d_real"]), abs=1e-6)
    assert float(d_reg["d_loss"]) > float(d_plain["d_loss"]) + 1e-6
    with pytest.raises(ValueError, match="diffaugment"):
        make_gan(consistency=1.0)
    with pytest.raises(ValueError, match="consistency"):
        make_gan(diffaugment="translation", consistency=-1.0)
    from keras_signgan.config import TrainConfig
    from keras_signgan.errors import ConfigError
    from keras_signgan.models.build import build_gan

    config = TrainConfig.create("biggan", "toy", size="tiny", consistency=10.0)
    config.class_names = ["a", "b"]
    assert build_gan(config).consistency == 10.0
    assert TrainConfig.create("biggan", "toy", size="tiny").consistency == 0.0
    with pytest.raises(ConfigError, match="--diffaugment"):
        TrainConfig.create("biggan", "toy", size="tiny", consistency=1.0, diffaugment="")
