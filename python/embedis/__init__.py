"""embedis for Python: pytest fixtures: a real Redis 7.0 compatible server per test (see ``plugin``)."""

from .plugin import EmbedisServer

__all__ = ["EmbedisServer"]
