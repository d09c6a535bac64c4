"""The three class-conditional GANs and `build_gan`, which makes one from a TrainConfig.

`basic` -> `BasicGAN`, `wcgan` -> `WCGAN`, `biggan` -> `BigGAN`; all subclass
`keras_signgan.models.gan.ConditionalGAN`.
"""

import importlib

MODELS = {"basic": "BasicGAN", "wcgan": "WCGAN", "biggan": "BigGAN"}


def model_class(name):
    """The GAN class registered under `name` (imported on first use)."""
    module = importlib.import_module(f"keras_signgan.models.{name}")
    return getattr(module, MODELS[name])


def build_gan(config):
    """Build (uncompiled) the GAN a `TrainConfig` describes; `config.class_names` must be set."""
    cls = model_class(config.model)
    num_classes = len(config.class_names)
    generator = cls.build_generator(
        num_classes, config.image_size, config.size, z_dim=config.z_dim, arch_revision=config.arch_revision
    )
    discriminator = cls.build_discriminator(num_classes, config.image_size, config.size, arch_revision=config.arch_revision)
    return cls(
        generator,
        discriminator,
        num_classes=num_classes,
        loss=config.loss,
        n_critic=config.n_critic,
        diffaugment=config.diffaugment,
        ema_decay=config.ema_decay,
        ema_start=config.ema_start,
        lecam_weight=config.lecam_weight or 0.0,
        truncation=config.truncation,
        seed=config.seed,
        name=config.model,
    )
