"""The `playground` command: serve the app with uvicorn, every setting a flag."""

from __future__ import annotations

import argparse
import threading
import webbrowser
from dataclasses import fields

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
            type=lambda raw, name=f.name, kind=kind: parse_value(name, raw, kind),
            help=f"default {f.default!r}; env PLAYGROUND_{f.name.upper()}",
        )
    return parser


def main(argv: list[str] | None = None) -> None:
    # Imported here: engine worker processes import this module (it is `python -m server`'s main)
    # and need none of the web stack.
    import uvicorn

    from server.app import create_app
    from server.transport import PlaygroundServer, uvicorn_options

    args = vars(build_parser().parse_args(argv))
    open_browser = args.pop("open")
    fd = args.pop("fd")
    settings = Settings.from_env(**args)
    url = f"http://{settings.host}:{settings.port}"
    print(f"Playground running at {url}  (Ctrl+C to stop)", flush=True)
    if open_browser:
        threading.Timer(1.0, webbrowser.open, args=(url,)).start()
    where = {"fd": fd} if fd is not None else {"host": settings.host, "port": settings.port}
    app = create_app(settings)
    options = uvicorn_options(settings, app.state.metrics)
    config = uvicorn.Config(app, **where, log_level="warning", **options)
    PlaygroundServer(config, app).run()
