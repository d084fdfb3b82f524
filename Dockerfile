# syntax=docker/dockerfile:1
# Ketenpoort container image: API + workers (`ketenpoort run`) by default.
# Build stage: compile wheels for the project and its dependencies.
FROM python:3.11-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY gateway ./gateway
COPY workers ./workers
RUN pip wheel --wheel-dir /wheels .

# Runtime stage: only the wheels, the data folders, and a non-root user.
FROM python:3.11-slim-bookworm AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    KETENPOORT_DATA_DIR=/var/lib/ketenpoort \
    KETENPOORT_DATABASE_URL=sqlite:////var/lib/ketenpoort/ketenpoort.db \
    KETENPOORT_API_HOST=0.0.0.0 KETENPOORT_API_PORT=8080 \
    KETENPOORT_LOG_FORMAT=json KETENPOORT_HOME=/opt/ketenpoort
RUN groupadd --system ketenpoort && useradd --system --gid ketenpoort --home /var/lib/ketenpoort ketenpoort \
    && mkdir -p /var/lib/ketenpoort /opt/ketenpoort && chown ketenpoort:ketenpoort /var/lib/ketenpoort
COPY --from=build /wheels /wheels
RUN pip install /wheels/*.whl && rm -rf /wheels
WORKDIR /opt/ketenpoort
COPY schemas ./schemas
COPY mappings ./mappings
USER ketenpoort
EXPOSE 8080
VOLUME ["/var/lib/ketenpoort"]
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD python -c "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8080/readyz', timeout=4).status == 200 else 1)"
CMD ["ketenpoort", "run"]
