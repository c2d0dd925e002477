# syntax=docker/dockerfile:1
FROM python:3.11-slim AS build
WORKDIR /src
RUN python -m venv /opt/walky
COPY pyproject.toml README.md ./
COPY app ./app
COPY geo ./geo
COPY realtime ./realtime
RUN /opt/walky/bin/pip install --no-cache-dir .

FROM python:3.11-slim
RUN useradd --system --uid 10001 --home-dir /srv/walky --create-home walky
COPY --from=build /opt/walky /opt/walky
ENV PATH=/opt/walky/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    WALKY_HOST=0.0.0.0 \
    WALKY_PORT=8000 \
    WALKY_DATA_DIR=/srv/walky/var
WORKDIR /srv/walky
USER walky
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2).status != 200)"]
STOPSIGNAL SIGTERM
CMD ["python", "-m", "app"]
