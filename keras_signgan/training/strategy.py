"""The `tf.distribute` strategy of a run (`--strategy auto|mirrored|multiworker`) and which
process is the chief, the one that writes the run directory."""

import json
import os

import tensorflow as tf


def gpu_available():
    return bool(tf.config.list_physical_devices("GPU"))


def make_strategy(name):
    """The `tf.distribute` strategy for `name`: auto, mirrored or multiworker."""
    if name == "mirrored":
        return tf.distribute.MirroredStrategy()
    if name == "multiworker":
        return tf.distribute.MultiWorkerMirroredStrategy()
    if len(tf.config.list_physical_devices("GPU")) > 1:
        return tf.distribute.MirroredStrategy()
    return tf.distribute.get_strategy()


def is_chief(strategy):
    resolver = getattr(strategy, "cluster_resolver", None)
    if resolver is None or not getattr(resolver, "task_type", None):
        return True
    return resolver.task_type == "chief" or (resolver.task_type == "worker" and resolver.task_id == 0)


def is_chief_task():
    """Whether this process is the chief of a TF_CONFIG cluster (or there is none): worker 0
    when the cluster has no "chief" task."""
    try:
        task = json.loads(os.environ.get("TF_CONFIG") or "{}").get("task", {})
        cluster = json.loads(os.environ.get("TF_CONFIG") or "{}").get("cluster", {})
    except (ValueError, AttributeError):
        return True
    if not task:
        return True
    if task.get("type") == "chief":
        return True
    return task.get("type") == "worker" and int(task.get("index", 0)) == 0 and "chief" not in cluster
