"""One key of the config table (engine.config): its kind, default, range and effect, the check
of a value, and what it accepts in words for a program and for a person."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

from engine.errors import ConfigError

# What a change of a key rebuilds; "display" keys only change the page, "ignored" ones nothing.
# "learningRate" and "live" keys apply at once, without a reset.
CONFIG_EFFECTS = ("learningRate", "live", "network", "data")

_KEEP = object()  # `omit` when a key is always written


def plain_number(value: float | int) -> float | int:
    """Whole numbers as int (JSON `0`, not `0.0`), others as float."""
    return int(value) if float(value).is_integer() else float(value)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


@dataclass(frozen=True)
class Setting:
    """One hash key. `kind`: "choice", "number", "integer", "shape" (a list of layer widths,
    `length` at most, each `low` .. `high`), "bool" or "seed"."""

    default: Any
    kind: str
    effect: str
    label: str = ""  # the control's name as the page shows it
    choices: tuple[str, ...] = ()
    low: float | None = None
    high: float | None = None
    low_open: bool = False  # `low` itself is not allowed (a rate > 0)
    high_open: bool = False  # nor `high` (a coefficient < 1)
    length: int | None = None
    omit: Any = _KEEP  # the hash leaves the key out at this value
    choice_labels: tuple[str, ...] = ()  # the choices as a page names them, in `choices` order

    @property
    def is_config(self) -> bool:
        return self.effect in CONFIG_EFFECTS

    @property
    def omits(self) -> bool:
        """Whether the hash leaves the key out at one value (`omit`)."""
        return self.omit is not _KEEP

    def narrowed(self, **changes: Any) -> Setting:
        return replace(self, **changes)

    def allowed(self) -> str:
        """What this key accepts, in words a person reads."""
        if self.kind == "choice":
            return "one of " + ", ".join(self.choices)
        if self.kind == "bool":
            return "true or false"
        if self.kind == "seed":
            return f"a string of at most {self.high:g} characters"
        if self.kind == "shape":
            return f"a list of 0 .. {self.length} integers, each {self.low:g} .. {self.high:g}"
        what = "an integer" if self.kind == "integer" else "a finite number"
        if self.high is None:
            return f"{what} {'>' if self.low_open else '>='} {self.low:g}"
        if self.high_open:
            return f"{what} >= {self.low:g} and < {self.high:g}"
        return f"{what} {self.low:g} .. {self.high:g}"

    def describe(self) -> str:
        """What this key takes, in a sentence's words for a person (`allowed` is for programs)."""
        if self.kind == "choice":
            return "one of " + ", ".join(self.choice_labels or self.choices)
        if self.kind == "bool":
            return "on or off"
        if self.kind == "seed":
            return f"at most {self.high:g} characters"
        if self.kind == "shape":
            return (
                f"at most {self.length} hidden layers of {self.low:g} to {self.high:g} neurons each"
            )
        if self.kind == "integer":
            return f"a whole number from {self.low:g} to {self.high:g}"
        if self.high is None:
            return f"a number {'above' if self.low_open else 'from'} {self.low:g}"
        if self.high_open:
            return f"a number from {self.low:g} to below {self.high:g}"
        if self.low_open:
            return f"a number above {self.low:g}, at most {self.high:g}"
        return f"a number from {self.low:g} to {self.high:g}"

    def check(self, field: str, value: Any) -> Any:
        """`value` normalised (numbers as int where whole); ConfigError if not allowed."""
        ok, value = _CHECKS[self.kind](self, value)
        if not ok:
            raise ConfigError(field, value, self.allowed())
        return value


def _in_range(s: Setting, x: float) -> bool:
    above = x > s.low if s.low_open else x >= s.low
    below = s.high is None or (x < s.high if s.high_open else x <= s.high)
    return above and below


_CHECKS = {
    "choice": lambda s, v: (isinstance(v, str) and v in s.choices, v),
    "number": lambda s, v: (_number(v) and _in_range(s, v), plain_number(v) if _number(v) else v),
    "integer": lambda s, v: (
        _number(v) and float(v).is_integer() and _in_range(s, v),
        int(v) if _number(v) and float(v).is_integer() else v,
    ),
    "bool": lambda s, v: (isinstance(v, bool), v),
    "seed": lambda s, v: (
        v is None or (isinstance(v, str) and len(v) <= s.high),
        None if v == "" else v,  # no seed: a fresh one is picked when the run is built
    ),
    "shape": lambda s, v: (
        isinstance(v, list | tuple)
        and len(v) <= s.length
        and all(isinstance(n, int) and not isinstance(n, bool) and s.low <= n <= s.high for n in v),
        list(v) if isinstance(v, list | tuple) else v,
    ),
}
