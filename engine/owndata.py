"""A user's own points: read from CSV text or a JSON list, checked, edited (added, erased).

Points are kept as (x, y, v): for classification v is the class index 0 .. K - 1 (classes named
by `names`), for regression the target value. A run splits them into training and test points by
its ratio after a seeded shuffle, like the built-in data sets (engine.run_data).
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass, field

import numpy as np

from engine.datasets import MAX_CLASSES
from engine.errors import ConfigError

DOMAIN = 6.0  # every coordinate in -6 .. 6, the picture's span


class DataError(ConfigError):
    """A file or list of points refused: names the line (1 is the header) and the column."""

    def __init__(self, line: int | None, column: str, value: object, expected: str) -> None:
        where = f"line {line}, column {column}" if line is not None else f"column {column}"
        if value is None:
            text = f"{where}: expected {expected}"
        else:
            text = f"{where}: {_shown(value)} is not allowed; expected {expected}"
        ValueError.__init__(self, text)
        self.field, self.value, self.allowed = "csv", value, f"{where}: {expected}"
        self.line, self.column = line, column


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


@dataclass(frozen=True)
class OwnData:
    """`problem`: "classification" or "regression"; `points` (n, 3) float64, read-only;
    `names`: the classes' names, in class order (classification)."""

    problem: str = "classification"
    points: np.ndarray = field(default_factory=lambda: np.zeros((0, 3)))
    names: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        points = np.array(self.points, dtype=np.float64).reshape(-1, 3)
        points.flags.writeable = False
        object.__setattr__(self, "points", points)

    def __len__(self) -> int:
        return len(self.points)

    @property
    def classes(self) -> int:
        """Classes its points need: one more than the largest index (0 for regression)."""
        if self.problem == "regression":
            return 0
        return int(self.points[:, 2].max()) + 1 if len(self.points) else 0

    def labels(self, classes: int) -> np.ndarray:
        """The points as a run labels them: (n, 3), two classes as -1 / +1, K as 0 .. K - 1."""
        out = np.array(self.points, copy=True)
        if self.problem == "classification" and classes == 2:
            out[:, 2] = np.where(out[:, 2] > 0, 1.0, -1.0)
        return out

    def as_json(self) -> dict:
        return {"problem": self.problem, "points": self.points.tolist(), "names": list(self.names)}

    def added(self, points: list, max_points: int) -> OwnData:
        """These points too (each [x, y, v], checked as `from_json` checks them)."""
        room = max_points - len(self)
        if isinstance(points, list | tuple) and len(points) > room:
            allowed = f"at most {max(room, 0)} more points (a set holds {max_points})"
            raise ConfigError("add", f"{len(points)} points", allowed)
        new = _checked_points(points, self.problem, room, "add")
        return OwnData(self.problem, np.concatenate([self.points, new]), self.names)

    def erased(self, x: float, y: float, radius: float) -> OwnData:
        """Without the points within `radius` of (x, y)."""
        near = np.hypot(self.points[:, 0] - x, self.points[:, 1] - y) <= radius
        return OwnData(self.problem, self.points[~near], self.names)


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def _checked_points(points: object, problem: str, room: int, field_name: str) -> np.ndarray:
    if not isinstance(points, list | tuple):
        raise ConfigError(field_name, points, "a list of [x, y, value] points")
    if len(points) > room:
        raise ConfigError(
            field_name, f"{len(points)} points", f"at most {max(room, 0)} more points"
        )
    out = np.empty((len(points), 3))
    for i, point in enumerate(points):
        if not isinstance(point, list | tuple) or len(point) != 3:
            raise ConfigError(f"{field_name}[{i}]", point, "a point [x, y, value]")
        x, y, v = (_number(p) for p in point)
        if x is None or y is None or abs(x) > DOMAIN or abs(y) > DOMAIN:
            raise ConfigError(f"{field_name}[{i}]", point, "x and y numbers from -6 to 6")
        if v is None:
            raise ConfigError(f"{field_name}[{i}]", point, "a finite value")
        if problem == "classification" and (not v.is_integer() or not 0 <= v < MAX_CLASSES):
            raise ConfigError(f"{field_name}[{i}]", point, f"a class 0 .. {MAX_CLASSES - 1}")
        out[i] = x, y, v
    return out


