"""The one error the engine raises for bad input: it names the field, the value, what is allowed."""

from __future__ import annotations


class ConfigError(ValueError):
    """Bad input: `field` (URL-hash key or parameter name), `value`, `allowed` (a short phrase)."""

    def __init__(self, field: str, value: object, allowed: str) -> None:
        self.field = field
        self.value = value
        self.allowed = allowed
        super().__init__(f"{field}: {value!r} is not allowed; allowed: {allowed}")
