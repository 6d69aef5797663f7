# syntax=docker/dockerfile:1
# Khulasa: CPU-only image. Build: docker build -t khulasa .   (skip the model download: --build-arg PULL_MODELS=0)
# The base image. Release builds pin it by digest (README "Docker" prints the current one):
#   docker build --build-arg PYTHON_IMAGE=python:3.11-slim-bookworm@sha256:<digest> -t khulasa .
ARG PYTHON_IMAGE=python:3.11-slim-bookworm
FROM ${PYTHON_IMAGE} AS base
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    KHULASA_HOME=/app \
    HF_HOME=/models
WORKDIR /app
# Every dependency from the hashed lock (scripts/lock.sh writes it from pyproject.toml): pip refuses any file
# whose sha256 is not listed, and --no-deps leaves nothing to resolve outside the lock.
COPY requirements.lock ./
# Then torch alone: the CPU build of the pinned version from PyTorch's index (PyPI's Linux wheel is the CUDA
# build); its dependencies came from the lock.
RUN pip install --require-hashes --no-deps -r requirements.lock \
    && pip install --no-deps --index-url https://download.pytorch.org/whl/cpu torch==2.13.0
COPY pyproject.toml README.md ./
COPY service ./service
COPY config ./config
COPY prompts ./prompts
# The project itself (the ct2 extra is in the lock), built with the locked hatchling, nothing resolved.
# hadolint ignore=DL3013
RUN pip install --no-deps --no-build-isolation . && mkdir -p /models

# Pull the configured models into the image so the container starts with no network.
FROM base AS models
ARG PULL_MODELS=1
RUN if [ "$PULL_MODELS" = "1" ]; then khulasa models pull && khulasa models convert; \
    else echo "PULL_MODELS=0: no models in the image"; fi

FROM base AS runtime
RUN useradd --create-home --uid 10001 khulasa
COPY --from=models --chown=khulasa:khulasa /models /models
USER 10001:10001
ENV HF_HUB_OFFLINE=1
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s --retries=3 CMD ["khulasa", "health", "--port", "8000"]
CMD ["khulasa", "serve", "--host", "0.0.0.0", "--port", "8000"]
