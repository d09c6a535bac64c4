"""Filtered generated images: only those a classifier trained on real images assigns to their
intended class with a confidence of at least a threshold.

Images are drawn in rounds, per class, until each class has its quota or has used its
draws (`max_draws_per_image` times its quota); a class short of its quota then keeps what
it has, and the record says so. Each round asks a class for its missing images divided by
its acceptance rate so far, so few accepted images are thrown away.
"""

import numpy as np

MAX_DRAWS_PER_IMAGE = 20
CHUNK = 2048  # images generated and classified at a time


def _chunk_seed(seed, index):
    """A distinct latent seed per chunk of draws, from the draw's seed."""
    return int(np.random.SeedSequence([int(seed), int(index)]).generate_state(1)[0])


def _round_asks(quotas, kept, drawn, accepted, caps, max_draws_per_image):
    """Images to draw per class this round: the missing ones over the acceptance rate so
    far (1 before any draw, at least 1 / max_draws_per_image), within each class's cap."""
    need = quotas - kept
    rate = np.where(drawn > 0, accepted / np.maximum(drawn, 1), 1.0)
    ask = np.ceil(need / np.maximum(rate, 1 / max_draws_per_image)).astype(int)
    return np.where(need > 0, np.minimum(ask, caps - drawn), 0)


def draw_filtered(generate, probabilities, quotas, threshold, seed, max_draws_per_image=MAX_DRAWS_PER_IMAGE):
    """Draw generated images until each class has `quotas[c]` that pass the filter.

    An image passes when the classifier's most probable class is the one it was drawn for
    and that class's probability is at least `threshold`.

    Args:
        generate: callable `(labels, seed) -> uint8 images`.
        probabilities: callable `images -> (N, classes)` class probabilities.
        quotas: ints, one per class: the images wanted.
        threshold: float in [0, 1]. The least confidence kept.
        seed: int. The latents' seed (each chunk of draws gets its own from it).
        max_draws_per_image: int. A class stops after this many draws per image of its quota.

    Returns:
        `(images, labels, record)`: the kept images (class by class) and a JSON-ready record:
        `threshold`, `num_requested`, `num_drawn`, `num_accepted` (passing the filter),
        `num_kept` (at most the quotas), `acceptance_rate` (accepted / drawn),
        `draws_per_kept` (drawn / kept), `max_draws_per_image`, and `short` (class index ->
        images missing, for classes that used their draws first).
    """
    quotas = np.asarray(quotas, dtype=int)
    caps = quotas * int(max_draws_per_image)
    drawn, accepted, kept = (np.zeros(len(quotas), int) for _ in range(3))
    kept_images, kept_labels, chunk_index = [], [], 0
    empty = np.zeros((0,), "uint8")  # the images' shape once one is drawn
    while True:
        ask = _round_asks(quotas, kept, drawn, accepted, caps, max_draws_per_image)
        if not ask.any():
            break
        labels = np.repeat(np.arange(len(quotas), dtype="int32"), ask)
        for start in range(0, len(labels), CHUNK):
            chunk = labels[start : start + CHUNK]
            images = np.asarray(generate(chunk, _chunk_seed(seed, chunk_index)))
            chunk_index += 1
            empty = images[:0]
            probs = np.asarray(probabilities(images))
            passed = (probs.argmax(axis=-1) == chunk) & (probs[np.arange(len(chunk)), chunk] >= threshold)
            np.add.at(drawn, chunk, 1)
            np.add.at(accepted, chunk[passed], 1)
            for cls in np.unique(chunk[passed]):
                take = np.flatnonzero(passed & (chunk == cls))[: max(quotas[cls] - kept[cls], 0)]
                kept[cls] += len(take)
                kept_images.append(images[take])
                kept_labels.append(chunk[take])
    images = np.concatenate(kept_images) if kept_images else empty
    labels = np.concatenate(kept_labels) if kept_labels else np.zeros((0,), "int32")
    order = np.argsort(labels, kind="stable")
    record = {
        "threshold": float(threshold),
        "num_requested": int(quotas.sum()),
        "num_drawn": int(drawn.sum()),
        "num_accepted": int(accepted.sum()),
        "num_kept": int(kept.sum()),
        "acceptance_rate": float(accepted.sum() / drawn.sum()) if drawn.sum() else None,
        "draws_per_kept": float(drawn.sum() / kept.sum()) if kept.sum() else None,
        "max_draws_per_image": int(max_draws_per_image),
        "short": {str(c): int(quotas[c] - kept[c]) for c in np.flatnonzero(kept < quotas)},
    }
    return images[order], labels[order], record
