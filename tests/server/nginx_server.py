"""A real nginx for tests: deploy/nginx.conf itself, on free loopback ports, in front of given
upstream ports."""

from __future__ import annotations

import os
import re
import select
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import pytest
from redis_server import free_port

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
SAMPLE = Path(__file__).resolve().parents[2] / "deploy" / "nginx.conf"
START_TIMEOUT_S = 10.0


def config_for(sample: str, listen: int, upstreams: list[int], prefix: str) -> str:
    """The sample with its listen port and upstream servers replaced, inside a main config that
    keeps every file nginx writes in `prefix`."""
    servers = "".join(f"    server 127.0.0.1:{port};\n" for port in upstreams)
    body, count = re.subn(
        r"(upstream playground \{\n)(?:\s*server [^\n]*\n)+", r"\1" + servers, sample
    )
    assert count == 1, "deploy/nginx.conf: no `upstream playground` block with servers"
    body, count = re.subn(r"listen 80;", f"listen 127.0.0.1:{listen};", body)
    assert count == 1, "deploy/nginx.conf: no `listen 80;`"
    temp = "\n".join(
        f"    {name}_temp_path {prefix}/{name};" for name in ("client_body", "proxy", "fastcgi")
    )
    return f"""daemon off;
master_process on;
worker_processes 1;
pid {prefix}/nginx.pid;
error_log stderr notice;
events {{ worker_connections 1024; }}
http {{
    access_log off;
{temp}
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
{body}
}}
"""


class NginxServer:
    """nginx with deploy/nginx.conf on 127.0.0.1:<free port> in front of `upstreams`."""

    def __init__(self, upstreams: list[int]) -> None:
        if not os.path.exists(NGINX):
            if os.environ.get("CI") == "true":
                pytest.fail("nginx is not installed (.ci/run installs it)")
            pytest.skip("nginx is not installed")
        self.dir = tempfile.mkdtemp(prefix="nginx-test-")
        os.chmod(self.dir, 0o755)  # its worker process may run as another user
        self.port = free_port()
        conf = Path(self.dir) / "nginx.conf"
        conf.write_text(config_for(SAMPLE.read_text(), self.port, upstreams, self.dir))
        args = [NGINX, "-p", self.dir, "-c", str(conf), "-e", "stderr"]
        self.proc = subprocess.Popen(args, stderr=subprocess.PIPE, bufsize=0)
        self._drainer: threading.Thread | None = None
        self._wait_ready()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _wait_ready(self) -> None:
        """Read its log until a worker starts: the master listens before it starts workers."""
        deadline = time.monotonic() + START_TIMEOUT_S
        log = []
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self.proc.stderr], [], [], deadline - time.monotonic())
            line = self.proc.stderr.readline() if ready else b""
            if not line:
                break
            log.append(line.decode(errors="replace"))
            if b"start worker process" in line:
                self._drainer = threading.Thread(target=self._drain, daemon=True)
                self._drainer.start()
                return
        self.stop()
        raise RuntimeError("nginx did not start:\n" + "".join(log))

    def _drain(self) -> None:
        for _ in self.proc.stderr:
            pass

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self._drainer is not None:
            self._drainer.join(timeout=5)  # it ends at the pipe's end, once the process is gone
        if self.proc.stderr is not None:
            self.proc.stderr.close()
        shutil.rmtree(self.dir, ignore_errors=True)
