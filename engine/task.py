"""What the output layer is for: its size, activation and loss, how labels become targets and
outputs become classes, and how an output is shown on a grid.

- regression: one linear output, the squared error (the original's; `loss` does not apply).
- two classes: one output, labels -1 / +1 as the original; tanh with the squared error (the
  original's), or sigmoid with binary cross-entropy (targets 0 / 1).
- K >= 3 classes: K outputs with softmax, labels 0 .. K - 1, one-hot targets; the squared error or
  categorical cross-entropy.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.grid import quantise

# A K-class picture's byte: class * CLASS_STRIDE + confidence level (0 .. LEVELS - 1); 255 is
# "not finite" as in every grid. 8 classes of 31 levels fit under 255.
CLASS_STRIDE = 32
LEVELS = 31


@dataclass(frozen=True)
class Task:
    """`classes`: 0 for regression, else K >= 2; `loss`: an engine.losses name."""

    classes: int = 2
    loss: str = "squared"

    @classmethod
    def of(cls, config: dict) -> Task:
        """The task a playground config asks for."""
        if config.get("problem", "classification") == "regression":
            return cls(0, "squared")
        return cls(int(config.get("classes", 2)), config.get("loss", "squared"))

    @property
    def outputs(self) -> int:
        return self.classes if self.classes > 2 else 1

    @property
    def output_activation(self) -> str:
        if self.classes == 0:
            return "linear"
        if self.classes > 2:
            return "softmax"
        return "sigmoid" if self.loss == "crossEntropy" else "tanh"

    @property
    def probability(self) -> bool:
        """Whether the outputs are probabilities (shown on grids as 2 p - 1, in [-1, 1])."""
        return self.output_activation in ("sigmoid", "softmax")

    def targets(self, labels: np.ndarray) -> np.ndarray:
        """(outputs, N) targets for the points' labels."""
        labels = np.asarray(labels, dtype=np.float64)
        if self.classes > 2:
            return np.eye(self.classes)[labels.astype(np.int64)].T.copy()
        if self.output_activation == "sigmoid":
            return (labels > 0).astype(np.float64)[None]
        return labels.reshape(1, -1).copy()

    def true_classes(self, labels: np.ndarray) -> np.ndarray:
        """Class indices 0 .. K - 1 of the points' labels (two classes: -1 is 0, +1 is 1)."""
        labels = np.asarray(labels)
        return labels.astype(np.int64) if self.classes > 2 else (labels > 0).astype(np.int64)

    def predicted(self, outputs: np.ndarray) -> np.ndarray:
        """The class the network gives each point, from outputs (n_outputs, N): the largest output
        (first on ties), or for one output the side of 0 (tanh) or of 1/2 (sigmoid) it is on,
        ties going to class 1 as the original's discretised output does."""
        if self.classes > 2:
            return np.argmax(outputs, axis=0)
        middle = 0.5 if self.output_activation == "sigmoid" else 0.0
        return (outputs[0] >= middle).astype(np.int64)

    def shown(self, grids: np.ndarray) -> np.ndarray:
        """Node grids (every node, output last) with the outputs as a picture shows them:
        probabilities p as 2 p - 1, so that every output spans the palette's [-1, 1]."""
        if not self.probability:
            return grids
        out = np.array(grids, copy=True)
        rows = out[-self.outputs :]
        rows *= 2
        rows -= 1
        return out

    def picture(self, outputs: np.ndarray) -> np.ndarray:
        """The output layer's grids (outputs, n, n), raw, as the large picture's bytes (n, n).

        One output: its shown value quantised (engine.grid.quantise). K classes: per cell the
        class of the largest probability and how sure it is, class * 32 + level, level = the
        probability from 1 / K (level 0) to 1 (level 30); 255 where not finite.
        """
        if self.classes <= 2:
            return quantise(self.shown(outputs)[-1])
        K = self.classes
        with np.errstate(invalid="ignore"):
            best = np.argmax(outputs, axis=0)
            top = np.max(outputs, axis=0)
            sure = np.clip((top - 1.0 / K) / (1.0 - 1.0 / K), 0.0, 1.0)
        level = np.rint(np.nan_to_num(sure) * (LEVELS - 1)).astype(np.uint8)
        out = (best.astype(np.uint8) * CLASS_STRIDE + level).astype(np.uint8)
        out[~np.isfinite(outputs).all(axis=0)] = 255
        return out
