"""GAN losses as keras.ops functions returning one loss value per example.

Per-example values (not means) let the caller divide by the *global* batch size, which is
what `tf.distribute` needs: gradients are summed across replicas.

Kinds:
    "bce": the non-saturating GAN loss of Goodfellow et al. 2014, on logits:
        D: softplus(-D(x)) + softplus(D(G(z)));  G: softplus(-D(G(z))).
    "wasserstein": the WGAN critic loss (Arjovsky et al. 2017):
        D: D(G(z)) - D(x);  G: -D(G(z)).
    "hinge": the hinge loss of SAGAN/BigGAN (Lim & Ye 2017):
        D: relu(1 - D(x)) + relu(1 + D(G(z)));  G: -D(G(z)).
"""

from keras import ops

from keras_signgan.models.presets import check_loss


def _flat(logits):
    return ops.reshape(ops.cast(logits, "float32"), (-1,))


def discriminator_loss(kind, real_logits, fake_logits):
    """Per-example discriminator (critic) loss, shape `(batch,)`."""
    real, fake = _flat(real_logits), _flat(fake_logits)
    if kind == "bce":
        return ops.softplus(-real) + ops.softplus(fake)
    if kind == "wasserstein":
        return fake - real
    if kind == "hinge":
        return ops.relu(1.0 - real) + ops.relu(1.0 + fake)
    check_loss(kind)


def generator_loss(kind, fake_logits):
    """Per-example generator loss, shape `(batch,)`."""
    fake = _flat(fake_logits)
    if kind == "bce":
        return ops.softplus(-fake)
    if kind in ("wasserstein", "hinge"):
        return -fake
    check_loss(kind)
