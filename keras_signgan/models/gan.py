"""`ConditionalGAN`: the shared base of the three GANs, owning `train_step`."""

import contextlib

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from keras_signgan.layers import DiffAugment
from keras_signgan.models import sampling
from keras_signgan.models.losses import check_loss, discriminator_loss, generator_loss


def batch_norm_layers(model):
    """Every `BatchNormalization` in `model`, reached through public attributes: the `layers`
    of the model (and of models nested in it), and the `batch_norm_layers` of layers that keep
    batch norms inside them (`ConditionalBatchNormalization`, BigGAN's `GeneratorBlock`).

    Raises ValueError when the model holds moving statistics the walk did not reach (a
    layer keeping a batch norm without listing it in `batch_norm_layers`).
    """
    found = []
    for layer in model.layers:
        if isinstance(layer, keras.layers.BatchNormalization):
            found.append(layer)
        elif isinstance(layer, keras.Model):
            found.extend(batch_norm_layers(layer))
        else:
            found.extend(getattr(layer, "batch_norm_layers", []))
    held = [v.path for v in model.non_trainable_variables if v.path.endswith("moving_mean")]
    if len(held) != len(found):
        raise ValueError(
            f"{model.name} has {len(held)} batch-norm moving means but {len(found)} batch norms were found: "
            "a layer keeping a BatchNormalization inside must list it in a `batch_norm_layers` property."
        )
    return found


