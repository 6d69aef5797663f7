# syntax=docker/dockerfile:1
# Khulasa: CPU-only image. Build: docker build -t khulasa .   (skip the model download: --build-arg PULL_MODELS=0)
FROM python:3.11-slim-bookworm AS base
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    KHULASA_HOME=/app \
    HF_HOME=/models
WORKDIR /app
# CPU wheel of the pinned torch: the default index would bring a multi-GB CUDA build.
RUN pip install --index-url https://download.pytorch.org/whl/cpu torch==2.13.0
COPY pyproject.toml README.md ./
COPY service ./service
COPY config ./config
COPY prompts ./prompts
# The project itself; its dependencies are pinned in pyproject.toml.
# hadolint ignore=DL3013
RUN pip install ".[ct2]" && mkdir -p /models

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
