"""A stop signal that arrives inside a finalizer is not lost (keras_signgan.interrupts)."""

import signal
import weakref

import pytest

from keras_signgan.interrupts import raise_if_stop_requested, stop_on_signals, stop_requested


class _Collectable:
    pass


def signal_inside_a_finalizer(signum=signal.SIGTERM):
    """Deliver `signum` while a weakref callback runs, as garbage collection can: Python prints
    the handler's KeyboardInterrupt as "Exception ignored" and goes on."""
    obj = _Collectable()
    ref = weakref.ref(obj, lambda _: signal.raise_signal(signum))
    del obj
    return ref


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")  # the lost KeyboardInterrupt
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_lost_in_a_finalizer_is_raised_at_the_next_check(signum):
    before = signal.getsignal(signum)
    with pytest.raises(KeyboardInterrupt):
        with stop_on_signals():
            ref = signal_inside_a_finalizer(signum)
            # Python dropped the KeyboardInterrupt: execution goes on past the finalizer.
            assert ref() is None and stop_requested()
            raise_if_stop_requested()
    assert signal.getsignal(signum) is before and not stop_requested()


def test_without_a_signal_the_check_passes_and_outside_the_block_nothing_is_requested():
    with stop_on_signals():
        raise_if_stop_requested()
        assert not stop_requested()
    raise_if_stop_requested()
