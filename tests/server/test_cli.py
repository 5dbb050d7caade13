"""The `playground` command: every setting a flag and a PLAYGROUND_* variable, parsed in-process;
`python -m server --help`; the installed command started, serving, and stopped by SIGTERM."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import urllib.request
from dataclasses import fields
from pathlib import Path

import pytest

from server.cli import build_parser, main, read_settings
from server.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
FIELDS = [f for f in fields(Settings) if f.name != "extra"]
NAMES = [f.name for f in FIELDS]


def flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def variable(name: str) -> str:
    return "PLAYGROUND_" + name.upper()


def another_value(name: str) -> tuple[str, object]:
    """A value other than the default: as typed, and as it should be read."""
    default = getattr(Settings(), name)
    if isinstance(default, bool):
        return ("off", False) if default else ("yes", True)
    if isinstance(default, int):
        return str(default + 3), default + 3
    if isinstance(default, float):
        return str(default + 0.25), default + 0.25
    if isinstance(default, tuple):
        return "http://a.example, http://b.example", ("http://a.example", "http://b.example")
    return "0.0.0.0", "0.0.0.0"


@pytest.mark.parametrize("name", NAMES)
def test_every_setting_is_a_flag(name):
    text, value = another_value(name)
    settings, _ = read_settings([flag(name), text], environ={})
    assert getattr(settings, name) == value
    assert settings.replace(**{name: getattr(Settings(), name)}) == Settings()  # only that one


@pytest.mark.parametrize("name", NAMES)
def test_every_setting_is_an_environment_variable(name):
    text, value = another_value(name)
    settings, _ = read_settings([], environ={variable(name): text})
    assert getattr(settings, name) == value
    assert settings.replace(**{name: getattr(Settings(), name)}) == Settings()


def test_flags_override_the_environment_and_unset_flags_leave_it():
    environ = {"PLAYGROUND_PORT": "9000", "PLAYGROUND_MAX_NEURONS": "5"}
    settings, options = read_settings(["--port", "9100", "--fd", "7", "--open"], environ)
    assert (settings.port, settings.max_neurons) == (9100, 5)
    assert options == {"open": True, "fd": 7}
    assert read_settings([], {})[1] == {"open": False, "fd": None}


@pytest.mark.parametrize(
    ("text", "value"),
    [("1", True), ("true", True), ("Yes", True), (" on ", True)]
    + [("0", False), ("false", False), ("NO", False), ("off", False)],
)
def test_bool_words(text, value):
    settings = Settings.from_env({"PLAYGROUND_WS_PER_MESSAGE_DEFLATE": text})
    assert settings.ws_per_message_deflate is value


def test_comma_lists_become_tuples_without_blanks():
    settings = Settings.from_env({"PLAYGROUND_ALLOWED_ORIGINS": " http://a.example ,, https://b "})
    assert settings.allowed_origins == ("http://a.example", "https://b")
    assert Settings.from_env({"PLAYGROUND_ALLOWED_ORIGINS": ""}).allowed_origins == ()


def test_the_proxies_trusted_for_client_addresses_reach_uvicorn():
    from server.transport import uvicorn_options

    settings, _ = read_settings(["--forwarded-allow-ips", "10.0.0.5,10.0.0.6"], {})
    assert settings.forwarded_allow_ips == ("10.0.0.5", "10.0.0.6")
    assert uvicorn_options(settings, None)["forwarded_allow_ips"] == ["10.0.0.5", "10.0.0.6"]
    assert "forwarded_allow_ips" not in uvicorn_options(Settings(), None)  # uvicorn's loopback


BAD = [
    ("max_sessions", "lots", "is not a valid int"),
    ("max_sessions", "2.5", "is not a valid int"),
    ("max_sessions", "-3", "must not be negative"),
    ("max_messages_per_second", "-0.5", "must not be negative"),
    ("max_messages_per_second", "fast", "is not a valid float"),
    ("idle_timeout_s", "nan", "a finite number"),
    ("idle_timeout_s", "inf", "a finite number"),
    ("ws_per_message_deflate", "maybe", "true or false"),
]


@pytest.fixture
def never_serve(monkeypatch):
    """A bad value accepted by mistake fails the test instead of serving until its timeout."""

    def serve(*args, **kwargs) -> None:
        raise AssertionError("the bad value was accepted and the server was started")

    monkeypatch.setattr("uvicorn.run", serve)


@pytest.mark.usefixtures("never_serve")
@pytest.mark.parametrize(("name", "text", "reason"), BAD)
def test_a_bad_flag_exits_2_naming_the_setting(name, text, reason, capsys):
    with pytest.raises(SystemExit) as exited:
        main([f"{flag(name)}={text}"])
    assert exited.value.code == 2
    error = capsys.readouterr().err
    assert flag(name) in error and reason in error and "Traceback" not in error


@pytest.mark.usefixtures("never_serve")
@pytest.mark.parametrize(("name", "text", "reason"), BAD)
def test_a_bad_variable_exits_2_naming_it(name, text, reason, monkeypatch, capsys):
    monkeypatch.setenv(variable(name), text)
    with pytest.raises(SystemExit) as exited:
        main([])
    assert exited.value.code == 2
    error = capsys.readouterr().err
    assert variable(name) in error and reason in error and "Traceback" not in error


def test_help_lists_every_setting_with_its_variable():
    out = subprocess.run(
        [sys.executable, "-m", "server", "--help"],
        cwd=ROOT,
        env={**os.environ, "COLUMNS": "200"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    for name in NAMES:
        assert flag(name) in out.stdout and variable(name) in out.stdout, name
    assert "--open" in out.stdout and "--fd" in out.stdout
    assert set(build_parser().parse_args([]).__dict__) == {*NAMES, "open", "fd"}


def installed_command() -> Path:
    """The `playground` script that `pip install` put beside this Python."""
    command = Path(sys.executable).parent / "playground"
    if not command.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"no {command}: the package is not installed in this environment")
        pytest.skip("the package is not installed in this environment")
    return command


def cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def children(pid: int) -> list[int]:
    """The processes whose parent is `pid`, from /proc."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(stat.parent.name))
    return found


