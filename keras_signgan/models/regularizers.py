"""Regularisers of the discriminator and the generator, beside their losses (losses.py).

LeCam (Tseng et al. 2021, "Regularizing Generative Adversarial Networks under Limited
Data"): `mean(relu(D(x) - a_fake)^2) + mean(relu(a_real - D(G(z)))^2)`, where `a_real`,
`a_fake` are moving averages (decay 0.99) of the mean real and fake logits. It keeps the
discriminator's outputs from drifting apart on a small dataset.

The WGAN-GP gradient penalty (Gulrajani et al. 2017, "Improved Training of Wasserstein
GANs"): `mean((|grad_x D(x_hat)| - 1)^2)` at `x_hat` drawn uniformly on the segments between
the augmented real and generated images (the discriminator's own inputs). The penalty pass
runs the discriminator in inference mode, so spectral normalisation does not step its power
iteration twice.

R1 (Mescheder et al. 2018, "Which Training Methods for GANs do actually Converge?"):
`1/2 * mean(|grad_x D(x)|^2)` on the (augmented) real images, times its weight gamma. It is
zero-centred: a linear critic, whose gradient is the same everywhere, pays it on every real
image, where the one-centred WGAN-GP penalty is zero for any linear critic of unit slope.

Consistency regularisation (Zhang et al. 2020, "Consistency Regularization for Generative
Adversarial Networks"): the squared difference of the discriminator's logits for two
augmentations of one real image. With DiffAugment the discriminator already sees one
augmentation of each image; the term makes it score a second one alike, so it cannot tell
images apart by how they were shifted, recoloured or cut.

Mode seeking, on the generator (Mao et al. 2019, "Mode Seeking Generative Adversarial
Networks for Diverse Image Synthesis"): for pairs of latents given the same class, the
reciprocal of `mean|G(z1) - G(z2)| / mean|z1 - z2|`. A generator that draws near copies of
one image per class (intra-class collapse) pays it; one whose images move with the latent
does not.
"""

import keras
import tensorflow as tf
from keras import ops


def add_lecam_averages(model):
    """Add to `model` the variable `lecam_penalty` keeps its averages in: float32
    `(mean real logit, mean fake logit)`, NaN until the first step sets it."""
    return model.add_weight(
        shape=(2,),
        dtype="float32",
        initializer=keras.initializers.Constant(float("nan")),
        trainable=False,
        aggregation="mean",
        name="lecam_averages",
    )


def lecam_penalty(averages, real_logits, fake_logits, global_batch):
    """The LeCam term, summed per example and divided by the global batch; updates
    `averages` (a float32 variable `(mean real logit, mean fake logit)`, NaN until the
    first step sets it)."""
    real, fake = ops.cast(real_logits, "float32"), ops.cast(fake_logits, "float32")
    means = ops.stop_gradient(ops.stack([ops.mean(real), ops.mean(fake)]))
    previous = averages.value
    updated = ops.where(ops.isnan(previous), means, 0.99 * previous + 0.01 * means)
    averages.assign(updated)
    return (
        ops.sum(ops.square(ops.relu(real - updated[1]))) + ops.sum(ops.square(ops.relu(updated[0] - fake)))
    ) / global_batch


def gradient_penalty(discriminator, real_images, fake_images, labels, global_batch, seed):
    """The WGAN-GP term, summed per example and divided by the global batch, and the mean
    gradient norm, at `real + alpha * (fake - real)` with `alpha ~ U(0, 1)` per example drawn
    statelessly from `seed` (an int64 pair)."""
    batch_size = ops.shape(real_images)[0]
    alpha = tf.random.stateless_uniform((batch_size, 1, 1, 1), seed=seed, dtype=real_images.dtype)
    mixed = real_images + alpha * (fake_images - real_images)
    with tf.GradientTape() as tape:
        tape.watch(mixed)
        total = ops.sum(ops.cast(discriminator([mixed, labels], training=False), "float32"))
    gradients = ops.cast(tape.gradient(total, mixed), "float32")
    # The small constant keeps the square root's gradient finite at a zero gradient.
    norms = ops.sqrt(ops.sum(ops.square(gradients), axis=(1, 2, 3)) + 1e-12)
    return ops.sum(ops.square(norms - 1.0)) / global_batch, ops.mean(norms)


def r1_penalty(discriminator, real_images, labels, global_batch):
    """The R1 term without its weight: `1/2 * |grad_x D(x)|^2` summed per real example and
    divided by the global batch (discriminator in inference mode, as the gradient penalty)."""
    with tf.GradientTape() as tape:
        tape.watch(real_images)
        total = ops.sum(ops.cast(discriminator([real_images, labels], training=False), "float32"))
    gradients = ops.cast(tape.gradient(total, real_images), "float32")
    return 0.5 * ops.sum(ops.square(gradients)) / global_batch


def consistency_penalty(discriminator, views, labels, logits, global_batch):
    """The consistency term without its weight: `(D(views) - logits)^2` summed per example and
    divided by the global batch, where `views` are second augmentations of the images that
    scored `logits` (discriminator in inference mode, as the gradient penalty)."""
    other = ops.cast(discriminator([views, labels], training=False), "float32")
    return ops.sum(ops.square(other - ops.cast(logits, "float32"))) / global_batch


def mode_seeking_penalty(images, z, global_batch):
    """The mode-seeking term without its weight: for the pairs `(i, half + i)`, `i < half`,
    `half = B // 2`, of a batch whose two halves share their labels, `1 / (mean|x_i -
    x_half+i| / mean|z_i - z_half+i| + 1e-5)` summed over the pairs and divided by half the
    global batch. Means are over pixels and latent entries of each pair."""
    half = ops.shape(images)[0] // 2
    images, z = ops.cast(images, "float32"), ops.cast(z, "float32")
    image_distance = ops.mean(ops.abs(images[:half] - images[half : 2 * half]), axis=(1, 2, 3))
    latent_distance = ops.mean(ops.abs(z[:half] - z[half : 2 * half]), axis=1)
    return ops.sum(1.0 / (image_distance / latent_distance + 1e-5)) / (global_batch / 2.0)
