"""The augmentation experiment: does adding generated images help a handshape classifier?

In parts: `plan` (options, cells, image hashes), `gans` (one GAN per fold and fraction,
trained through `training.fit`), `cells` (what a cell's conditions share: its split, GAN,
real-only classifier and generated images), `conditions` (each condition's classifier, the
GAN's quality), `filtering` (generated images the real-only classifier accepts), `quality`
(FID and classification score of a cell's GAN), `statistics` (paired Student t intervals
over folds), `report` (results.json, results.md, the chart through `keras_signgan.plots`),
`splits` (folds), and `experiment` (`run_experiment`: the run itself; the classifier is
`keras_signgan.classifier`)."""

from keras_signgan.augment.experiment import run_experiment  # noqa: F401
