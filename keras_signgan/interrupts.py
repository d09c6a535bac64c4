"""A stop request (Ctrl-C, SIGTERM) that is not lost.

Python runs a signal handler in the main thread between two bytecodes of whatever runs there.
When that is a finalizer (a weakref callback during garbage collection, a `__del__`), the
KeyboardInterrupt the handler raises is printed as "Exception ignored in ..." and dropped, and
the run goes on. So the handler also records the request, and the long loops ask
`raise_if_stop_requested()` at each step (a GAN's training steps, a study's classifier fits)
and raise it again there.
"""

import contextlib
import signal
import threading

_requested = False


def request_stop(signum=None, frame=None):
    """The signal handler: record the request, then raise KeyboardInterrupt."""
    global _requested
    _requested = True
    raise KeyboardInterrupt


def stop_requested():
    return _requested


def raise_if_stop_requested():
    """Raise KeyboardInterrupt if a stop was requested and its first raise was lost."""
    if _requested:
        raise KeyboardInterrupt


@contextlib.contextmanager
def stop_on_signals(signals=(signal.SIGINT, signal.SIGTERM)):
    """Within the block, SIGINT and SIGTERM (`kill`, a job scheduler's stop) call
    `request_stop` in the main thread, so a command cleans up as it does on Ctrl-C; the
    previous handlers are put back and the request forgotten afterwards. Elsewhere than the
    main thread, nothing changes."""
    global _requested
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    _requested = False
    previous = {signum: signal.signal(signum, request_stop) for signum in signals}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        _requested = False
