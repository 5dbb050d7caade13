"""Every limit and knob of a playground server, read from PLAYGROUND_* env vars or CLI flags."""

from __future__ import annotations

import dataclasses
import math
import os
from dataclasses import dataclass, field, fields

# One training process per core (the serving process shares them); none on a single core.
DEFAULT_ENGINE_WORKERS = min(os.cpu_count() or 1, 8) if (os.cpu_count() or 1) > 1 else 0


@dataclass(frozen=True)
class Settings:
    """One instance per app; tests build their own and pass it to `create_app`."""

    host: str = "127.0.0.1"
    port: int = 8000
    # Network limits a student may ask for.
    max_hidden_layers: int = 6
    max_neurons: int = 8
    max_batch_size: int = 1200
    max_train_points: int = 2000
    # Points a session may hold as its own data (drawn or uploaded, issue 12); a page's restore
    # message carries them, so they must fit in max_message_bytes with the weights.
    max_own_points: int = 1000
    # Frames: the output heatmap's grid, every neuron's thumbnail (10 x 10, as the original
    # draws them: 30 px from 10 x 10 blocks), and both packed as one zlib stream once per state
    # (lossless, about a fifth of their bytes; off: raw bytes, for a client that cannot inflate).
    grid_size: int = 100
    thumb_size: int = 10
    pack_frames: bool = True
    # Shared-instance safety. max_sessions counts this process's sessions; with Redis,
    # max_cluster_sessions (0: no such limit) counts every process's, as of the last second.
    max_sessions: int = 500
    max_cluster_sessions: int = 0
    # New sessions start at most this many a second (after a burst); more wait in order, up to
    # max_admission_queue of them, and the page says how long (0: no pacing).
    admissions_per_second: float = 40.0
    admission_burst: int = 40
    max_admission_queue: int = 600
    max_connections_per_ip: int = 20
    max_message_bytes: int = 65536
    max_messages_per_second: float = 50.0
    message_burst: int = 100
    idle_timeout_s: float = 1800.0
    max_history: int = 5000
    max_history_per_frame: int = 2048
    # Text messages up to this size reach the server and get an `error` when over
    # max_message_bytes; the transport closes the connection (1009) on anything larger.
    ws_max_size: int = 262144
    ws_ping_interval: float = 20.0
    ws_ping_timeout: float = 20.0
    # Per-message deflate compresses every message once per client (frames are packed already).
    ws_per_message_deflate: bool = False
    # How long a page that says its first message is its config (`/ws?first=config`) has to
    # send it before it gets a session of the defaults.
    opening_wait_s: float = 10.0
    # Pacing.
    default_speed: int = 60
    max_speed_choice: int = 300
    default_fps: int = 30
    max_fps: int = 60
    slice_ms: float = 5.0
    # Every playing person gets an equal share of the training time; one person's playing sessions
    # (tabs sharing the id their page keeps) get this many sessions' shares together at most, so
    # 20 tabs count as one person. 0: every session counts alone.
    person_share: float = 1.0
    # The longest piece of work an engine worker trains at once (a stack of sessions' epochs): what
    # a cheap session may wait behind an expensive one's turn, at most (one epoch is never cut).
    stack_ms: float = 15.0
    # Processes that train playing sessions while this one serves them (0: train in this one).
    engine_workers: int = DEFAULT_ENGINE_WORKERS
    # Threads that build new data sets and restored runs off the event loop.
    rebuild_threads: int = 1
    # Serving processes on one port (more than one needs redis_url), and the Redis they share
    # rooms and counts through ("redis://host:6379/0"; empty: one process, rooms in memory).
    processes: int = 1
    redis_url: str = ""
    # Room messages for other processes waiting to be written to Redis, at most this many MB (the
    # oldest are dropped beyond it, and counted in /metrics).
    redis_pending_mb: float = 64.0
    # What each worker keeps of its sessions' points and trainers (their batches cut once).
    worker_cache_mb: int = 64
    # Origins allowed to open the WebSocket; empty means "same host as the page".
    allowed_origins: tuple[str, ...] = ()
    # Host names this server answers to (`*.example.org` for subdomains); empty: any. Set it on a
    # shared instance, so that a page on another name resolving here (DNS rebinding) is refused,
    # on every request and on the WebSocket's Origin.
    allowed_hosts: tuple[str, ...] = ()
    # Proxies whose X-Forwarded-For names the client (nginx in front): the per-address limits
    # then count students, not the proxy. "*" trusts any; empty: uvicorn's own default (loopback).
    forwarded_allow_ips: tuple[str, ...] = ()
    # HTTP: bodies (the JSON APIs'), request heads, idle and keep-alive connections, and
    # connections in all. Longer bodies are refused before they are read whole.
    max_body_bytes: int = 65536
    max_header_bytes: int = 16384
    # A connection must deliver a whole request (head and body) this long after it opened or
    # after its first byte; one that never sends a byte is closed then too.
    request_timeout_s: float = 10.0
    keepalive_timeout_s: float = 5.0
    # Open connections of every kind; lowered at start-up to fit the file-descriptor limit.
    max_connections: int = 4000
    # On SIGTERM, connections and requests get this long to finish once clients were told.
    shutdown_timeout_s: float = 3.0
    # Requests that compute (the lessons' APIs) run on these threads, at most this many per
    # client address and in all at once; more are refused with 429 (503 when all are busy).
    compute_threads: int = 1
    max_compute_per_ip: int = 2
    max_compute_queue: int = 16
    # How often the event loop's own lag is measured for /metrics (0: never).
    loop_probe_interval_s: float = 0.1
    # Classrooms: rooms of this process, and open rooms created from one address (so that a few
    # addresses cannot fill max_rooms and lock real instructors out).
    max_rooms: int = 50
    max_rooms_per_ip: int = 5
    max_room_members: int = 300
    room_idle_timeout_s: float = 3600.0
    max_name_length: int = 32
    join_attempts_per_minute: int = 10
    # Successful joins too, so that nobody fills a room with made-up students: per address
    # (a class behind one NAT shares one) and per room, each in bursts of a minute's worth.
    joins_per_minute_per_ip: int = 120
    joins_per_minute_per_room: int = 240
    # A fork builds a whole session (data, network, frames): a student has one being built at
    # a time, and at most this many a minute (in bursts of as many).
    forks_per_minute: int = 6
    room_creations_per_minute: int = 30
    # When set, creating a room takes this passphrase (the instructor page asks for it); every
    # attempt counts against room_creations_per_minute, so it cannot be guessed quickly.
    instructor_key: str = field(default="", repr=False)
    max_rate_limited_addresses: int = 10000
    gallery_interval_s: float = 1.0
    extra: dict = field(default_factory=dict)

    def replace(self, **changes: object) -> Settings:
        return dataclasses.replace(self, **changes)

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: object) -> Settings:
        """Settings from PLAYGROUND_<FIELD> variables, then explicit overrides."""
        environ = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for f in fields(cls):
            if f.name == "extra":
                continue
            variable = f"PLAYGROUND_{f.name.upper()}"
            raw = environ.get(variable)
            if raw is not None:
                values[f.name] = parse_value(variable, raw, cls.field_type(f.name))
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    @classmethod
    def field_type(cls, name: str) -> type:
        default = next(f.default for f in fields(cls) if f.name == name)
        return type(default)


BOOL_WORDS = {"1": True, "true": True, "yes": True, "on": True}
BOOL_WORDS |= {"0": False, "false": False, "no": False, "off": False}


def parse_value(name: str, raw: str, kind: type) -> object:
    """Turn a string from the environment or the command line into the field's type; a bad one
    raises ValueError naming `name` (the variable or the setting)."""
    if kind is tuple:
        return tuple(part.strip() for part in raw.split(",") if part.strip())
    if kind is bool:
        word = raw.strip().lower()
        if word not in BOOL_WORDS:
            raise ValueError(f"{name}: {raw!r} is not true or false ({', '.join(BOOL_WORDS)})")
        return BOOL_WORDS[word]
    try:
        value = kind(raw)
    except ValueError:
        raise ValueError(f"{name}: {raw!r} is not a valid {kind.__name__}") from None
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{name}: {raw!r} is not a finite number")
    if isinstance(value, int | float) and value < 0:
        raise ValueError(f"{name}: {raw!r} must not be negative")
    return value
