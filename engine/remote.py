"""Training slices as plain data: a Run packs a job, another process trains it, the Run applies it.

`train_job` is pure (no Run, no I/O), so a pool of worker processes can train many sessions at once
while the process that owns the sessions keeps their authoritative state.
"""

from __future__ import annotations

import itertools
import os
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, replace

import numpy as np

from engine.grid import GridEvaluator, quantise
from engine.network import Network
from engine.stack import StackTrainer, stack_key
from engine.training import Trainer

_TOKENS = itertools.count(1)
# Sessions trained in one stack: its buffers stay under 40 MB even for the largest network on
# 1,200 points, and stacks larger than this hardly cut the cost per session any more.
MAX_STACK = 32


def new_token() -> tuple[int, int]:
    """A key that no other data or network structure of this process has had."""
    return (os.getpid(), next(_TOKENS))


@dataclass(frozen=True)
class TrainingJob:
    """Everything `train_job` needs: structure, data, hyperparameters and the training state."""

    token: tuple[int, int]  # changes whenever the data or the network's structure does
    layer_sizes: tuple[int, ...]
    activation: str
    output_activation: str
    batch_size: int
    regularization: str
    regularization_rate: float
    learning_rate: float
    A0: np.ndarray  # (n_inputs, N) features of the training then the test points
    Y: np.ndarray  # (n_outputs, N) targets
    n_train: int
    params: np.ndarray
    dead: np.ndarray
    carry: np.ndarray  # the leftover points' gradient sum, carried into the next update
    carry_count: int
    n: int  # epochs to train
    epoch: int  # the run's epoch when the job was made
    # Grids of the trained state, quantised: (large size, thumbnail size), or () for none. The
    # process that sends frames then only encodes them.
    grid_sizes: tuple[int, ...] = ()
    input_names: tuple[str, ...] = ()


@dataclass(frozen=True)
class TrainingResult:
    """What training a job changed; `Run.apply_training` takes it back in."""

    token: tuple[int, int]
    epoch: int
    n: int
    params: np.ndarray
    dead: np.ndarray
    carry: np.ndarray
    carry_count: int
    losses: np.ndarray  # (k, 2) train and test loss after each epoch trained
    diverged: bool
    seconds: float  # training time, for the scheduler's pacing
    # For `grid_sizes` (G, T): the output on the G x G grid and every node on the T x T grid,
    # as bytes (see `engine.grid.quantise`); () when not asked for or diverged.
    grids: tuple[np.ndarray, ...] = ()
    stack: int = 1  # sessions it trained with in one stack, itself included


