# syntax=docker/dockerfile:1
# Ketenpoort container image: API + workers (`ketenpoort run`) by default.
# Build stage: compile wheels for the project and its dependencies. The wheel carries the
# schemas/ and mappings/ folders inside the package (setup.py), so the runtime needs no checkout.
FROM python:3.11-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml setup.py MANIFEST.in README.md ./
COPY gateway ./gateway
COPY workers ./workers
COPY schemas ./schemas
COPY mappings ./mappings
RUN pip wheel --wheel-dir /wheels .

# Runtime stage: only the wheels and a non-root user. State (SQLite file, pseudonym key,
# senders file) lives in the volume at /var/lib/ketenpoort.
FROM python:3.11-slim-bookworm AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    KETENPOORT_DATA_DIR=/var/lib/ketenpoort \
    KETENPOORT_DATABASE_URL=sqlite:////var/lib/ketenpoort/ketenpoort.db \
    KETENPOORT_SENDERS_FILE=/var/lib/ketenpoort/senders.toml \
    KETENPOORT_API_HOST=0.0.0.0 KETENPOORT_API_PORT=8080 \
    KETENPOORT_LOG_FORMAT=json
RUN groupadd --system ketenpoort && useradd --system --gid ketenpoort --home /var/lib/ketenpoort ketenpoort \
    && mkdir -p /var/lib/ketenpoort && chown ketenpoort:ketenpoort /var/lib/ketenpoort
COPY --from=build /wheels /wheels
RUN pip install /wheels/*.whl && rm -rf /wheels
WORKDIR /var/lib/ketenpoort
USER ketenpoort
EXPOSE 8080
VOLUME ["/var/lib/ketenpoort"]
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD python -c "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8080/readyz', timeout=4).status == 200 else 1)"
CMD ["ketenpoort", "run"]
