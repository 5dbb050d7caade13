"""A stack's pictures in one pass: what `engine.jobs.job_grids` draws for one network at a time,
byte for byte, for every network of a stack with a few NumPy calls per layer instead of a few per
layer and network. A worker draws a picture for every result it sends, so for a stack of small
networks these calls, not the arithmetic, were most of the drawing's cost.
"""

from __future__ import annotations

import numpy as np

from engine.grid import GridEvaluator, deflate, quantise, residuals
from engine.jobs import TrainingJob


def stack_node_grids(
    grids: GridEvaluator, params: np.ndarray, job: TrainingJob, n: int
) -> np.ndarray:
    """float32 (S, n_nodes, n, n): the node grids of the network of `job`'s structure holding
    each row of `params` (S, P)."""
    layers = list(job.layer_sizes)
    activations = [job.activation] * (len(layers) - 2) + [job.output_activation]
    return grids.stack_node_grids(params, layers, activations, list(job.input_names), n)


def can_stack(jobs: list[TrainingJob]) -> bool:
    """Whether `stack_pictures` draws these jobs' pictures: one structure, grid sizes, inputs
    and task, and pictures asked for."""
    first = jobs[0]
    same = (first.grid_sizes, first.input_names, first.classes, first.loss, first.packed_only)
    return len(first.grid_sizes) == 2 and all(
        (job.grid_sizes, job.input_names, job.classes, job.loss, job.packed_only) == same
        for job in jobs
    )


def stack_pictures(
    jobs: list[TrainingJob], params: np.ndarray, grids: GridEvaluator
) -> list[tuple[np.ndarray, np.ndarray, bytes]]:
    """`job_grids` of each of `jobs` (`can_stack`) for the network holding its row of
    `params`: the output's picture, every node's thumbnail, and the two packed."""
    first = jobs[0]
    task = first.task
    big, thumb = first.grid_sizes
    outputs = stack_node_grids(grids, params, first, big)[:, -task.outputs :]
    thumbs = stack_node_grids(grids, params, first, thumb)
    if task.probability:  # as Task.shown: probabilities p as 2 p - 1
        thumbs[:, -task.outputs :] *= 2
        thumbs[:, -task.outputs :] -= 1
    thumbs = quantise(thumbs)
    if task.classes > 2:
        pictures = np.stack([task.picture(picture) for picture in outputs])
    else:  # as Task.picture, for all at once: the one output, shown, quantised
        shown = outputs[:, -1]
        if task.probability:
            shown = shown * 2
            shown -= 1
        pictures = quantise(shown)
    packed_pictures = residuals(pictures)
    packed_thumbs = residuals(thumbs.reshape(-1, thumb, thumb)).reshape(thumbs.shape)
    return [
        (
            None if first.packed_only else pictures[k],
            thumbs[k],
            deflate(packed_pictures[k].tobytes(), packed_thumbs[k].tobytes()),
        )
        for k in range(len(jobs))
    ]