class TrainerCache:
    """Trainers by job token (a bounded LRU): a known session's batches are not rebuilt."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._trainers: OrderedDict[tuple, Trainer] = OrderedDict()
        self.grids = GridEvaluator()

    def __len__(self) -> int:
        return len(self._trainers)

    def get(self, job: TrainingJob) -> Trainer:
        key = (job.token, job.layer_sizes, job.activation, job.output_activation, job.batch_size)
        trainer = self._trainers.get(key)
        if trainer is None:
            trainer = build_trainer(job)
            if self.size > 0:
                self._trainers[key] = trainer
                while len(self._trainers) > self.size:
                    self._trainers.popitem(last=False)
        else:
            self._trainers.move_to_end(key)
        return trainer


def build_trainer(job: TrainingJob) -> Trainer:
    net = Network(list(job.layer_sizes), job.activation, job.output_activation)
    return Trainer(
        net,
        job.A0,
        job.Y,
        job.batch_size,
        job.regularization,
        job.regularization_rate,
        n_train=job.n_train,
    )


def train_job(job: TrainingJob, cache: TrainerCache | None = None) -> TrainingResult:
    """Train `job.n` epochs exactly as `Run.step` would; the job itself is left untouched."""
    trainer = build_trainer(job) if cache is None else cache.get(job)
    started = time.perf_counter()  # the epochs' cost only: a rebuild is not paid per epoch
    net = trainer.net
    np.copyto(net.params, job.params)
    np.copyto(net.dead_mask, job.dead)
    np.copyto(trainer.carry, job.carry)
    trainer.carry_count = job.carry_count
    trainer.regularization = job.regularization
    trainer.regularization_rate = float(job.regularization_rate)
    losses = trainer.step(job.n, job.learning_rate)
    grids: tuple[np.ndarray, ...] = ()
    if not trainer.diverged:
        grids = job_grids(job, net, GridEvaluator() if cache is None else cache.grids)
    return TrainingResult(
        token=job.token,
        epoch=job.epoch,
        n=job.n,
        params=net.params.copy(),
        dead=net.dead_mask.copy(),
        carry=trainer.carry.copy(),
        carry_count=trainer.carry_count,
        losses=losses,
        diverged=trainer.diverged,
        seconds=time.perf_counter() - started,
        grids=grids,
    )


def job_grids(job: TrainingJob, net: Network, grids: GridEvaluator) -> tuple[np.ndarray, ...]:
    """The grids `job.grid_sizes` asks for, of `net` as it is: the output on the large grid and
    every node on the thumbnail grid, quantised; () for none."""
    if not job.grid_sizes:
        return ()
    big, thumb = job.grid_sizes
    names = list(job.input_names)
    return (
        quantise(grids.node_grids(net, names, big)[-1]),
        quantise(grids.node_grids(net, names, thumb)),
    )


# -- inside a worker process --------------------------------------------------------------------

_worker_cache = TrainerCache(0)


def init_worker(cache_size: int, parent_pid: int, nice: int = 0) -> None:
    """Set up a worker: its trainer cache, its priority (`nice` lowers it, so that the process
    serving the sessions wins the CPU over training), and an exit when that process is gone."""
    global _worker_cache
    _worker_cache = TrainerCache(cache_size)
    if nice > 0 and hasattr(os, "nice"):
        os.nice(nice)
    threading.Thread(target=_watch_parent, args=(parent_pid,), daemon=True).start()


def _watch_parent(parent_pid: int) -> None:
    # A killed parent cannot shut its pool down, and a worker waiting for jobs never notices on
    # its own: without this it would live on forever.
    while os.getppid() == parent_pid:
        time.sleep(0.5)
    os._exit(0)


def train_jobs(jobs: list[TrainingJob]) -> list[TrainingResult | str]:
    """Train a batch of jobs: those that can share a stack together, the others in turn.

    A job that fails gives its error text instead of a result; a stack that fails is retried
    job by job, so one bad job never costs the batch's other sessions.
    """
    out: list[TrainingResult | str | None] = [None] * len(jobs)
    for group in stack_groups(jobs):
        if len(group) > 1:
            try:
                results = train_stacked([jobs[i] for i in group], _worker_cache.grids)
            except Exception:  # retried job by job below: each bad job gives its own error
                pass
            else:
                for i, result in zip(group, results, strict=True):
                    out[i] = result
                continue
        for i in group:
            try:
                out[i] = train_job(jobs[i], _worker_cache)
            except Exception as exc:
                out[i] = f"{type(exc).__name__}: {exc}"
    return out


def job_key(job: TrainingJob) -> tuple:
    """A sort key that puts jobs that can share a stack next to each other."""
    return repr(_key(job))


def _key(job: TrainingJob) -> tuple | None:
    try:
        return stack_key(
            job.layer_sizes,
            job.activation,
            job.output_activation,
            job.batch_size,
            job.regularization,
            job.regularization_rate,
            (job.n_train, job.A0.shape[1]),
        )
    except Exception:  # not a job: it fails on its own, in `train_job`
        return None


def stack_groups(jobs: list[TrainingJob]) -> list[list[int]]:
    """Indices of `jobs` in groups that can train in one stack, each at most MAX_STACK long.

    Within a group the epoch counts are close (at least half the largest), since the stack
    trains until its longest job is done.
    """
    by_key: dict = {}
    for i, job in enumerate(jobs):
        by_key.setdefault(_key(job), []).append(i)
    groups = []
    for key, members in by_key.items():
        if key is None:
            groups += [[i] for i in members]
            continue
        members.sort(key=lambda i: -jobs[i].n)
        group: list[int] = []
        for i in members:
            if group and (len(group) == MAX_STACK or 2 * jobs[i].n < jobs[group[0]].n):
                groups.append(group)
                group = []
            group.append(i)
        groups.append(group)
    return groups


def train_stacked(jobs: list[TrainingJob], grids: GridEvaluator) -> list[TrainingResult]:
    """Train jobs that share a `stack_key` together: each result is `train_job`'s, bit for bit.

    Each result's `seconds` is its share of the stack's time (by epochs trained), so pacing sees
    what an epoch costs a session when it trains in a stack.
    """
    first = jobs[0]
    trainer = StackTrainer(
        list(first.layer_sizes),
        first.activation,
        first.output_activation,
        first.batch_size,
        _key(first)[4],
        np.stack([job.A0 for job in jobs]),
        np.stack([job.Y for job in jobs]),
        first.n_train,
    )
    started = time.perf_counter()
    for k, job in enumerate(jobs):
        trainer.params[k] = job.params
        trainer.dead[k] = job.dead
        trainer.carry[k] = job.carry
        trainer.carry_count[k] = job.carry_count
    trained = trainer.train(
        [job.n for job in jobs],
        [job.learning_rate for job in jobs],
        [float(job.regularization_rate) for job in jobs],
    )
    net = Network(list(first.layer_sizes), first.activation, first.output_activation)
    out = []
    for job, (losses, diverged, params, dead, carry, carry_count) in zip(
        jobs, trained, strict=True
    ):
        pictures: tuple[np.ndarray, ...] = ()
        if job.grid_sizes and not diverged:
            np.copyto(net.params, params)
            pictures = job_grids(job, net, grids)
        out.append(
            TrainingResult(
                token=job.token,
                epoch=job.epoch,
                n=job.n,
                params=params,
                dead=dead,
                carry=carry,
                carry_count=carry_count,
                losses=losses,
                diverged=diverged,
                seconds=0.0,
                grids=pictures,
                stack=len(jobs),
            )
        )
    seconds = time.perf_counter() - started
    epochs = sum(len(r.losses) for r in out) or 1
    return [replace(r, seconds=seconds * len(r.losses) / epochs) for r in out]


def ready() -> int:
    """What a new pool runs once per worker, so that workers start before they are needed.

    It holds its worker a moment so that another takes the next one: when all have answered,
    all are running.
    """
    time.sleep(0.05)
    return os.getpid()
