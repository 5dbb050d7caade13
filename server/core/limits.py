"""Shared-instance guards: per-connection message rate, connection counts, the Origin check."""

from __future__ import annotations

from collections import Counter, OrderedDict
from urllib.parse import urlsplit


class TokenBucket:
    """`rate` messages per second on average, bursts of up to `burst`."""

    def __init__(self, rate: float, burst: int, now: float) -> None:
        self.rate = rate
        self.burst = max(1, burst)
        self.tokens = float(self.burst)
        self.stamp = now

    def take(self, now: float) -> bool:
        if self.ready(now):
            self.tokens -= 1.0
            return True
        return False

    def ready(self, now: float) -> bool:
        """Whether a token is there now (none is taken)."""
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        return self.tokens >= 1.0

    def wait_s(self) -> float:
        """How long until the next token, from the last look."""
        return max(0.0, (1.0 - self.tokens) / self.rate) if self.rate > 0 else float("inf")


class KeyedBuckets:
    """One token bucket per key (an address, a room), `per_minute` on average in bursts of as
    many, over a bounded set of keys: the least recently used bucket is forgotten (a full one,
    in effect, which errs towards letting a class in)."""

    def __init__(self, per_minute: float, max_keys: int) -> None:
        self.rate = per_minute / 60.0
        self.burst = max(1, int(per_minute))
        self.max_keys = max_keys
        self._buckets: OrderedDict[str, TokenBucket] = OrderedDict()

    def bucket(self, key: str, now: float) -> TokenBucket:
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = TokenBucket(self.rate, self.burst, now)
            while len(self._buckets) > self.max_keys:
                self._buckets.popitem(last=False)
        self._buckets.move_to_end(key)
        return bucket

    def forget(self, key: str) -> None:
        self._buckets.pop(key, None)


class ConnectionLimiter:
    """Counts open connections, in total and per client address."""

    def __init__(self, max_total: int, max_per_address: int, max_cluster: int = 0) -> None:
        self.max_total = max_total
        self.max_per_address = max_per_address
        self.max_cluster = max_cluster
        self.per_address: Counter[str] = Counter()
        self.total = 0
        self.elsewhere = 0  # other processes' connections (with Redis), as of the last second

    def admit(self, address: str) -> tuple[int, str] | None:
        """None if the connection may open, else (close code, reason); admitted ones are counted."""
        if self.total >= self.max_total:
            return 1013, f"server full: {self.max_total} sessions open, try again later"
        if self.max_cluster and self.total + self.elsewhere >= self.max_cluster:
            return 1013, f"server full: {self.max_cluster} sessions open, try again later"
        if self.per_address[address] >= self.max_per_address:
            return 1008, f"too many connections from your address (at most {self.max_per_address})"
        self.per_address[address] += 1
        self.total += 1
        return None

    def release(self, address: str) -> None:
        self.total -= 1
        self.per_address[address] -= 1
        if self.per_address[address] <= 0:
            del self.per_address[address]


def origin_allowed(
    origin: str | None, host: str | None, allowed: tuple[str, ...], hosts: tuple[str, ...] = ()
) -> bool:
    """Whether a WebSocket opened from page `origin` may talk to this server at `host`.

    Browsers always send Origin on a WebSocket handshake, so a missing one means a program,
    not a page of another site. By default only pages served by this very host are allowed,
    and with an allow-list of host names (`hosts`) only if that host is one of them: a page on
    a rebinding domain has its own name as both Origin and Host, and no allow-list names it.
    """
    if origin is None:
        return True
    if "*" in allowed:
        return True
    origin = origin.strip().rstrip("/").lower()
    if allowed:
        return origin in {a.strip().rstrip("/").lower() for a in allowed}
    parts = urlsplit(origin)
    same = parts.scheme in ("http", "https") and bool(host) and parts.netloc == host.lower()
    return same and host_allowed(parts.netloc, hosts)


def host_allowed(host: str | None, allowed: tuple[str, ...]) -> bool:
    """Whether `host` (a Host header, or an Origin's host[:port]) is one this server answers to.

    Entries are names without port; `*.example.org` allows its subdomains, `*` anything, and
    an empty list any host.
    """
    if not allowed or "*" in allowed:
        return True
    if not host:
        return False
    name = host.strip().lower()
    name = name[: name.find("]") + 1] if name.startswith("[") else name.rsplit(":", 1)[0]
    for pattern in allowed:
        pattern = pattern.strip().lower()
        if name == pattern or (pattern.startswith("*.") and name.endswith(pattern[1:])):
            return True
    return False
