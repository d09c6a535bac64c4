"""The augmentation experiment: does adding generated images help a handshape classifier?

In parts: `plan` (options, cells, image hashes), `gans` (one GAN per fold and fraction,
trained through `training.fit`), `statistics` (paired Student t intervals over folds),
`report` (results.json, results.md, the chart through `keras_signgan.plots`), `splits`
(folds), and `experiment` (`run_experiment`: the run and each cell's classifier, which is
`keras_signgan.classifier`)."""

from keras_signgan.augment.experiment import run_experiment  # noqa: F401
