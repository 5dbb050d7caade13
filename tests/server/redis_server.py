"""A real redis-server for tests: its own process on a free loopback port, no persistence."""

from __future__ import annotations

import shutil

from daemon import Daemon, require

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


class RedisServer(Daemon):
    """redis-server on 127.0.0.1:<free port> with `--save ''` and no append-only file."""

    name = "redis-server"
    ready = b"Ready to accept connections"

    def __init__(self) -> None:
        require(REDIS_SERVER, self.name)
        super().__init__()
        args = [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
        args += ["--appendonly", "no", "--dir", self.dir, "--notify-keyspace-events", "Ex"]
        self.start(args)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"
