"""tf.data pipelines from a HandshapeDataset to training batches."""

import tensorflow as tf


def make_training_dataset(dataset, batch_size, seed=0, shuffle=True, repeat=True, drop_remainder=True):
    """Shuffled, repeated, batched, prefetched `(images, labels)` batches.

    Images are float32 in [-1, 1] (N, H, W, 3), labels int32. The batch order depends only
    on `seed`, so `make_training_dataset(...).skip(k)` resumes a run's data exactly.

    Args:
        dataset: HandshapeDataset.
        batch_size: int. Global batch size.
        seed: int. Shuffle seed.
        shuffle: bool. Reshuffle every epoch.
        repeat: bool. Repeat forever.
        drop_remainder: bool. Keep every batch the same size (static shapes for XLA).
    """
    images = tf.constant(dataset.images)
    labels = tf.constant(dataset.labels.astype("int32"))
    data = tf.data.Dataset.from_tensor_slices((images, labels))
    if shuffle:
        data = data.shuffle(len(dataset), seed=seed, reshuffle_each_iteration=True)
    if repeat:
        data = data.repeat()
    data = data.batch(batch_size, drop_remainder=drop_remainder)
    data = data.map(
        lambda x, y: (tf.cast(x, tf.float32) / 127.5 - 1.0, y), num_parallel_calls=tf.data.AUTOTUNE, deterministic=True
    )
    return data.prefetch(tf.data.AUTOTUNE)
