"""A real nginx for tests: deploy/nginx.conf itself, on free loopback ports, in front of given
upstream ports."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

from daemon import Daemon, require

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
SAMPLE = Path(__file__).resolve().parents[2] / "deploy" / "nginx.conf"


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


class NginxServer(Daemon):
    """nginx with deploy/nginx.conf on 127.0.0.1:<free port> in front of `upstreams`."""

    name = "nginx"
    ready = b"start worker process"  # the master listens before it starts workers

    def __init__(self, upstreams: list[int]) -> None:
        require(NGINX, self.name)
        super().__init__()
        os.chmod(self.dir, 0o755)  # its worker process may run as another user
        conf = Path(self.dir) / "nginx.conf"
        conf.write_text(config_for(SAMPLE.read_text(), self.port, upstreams, self.dir))
        self.start([NGINX, "-p", self.dir, "-c", str(conf), "-e", "stderr"])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"
