# syntax=docker/dockerfile:1
# Two stages: build the virtual environment (PyICU compiles against libicu; setup.py compiles the
# matching hot path with mypyc), then a slim runtime
# with only the shared libraries, running as a non-root user under gunicorn.

FROM python:3.11-slim-bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential pkg-config libicu-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml setup.py README.md ./
COPY matcher ./matcher
COPY lists ./lists
RUN python -m venv /venv \
 && /venv/bin/pip install --no-cache-dir --upgrade pip \
 && /venv/bin/pip install --no-cache-dir .

FROM python:3.11-slim-bookworm
RUN apt-get update \
 && apt-get install -y --no-install-recommends libicu72 curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin matcher \
 && mkdir -p /data \
 && chown matcher /data
COPY --from=build /venv /venv
COPY --chown=matcher lists /app/lists
ENV PATH=/venv/bin:$PATH \
    MATCHER_DATA_DIR=/data \
    MATCHER_CATALOG_DIR=/app/lists \
    MATCHER_HOST=0.0.0.0 \
    MATCHER_PORT=8000 \
    PYTHONUNBUFFERED=1
USER matcher
WORKDIR /app
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD curl -fsS http://127.0.0.1:8000/healthz || exit 1
# Load lists with: docker run -v matcher-data:/data IMAGE matcher lists refresh
CMD ["matcher", "serve"]
