"""Regularisers of the discriminator, beside its loss (losses.py).

LeCam (Tseng et al. 2021, "Regularizing Generative Adversarial Networks under Limited
Data"): `mean(relu(D(x) - a_fake)^2) + mean(relu(a_real - D(G(z)))^2)`, where `a_real`,
`a_fake` are moving averages (decay 0.99) of the mean real and fake logits. It keeps the
discriminator's outputs from drifting apart on a small dataset.
"""

from keras import ops


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
