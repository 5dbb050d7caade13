"""One engine worker process: its life inside the child, and its handle in the serving process.

The two talk over two one-way pipes. The serving process never blocks on them: the event loop
writes to one and reads the other as asyncio pipe transports (no threads, so no thread hands the
interpreter lock back and forth with the event loop hundreds of times a second), framing each
message as `multiprocessing.connection` does, so the worker's end stays a plain `Connection`.
This module imports no NumPy at its top, so that a child sets single-threaded BLAS before NumPy
loads (NumPy reads those variables once, as it loads).
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
import pickle
import signal
import struct
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # not at run time: importing the engine loads NumPy
    from engine.remote import TrainerCache

# N workers on N cores: each must use one. Set for the workers and, at start-up, for the serving
# process (server.cli), before NumPy is imported.
SINGLE_THREADED_BLAS = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
STOP_TIMEOUT_S = 10.0
REPLY_PIPE_BYTES = 1 << 20


def serve(
    inbox: Connection, outbox: Connection, cache_size: int, cache_bytes: int, nice: int
) -> None:
    """A worker's life: keep sessions' data, train batches, answer, until the serving process
    closes the pipe (to stop it, or because it is gone: `recv` fails)."""
    os.environ.update(SINGLE_THREADED_BLAS)
    from engine.remote import TrainerCache  # only now: NumPy loads with the variables set

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is for the serving process to handle
    if nice > 0 and hasattr(os, "nice"):
        os.nice(nice)
    cache = TrainerCache(cache_size, cache_bytes)
    try:
        outbox.send(("hello", os.getpid()))
        while True:
            message = inbox.recv()  # EOFError once the serving process closes the pipe
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


def _widen(fd: int) -> None:
    # A batch's replies are tens of kilobytes: in the default 64 KiB pipe, a worker that answers
    # while the event loop builds frames waits for it instead of training its next batch. (Jobs
    # need no more: the event loop's transport buffers what does not fit, without waiting.)
    with contextlib.suppress(ImportError, AttributeError, OSError):  # Linux only, within limits
        import fcntl

        fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, REPLY_PIPE_BYTES)


class WorkerProcess:
    """A spawned worker seen from the serving process, at `index` of its pool.

    `send` writes a message (pickled at once, so a bad one fails its caller; buffered by the
    transport while the pipe is full); `on_message(self, message)` and then `on_exit(self)` are
    called on the event loop.
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
        child_in, to_child = context.Pipe(duplex=False)
        from_child, child_out = context.Pipe(duplex=False)
        self.process = context.Process(
            target=serve, args=(child_in, child_out, *args), name=f"engine-worker-{index}"
        )
        self.process.daemon = True
        self.process.start()
        # The child's ends, closed here: when it dies, the reader sees the pipe close.
        child_in.close()
        child_out.close()
        _widen(from_child.fileno())
        self.pid = self.process.pid
        self._writer: asyncio.WriteTransport | None = None
        self._reader: asyncio.ReadTransport | None = None
        self._early: list[bytes] = []  # written before the transport is connected
        self._pipes = (to_child, from_child)
        self._loop.create_task(self._connect(), name=f"worker-{index}-pipes")

    async def _connect(self) -> None:
        loop = self._loop
        to_child, from_child = self._pipes
        if self._stopping:
            return  # stopped before its pipes were connected: they are closed
        self._writer, _ = await loop.connect_write_pipe(asyncio.BaseProtocol, _File(to_child))
        if self._stopping:
            self._close_pipes()
            return
        self._reader, _ = await loop.connect_read_pipe(lambda: _Replies(self), _File(from_child))
        early, self._early = self._early, []
        for payload in early:
            self._write(payload)
        if self._stopping:
            self._close_pipes()

    def send(self, message: tuple) -> None:
        if self._stopping:
            return
        self._write(pickle.dumps(message, pickle.HIGHEST_PROTOCOL))

    def _write(self, payload: bytes) -> None:
        # As multiprocessing.connection frames a message: its length, then its bytes.
        if self._writer is None:
            self._early.append(payload)
            return
        n = len(payload)
        head = struct.pack("!i", n) if n <= 0x7FFFFFFF else struct.pack("!iQ", -1, n)
        if not self._writer.is_closing():
            self._writer.write(head + payload if n < 16384 else head)
            if n >= 16384:
                self._writer.write(payload)

    def _received(self, message: tuple) -> None:
        self._on_message(self, message)

    def _ended(self) -> None:
        self._close_pipes()
        self._on_exit(self)

    def kill(self) -> None:
        """End the process at once (its reader then reports the exit)."""
        if self.process.is_alive():
            self.process.kill()

    def stop(self) -> None:
        """End the worker: its inbox closes (it stops at its next read) and replies are no
        longer read (a reply it writes fails, and it stops); nothing more is sent."""
        if not self._stopping:
            self._stopping = True
            self._close_pipes()

    def _close_pipes(self) -> None:
        if self._writer is not None and not self._writer.is_closing():
            self._writer.abort()  # what it still buffers is dropped
        if self._reader is not None and not self._reader.is_closing():
            self._reader.close()
        # Closed now, not on the loop's next turn: a server that stops waits for its workers
        # without running the loop, and they stop when they see their pipes close.
        for pipe in self._pipes:
            pipe.close()

    def close(self, timeout: float = STOP_TIMEOUT_S) -> None:
        """Stop the worker and wait for it (kill it after `timeout`). A dead worker is only
        reaped."""
        self.stop()
        self.process.join(timeout)
        if self.process.exitcode is None:
            self.process.kill()
            self.process.join()
        self.exitcode = self.process.exitcode
        self.process.close()


class _File:
    """A pipe `Connection` as the file object asyncio's pipe transports take (a fileno and a
    close)."""

    def __init__(self, connection) -> None:
        self._connection = connection

    def fileno(self) -> int:
        return self._connection.fileno()

    def close(self) -> None:
        self._connection.close()


class _Replies(asyncio.Protocol):
    """The worker's replies, cut into messages as `multiprocessing.connection` frames them."""

    def __init__(self, proc: WorkerProcess) -> None:
        self.proc = proc
        self.buffer = bytearray()

    def data_received(self, data: bytes) -> None:
        buffer = self.buffer
        buffer += data
        start = 0
        while len(buffer) - start >= 4:
            (n,) = struct.unpack_from("!i", buffer, start)
            head = 4
            if n == -1:
                if len(buffer) - start < 12:
                    break
                (n,) = struct.unpack_from("!Q", buffer, start + 4)
                head = 12
            if len(buffer) - start < head + n:
                break
            message = pickle.loads(memoryview(buffer)[start + head : start + head + n])
            start += head + n
            self.proc._received(message)
        del buffer[:start]

    def eof_received(self) -> bool:
        return False  # close the transport: connection_lost follows

    def connection_lost(self, exc: Exception | None) -> None:
        self.proc._ended()
