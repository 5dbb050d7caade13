"""The standalone script that engine.script fills in, as a `str.format` template (the script's own
braces doubled): the forward pass, the loss and training by the engine's rules (batches, carried
points, optimizer, regulariser, dead links), again in plain NumPy."""

SCRIPT = '''\
"""A network exported from the neural-network playground (needs numpy only).

    python model.py X Y [X Y ...]      the output for each point (and its class)
    python model.py --train N [X Y]    first train N more epochs by the playground's rules

The network in the lecture's matrix form: Z_l = W_l @ A_(l-1) + B_l, A_l = g_l(Z_l), W_l of shape
n x m (n neurons in layer l, m in layer l - 1), samples as columns.
Its playground config: {config}
"""

import sys

import numpy as np

{weights}

{header}

W = [{Ws}]
B = [{Bs}]

FEATURES = {{
    "x": lambda x, y: x,
    "y": lambda x, y: y,
    "xSquared": lambda x, y: x * x,
    "ySquared": lambda x, y: y * y,
    "xTimesY": lambda x, y: x * y,
    "sinX": lambda x, y: np.sin(x),
    "sinY": lambda x, y: np.sin(y),
}}


def g(name, z):
    if name == "tanh":
        return np.tanh(z)
    if name == "relu":
        return np.maximum(z, 0.0)
    if name == "sigmoid":
        return 1.0 / (1.0 + np.exp(-z))
    if name == "softmax":
        e = np.exp(z - z.max(axis=0, keepdims=True))
        return e / e.sum(axis=0, keepdims=True)
    return z


def g_prime(name, z, a):
    if name == "tanh":
        return 1.0 - a * a
    if name == "relu":
        return (z > 0).astype(float)
    if name == "sigmoid":
        return a * (1.0 - a)
    return np.ones_like(z)


def features(x, y):
    """A0: one row per input, samples as columns."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    return np.array([FEATURES[name](x, y) for name in INPUTS]).reshape(len(INPUTS), -1)


def forward(A0):
    """Every layer's Z and A for inputs A0 (n_inputs x samples)."""
    Zs, As, A = [], [A0], A0
    for W_l, B_l, name in zip(W, B, ACTIVATIONS):
        Z = W_l @ A + B_l
        A = g(name, Z)
        Zs.append(Z)
        As.append(A)
    return Zs, As


def targets(labels):
    labels = np.asarray(labels, dtype=float)
    if CLASSES > 2:
        return np.eye(CLASSES)[labels.astype(int)].T
    if ACTIVATIONS[-1] == "sigmoid":
        return (labels > 0).astype(float)[None]
    return labels[None]


def loss(points):
    """The mean loss over points (x, y, label), as the playground reports it."""
    if not points:
        return float("nan")
    P = np.asarray(points)
    A = forward(features(P[:, 0], P[:, 1]))[1][-1]
    T = targets(P[:, 2])
    if LOSS == "squared":
        return 0.5 * float(np.square(A - T).sum(axis=0).sum()) / len(P)
    floor = 1e-15
    if ACTIVATIONS[-1] == "sigmoid":
        e = -(T * np.log(np.maximum(A, floor)) + (1 - T) * np.log(np.maximum(1 - A, floor)))
    else:
        e = -(T * np.log(np.maximum(A, floor)))
    return float(e.sum(axis=0).sum()) / len(P)


def gradient_sums(P):
    """dE/dW and dE/dB summed over the points P (x, y, label)."""
    A0 = features(P[:, 0], P[:, 1])
    Zs, As = forward(A0)
    T = targets(P[:, 2])
    delta = As[-1] - T
    out = ACTIVATIONS[-1]
    if LOSS == "squared":
        if out == "softmax":
            delta = As[-1] * (delta - (delta * As[-1]).sum(axis=0, keepdims=True))
        else:
            delta = delta * g_prime(out, Zs[-1], As[-1])
    gW, gB = [None] * len(W), [None] * len(W)
    for l in range(len(W) - 1, -1, -1):
        gW[l] = delta @ As[l].T
        gB[l] = delta.sum(axis=1, keepdims=True)
        if l:
            delta = (W[l].T @ delta) * g_prime(ACTIVATIONS[l - 1], Zs[l - 1], As[l])
    return gW, gB


MW = [[np.array(m["W"][l]) for l in range(len(W))] for m in MOMENTS]
MB = [[np.array(m["B"][l]) for l in range(len(W))] for m in MOMENTS]
CW = [np.array(c) for c in CARRY["W"]]
CB = [np.array(c) for c in CARRY["B"]]
DEAD_MASK = [np.array(d, dtype=bool) for d in DEAD]


def optimizer_step(g, moments, t):
    """The update for mean gradient g: plain SGD, momentum or Adam (the playground's rules)."""
    lr = LEARNING_RATE
    if OPTIMIZER == "momentum":
        moments[0] *= HYPER["momentum"]
        moments[0] += g
        return -lr * moments[0]
    if OPTIMIZER == "adam":
        b1, b2 = HYPER["beta1"], HYPER["beta2"]
        moments[0] *= b1
        moments[0] += (1 - b1) * g
        moments[1] *= b2
        moments[1] += (1 - b2) * g * g
        m_hat = moments[0] / (1 - b1**t)
        v_hat = moments[1] / (1 - b2**t)
        return -lr * m_hat / (np.sqrt(v_hat) + HYPER["epsilon"])
    return -lr * g


def update(gW, gB, count):
    global STEPS
    STEPS += 1
    rate = LEARNING_RATE * REGULARIZATION_RATE
    for l in range(len(W)):
        gW[l][DEAD_MASK[l]] = 0.0
        step_w = optimizer_step(gW[l] / count, [m[l] for m in MW], STEPS)
        step_b = optimizer_step(gB[l] / count, [m[l] for m in MB], STEPS)
        step_w[DEAD_MASK[l]] = 0.0
        old = W[l].copy()
        W[l] += step_w
        B[l] += step_b
        if REGULARIZATION == "none" or rate == 0:
            continue
        live = ~DEAD_MASK[l]
        if REGULARIZATION == "L2":
            W[l][live] -= rate * old[live]
            continue
        new = W[l] - rate * np.sign(old)
        crossed = live & (W[l] * new < 0)
        W[l][live] = new[live]
        W[l][crossed] = 0.0
        DEAD_MASK[l] |= crossed


def train_epoch():
    """One epoch: the training points in their order, an update every BATCH_SIZE points; the
    leftover points' gradients carry into the next epoch's first update."""
    global CARRY_COUNT
    P = np.asarray(TRAIN)
    full = len(P) // BATCH_SIZE
    for j in range(full):
        gW, gB = gradient_sums(P[j * BATCH_SIZE : (j + 1) * BATCH_SIZE])
        count = BATCH_SIZE
        if CARRY_COUNT:
            gW = [a + c for a, c in zip(gW, CW)]
            gB = [a + c for a, c in zip(gB, CB)]
            count += CARRY_COUNT
            CARRY_COUNT = 0
        update(gW, gB, count)
    rest = P[full * BATCH_SIZE :]
    if len(rest):
        gW, gB = gradient_sums(rest)
        for l in range(len(W)):
            CW[l] = gW[l] + (CW[l] if CARRY_COUNT else 0)
            CB[l] = gB[l] + (CB[l] if CARRY_COUNT else 0)
        CARRY_COUNT += len(rest)


def predict(x, y):
    out = forward(features([x], [y]))[1][-1][:, 0]
    line = " ".join(repr(float(v)) for v in out)
    if CLASSES == 0:
        return line
    if CLASSES > 2:
        k = int(np.argmax(out))
    else:
        k = int(out[0] >= (0.5 if ACTIVATIONS[-1] == "sigmoid" else 0.0))
    name = CLASS_NAMES[k] if k < len(CLASS_NAMES) else str(k)
    return f"{{line}}\\nclass {{k}} ({{name}})"


def main(argv):
    global EPOCH
    args = list(argv)
    if args[:1] == ["--train"]:
        epochs = int(args[1])
        args = args[2:]
        for _ in range(epochs):
            train_epoch()
            EPOCH += 1
            print(f"epoch {{EPOCH}} train loss {{loss(TRAIN)!r}} test loss {{loss(TEST)!r}}")
    if len(args) % 2:
        sys.exit("give points as X Y pairs")
    for x, y in zip(args[::2], args[1::2]):
        print(predict(float(x), float(y)))


if __name__ == "__main__":
    main(sys.argv[1:])
'''
