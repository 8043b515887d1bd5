"""The portal under gunicorn on 127.0.0.1, started and stopped by the benchmark."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Gunicorn:
    """``gunicorn ranham_portal.wsgi -w 2`` with production settings, in its own process."""

    def __init__(self, env, *, workers=2, log_path):
        self.env, self.workers, self.log_path = env, workers, log_path
        self.port = free_port()
        self.process = None

    def __enter__(self):
        gunicorn = Path(sys.executable).with_name("gunicorn")
        self.log = open(self.log_path, "ab")  # noqa: SIM115 - closed in __exit__
        self.process = subprocess.Popen(
            [
                str(gunicorn),
                "ranham_portal.wsgi",
                "-w",
                str(self.workers),
                "-b",
                f"127.0.0.1:{self.port}",
                "--access-logfile",
                "/dev/null",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        self.wait_until_ready()
        return self

    def wait_until_ready(self, timeout=60):
        deadline = time.monotonic() + timeout
        url = f"http://127.0.0.1:{self.port}/sehat/"
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn stopped; see {self.log_path}")
            try:
                with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - loopback
                    if response.status == 200:
                        return
            except OSError:  # refused, reset or timed out while the workers boot
                time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer {url}; see {self.log_path}")

    def __exit__(self, *exc):
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()
        return False


def production_env(base, **extra):
    """The environment gunicorn runs with: DEBUG off, plain HTTP on loopback."""
    env = {**os.environ, **base, **extra}
    env.update(
        {
            "DEBUG": "0",
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "0",
            "LOG_LEVEL": "WARNING",
        }
    )
    return env


def nginx_binary():
    return shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.path.exists(p)), None
    )


def _servers(ports):
    """'127.0.0.1:A;\n    server 127.0.0.1:B' for the template's `server ${...};` line."""
    ports = ports if isinstance(ports, (list, tuple)) else [ports]
    return ";\n    server ".join(f"127.0.0.1:{port}" for port in ports)


def render_nginx_config(upstream_port, listen_port, prefix, *, upload_port=None):
    """deploy/nginx/ranham.conf.template as the nginx image renders it, plus a main nginx.conf
    that keeps every file under ``prefix``; the officers' saves and uploads go to
    ``upload_port`` (default: the same gunicorn as every other request)."""
    prefix = Path(prefix)
    shutil.rmtree(prefix, ignore_errors=True)
    (prefix / "temp").mkdir(parents=True)
    server = (ROOT / "deploy/nginx/ranham.conf.template").read_text()
    # A list of ports is several web nodes: nginx balances over them.
    for name, ports in (
        ("RANHAM_UPSTREAM", upstream_port),
        ("RANHAM_UPLOAD_UPSTREAM", upload_port or upstream_port),
    ):
        server = server.replace(f"server ${{{name}}};", f"server {_servers(ports)};")
        first = ports[0] if isinstance(ports, (list, tuple)) else ports
        server = server.replace(f"${{{name}}}", f"127.0.0.1:{first}")
    server = server.replace("${RANHAM_LISTEN}", f"127.0.0.1:{listen_port}")
    server = server.replace(
        "access_log /dev/stdout ranham;", f"access_log {prefix}/access.log ranham;"
    )
    (prefix / "server.conf").write_text(server)
    temp = prefix / "temp"
    (prefix / "nginx.conf").write_text(
        f"""daemon off;
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    include {prefix}/server.conf;
}}
"""
    )
    return prefix / "nginx.conf"


def start_nginx(upstream_port, listen_port, prefix, *, upload_port=None):
    """nginx (Debian's nginx-light) in the foreground with the portal's proxy configuration."""
    config = render_nginx_config(upstream_port, listen_port, prefix, upload_port=upload_port)
    return subprocess.Popen(
        [nginx_binary(), "-p", str(prefix), "-c", str(config)],
        stdout=subprocess.DEVNULL,
        stderr=open(Path(prefix) / "stderr.log", "wb"),  # noqa: SIM115 - the process holds it
    )
