"""The training kernel: the data's layout, the buffers and the fixed NumPy calls of an update.

Each layer is one augmented matrix [W_l | b_l] and each activation matrix has a row of ones under
it, so `Z_l = W_l @ A_(l-1) + b_l` is the single product `[W_l | b_l] @ [A_(l-1); 1]` and the
bias gradient comes out as the last column of the weight gradient. Samples are columns, as in the
lecture. Every buffer may have a leading axis of K networks trained in lockstep (a stack): the
same calls then serve all of them, with `np.matmul` for `np.dot`.
"""

from __future__ import annotations

import numpy as np

from engine.activations import OUTPUT_ACTIVATIONS, softmax_backward


def transposed(A: np.ndarray) -> np.ndarray:
    """The transpose of a matrix, or of each matrix in a stack (a view)."""
    return A.swapaxes(-1, -2)


def with_ones(A: np.ndarray) -> np.ndarray:
    """(K, n, m) -> (K, n + 1, m): a row of ones under each matrix, C-contiguous."""
    K, n, m = A.shape
    out = np.ones((K, n + 1, m))
    out[:, :n] = A
    return out


def cut_batches(M: np.ndarray, start: int, count: int, size: int) -> np.ndarray:
    """Columns start .. start + count * size of M (K, n, N) as (count, K, n, size), contiguous:
    batch j is a C-contiguous (K, n, size) stack, each row laid out as one network's batch."""
    K, n, _ = M.shape
    cut = M[:, :, start : start + count * size].reshape(K, n, count, size)
    return np.ascontiguousarray(cut.transpose(2, 0, 1, 3))


def layer_views(flat: np.ndarray, shapes: list[tuple[int, int]], stacked: bool) -> list:
    """Views of (K, P) rows as each layer's [W | b]: (K, n_out, n_in + 1), or of row 0 only."""
    views, start = [], 0
    for shape in shapes:
        end = start + shape[0] * shape[1]
        part = flat[:, start:end]
        views.append(part.reshape(len(flat), *shape) if stacked else part[0].reshape(shape))
        start = end
    return views


class Pass:
    """Buffers and the fixed call lists for a forward + backward pass over `width` samples.

    `layers` are the [W_l | b_l] matrices, `grads` their gradient buffers; with `lead=(K,)`
    both are stacks of K networks and so is every buffer (see engine.training). `fused`: the loss
    makes dE/dnet = out - t at the output (cross-entropy with its sigmoid or softmax), so the
    output's slope is not applied.
    """

    def __init__(
        self,
        sizes: list[int],
        names: list[str],
        layers: list[np.ndarray],
        grads: list[np.ndarray],
        width: int,
        backward: bool = True,
        lead: tuple[int, ...] = (),
        fused: bool = False,
    ) -> None:
        last = len(sizes) - 2
        self.forward_steps = []  # (W_aug, Z, A, activation or None, [A; 1]), layer by layer
        A_aug = []  # [A_l; 1] for hidden layers, A_L for the output
        slopes = []  # (Z, A, slope buffer, derivative), None for a linear layer
        for l, n in enumerate(sizes[1:]):
            A_aug.append(np.ones((*lead, n + (l < last), width)))
            A = A_aug[-1][..., :n, :]
            linear = names[l] == "linear"
            # a linear layer writes its output directly
            Z = A if linear else np.empty((*lead, n, width))
            act = OUTPUT_ACTIVATIONS[names[l]]
            self.forward_steps.append((layers[l], Z, A, None if linear else act.output, A_aug[-1]))
            sloped = backward and not linear and not (fused and l == last)
            slope = np.empty((*lead, n, width)) if sloped else None
            slopes.append(None if slope is None else (Z, A, slope, act.derivative))
        self.output = A_aug[-1]
        self.delta_out = np.empty((*lead, sizes[-1], width))
        # backward, output layer first: (slope, [A_(l-1); 1]^T or None for the inputs, dW_aug,
        # W_aug^T or None at the first layer, W^T delta buffer (+ bias row), its first rows)
        self.backward_steps = []
        for l in range(last, -1, -1) if backward else ():
            back = None
            if l:
                full = np.empty((*lead, sizes[l] + 1, width))
                back = (transposed(layers[l]), full, full[..., :-1, :])
            self.backward_steps.append(
                (slopes[l], transposed(A_aug[l - 1]) if l else None, grads[l], back)
            )


# `product` is np.dot for one network, np.matmul for a stack.


def forward(bufs: Pass, X: np.ndarray, product=np.dot) -> np.ndarray:
    """The output for X = [A_0; 1] (samples as columns); every layer's Z and A stay in `bufs`."""
    A = X
    for W_aug, Z, A_out, act, A_next in bufs.forward_steps:
        product(W_aug, A, out=Z)
        if act is not None:
            act(Z, out=A_out)
        A = A_next
    return bufs.output


def gradient_sum(bufs: Pass, X: np.ndarray, XT: np.ndarray, Y: np.ndarray, product=np.dot) -> None:
    """The gradient buffers = the SUM over the batch of dE/d[W | b] (dead links too), for
    E = 1/2 (out - y)^2: delta_L = (A_L - Y) * g'(Z_L) (through softmax: its Jacobian), or for a
    fused loss delta_L = A_L - Y; then dW_aug = delta @ [A; 1]^T, delta <- (W^T delta) * g'(Z)."""
    delta = np.subtract(forward(bufs, X, product), Y, out=bufs.delta_out)
    for slope, A_prev_T, dW_aug, back in bufs.backward_steps:
        if slope is not None:
            Z, A, S, derivative = slope
            if derivative is None:  # softmax under the squared error
                softmax_backward(A, delta, S)
            else:
                delta *= derivative(Z, A, out=S)
        product(delta, XT if A_prev_T is None else A_prev_T, out=dW_aug)
        if back is not None:
            W_aug_T, full, rows = back
            product(W_aug_T, delta, out=full)  # its last row (the bias's) is not needed
            delta = rows
