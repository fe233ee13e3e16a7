"""The pytest plugin: fixtures that start ``embedis-server --test-mode yes`` per test.

Fixtures:
    embedis_server   a running server (ephemeral port, temporary directory); see ``EmbedisServer``
    embedis          a redis-py client of it (decoded responses); ``embedis_server.client()`` makes more
    embedis_clock    the server's clock: ``advance(seconds)``, ``set(unix_ms)``, ``freeze()``, ``resume()``
"""

import os
import shutil
import subprocess
import sysconfig
import tempfile

import pytest
import redis


def _binary():
    """The embedis-server this package installed (the environment's scripts directory), else the PATH's."""
    scripts = sysconfig.get_path("scripts")
    candidate = os.path.join(scripts, "embedis-server") if scripts else None
    if candidate and os.access(candidate, os.X_OK):
        return candidate
    found = shutil.which("embedis-server")
    if not found:
        raise RuntimeError("embedis-server not found: pip install embedis")
    return found


class EmbedisServer:
    """A running embedis-server: ``port``, ``dir``, ``client()``, ``crash()`` (SIGKILL), ``restart()``, ``seed()``."""

    def __init__(self, *args):
        self.args = list(args)
        self.dir = tempfile.mkdtemp(prefix="embedis-")
        self.port = None
        self.proc = None
        self._start()

    def _start(self):
        port = str(self.port) if self.port else "auto"
        self.proc = subprocess.Popen(
            [_binary(), "--port", port, "--bind", "127.0.0.1", "--test-mode", "yes",
             "--dir", self.dir, "--logfile", "embedis.log"] + self.args,
            stdout=subprocess.PIPE, text=True)
        for line in self.proc.stdout:
            if line.startswith("embedis ready "):
                self.port = int(line.split("port=")[1].split()[0])
                return
        raise RuntimeError("embedis-server did not start: see embedis.log in " + self.dir)

    def client(self, **kwargs):
        """A redis-py client of this server (``decode_responses=True`` unless said otherwise)."""
        kwargs.setdefault("decode_responses", True)
        return redis.Redis(host="127.0.0.1", port=self.port, **kwargs)

    def crash(self):
        """Kills the process (SIGKILL): what the AOF's fsync policy made durable survives a ``restart``."""
        self.proc.kill()
        self.proc.wait()

    def restart(self):
        """Starts again on the same port and directory (after ``crash`` or ``stop``)."""
        self._start()

    def stop(self):
        """SIGTERM: the server saves what it must and exits."""
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait()

    def seed(self, seed):
        """Makes the server's random choices repeatable (DEBUG SEED)."""
        self.client().execute_command("DEBUG", "SEED", seed)

    def close(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


class Clock:
    """The server's clock, moved by the test: TTLs, TIME, LRU, the everysec fsync follow it."""

    def __init__(self, server):
        self._client = server.client()

    def advance(self, seconds):
        self._client.execute_command("DEBUG", "ADVANCE-TIME", int(seconds * 1000))

    def set(self, unix_ms):
        self._client.execute_command("DEBUG", "SET-TIME", int(unix_ms))

    def freeze(self):
        self._client.execute_command("DEBUG", "FREEZE-TIME")

    def resume(self):
        self._client.execute_command("DEBUG", "RESUME-TIME")


@pytest.fixture
def embedis_server():
    server = EmbedisServer()
    yield server
    server.close()


@pytest.fixture
def embedis(embedis_server):
    client = embedis_server.client()
    yield client
    client.close()


@pytest.fixture
def embedis_clock(embedis_server):
    return Clock(embedis_server)
