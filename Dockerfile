# embedis in place of the redis image:
#   docker build -t embedis .
#   docker run -d -p 6379:6379 -v embedis-data:/data embedis --appendonly yes --requirepass secret
# The arguments are redis-server's (a config file first, then `--directive value` pairs); a leading
# `redis-server`, as compose files written for the redis image have, is accepted too. See docker-compose.yml
# and the README's "Operations" section. Plain Dockerfile syntax: it builds with or without BuildKit.

# ---- build ----
# Debian 12 like the runtime image, so the binary links against the same glibc.
FROM rust:1-slim-bookworm AS build
# make builds jemalloc (tikv-jemalloc-sys); gcc, which also builds Lua and csrc/, comes with the image.
# Unpinned: Debian's security updates replace the exact versions a pin would name.
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends make \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
# The binaries, stripped of their debug information (the release profile keeps it for profiling).
RUN cargo build --release --locked --bins \
 && strip --strip-debug target/release/embedis-server target/release/embedis-check-aof target/release/embedis-check-rdb \
 && cp target/release/embedis-server target/release/embedis-check-aof target/release/embedis-check-rdb /usr/local/bin/

# ---- run ----
FROM debian:bookworm-slim
# The user first, with the redis image's ids (999), so a /data volume written by redis:7 stays writable and
# redis-tools' installer finds the user it would otherwise create with another id.
RUN groupadd --system --gid 999 redis \
 && useradd --system --uid 999 --gid redis --home-dir /data --no-create-home redis
# redis-cli (Debian's redis-tools, 7.0.15) for health checks, `redis-cli monitor`, `--latency`, `--bigkeys`...
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends redis-tools \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /data \
 && chown redis:redis /data
COPY --from=build /usr/local/bin/embedis-server /usr/local/bin/embedis-check-aof /usr/local/bin/embedis-check-rdb /usr/local/bin/
VOLUME /data
WORKDIR /data
# Numeric, so orchestrators can check that it is not root (the `redis` user above).
USER 999:999
EXPOSE 6379
# Exec form: the server is PID 1 and receives docker stop's SIGTERM itself (AOF flushed and fsynced, exit 0).
STOPSIGNAL SIGTERM
ENTRYPOINT ["embedis-server"]
