"""An example test suite using the embedis pytest plugin (installed with `pip install embedis`)."""

import time

from embedis import EmbedisServer


def test_set_and_get(embedis):
    embedis.set("greeting", "hello")
    assert embedis.get("greeting") == "hello"


def test_a_session_expires_when_the_clock_passes_its_ttl(embedis, embedis_clock):
    embedis_clock.freeze()
    embedis.set("session:1", "alice", ex=3600)
    embedis_clock.advance(3599)
    assert embedis.get("session:1") == "alice"
    embedis_clock.advance(1)
    assert embedis.get("session:1") is None


def test_acknowledged_writes_survive_a_crash():
    server = EmbedisServer("--appendonly", "yes", "--appendfsync", "always")
    try:
        server.client().set("order:1", "paid")
        server.crash()
        server.restart()
        assert server.client().get("order:1") == "paid"
    finally:
        server.close()


def test_a_server_starts_in_milliseconds():
    started = time.monotonic()
    server = EmbedisServer()
    try:
        assert server.client().ping()
    finally:
        server.close()
    assert time.monotonic() - started < 2.0
