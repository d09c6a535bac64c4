"""`ConditionalGAN`: the shared base of the three GANs, owning `train_step`.

The class is its train step (as the keras-io GAN examples): what the step relies on lives
beside it: the losses (losses.py), LeCam and the gradient penalty (regularizers.py), the
generator average and its standing statistics (ema.py), what tf.distribute needs
(distribution.py) and sampling (sampling.py).
"""

import keras
import tensorflow as tf
from keras import ops

from keras_signgan.layers import DiffAugment
from keras_signgan.models import distribution, ema, regularizers, sampling
from keras_signgan.models.losses import check_loss, discriminator_loss, generator_loss


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
        diffaugment_probability: float. `DiffAugment`'s `probability`. Defaults to 1.
        ema_decay: float or None. Decay of the generator's weight average; None keeps no
            average. Defaults to None.
        ema_start: int. Step before which the average simply copies the generator.
            Defaults to 0.
        truncation: float or None. Default truncation for `sample`. Defaults to None.
        seed: int. Seed of the training noise. Defaults to 0.
        lecam_weight, gradient_penalty, drift, r1: float. Weights of the discriminator's
            regularisers (regularizers.py): LeCam (Tseng et al. 2021) on its logits, the
            WGAN-GP penalty (its mean gradient norm logged as `d_grad_norm`), the drift term
            `mean(D(x)^2)` on real logits, and R1 on the augmented real images. 0 turns
            each off. Defaults to 0.
        consistency: float. Weight of consistency regularisation (Zhang et al. 2020): D pays
            the squared difference of its logits for two DiffAugment views of each real
            image. Needs a `diffaugment` policy. 0 turns it off. Defaults to 0.
        mode_seeking: float. Weight of the mode-seeking term on the generator (Mao et al.
            2019; `regularizers.mode_seeking_penalty`; the G step's two half-batches then
            share their labels). 0 turns it off. Defaults to 0.
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
        diffaugment_probability=1.0,
        ema_decay=None,
        ema_start=0,
        truncation=None,
        seed=0,
        lecam_weight=0.0,
        gradient_penalty=0.0,
        drift=0.0,
        r1=0.0,
        consistency=0.0,
        mode_seeking=0.0,
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
            self.augmenter = DiffAugment(
                self.diffaugment, probability=diffaugment_probability, seed=seed, name="diff_augment"
            )
        self.ema_decay = ema_decay
        self.ema_start = int(ema_start)
        self.truncation = truncation
        self.seed = int(seed)
        self.ema_generator = ema.make_average(generator) if ema_decay is not None else None
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
        self.lecam_averages = regularizers.add_lecam_averages(self) if self.lecam_weight else None
        self.gradient_penalty = float(gradient_penalty)
        self.drift = float(drift)
        self.r1 = float(r1)
        self.consistency = float(consistency)
        self.mode_seeking = float(mode_seeking)
        if min(self.gradient_penalty, self.drift, self.r1, self.consistency, self.mode_seeking) < 0:
            raise ValueError(
                "gradient_penalty, drift, r1, consistency and mode_seeking must be >= 0. Received: gradient_penalty="
                f"{gradient_penalty}, drift={drift}, r1={r1}, consistency={consistency}, mode_seeking={mode_seeking}"
            )
        if self.consistency and self.augmenter is None:
            raise ValueError("consistency regularisation compares two DiffAugment views: set a diffaugment policy.")
        self.grad_norm_tracker = keras.metrics.Mean(name="d_grad_norm") if self.gradient_penalty else None
        self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
        self.g_loss_tracker = keras.metrics.Mean(name="g_loss")
        self.d_real_tracker = keras.metrics.Mean(name="d_real")
        self.d_fake_tracker = keras.metrics.Mean(name="d_fake")
        # The networks are functional models, built already; `fit` need not trace `call`.
        self.built = True

    @property
    def metrics(self):
        trackers = [self.d_loss_tracker, self.g_loss_tracker, self.d_real_tracker, self.d_fake_tracker]
        return trackers + ([self.grad_norm_tracker] if self.grad_norm_tracker is not None else [])

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
            scaled = keras.optimizers.LossScaleOptimizer
            d_optimizer = d_optimizer if isinstance(d_optimizer, scaled) else scaled(d_optimizer)
            g_optimizer = g_optimizer if isinstance(g_optimizer, scaled) else scaled(g_optimizer)
        self.d_optimizer = d_optimizer
        self.g_optimizer = g_optimizer
        # Built eagerly: a lazy build inside a distributed step fails (KERAS_NOTES).
        self.d_optimizer.build(self.discriminator.trainable_variables)
        self.g_optimizer.build(self.generator.trainable_variables)

    def _maybe_symbolic_build(self, iterator=None, data_batch=None):
        # Overrides a private Keras method. Keras 3's `TensorFlowTrainer.fit` (keras/src/
        # backend/tensorflow/trainer.py) calls it under a strategy: it pulls the first
        # distributed batch and reduces it across replicas eagerly to build the model
        # symbolically. Under MultiWorkerMirroredStrategy that eager cross-worker reduce
        # fails ("Attempt to convert a value (PerReplica...) to a Tensor"; Keras 3.15.1:
        # without this override tests/training/test_distributed.py fails so; multi-worker
        # fit in Keras 3: keras-team/keras#20585). Networks and optimizers are built
        # eagerly here, so there is nothing left to build. tests/models/test_gan.py fails
        # if Keras renames or drops the method, which would leave this override dead.
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

    def _gradient_penalty(self, real_images, fake_images, labels, global_batch, salt):
        """The WGAN-GP term (summed per example over the global batch) and the mean gradient
        norm (`regularizers.gradient_penalty`), at random points between `real_images` and
        `fake_images` drawn from `(seed, step, salt)`."""
        seed = tf.stack(
            [tf.cast(self.seed, "int64") * 1_000_003 + tf.cast(self.step.value, "int64"), tf.cast(salt, "int64") + 7919]
        )
        return regularizers.gradient_penalty(self.discriminator, real_images, fake_images, labels, global_batch, seed)

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
                logits = self.discriminator([images, ops.concatenate([labels, labels], axis=0)], training=True)
                real_logits, fake_logits = logits[:batch_size], logits[batch_size:]
                d_loss = ops.sum(discriminator_loss(self.loss_kind, real_logits, fake_logits)) / global_batch
                if self.lecam_averages is not None:
                    lecam = regularizers.lecam_penalty(self.lecam_averages, real_logits, fake_logits, global_batch)
                    d_loss = d_loss + self.lecam_weight * lecam
                if self.drift:
                    d_loss = d_loss + self.drift * ops.sum(ops.square(ops.cast(real_logits, "float32"))) / global_batch
                if self.gradient_penalty:
                    penalty, grad_norm = self._gradient_penalty(
                        images[:batch_size], images[batch_size:], labels, global_batch, critic_step
                    )
                    d_loss = d_loss + self.gradient_penalty * penalty
                if self.r1:
                    r1_penalty = regularizers.r1_penalty(self.discriminator, images[:batch_size], labels, global_batch)
                    d_loss = d_loss + self.r1 * r1_penalty
                if self.consistency:
                    views = self._augment(real_images)
                    penalty = regularizers.consistency_penalty(
                        self.discriminator, views, labels, real_logits, global_batch
                    )
                    d_loss = d_loss + self.consistency * penalty
                if self.discriminator.losses:
                    d_loss = d_loss + ops.sum(self.discriminator.losses) / replicas
                scaled_loss = self.d_optimizer.scale_loss(d_loss)
            gradients = tape.gradient(scaled_loss, d_vars)
            self.d_optimizer.apply_gradients(zip(gradients, d_vars))

        z = self._noise(batch_size, self.n_critic)
        if self.mode_seeking:
            # Pairs (i, half + i) share a label; an odd batch's last image keeps its own.
            half = batch_size // 2
            labels = ops.concatenate([labels[:half], labels[: batch_size - half]], axis=0)
        with tf.GradientTape() as tape:
            fake_images = self.generator([z, labels], training=True)
            fake_logits = self.discriminator([self._augment(fake_images), labels], training=True)
            g_loss = ops.sum(generator_loss(self.loss_kind, fake_logits)) / global_batch
            if self.mode_seeking:
                g_loss = g_loss + self.mode_seeking * regularizers.mode_seeking_penalty(fake_images, z, global_batch)
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
        if self.grad_norm_tracker is not None:
            self.grad_norm_tracker.update_state(grad_norm)
        return distribution.reducible_logs({m.name: m.result() for m in self.metrics})

    def synchronize_batch_norms(self):
        """Synchronise every batch norm of the networks over the replicas
        (`distribution.synchronize_batch_norms`). Call it when training on more than one
        replica; with one it only costs time."""
        distribution.synchronize_batch_norms((self.generator, self.ema_generator, self.discriminator))

    def refresh_ema_statistics(self, num_samples=512, seed=0):
        """Give the EMA generator its standing statistics (`ema.refresh_standing_statistics`)
        from `num_samples` random latents and labels; the live generator is untouched. Call
        it before sampling, evaluating or exporting a restored model; during training use
        `ema_standing_statistics()`, which also puts the EMA back. A no-op without an EMA."""
        if self.ema_generator is None:
            return
        if getattr(self, "_standing_pass", None) is None:
            self._standing_pass = ema.standing_pass(self.ema_generator)  # traced once
        ema.refresh_standing_statistics(self.ema_generator, self._standing_pass, self.num_classes, num_samples, seed)

    def ema_standing_statistics(self, num_samples=512, seed=0):
        """A `with` block in which the EMA generator has its standing statistics; on leaving
        it every EMA variable is as before (`ema.standing_statistics`)."""
        return ema.standing_statistics(self.ema_generator, lambda: self.refresh_ema_statistics(num_samples, seed))

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
            sampling.network_batches(self.sampling_generator),
            labels,
            self.num_classes,
            self.z_dim,
            self.image_size,
            seed=seed,
            truncation=truncation,
            batch_size=batch_size,
        )