def test_the_installed_command_serves_and_stops_on_sigterm(tmp_path):
    command = installed_command()
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    port = sock.getsockname()[1]
    # Started elsewhere than the source tree: it must serve from the installed package alone.
    proc = subprocess.Popen(
        [str(command), "--fd", str(sock.fileno()), "--port", str(port)],
        cwd=tmp_path,
        pass_fds=(sock.fileno(),),
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        assert proc.stdout.readline().strip().startswith(f"Playground running at {url}")
        with urllib.request.urlopen(url + "/", timeout=30) as response:
            page = response.read().decode()
        assert response.status == 200 and "<html" in page
        asset = re.search(r'(?:src|href)="(/static/[^"]+)"', page).group(1)
        with urllib.request.urlopen(url + asset, timeout=30) as response:
            assert response.status == 200 and response.read()
        with urllib.request.urlopen(url + "/healthz", timeout=30) as response:
            assert response.read() == b"ok"
        workers = [pid for pid in children(proc.pid) if b"spawn_main" in cmdline(pid)]
        proc.send_signal(signal.SIGTERM)
        # uvicorn shuts down, then raises the signal again so that the exit status tells it.
        assert proc.wait(timeout=10) in (0, -signal.SIGTERM)
        # The shutdown joined the engine workers: none outlives the server.
        assert not [pid for pid in workers if cmdline(pid)], "engine workers outlived the server"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
        proc.stdout.close()
        sock.close()


def test_the_deploy_samples_use_flags_the_command_accepts():
    """deploy/playground.service and deploy/nginx.conf's comment run `playground` with flags
    that exist: a sample that does not start is worse than none."""
    root = Path(__file__).resolve().parents[2]
    unit = (root / "deploy" / "playground.service").read_text()
    command = re.search(r"^ExecStart=(.*?)(?<!\\)$", unit, re.M | re.S).group(1)
    argv = command.replace("\\\n", " ").split()[1:]
    environ = dict(re.findall(r"^Environment=PLAYGROUND_(\w+)=(.*)$", unit, re.M))
    settings, _ = read_settings(argv, {f"PLAYGROUND_{k}": v for k, v in environ.items()})
    assert settings.processes == 4 and settings.redis_url.startswith("redis://")
    assert settings.allowed_hosts and settings.instructor_key
    nginx = (root / "deploy" / "nginx.conf").read_text()
    lines = re.search(r"^#\s+(playground .*?)\n#\s+(--.*?)\s{2,}", nginx, re.M).groups()
    argv = [a for a in " ".join(lines).split()[1:] if a != "\\"]
    argv = [a.replace("REDIS-HOST", "127.0.0.1").replace("NGINX-ADDRESS", "10.0.0.2") for a in argv]
    settings, _ = read_settings(argv, {})
    assert settings.forwarded_allow_ips == ("10.0.0.2",) and settings.port == 8001
