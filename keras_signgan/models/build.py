"""`build_gan`: the GAN a `TrainConfig` describes, its class found through the family
registry (`keras_signgan.models.FAMILIES`)."""

from keras_signgan.models import model_class


def build_gan(config):
    """Build (uncompiled) the GAN a `TrainConfig` describes; `config.class_names` must be set."""
    cls = model_class(config.model)
    num_classes = len(config.class_names)
    generator = cls.generator_builder(
        num_classes, image_size=config.image_size, z_dim=config.z_dim, size=config.size, layout=config.layout
    )
    discriminator = cls.discriminator_builder(
        num_classes, image_size=config.image_size, size=config.size, layout=config.layout
    )
    return cls(
        generator,
        discriminator,
        num_classes=num_classes,
        loss=config.loss,
        n_critic=config.n_critic,
        diffaugment=config.diffaugment,
        diffaugment_probability=config.diffaugment_probability,
        ema_decay=config.ema_decay,
        ema_start=config.ema_start,
        lecam_weight=config.lecam_weight or 0.0,
        gradient_penalty=config.gradient_penalty or 0.0,
        drift=config.drift or 0.0,
        r1=config.r1 or 0.0,
        consistency=config.consistency or 0.0,
        mode_seeking=config.mode_seeking or 0.0,
        truncation=config.truncation,
        seed=config.seed,
        name=config.model,
    )
