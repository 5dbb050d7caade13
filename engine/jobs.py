"""Training slices as plain data: a session's points (sent once), a job, and what it changed."""

from __future__ import annotations

import itertools
import os
from dataclasses import dataclass, fields

import numpy as np

from engine.buffers import pack, unpack
from engine.grid import GridEvaluator, pack_pictures, quantise
from engine.metrics import Metrics, evaluate
from engine.network import Network
from engine.state import ALIGNED, TrainingState
from engine.task import Task

_TOKENS = itertools.count(1)


def new_token() -> tuple[int, int]:
    """A key that no other data or network structure of this process has had."""
    return (os.getpid(), next(_TOKENS))


@dataclass(frozen=True)
class TrainingData:
    """A session's points, which a worker gets once and keeps under `token` for its jobs."""

    token: tuple[int, int]  # changes whenever the points or the active features do
    A0: np.ndarray  # (n_inputs, N) features of the training then the test points
    Y: np.ndarray  # (n_outputs, N) targets (engine.task)
    n_train: int  # the first n_train points are the training points

    @property
    def nbytes(self) -> int:
        return self.A0.nbytes + self.Y.nbytes


@dataclass(frozen=True)
class TrainingJob:
    """Everything `train_job` needs besides the data: structure, hyperparameters, state."""

    token: tuple[int, int]  # changes whenever the data or the network's structure does
    data: tuple[int, int]  # the token of the `TrainingData` it trains on
    layer_sizes: tuple[int, ...]
    activation: str
    output_activation: str
    batch_size: int
    regularization: str
    regularization_rate: float
    learning_rate: float
    n_train: int  # the data's sizes, so that jobs can be grouped without it
    n_points: int
    state: TrainingState  # one row: parameters, dead links, carried gradient, optimizer state
    n: int  # epochs to train
    epoch: int  # the run's epoch when the job was made
    # Grids of the trained state, quantised: (large size, thumbnail size), or () for none. The
    # process that sends frames then only encodes them (and the metrics, then measured too).
    grid_sizes: tuple[int, ...] = ()
    input_names: tuple[str, ...] = ()
    loss: str = "squared"
    optimizer: str = "sgd"
    hyper: tuple[tuple[str, float], ...] = ()  # the optimizer's hyperparameters, sorted
    classes: int = 2  # the task's (engine.task): 0 for regression
    stop: float | None = None  # stop once the test loss is at or below this
    # Only the packed pictures come back, not the large picture itself (a server that sends
    # packed frames never reads it: two thirds of a result's bytes through the pipe).
    packed_only: bool = False

    @property
    def task(self) -> Task:
        return Task(self.classes, self.loss)

    def for_epochs(self, n: int) -> TrainingJob:
        """This job for `n` epochs: `dataclasses.replace(self, n=n)` without its checks, which
        cost more than a small network's epoch (a server sends hundreds of jobs a second)."""
        job = object.__new__(TrainingJob)
        job.__dict__.update(self.__dict__, n=n)
        return job

    def __reduce__(self) -> tuple:
        # Its fields' values alone (hundreds of jobs a second cross the pipe to the workers).
        values = self.__dict__
        return _job, tuple([values[name] for name in _JOB_FIELDS])


def _job(*values) -> TrainingJob:
    """The job `TrainingJob.__reduce__` pickled."""
    job = object.__new__(TrainingJob)
    job.__dict__.update(zip(_JOB_FIELDS, values, strict=True))
    return job


_JOB_FIELDS = tuple(field.name for field in fields(TrainingJob))


@dataclass(frozen=True)
class TrainingResult:
    """What training a job changed; `Run.apply_training` takes it back in."""

    token: tuple[int, int]
    epoch: int
    n: int
    state: TrainingState  # one row, as the job's last epoch left it
    losses: np.ndarray  # (k, 2) train and test loss after each epoch trained
    diverged: bool
    # The epochs' processor time, for the scheduler's fair shares and pacing (unlike real time,
    # it does not count the moments the worker waited for a core another process held).
    seconds: float
    # For `grid_sizes` (G, T): the output on the G x G grid and every node on the T x T grid,
    # as bytes (see `engine.grid.quantise`), and both packed for the wire
    # (`engine.grid.pack_pictures`); () when not asked for or diverged.
    grids: tuple[np.ndarray, ...] = ()
    stack: int = 1  # sessions it trained with in one stack, itself included
    metrics: Metrics | None = None  # of the trained state, with the grids
    stop: float | None = None  # the job's stop (a result shorter than n without diverging: met)
    wall: float = 0.0  # the real time the epochs took (`seconds` of it on a core)

    def __reduce__(self) -> tuple:
        # Every array (the state's, the losses, the pictures, the confusion counts) in one buffer
        # (engine.buffers): a result crosses the pipe for every frame, and pickling its arrays one
        # by one cost four times as much.
        picture, thumbs, packed = self.grids or (None, None, None)
        metrics = self.metrics
        confusion = metrics.confusion if metrics is not None else None
        arrays = (*self.state.aligned()[:5], self.losses, confusion, self.state.dead, thumbs)
        times = (self.seconds, self.wall)
        scalars = (self.token, self.epoch, self.n, self.diverged, times, self.stack)
        measured = None if metrics is None else (metrics.classes, metrics.r2)
        drawn = bool(self.grids)
        specs, blob = pack(arrays, _DTYPES)
        return _result, (scalars, self.stop, drawn, packed, measured, picture, specs, blob)


# The dtypes of the arrays `TrainingResult.__reduce__` packs: the state's 8-byte ones, the losses,
# the confusion counts, the dead links and the thumbnails.
_DTYPES = (*ALIGNED[:5], np.dtype(np.float64), np.dtype(np.int64), *ALIGNED[5:], np.dtype(np.uint8))


def _result(scalars, stop, drawn, packed, measured, picture, specs, blob) -> TrainingResult:
    """The result `TrainingResult.__reduce__` pickled."""
    *state, losses, confusion, dead, thumbs = unpack(_DTYPES, specs, blob)
    token, epoch, n, diverged, (seconds, wall), stack = scalars
    result = object.__new__(TrainingResult)  # frozen: its __init__ sets field by field, slowly
    result.__dict__.update(
        token=token,
        epoch=epoch,
        n=n,
        state=TrainingState.of_aligned((*state, dead)),
        losses=losses,
        diverged=diverged,
        seconds=seconds,
        grids=(picture, thumbs, packed) if drawn else (),
        stack=stack,
        metrics=None if measured is None else Metrics(measured[0], confusion, measured[1]),
        stop=stop,
        wall=wall,
    )
    return result


def job_grids(job: TrainingJob, net: Network, grids: GridEvaluator) -> tuple[np.ndarray, ...]:
    """The grids `job.grid_sizes` asks for, of `net` as it is: the output's picture on the large
    grid and every node on the thumbnail grid, quantised (engine.task), and the two packed for the
    wire (the picture None when `job.packed_only`); () for none."""
    if not job.grid_sizes:
        return ()
    big, thumb = job.grid_sizes
    names = list(job.input_names)
    task = job.task
    output = task.picture(grids.node_grids(net, names, big)[-task.outputs :])
    thumbs = quantise(task.shown(grids.node_grids(net, names, thumb)))
    return None if job.packed_only else output, thumbs, pack_pictures(output, thumbs)


def job_metrics(job: TrainingJob, outputs: np.ndarray, data: TrainingData) -> Metrics | None:
    """The metrics of a trained job from its outputs on the data, when it asked for grids."""
    if not job.grid_sizes:
        return None
    return evaluate(job.task, outputs, data.Y, data.n_train)
