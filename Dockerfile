# syntax=docker/dockerfile:1
# The image of one Concord service. Build from the repository root (the uv workspace):
#   docker build --build-arg SERVICE=membership -t concord/membership:dev .
# SERVICE is membership, governance, finance or notifications. Only that service and what it
# depends on in production are installed: no dev group, so no devkit and no nats-server
# binary (tests/deploy/test_images.py checks this against uv.lock).

ARG SERVICE=membership

FROM ghcr.io/astral-sh/uv:0.13.9 AS uv

FROM python:3.11-slim AS build
ARG SERVICE
COPY --from=uv /uv /usr/local/bin/uv
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/app/.venv
WORKDIR /src
COPY pyproject.toml uv.lock ./
COPY libs/ libs/
COPY services/ services/
# Only this service and what it depends on, from the lock file, installed as real packages
# (not editable), so the runtime image needs nothing from /src.
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-editable --package "concord-${SERVICE}"

FROM python:3.11-slim
ARG SERVICE
RUN groupadd --system --gid 10001 concord \
 && useradd --system --uid 10001 --gid concord --no-create-home --home-dir /nonexistent \
    --shell /usr/sbin/nologin concord
COPY --from=build /app/.venv /app/.venv
# Read-only root filesystem: no bytecode writes; HOME and temp files go to /tmp (an emptyDir
# in Kubernetes).
ENV PATH=/app/.venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HOME=/tmp \
    TMPDIR=/tmp \
    CONCORD_SERVICE=${SERVICE}
WORKDIR /app
USER 10001:10001
EXPOSE 8000
# Migrations (Helm hook Job): concord-migrate <service>. The chart sets the command itself; this
# default serves the service the image was built for.
CMD ["sh", "-c", "exec uvicorn \"${CONCORD_SERVICE}.app:create_app\" --factory --host 0.0.0.0 --port 8000 --timeout-keep-alive 30"]