def from_json(value: object, max_points: int) -> OwnData:
    """Own data as a page sends it back (`OwnData.as_json`); ConfigError naming the field."""
    if not isinstance(value, dict):
        raise ConfigError("own", value, "an object with problem, points and names")
    problem = value.get("problem")
    if problem not in ("classification", "regression"):
        raise ConfigError("own.problem", problem, "classification or regression")
    points = _checked_points(value.get("points", []), problem, max_points, "own.points")
    names = value.get("names", [])
    if (
        not isinstance(names, list)
        or len(names) > MAX_CLASSES
        or not all(isinstance(n, str) and 0 < len(n) <= 40 for n in names)
    ):
        raise ConfigError("own.names", names, f"at most {MAX_CLASSES} names of 1 to 40 characters")
    return OwnData(problem, points, tuple(names))


def parse_csv(text: object, max_points: int) -> OwnData:
    """Points from CSV text with a header: `x,y,label` (classification: up to 8 distinct labels,
    any strings or integers) or `x,y,value` (regression), in any column order; x and y from -6 to
    6. DataError names the line, the column and what was expected; nothing is partly read."""
    if not isinstance(text, str):
        raise DataError(None, "file", type(text).__name__, "CSV text")
    rows = [(i + 1, row) for i, row in enumerate(csv.reader(io.StringIO(text))) if any(
        cell.strip() for cell in row)]  # fmt: skip
    if not rows:
        raise DataError(1, "header", None, "a header line x,y,label or x,y,value")
    line, header = rows[0]
    columns = [cell.strip().lower() for cell in header]
    kind = "label" if "label" in columns else "value"
    if sorted(columns) != sorted(["x", "y", kind]):
        raise DataError(line, "header", ",".join(header), "the columns x,y,label or x,y,value")
    problem = "classification" if kind == "label" else "regression"
    if len(rows) - 1 > max_points:
        raise DataError(rows[max_points + 1][0], "x", None, f"at most {max_points} points")
    where = {name: columns.index(name) for name in ("x", "y", kind)}
    xs, ys, raw = [], [], []
    for line, row in rows[1:]:
        if len(row) != 3:
            raise DataError(line, "x", ",".join(row), "3 values: " + ",".join(columns))
        for name, values in (("x", xs), ("y", ys)):
            cell = row[where[name]].strip()
            value = _parse_float(cell)
            if value is None:
                raise DataError(line, name, cell, "a number from -6 to 6")
            if abs(value) > DOMAIN:
                raise DataError(
                    line, name, cell, "a number from -6 to 6 (points outside are refused)"
                )
            values.append(value)
        cell = row[where[kind]].strip()
        if kind == "value":
            value = _parse_float(cell)
            if value is None:
                raise DataError(line, "value", cell, "a finite number")
            raw.append(value)
        else:
            if not cell or len(cell) > 40:
                raise DataError(line, "label", cell, "a class name of 1 to 40 characters")
            raw.append(cell)
            if len(set(raw)) > MAX_CLASSES:
                raise DataError(line, "label", cell, f"at most {MAX_CLASSES} distinct labels")
    if not raw:
        raise DataError(
            len(text.splitlines()) + 1, "x", None, "at least one point after the header"
        )
    if problem == "regression":
        return OwnData(problem, np.column_stack([xs, ys, raw]))
    keys, names = _class_names(raw)
    index = {name: k for k, name in enumerate(names)}
    classes = [index[key] for key in keys]
    return OwnData(problem, np.column_stack([xs, ys, classes]), tuple(names))


def _parse_float(cell: str) -> float | None:
    try:
        value = float(cell)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _integer(label: str) -> int | None:
    try:
        return int(label)
    except ValueError:
        return None


def _class_names(labels: list[str]) -> tuple[list[str], list[str]]:
    """(each label's class name, the names in class order): integer labels in numeric order (-1
    before 1: the original's orange, then blue), any other labels in the order they first
    appear."""
    numbers = [_integer(label) for label in labels]
    if all(n is not None for n in numbers):
        return [str(n) for n in numbers], [str(n) for n in sorted(set(numbers))]
    return labels, list(dict.fromkeys(labels))
