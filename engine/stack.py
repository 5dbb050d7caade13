"""Jobs of one structure trained together as one stack: each NumPy call serves all of them.

A course's sessions mostly share a structure (the default setup), and for networks this small an
update costs almost nothing but the overhead of its NumPy calls. Jobs that can share a stack are
grouped here and trained by one `engine.training.Trainer` over K rows; each ends bit for bit
where training it alone would (tested).
"""

from __future__ import annotations

import time

import numpy as np

from engine.grid import GridEvaluator
from engine.jobs import TrainingData, TrainingJob, TrainingResult, job_grids, job_metrics
from engine.metrics import evaluate_stack
from engine.network import Network
from engine.pictures import can_stack, stack_pictures
from engine.state import TrainingState
from engine.training import Trainer

# Sessions trained in one stack: its buffers stay under 40 MB even for the largest network on
# 1,200 points, and stacks larger than this hardly cut the cost per session any more.
MAX_STACK = 32


def stack_key(
    layer_sizes, activation, output_activation, batch_size, regularization, rate, shape, rule=()
):
    """Sessions with equal keys can share a stack: same structure, data sizes, regulariser and
    training rule (`rule`: loss, optimizer and its hyperparameters; () for the original's).

    A zero rate trains as "none" does (the same shortcut `Trainer` takes). `shape` is
    (n_train, n_points).
    """
    reg = "none" if rate == 0.0 else regularization
    return (tuple(layer_sizes), activation, output_activation, batch_size, reg, *shape, *rule)


def _rule(job: TrainingJob) -> tuple:
    original = job.loss == "squared" and job.optimizer == "sgd"
    return () if original else (job.loss, job.optimizer, job.hyper)


def _key(job: TrainingJob) -> tuple | None:
    try:
        return stack_key(
            job.layer_sizes,
            job.activation,
            job.output_activation,
            job.batch_size,
            job.regularization,
            job.regularization_rate,
            (job.n_train, job.n_points),
            _rule(job),
        )
    except Exception:  # not a job: it fails on its own, in `train_job`
        return None


def job_key(job: TrainingJob) -> str:
    """A sort key that puts jobs that can share a stack next to each other."""
    return repr(_key(job))


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


def train_stacked(
    jobs: list[TrainingJob], data: list[TrainingData], grids: GridEvaluator
) -> list[TrainingResult]:
    """Train jobs that share a `stack_key`, each on its data: each result is `train_job`'s, bit
    for bit. Each result's `seconds` is its share of the stack's processor time (by epochs
    trained; `wall`, of its real time), so pacing sees what an epoch costs a session when it
    trains in a stack."""
    first = jobs[0]
    net = Network(list(first.layer_sizes), first.activation, first.output_activation)
    trainer = Trainer(
        net,
        np.stack([d.A0 for d in data]),
        np.stack([d.Y for d in data]),
        first.batch_size,
        _key(first)[4],
        n_train=first.n_train,
        state=TrainingState.stack([job.state for job in jobs]),
        loss=first.loss,
        optimizer=first.optimizer,
        hyper=dict(first.hyper),
    )
    started, on_core = time.perf_counter(), time.thread_time()
    trained = trainer.train(
        [job.n for job in jobs],
        [job.learning_rate for job in jobs],
        [float(job.regularization_rate) for job in jobs],
        [job.stop for job in jobs],
    )
    # The epochs' cost only: pictures are drawn once a result, whatever its epochs, and counting
    # them per epoch would make small slices look dear and shrink them further.
    wall, seconds = time.perf_counter() - started, time.thread_time() - on_core
    outputs = trainer.outputs() if any(job.grid_sizes for job in jobs) else None
    epochs = sum(len(losses) for losses, _ in trained) or 1
    # The pictures of every member that asks for them, drawn together when they can be.
    drawn = [k for k, job in enumerate(jobs) if job.grid_sizes and not trained[k][1]]
    drawings, measures = {}, {}
    if drawn and can_stack([jobs[k] for k in drawn]):
        params = trainer.state.params[drawn]
        pictures = stack_pictures([jobs[k] for k in drawn], params, grids)
        drawings = dict(zip(drawn, pictures, strict=True))
        targets = np.stack([data[k].Y for k in drawn])
        task = jobs[drawn[0]].task
        measured = evaluate_stack(task, outputs[drawn], targets, first.n_train)
        measures = dict(zip(drawn, measured, strict=True))
    out = []
    for k, (job, (losses, diverged)) in enumerate(zip(jobs, trained, strict=True)):
        state = trainer.state.row(k)
        pictures: tuple[np.ndarray, ...] = ()
        measured = None
        if job.grid_sizes and not diverged:
            pictures, measured = drawings.get(k), measures.get(k)
            if pictures is None:
                np.copyto(net.params, state.params[0])
                pictures = job_grids(job, net, grids)
                measured = job_metrics(job, outputs[k], data[k])
        out.append(
            TrainingResult(
                token=job.token,
                epoch=job.epoch,
                n=job.n,
                state=state,
                losses=losses,
                diverged=diverged,
                seconds=seconds * len(losses) / epochs,
                wall=wall * len(losses) / epochs,
                grids=pictures,
                stack=len(jobs),
                metrics=measured,
                stop=job.stop,
            )
        )
    return out
