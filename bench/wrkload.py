"""Load from ``wrk`` (Debian package ``wrk``): one run against one page, parsed."""

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

SCRIPT = Path(__file__).with_name("wrk.lua")
LINE = re.compile(r"^BENCH (.*)$", re.MULTILINE)


@dataclass
class WrkResult:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    non2xx: int
    socket_errors: int

    @property
    def rps(self):
        return self.requests / self.seconds if self.seconds else 0.0


def wrk_path():
    found = shutil.which("wrk")
    if found is None:
        raise SystemExit("The benchmark needs wrk: apt-get install wrk")
    return found


def run(url, *, seconds, connections=4, threads=2, cookie=None, header=None, sessions_file=None):
    """wrk against ``url``: with one session cookie (or one ``Name: value`` header), or a new
    session per request."""
    command = [
        wrk_path(),
        f"-t{threads}",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        "30s",
        "-s",
        str(SCRIPT),
    ]
    if cookie:
        command += ["-H", f"Cookie: sessionid={cookie}"]
    if header:
        command += ["-H", header]
    command.append(url)
    if sessions_file:
        command += ["--", str(sessions_file), str(threads)]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    match = LINE.search(output)
    if match is None:
        raise RuntimeError(f"wrk printed no result:\n{output}")
    fields = dict(part.split("=") for part in match.group(1).split())
    return WrkResult(
        requests=int(fields["requests"]),
        seconds=int(fields["duration_us"]) / 1e6,
        p50_ms=int(fields["p50_us"]) / 1000,
        p99_ms=int(fields["p99_us"]) / 1000,
        non2xx=int(fields["non2xx"]),
        socket_errors=int(fields["socket_errors"]),
    )
