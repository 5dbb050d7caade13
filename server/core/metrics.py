"""Counters of one server, and their Prometheus text."""

from __future__ import annotations

from server.core.looplag import LoopLag

RATE_WINDOW_S = 1.0


class Metrics:
    """Plain counters; the scheduler and the WebSocket route add to them."""

    def __init__(self) -> None:
        self.epochs = 0
        self.epochs_stacked = 0
        self.training_seconds = 0.0  # the engine's time spent training, every session's share
        self.frames_built = 0
        self.frames_sent = 0
        self.bytes_sent = 0
        self.messages = 0
        self.errors = 0
        self.refused = 0
        self.closed_for_abuse = 0
        self.epochs_per_s = 0.0
        self._mark = (0.0, 0)
        self.loop_lag = LoopLag()
        # Connections the transport closed or refused (server/transport.py).
        self.connections_timed_out = 0
        self.connections_evicted = 0
        self.connections_refused = 0
        self.heads_too_large = 0

    def tick(self, now: float) -> None:
        """Update the epochs/s figure about once a second."""
        stamp, epochs = self._mark
        if now - stamp >= RATE_WINDOW_S:
            if stamp:
                self.epochs_per_s = (self.epochs - epochs) / (now - stamp)
            self._mark = (now, self.epochs)


def render(metrics: Metrics, sessions: int, playing: int, pool: object = None) -> str:
    """The Prometheus text; `pool` (an EnginePool, if any) adds the engine workers' health."""
    rows = [
        ("playground_sessions", "gauge", "Open training sessions (one per WebSocket).", sessions),
        ("playground_sessions_playing", "gauge", "Sessions currently training.", playing),
        ("playground_epochs_total", "counter", "Epochs trained.", metrics.epochs),
        (
            "playground_epochs_stacked_total",
            "counter",
            "Epochs trained in a stack with sessions of the same structure.",
            metrics.epochs_stacked,
        ),
        (
            "playground_training_seconds_total",
            "counter",
            "Seconds the engine spent training sessions (each its share of stacks).",
            round(metrics.training_seconds, 3),
        ),
        (
            "playground_epochs_per_second",
            "gauge",
            "Epochs trained per second, all sessions.",
            round(metrics.epochs_per_s, 1),
        ),
        ("playground_frames_built_total", "counter", "Binary frames built.", metrics.frames_built),
        ("playground_frames_sent_total", "counter", "Binary frames sent.", metrics.frames_sent),
        ("playground_bytes_sent_total", "counter", "Bytes of frames sent.", metrics.bytes_sent),
        ("playground_messages_total", "counter", "Client messages received.", metrics.messages),
        ("playground_errors_total", "counter", "Error messages sent to clients.", metrics.errors),
        (
            "playground_connections_refused_total",
            "counter",
            "WebSocket connections refused (origin, limits).",
            metrics.refused,
        ),
        (
            "playground_connections_closed_total",
            "counter",
            "Connections closed for breaking limits (floods, idle).",
            metrics.closed_for_abuse,
        ),
        (
            "playground_http_timed_out_total",
            "counter",
            "Connections closed for not sending a whole request in time (slow or silent).",
            metrics.connections_timed_out,
        ),
        (
            "playground_http_evicted_total",
            "counter",
            "Connections without a request closed to make room under max_connections.",
            metrics.connections_evicted,
        ),
        (
            "playground_http_refused_total",
            "counter",
            "Connections refused with 503: max_connections open and none idle.",
            metrics.connections_refused,
        ),
        (
            "playground_http_heads_too_large_total",
            "counter",
            "Requests refused with 431: a head past max_header_bytes.",
            metrics.heads_too_large,
        ),
    ]
    if pool is not None:
        rows += [
            (
                "playground_engine_worker_restarts_total",
                "counter",
                "Engine workers started again after they died.",
                pool.restarts,
            ),
            (
                "playground_engine_workers_alive",
                "gauge",
                "1 when every engine worker runs, 0 while one starts (training runs here then).",
                int(pool.alive),
            ),
        ]
    lines = []
    for name, kind, text, value in rows:
        lines += [f"# HELP {name} {text}", f"# TYPE {name} {kind}", f"{name} {value}"]
    return "\n".join(lines + _lag_lines(metrics.loop_lag)) + "\n"


def _lag_lines(lag: LoopLag) -> list[str]:
    name = "playground_event_loop_lag_seconds"
    lines = [
        f"# HELP {name} How much later than asked a periodic probe on the event loop woke up.",
        f"# TYPE {name} histogram",
    ]
    lines += [f'{name}_bucket{{le="{le}"}} {count}' for le, count in lag.cumulative()]
    lines += [f"{name}_sum {lag.total:.6f}", f"{name}_count {lag.samples}"]
    top = "playground_event_loop_lag_max_seconds"
    lines += [
        f"# HELP {top} The largest event-loop lag of the last 10 seconds.",
        f"# TYPE {top} gauge",
        f"{top} {lag.recent_max():.6f}",
    ]
    return lines
