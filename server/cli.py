"""The `playground` command: serve the app with uvicorn, every setting a flag."""

from __future__ import annotations

import argparse
import os
import threading
import webbrowser
from collections.abc import Mapping
from dataclasses import fields

from server.core.worker import SINGLE_THREADED_BLAS
from server.settings import Settings, parse_value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="playground",
        description="Serve the neural-network playground.",
    )
    parser.add_argument("--open", action="store_true", help="open the page in a browser")
    parser.add_argument(
        "--fd",
        type=int,
        default=None,
        help="serve on this listening socket",
    )
    for f in fields(Settings):
        if f.name == "extra":
            continue
        kind = Settings.field_type(f.name)
        parser.add_argument(
            "--" + f.name.replace("_", "-"),
            dest=f.name,
            default=None,
            type=lambda raw, name=f.name, kind=kind: parse_flag(name, raw, kind),
            help=f"default {f.default!r}; env PLAYGROUND_{f.name.upper()}",
        )
    return parser


def parse_flag(name: str, raw: str, kind: type) -> object:
    try:
        return parse_value(name, raw, kind)
    except ValueError as exc:  # argparse says which flag, then this reason, and exits with 2
        raise argparse.ArgumentTypeError(str(exc)) from None


def read_settings(
    argv: list[str] | None = None, environ: Mapping[str, str] | None = None
) -> tuple[Settings, dict]:
    """The settings (flags over PLAYGROUND_* variables) and the other options (open, fd).
    A bad value exits with status 2 and a message naming the flag or the variable."""
    parser = build_parser()
    args = vars(parser.parse_args(argv))
    options = {"open": args.pop("open"), "fd": args.pop("fd")}
    try:
        return Settings.from_env(environ, **args), options
    except ValueError as exc:
        parser.error(str(exc))


def main(argv: list[str] | None = None) -> None:
    # Before NumPy loads (it reads these once): this process and the engine workers it spawns
    # each use one core for NumPy, so that N workers share N cores without contention.
    os.environ.update(SINGLE_THREADED_BLAS)
    # Imported here: engine worker processes import this module (it is `python -m server`'s main)
    # and need none of the web stack.
    import uvicorn

    from server.app import create_app
    from server.transport import PlaygroundServer, uvicorn_options

    settings, options = read_settings(argv)
    open_browser, fd = options["open"], options["fd"]
    if settings.processes > 1 and not settings.redis_url:
        build_parser().error(
            f"--processes {settings.processes} needs --redis-url: the processes share rooms "
            "through Redis (one process needs none)"
        )
    url = f"http://{settings.host}:{settings.port}"
    print(f"Playground running at {url}  (Ctrl+C to stop)", flush=True)
    if open_browser:
        threading.Timer(1.0, webbrowser.open, args=(url,)).start()
    where = {"fd": fd} if fd is not None else {"host": settings.host, "port": settings.port}
    if settings.processes > 1:
        # Several serving processes on one socket, each a whole server of its own.
        from server.supervisor import run_processes

        run_processes(settings, fd)
        return
    app = create_app(settings)
    options = uvicorn_options(settings, app.state.metrics)
    config = uvicorn.Config(app, **where, log_level="warning", **options)
    PlaygroundServer(config, app).run()
