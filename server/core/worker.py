"""One engine worker process: its life inside the child, and its handle in the serving process.

The two talk over two one-way pipes. The serving process never blocks on them: a writer thread
writes what it queues, and a reader thread hands every reply (and the worker's end) to the
event loop. This module imports no NumPy at its top, so that a child sets single-threaded BLAS
before NumPy loads (NumPy reads those variables once, as it loads).
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
import pickle
import queue
import signal
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # not at run time: importing the engine loads NumPy
    from engine.remote import TrainerCache

# N workers on N cores: each must use one. Set for the workers and, at start-up, for the serving
# process (server.cli), before NumPy is imported.
SINGLE_THREADED_BLAS = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
STOP_TIMEOUT_S = 10.0


def serve(
    inbox: Connection, outbox: Connection, cache_size: int, cache_bytes: int, nice: int
) -> None:
    """A worker's life: keep sessions' data, train batches, answer, until told to stop or the
    serving process is gone (its end of the pipe closes, so `recv` fails)."""
    os.environ.update(SINGLE_THREADED_BLAS)
    from engine.remote import TrainerCache  # only now: NumPy loads with the variables set

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is for the serving process to handle
    if nice > 0 and hasattr(os, "nice"):
        os.nice(nice)
    cache = TrainerCache(cache_size, cache_bytes)
    try:
        outbox.send(("hello", os.getpid()))
        while True:
            message = inbox.recv()
            if message[0] == "stop":
                return
            reply = handle(cache, message)
            if reply is not None:
                outbox.send(reply)
    except (EOFError, OSError):
        return  # the serving process is gone


def handle(cache: TrainerCache, message: tuple) -> tuple | None:
    """One message from the serving process; the reply to send back, if any."""
    from engine.remote import train_jobs  # loaded by `serve` already: a lookup

    kind = message[0]
    if kind == "data":  # ("data", TrainingData): a session's points, once
        cache.add_data(message[1])
    elif kind == "forget":  # ("forget", [data token, ...]): sessions that ended or moved on
        cache.forget(message[1])
    elif kind == "train":  # ("train", id, [TrainingJob, ...]) -> ("done", id, results)
        return ("done", message[1], train_jobs(message[2], cache))
    elif kind == "stats":  # ("stats", id) -> ("stats", id, {"data", "trainers", "bytes"})
        return ("stats", message[1], cache.stats())
    else:
        raise ValueError(f"unknown message {kind!r}")
    return None


class WorkerProcess:
    """A spawned worker seen from the serving process, at `index` of its pool.

    `send` queues a message (pickled at once, so a bad one fails its caller); `on_message(self,
    message)` and then `on_exit(self)` are called on the event loop.
    """

    def __init__(
        self,
        index: int,
        args: tuple[int, int, int],
        on_message: Callable[[WorkerProcess, tuple], None],
        on_exit: Callable[[WorkerProcess], None],
    ) -> None:
        self.index = index
        self.started = False  # it said hello: it runs and has NumPy loaded
        self.exited = False
        self.exitcode: int | None = None
        self._stopping = False
        self._loop = asyncio.get_running_loop()
        self._on_message, self._on_exit = on_message, on_exit
        context = multiprocessing.get_context("spawn")
        child_in, self._to_child = context.Pipe(duplex=False)
        self._from_child, child_out = context.Pipe(duplex=False)
        self.process = context.Process(
            target=serve, args=(child_in, child_out, *args), name=f"engine-worker-{index}"
        )
        self.process.daemon = True
        self.process.start()
        # The child's ends, closed here: when it dies, the reader sees the pipe close.
        child_in.close()
        child_out.close()
        self.pid = self.process.pid
        self._queue: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        self._writer = threading.Thread(target=self._write, name=f"{self.process.name}-writer")
        self._reader = threading.Thread(target=self._read, name=f"{self.process.name}-reader")
        self._writer.daemon = self._reader.daemon = True
        self._writer.start()
        self._reader.start()

    def send(self, message: tuple) -> None:
        self._queue.put(pickle.dumps(message, pickle.HIGHEST_PROTOCOL))

    def _write(self) -> None:
        while (payload := self._queue.get()) is not None:
            try:
                self._to_child.send_bytes(payload)
            except OSError:
                break  # the worker is gone: the reader reports it
        self._to_child.close()  # the worker sees its inbox end

    def _read(self) -> None:
        while True:
            try:
                message = self._from_child.recv()
            except (EOFError, OSError):
                break
            self._call(self._on_message, self, message)
        self._call(self._on_exit, self)

    def _call(self, callback: Callable, *args: object) -> None:
        with contextlib.suppress(RuntimeError):  # the loop is closed: the server is shutting down
            self._loop.call_soon_threadsafe(callback, *args)

    def kill(self) -> None:
        """End the process at once (its reader then reports the exit)."""
        if self.process.is_alive():
            self.process.kill()

    def stop(self) -> None:
        """Ask the worker to stop once it has done what it was sent; nothing more is sent."""
        if not self._stopping:
            self._stopping = True
            self.send(("stop",))
            self._queue.put(None)

    def close(self, timeout: float = STOP_TIMEOUT_S) -> None:
        """Stop the worker, wait for it (kill it after `timeout`) and for both threads. A dead
        worker is only reaped."""
        self.stop()
        self.process.join(timeout)
        if self.process.exitcode is None:
            self.process.kill()
            self.process.join()
        self.exitcode = self.process.exitcode
        self._writer.join(timeout)
        self._reader.join(timeout)
        self._from_child.close()
        self.process.close()
