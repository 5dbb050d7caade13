"""A seeded PRNG reproducing seedrandom 2.4 (ARC4): a seed string means what it meant originally."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

_WIDTH = 256
_MASK = 255
_CHUNKS = 6  # bytes in the first numerator
_START_DENOM = _WIDTH**_CHUNKS  # 2^48
_SIGNIFICANCE = 2**52
_OVERFLOW = 2**53


def mixkey(seed: str) -> list[int]:
    """seedrandom's key derivation: smear the seed string's char codes into up to 256 bytes."""
    key: list[int] = []
    smear = 0
    # JavaScript's charCodeAt counts UTF-16 code units, so a non-BMP character counts twice.
    raw = seed.encode("utf-16-le", "surrogatepass")
    codes = [raw[k] | raw[k + 1] << 8 for k in range(0, len(raw), 2)]
    for j, code in enumerate(codes):
        slot = j & _MASK
        old = key[slot] if slot < len(key) else 0  # JS: undefined * 19 -> NaN, NaN ^ smear -> smear
        smear ^= old * 19
        value = (smear + code) & _MASK
        if slot < len(key):
            key[slot] = value
        else:
            key.append(value)
    return key


class SeedRandom:
    """ARC4 keyed by `mixkey(seed)`, first 256 bytes dropped; `rand()` gives doubles in [0, 1).

    Every random draw in the engine goes through an instance of this class, in the original's order.
    """

    def __init__(self, seed: str) -> None:
        self.seed = seed
        key = mixkey(seed) or [0]  # an empty key is treated as [0]
        s = list(range(_WIDTH))
        j = 0
        for i in range(_WIDTH):
            t = s[i]
            j = (j + key[i % len(key)] + t) & _MASK
            s[i] = s[j]
            s[j] = t
        self._s = s
        self._i = 0
        self._j = 0
        self._bytes(_WIDTH)  # seedrandom discards the first 256 outputs

    def _bytes(self, count: int) -> int:
        """The next `count` ARC4 output bytes as one big-endian integer."""
        s, i, j, r = self._s, self._i, self._j, 0
        for _ in range(count):
            i = (i + 1) & _MASK
            t = s[i]
            j = (j + t) & _MASK
            s[i] = s[j]
            s[j] = t
            r = r * _WIDTH + s[(s[i] + t) & _MASK]
        self._i, self._j = i, j
        return r

    def rand(self) -> float:
        """The next double in [0, 1) with 52 significant bits, exactly as seedrandom forms it."""
        n = self._bytes(_CHUNKS)
        d = _START_DENOM
        x = 0
        while n < _SIGNIFICANCE:
            n = (n + x) * _WIDTH
            d *= _WIDTH
            x = self._bytes(1)
        while n >= _OVERFLOW:
            n //= 2  # exact: n is a multiple of 256 here
            d //= 2
            x >>= 1
        return (n + x) / d

    def uniform(self, a: float, b: float) -> float:
        """The original's randUniform: rand() * (b - a) + a."""
        return self.rand() * (b - a) + a


def to_fixed5(value: float) -> str:
    """JavaScript's value.toFixed(5) (ties away from zero on the exact binary value)."""
    return str(Decimal(value).quantize(Decimal("0.00001"), rounding=ROUND_HALF_UP))