class ConditionalGAN(keras.Model):
    """A class-conditional GAN: a generator, a discriminator and their training step.

    Each `train_step` runs `n_critic` discriminator updates and one generator update, each
    under its own tape touching only that network's variables. Real and generated batches
    go through the same DiffAugment policy before the discriminator (Zhao et al. 2020), and
    both pass through the discriminator in one concatenated batch. Losses are summed per
    example and divided by the global batch size, so gradients are right under
    `tf.distribute` (which sums them across replicas). Latents are drawn statelessly from
    `(seed, step, replica)`, so a resumed run draws the same noise as an uninterrupted one
    and replicas draw different noise. An exponential moving average of the generator's
    weights (`ema_decay`) is kept for sampling, evaluation and export.

    Args:
        generator: keras.Model. Inputs `[z (B, z_dim) float32, label (B,) int32]`, output
            images in [-1, 1] of shape (B, H, W, 3).
        discriminator: keras.Model. Inputs `[image (B, H, W, 3), label (B,) int32]`,
            output logits (B, 1).
        num_classes: int. Number of classes.
        loss: str. One of "bce", "wasserstein", "hinge". Defaults to the class's
            `default_loss`.
        n_critic: int. Discriminator updates per generator update. Defaults to the class's
            `default_n_critic`.
        diffaugment: str. A DiffAugment policy such as "color,translation,cutout"; "" for
            none. Defaults to "".
        ema_decay: float or None. Decay of the generator's weight average; None keeps no
            average. Defaults to None.
        ema_start: int. Step before which the average simply copies the generator.
            Defaults to 0.
        truncation: float or None. Default truncation for `sample`. Defaults to None.
        seed: int. Seed of the training noise. Defaults to 0.
        lecam_weight: float. Weight of the LeCam regulariser on the discriminator (Tseng et
            al. 2021, "Regularizing Generative Adversarial Networks under Limited Data"):
            `mean(relu(D(x) - a_fake)^2) + mean(relu(a_real - D(G(z)))^2)`, where `a_real`,
            `a_fake` are moving averages (decay 0.99) of the mean real and fake logits. It
            keeps the discriminator's outputs from drifting apart on a small dataset.
            0 turns it off. Defaults to 0.
    """

    default_loss = "hinge"
    default_n_critic = 1
    # A family sets these to the builders in its networks.py (see `models.build.build_gan`).
    generator_builder = None
    discriminator_builder = None

    def __init__(
        self,
        generator,
        discriminator,
        num_classes,
        loss=None,
        n_critic=None,
        diffaugment="",
        ema_decay=None,
        ema_start=0,
        truncation=None,
        seed=0,
        lecam_weight=0.0,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.generator = generator
        self.discriminator = discriminator
        self.num_classes = int(num_classes)
        self.z_dim = int(generator.inputs[0].shape[-1])
        self.image_size = int(generator.outputs[0].shape[1])
        self.loss_kind = check_loss(loss or self.default_loss)
        self.n_critic = int(n_critic or self.default_n_critic)
        if self.n_critic < 1:
            raise ValueError(f"n_critic must be >= 1. Received: n_critic={n_critic}")
        self.diffaugment = diffaugment or ""
        self.augmenter = None
        if self.diffaugment:
            self.augmenter = DiffAugment(self.diffaugment, seed=seed, name="diff_augment")
        self.ema_decay = ema_decay
        self.ema_start = int(ema_start)
        self.truncation = truncation
        self.seed = int(seed)
        self.ema_generator = None
        if ema_decay is not None:
            self.ema_generator = keras.models.clone_model(generator)
            self.ema_generator.set_weights(generator.get_weights())
            self.ema_generator.trainable = False
        self.step = self.add_weight(
            shape=(),
            dtype="int64",
            initializer="zeros",
            trainable=False,
            aggregation="only_first_replica",
            name="step",
        )
        self.lecam_weight = float(lecam_weight)
        if self.lecam_weight < 0:
            raise ValueError(f"lecam_weight must be >= 0. Received: lecam_weight={lecam_weight}")
        self.lecam_averages = None
        if self.lecam_weight:
            # (mean real logit, mean fake logit); NaN until the first step sets them.
            self.lecam_averages = self.add_weight(
                shape=(2,), dtype="float32", initializer=keras.initializers.Constant(float("nan")),
                trainable=False, aggregation="mean", name="lecam_averages",
            )
        self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
        self.g_loss_tracker = keras.metrics.Mean(name="g_loss")
        self.d_real_tracker = keras.metrics.Mean(name="d_real")
        self.d_fake_tracker = keras.metrics.Mean(name="d_fake")
        # The networks are functional models, built already; `fit` need not trace `call`.
        self.built = True

    @property
    def metrics(self):
        return [self.d_loss_tracker, self.g_loss_tracker, self.d_real_tracker, self.d_fake_tracker]

    @property
    def sampling_generator(self):
        """The generator used for samples, evaluation and export (the EMA one if kept)."""
        return self.ema_generator if self.ema_generator is not None else self.generator

    def compile(self, d_optimizer, g_optimizer, **kwargs):
        """Set both optimizers and build their state.

        Under a `mixed_float16` policy both are wrapped in a LossScaleOptimizer (Keras
        wraps only `compile(optimizer=...)`). Call inside the strategy's scope.
        """
        super().compile(**kwargs)
        if keras.mixed_precision.global_policy().name == "mixed_float16":
            if not isinstance(d_optimizer, keras.optimizers.LossScaleOptimizer):
                d_optimizer = keras.optimizers.LossScaleOptimizer(d_optimizer)
            if not isinstance(g_optimizer, keras.optimizers.LossScaleOptimizer):
                g_optimizer = keras.optimizers.LossScaleOptimizer(g_optimizer)
        self.d_optimizer = d_optimizer
        self.g_optimizer = g_optimizer
        # Built eagerly: a lazy build inside a distributed step fails (KERAS_NOTES).
        self.d_optimizer.build(self.discriminator.trainable_variables)
        self.g_optimizer.build(self.generator.trainable_variables)

    def _maybe_symbolic_build(self, iterator=None, data_batch=None):
        # Keras (tensorflow/trainer.py) pulls the first distributed batch and reduces it
        # across replicas eagerly to build the model symbolically. Under
        # MultiWorkerMirroredStrategy that eager cross-worker reduce fails ("Attempt to
        # convert a value (PerReplica...) to a Tensor"). Networks and optimizers are built
        # eagerly here, so there is nothing left to build.
        if all(layer.built for layer in self._flatten_layers()):
            return
        super()._maybe_symbolic_build(iterator=iterator, data_batch=data_batch)

    def call(self, inputs, training=False):
        z, labels = inputs
        return self.generator([z, labels], training=training)

    def _augment(self, images):
        if self.augmenter is None:
            return images
        return self.augmenter(images, training=True)

    def _noise(self, batch_size, salt):
        context = tf.distribute.get_replica_context()
        replica = context.replica_id_in_sync_group if context is not None else 0
        seed = tf.stack(
            [
                tf.cast(self.seed, "int64") * 1_000_003 + tf.cast(self.step.value, "int64"),
                tf.cast(replica, "int64") * 64 + salt,
            ]
        )
        return tf.random.stateless_normal((batch_size, self.z_dim), seed=seed)

    def _lecam(self, real_logits, fake_logits, global_batch):
        """The LeCam term (summed per example over the global batch); updates its averages."""
        real, fake = ops.cast(real_logits, "float32"), ops.cast(fake_logits, "float32")
        means = ops.stop_gradient(ops.stack([ops.mean(real), ops.mean(fake)]))
        previous = self.lecam_averages.value
        averages = ops.where(ops.isnan(previous), means, 0.99 * previous + 0.01 * means)
        self.lecam_averages.assign(averages)
        return (
            ops.sum(ops.square(ops.relu(real - averages[1]))) + ops.sum(ops.square(ops.relu(averages[0] - fake)))
        ) / global_batch

    def _update_ema(self):
        decay = ops.where(self.step >= self.ema_start, self.ema_decay, 0.0)
        for average, weight in zip(self.ema_generator.weights, self.generator.weights):
            if weight.trainable:
                average.assign(decay * average + (1.0 - decay) * weight)
            else:
                average.assign(weight)

    def train_step(self, data):
        real_images, labels = data
        labels = ops.cast(labels, "int32")
        batch_size = ops.shape(real_images)[0]
        replicas = tf.distribute.get_strategy().num_replicas_in_sync
        global_batch = ops.cast(batch_size * replicas, "float32")
        d_vars = self.discriminator.trainable_variables
        g_vars = self.generator.trainable_variables

        for critic_step in range(self.n_critic):
            z = self._noise(batch_size, critic_step)
            fake_images = ops.stop_gradient(self.generator([z, labels], training=True))
            with tf.GradientTape() as tape:
                images = ops.concatenate(
                    [self._augment(real_images), self._augment(ops.cast(fake_images, real_images.dtype))],
                    axis=0,
                )
                logits = self.discriminator(
                    [images, ops.concatenate([labels, labels], axis=0)], training=True
                )
                real_logits, fake_logits = logits[:batch_size], logits[batch_size:]
                d_loss = ops.sum(discriminator_loss(self.loss_kind, real_logits, fake_logits)) / global_batch
                if self.lecam_averages is not None:
                    d_loss = d_loss + self.lecam_weight * self._lecam(real_logits, fake_logits, global_batch)
                if self.discriminator.losses:
                    d_loss = d_loss + ops.sum(self.discriminator.losses) / replicas
                scaled_loss = self.d_optimizer.scale_loss(d_loss)
            gradients = tape.gradient(scaled_loss, d_vars)
            self.d_optimizer.apply_gradients(zip(gradients, d_vars))

        z = self._noise(batch_size, self.n_critic)
        with tf.GradientTape() as tape:
            fake_images = self.generator([z, labels], training=True)
            fake_logits = self.discriminator([self._augment(fake_images), labels], training=True)
            g_loss = ops.sum(generator_loss(self.loss_kind, fake_logits)) / global_batch
            if self.generator.losses:
                g_loss = g_loss + ops.sum(self.generator.losses) / replicas
            scaled_loss = self.g_optimizer.scale_loss(g_loss)
        gradients = tape.gradient(scaled_loss, g_vars)
        self.g_optimizer.apply_gradients(zip(gradients, g_vars))

        if self.ema_generator is not None:
            self._update_ema()
        self.step.assign_add(1)

        # Reported values are per-replica shares of global means (keras#16285).
        self.d_loss_tracker.update_state(d_loss * replicas)
        self.g_loss_tracker.update_state(g_loss * replicas)
        self.d_real_tracker.update_state(ops.mean(ops.cast(real_logits, "float32")))
        self.d_fake_tracker.update_state(ops.mean(ops.cast(fake_logits, "float32")))
        logs = {m.name: m.result() for m in self.metrics}
        if isinstance(tf.distribute.get_strategy(), tf.distribute.MultiWorkerMirroredStrategy):
            # Keras reduces multi-worker logs with reduce("MEAN", axis=0), which refuses
            # scalars; one-element vectors reduce to the scalar mean.
            logs = {name: ops.reshape(value, (1,)) for name, value in logs.items()}
        return logs

    def synchronize_batch_norms(self):
        """Make every batch norm of the networks normalise with the statistics of the global
        batch, summed over all replicas (`BatchNormalization(synchronized=True)`), so that
        training on R replicas of B/R images behaves as one replica of B images and every
        replica keeps the same moving statistics. Call it when training on more than one
        replica; with one it only costs time."""
        for network in (self.generator, self.ema_generator, self.discriminator):
            if network is not None:
                for layer in batch_norm_layers(network):
                    layer.synchronized = True

    def refresh_ema_statistics(self, num_samples=512, seed=0):
        """Recompute the EMA generator's batch-norm statistics from its own activations.

        The average copies the live generator's moving statistics, which describe the live
        weights, not the averaged ones. BigGAN's "standing statistics" fix: run the EMA
        generator in training mode on `num_samples` random latents and labels, with the
        batch norms' momentum set to 0 for that one pass, so their moving statistics become
        exactly the EMA generator's own. The same training-mode pass spectrally normalises
        the averaged kernels (Keras' SpectralNormalization rewrites its kernel in training
        mode), which is what a PyTorch BigGAN's EMA copy computes at every forward pass. On
        the small BigGAN of LSA16 this lowered KID from 0.143 to 0.110. The live generator
        is untouched; the momenta and `trainable` flag are put back afterwards. Call it
        before sampling, evaluating or exporting a restored model; during training use
        `ema_standing_statistics()`, which also puts the EMA back. A no-op without an EMA.
        """
        if self.ema_generator is None:
            return
        norms = batch_norm_layers(self.ema_generator)
        momenta = [layer.momentum for layer in norms]
        if getattr(self, "_standing_pass", None) is None:
            generator = self.ema_generator

            # Plain Python inside: nothing for AutoGraph to convert (it warns on the closure).
            @tf.function(autograph=False)
            def standing_pass(z, labels):
                generator([z, labels], training=True)

            self._standing_pass = standing_pass  # traced once, with momentum 0 and trainable
        rng = np.random.default_rng(seed)
        z = rng.standard_normal((num_samples, self.z_dim)).astype("float32")
        labels = rng.integers(0, self.num_classes, num_samples).astype("int32")
        self.ema_generator.trainable = True
        try:
            for layer in norms:
                layer.momentum = 0.0
            self._standing_pass(tf.constant(z), tf.constant(labels))
        finally:
            for layer, momentum in zip(norms, momenta):
                layer.momentum = momentum
            self.ema_generator.trainable = False

    @contextlib.contextmanager
    def ema_standing_statistics(self, num_samples=512, seed=0):
        """A `with` block in which the EMA generator has its standing statistics; on leaving
        it every EMA variable is as before.

        For samples and evaluations during training: `refresh_ema_statistics` rewrites the
        EMA generator's batch-norm statistics and, through spectral normalisation, its
        averaged kernels, which the following training steps would go on averaging from.
        Restoring them means writing samples or evaluating does not change the run.
        """
        if self.ema_generator is None:
            yield
            return
        saved = [ops.convert_to_numpy(variable) for variable in self.ema_generator.variables]
        self.refresh_ema_statistics(num_samples=num_samples, seed=seed)
        try:
            yield
        finally:
            for variable, value in zip(self.ema_generator.variables, saved):
                variable.assign(value)

    def sample(self, labels, seed=None, truncation=None, batch_size=256):
        """Generate images for `labels` with the sampling (EMA) generator.

        Args:
            labels: int array-like of shape (N,).
            seed: int or None. Same seed, same images.
            truncation: float or None. Defaults to the model's `truncation`.
            batch_size: int. Images generated per call.

        Returns:
            uint8 array of shape (N, H, W, 3).
        """
        truncation = self.truncation if truncation is None else truncation
        return sampling.generate(
            sampling.network_batches(self.sampling_generator), labels, self.num_classes, self.z_dim,
            self.image_size, seed=seed, truncation=truncation, batch_size=batch_size,
        )
