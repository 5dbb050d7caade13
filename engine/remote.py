"""Training in another process: what a worker keeps between jobs, and how it trains a batch.

A worker gets each session's points once (`TrainingData`) and keeps them in its `TrainerCache`
until told to forget them; jobs refer to them by token. `train_job` and `train_jobs` are pure
(no Run, no I/O), so a pool of worker processes can train many sessions at once while the
process that owns the sessions keeps their authoritative state.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Iterable

from engine.grid import GridEvaluator
from engine.jobs import (
    TrainingData,
    TrainingJob,
    TrainingResult,
    job_grids,
    job_metrics,
    new_token,
)
from engine.network import Network
from engine.stack import MAX_STACK, job_key, stack_groups, train_stacked
from engine.training import Trainer

__all__ = [
    "MAX_STACK",
    "TrainerCache",
    "TrainingData",
    "TrainingJob",
    "TrainingResult",
    "build_trainer",
    "job_key",
    "new_token",
    "stack_groups",
    "train_job",
    "train_jobs",
    "train_stacked",
]


class TrainerCache:
    """A worker's memory: sessions' data by token (kept until forgotten), and trainers built on
    it (batches cut once), the least recently used dropped beyond `size` trainers or beyond
    `max_bytes` of data and trainers together."""

    def __init__(self, size: int = 64, max_bytes: int = 64 * 2**20) -> None:
        self.size = size
        self.max_bytes = max_bytes
        self._data: dict[tuple, TrainingData] = {}
        self._trainers: OrderedDict[tuple, tuple[Trainer, int]] = OrderedDict()
        self._trainer_bytes = 0
        self.grids = GridEvaluator()

    def __len__(self) -> int:
        return len(self._trainers)

    @property
    def nbytes(self) -> int:
        """Bytes of the data and the trainers held."""
        return sum(data.nbytes for data in self._data.values()) + self._trainer_bytes

    def stats(self) -> dict[str, int]:
        """What is held: {"data": data sets, "trainers": trainers, "bytes": nbytes}."""
        return {"data": len(self._data), "trainers": len(self), "bytes": self.nbytes}

    def add_data(self, data: TrainingData) -> None:
        self._data[data.token] = data

    def data(self, job: TrainingJob) -> TrainingData:
        """The data `job` trains on; LookupError if it was never sent (or forgotten)."""
        data = self._data.get(job.data)
        if data is None:
            raise LookupError(f"no data {job.data} here: it is sent before the session's jobs")
        return data

    def forget(self, tokens: Iterable[tuple]) -> None:
        """Drop these data sets and every trainer built on them."""
        tokens = set(tokens)
        for token in tokens:
            self._data.pop(token, None)
        for key in [key for key in self._trainers if key[1] in tokens]:
            self._drop(key)

    def get(self, job: TrainingJob, data: TrainingData) -> Trainer:
        """The trainer for `job` on `data`: the cached one, or a new one (then cached)."""
        key = (job.token, data.token, job.layer_sizes, job.activation, job.output_activation)
        key += (job.batch_size, job.loss, job.optimizer, job.hyper)
        entry = self._trainers.get(key)
        if entry is not None:
            self._trainers.move_to_end(key)
            return entry[0]
        trainer = build_trainer(job, data)
        size = trainer.nbytes
        if self.size > 0 and size <= self.max_bytes:
            self._trainers[key] = (trainer, size)
            self._trainer_bytes += size
            while len(self._trainers) > self.size or self.nbytes > self.max_bytes:
                self._drop(next(iter(self._trainers)))
                if not self._trainers:
                    break
        return trainer

    def _drop(self, key: tuple) -> None:
        _, size = self._trainers.pop(key)
        self._trainer_bytes -= size


def build_trainer(job: TrainingJob, data: TrainingData) -> Trainer:
    """A one-network trainer for `job`'s structure on `data`, its state the network's own."""
    if (data.n_train, data.A0.shape[1]) != (job.n_train, job.n_points):
        raise ValueError(f"data {data.token} has other sizes than job {job.token} expects")
    net = Network(list(job.layer_sizes), job.activation, job.output_activation)
    return Trainer(
        net,
        data.A0,
        data.Y,
        job.batch_size,
        job.regularization,
        job.regularization_rate,
        n_train=data.n_train,
        loss=job.loss,
        optimizer=job.optimizer,
        hyper=dict(job.hyper),
    )


def train_job(
    job: TrainingJob, data: TrainingData, cache: TrainerCache | None = None
) -> TrainingResult:
    """Train `job.n` epochs on `data` exactly as `Run.step` would; the job is left untouched."""
    trainer = build_trainer(job, data) if cache is None else cache.get(job, data)
    # The epochs' cost only: a rebuild is not paid per epoch.
    started, on_core = time.perf_counter(), time.thread_time()
    trainer.state.assign(job.state)
    trainer.regularization = job.regularization
    ((losses, diverged),) = trainer.train(
        [job.n], [job.learning_rate], [float(job.regularization_rate)], [job.stop]
    )
    # The epochs' cost, not the pictures' (stack.py).
    wall, seconds = time.perf_counter() - started, time.thread_time() - on_core
    grids: tuple = ()
    measured = None
    if not diverged:
        grids = job_grids(job, trainer.net, GridEvaluator() if cache is None else cache.grids)
        if job.grid_sizes:
            measured = job_metrics(job, trainer.outputs(), data)
    return TrainingResult(
        token=job.token,
        epoch=job.epoch,
        n=job.n,
        state=trainer.state.copy(),
        losses=losses,
        diverged=diverged,
        seconds=seconds,
        grids=grids,
        metrics=measured,
        stop=job.stop,
        wall=wall,
    )


def train_jobs(jobs: list[TrainingJob], cache: TrainerCache) -> list[TrainingResult | str]:
    """Train a batch of jobs on the data in `cache`: those that can share a stack together, the
    others in turn. A job that fails gives its error text instead of a result; a stack that
    fails is retried job by job, so one bad job never costs the batch's other sessions."""
    out: list[TrainingResult | str | None] = [None] * len(jobs)
    for group in stack_groups(jobs):
        if len(group) > 1:
            try:
                members = [jobs[i] for i in group]
                data = [cache.data(job) for job in members]
                results = train_stacked(members, data, cache.grids)
            except Exception:  # retried job by job below: each bad job gives its own error
                pass
            else:
                for i, result in zip(group, results, strict=True):
                    out[i] = result
                continue
        for i in group:
            try:
                out[i] = train_job(jobs[i], cache.data(jobs[i]), cache)
            except Exception as exc:
                out[i] = f"{type(exc).__name__}: {exc}"
    return out
