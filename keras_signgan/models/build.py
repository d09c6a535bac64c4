"""Family name -> GAN class, and `build_gan`, which makes one from a TrainConfig.

`basic` -> `BasicGAN`, `wcgan` -> `WCGAN`, `biggan` -> `BigGAN`; all subclass
`keras_signgan.models.gan.ConditionalGAN`. The names and defaults are in
`keras_signgan.models` (`FAMILIES`); a test checks both list the same families.
"""

from keras_signgan.models import check_model
from keras_signgan.models.basic.basic_gan import BasicGAN
from keras_signgan.models.biggan.biggan import BigGAN
from keras_signgan.models.wcgan.wcgan import WCGAN

MODEL_CLASSES = {"basic": BasicGAN, "wcgan": WCGAN, "biggan": BigGAN}


def model_class(name):
    """The GAN class of the family `name`."""
    return MODEL_CLASSES[check_model(name)]


def build_gan(config):
    """Build (uncompiled) the GAN a `TrainConfig` describes; `config.class_names` must be set."""
    cls = model_class(config.model)
    num_classes = len(config.class_names)
    revision = config.arch_revision
    generator = cls.build_generator(num_classes, config.image_size, config.size, z_dim=config.z_dim, arch_revision=revision)
    discriminator = cls.build_discriminator(num_classes, config.image_size, config.size, arch_revision=revision)
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
        gradient_penalty=config.gradient_penalty or 0.0,
        drift=config.drift or 0.0,
        truncation=config.truncation,
        seed=config.seed,
        name=config.model,
    )
