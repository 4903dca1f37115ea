# kremlin-watch container image.
#
#   docker build -t kremlin-watch .
#   docker run -d --name kremlin-watch -v kremlin-watch-data:/data -p 8080:8080 kremlin-watch
#   docker run --rm -v kremlin-watch-data:/data kremlin-watch crawl --pages 2
#   docker run --rm -v kremlin-watch-data:/data kremlin-watch kremlin-watch status   # the same CLI
#
# BASE_IMAGE must be a Debian-based image with python3 (>= 3.11), its venv module and useradd:
# an official python:3.x-slim image, or the offline stand-in built by
# shared/tools/docker-local-base.sh (`--build-arg BASE_IMAGE=kremlin-watch-base:local`).
# Both stages use the same image, so the venv's interpreter links stay valid in the final stage.
# Only classic Dockerfile syntax is used (no BuildKit cache mounts, no `# syntax=` line), so it
# builds with the legacy builder and on engines that cannot pull docker/dockerfile.
ARG BASE_IMAGE=python:3.12-slim

FROM ${BASE_IMAGE} AS builder
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1
# `python3` explicitly: the stand-in base has no `python -m venv` guarantee, the official image has both.
RUN python3 -m venv /opt/venv
COPY . /src
# Non-editable install: the packages, their package data (Alembic migrations, replica pages) and the
# `kremlin-watch` script all land in /opt/venv; /src is not needed afterwards.
RUN /opt/venv/bin/pip install /src \
 && /opt/venv/bin/python -c "import archive.migrate as m; print('migrations head', m.head_revision())"

FROM ${BASE_IMAGE}
LABEL org.opencontainers.image.title="kremlin-watch" \
      org.opencontainers.image.description="Watches kremlin.ru, keeps a deduplicated archive and sends keyword alerts." \
      org.opencontainers.image.licenses="MIT"
COPY --from=builder /opt/venv /opt/venv
COPY deploy/docker-entrypoint.sh /usr/local/bin/kremlin-watch-entrypoint
RUN chmod 0755 /usr/local/bin/kremlin-watch-entrypoint \
 && groupadd --system --gid 10001 kremlin \
 && useradd --system --uid 10001 --gid 10001 --home-dir /data --no-create-home \
            --shell /usr/sbin/nologin kremlin \
 && mkdir -p /data \
 && chown kremlin:kremlin /data
# MALLOC_ARENA_MAX: two malloc arenas for all threads instead of up to eight per core (scheduler/memory.py).
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    MALLOC_ARENA_MAX=2 \
    PYTHONDONTWRITEBYTECODE=1 \
    KREMLIN_WATCH_DATABASE_URL=sqlite:////data/kremlin-watch.sqlite3 \
    KREMLIN_WATCH_HTTP_PORT=8080
WORKDIR /data
# The archive (SQLite), its migration lock file, and the rules file live here.
VOLUME /data
USER 10001:10001
EXPOSE 8080
# /healthz is served by `kremlin-watch run` on KREMLIN_WATCH_HTTP_PORT. Python's urllib, because
# slim images have no curl. A refused connection, a timeout or a 503 (the daemon says a check is
# overdue) exits 1 with one line, which `docker inspect` shows under .State.Health.Log.
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, sys, urllib.request\nport = os.environ.get('KREMLIN_WATCH_HTTP_PORT') or '8080'\ntry:\n    status = urllib.request.urlopen(f'http://127.0.0.1:{port}/healthz', timeout=5).status\nexcept Exception as error:\n    sys.exit(f'unhealthy: {error}')\nsys.exit(0 if status == 200 else f'unhealthy: HTTP {status}')"]
# `docker run IMAGE crawl` and `docker run IMAGE kremlin-watch crawl` both run the CLI; a first
# argument that is a program (`sh`, `python`, …) runs that program (deploy/docker-entrypoint.sh).
ENTRYPOINT ["kremlin-watch-entrypoint"]
CMD ["run"]
