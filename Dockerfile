# The incident-lab image: the library and CLI, the notebooks and shipped incidents, and the
# diagnostics API. The Helm chart runs it twice: the diagnostics API Deployment (the default command)
# and the sweep CronJob (`incident-lab run notebooks/sweep.ipynb -p source live …`).
#   docker build -t ghcr.io/incident-lab/incident-lab:0.1.0 .
#   docker run -p 8000:8000 -e INCIDENT_BUNDLE=/app/incidents/oom-drill ghcr.io/incident-lab/incident-lab:0.1.0
#   docker run --read-only --tmpfs /tmp -v "$PWD/reports:/reports" ghcr.io/incident-lab/incident-lab:0.1.0 \
#       incident-lab run notebooks/sweep.ipynb --out /reports
# The API needs a source: INCIDENT_BUNDLE=PATH, or INCIDENT_SOURCE=live with PROMETHEUS_URL. Without
# one it exits 2 naming the variable; it never falls back to a shipped bundle on its own.

# --- build stage: wheels of the project and every dependency, installed into a virtualenv -------------
FROM python:3.11.11-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY incident_lib ./incident_lib
# The last line fails the build unless papermill can find the `python3` kernel (ipykernel's kernelspec).
RUN python -m pip wheel --wheel-dir /wheels ".[services]" \
    && python -m venv /opt/venv \
    && /opt/venv/bin/pip install --require-virtualenv --no-index --find-links /wheels "incident-lib[services]" \
    && /opt/venv/bin/python -c "from jupyter_client.kernelspec import KernelSpecManager as M; M().get_kernel_spec('python3')"

# --- runtime stage: the virtualenv and the project's files; no compilers, no pip cache, non-root ------
FROM python:3.11.11-slim-bookworm
# HOME and the matplotlib/Jupyter/IPython directories point into /tmp so that the root filesystem can be
# mounted read-only (the chart mounts an emptyDir on /tmp); the kernel runs `python` from PATH.
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HOME=/tmp \
    MPLCONFIGDIR=/tmp/matplotlib \
    JUPYTER_RUNTIME_DIR=/tmp/jupyter-runtime \
    IPYTHONDIR=/tmp/ipython \
    HOST=0.0.0.0 \
    PORT=8000
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --no-create-home --home-dir /tmp app \
    && mkdir /reports && chown 10001:10001 /reports
COPY --from=build /opt/venv /opt/venv
# `incident-lab run notebooks/sweep.ipynb` and `python -m services.diagnostics` resolve from /app.
WORKDIR /app
COPY notebooks ./notebooks
COPY incidents ./incidents
COPY services/diagnostics ./services/diagnostics
RUN python -c "import services.diagnostics.app, incident_lib.cli"
VOLUME ["/reports"]
USER 10001:10001
EXPOSE 8000
CMD ["python", "-m", "services.diagnostics"]
