# cronctl's runner as a container (seed 004's "cron container"): `cronctl run` reads
# /app/schedules.yaml (mount it), fires its `target: runner` jobs and serves /healthz and
# /metrics on 9464. Small (python:slim, wheels built in a first stage), runs as a non-root user.
FROM python:3.12-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY cronctl ./cronctl
RUN pip wheel --no-cache-dir --wheel-dir /wheels '.[runner]'

FROM python:3.12-slim
RUN useradd --create-home --uid 10001 cronctl
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir --no-index /wheels/* && rm -rf /wheels
USER 10001
WORKDIR /app
ENV PYTHONUNBUFFERED=1 NO_COLOR=1
EXPOSE 9464
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
  CMD ["python", "-c", "import urllib.request as u; u.urlopen('http://127.0.0.1:9464/healthz', timeout=4)"]
ENTRYPOINT ["cronctl", "--config", "/app/schedules.yaml"]
CMD ["run", "--listen", "0.0.0.0:9464"]
