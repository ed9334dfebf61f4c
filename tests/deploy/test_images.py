"""The images: one Dockerfile per service and the gateway, multi-stage, slim, non-root, pinned from
requirements.txt, running the same process the Deployment runs. Built where a builder runs."""

from __future__ import annotations

import fnmatch
import functools
import importlib
import json
import re
import shutil
import subprocess
import tomllib

import pytest

from tests.deploy.manifests import IMAGES, ROOT, SERVICES, Service, named, pod_spec, render


def stages(dockerfile: str) -> list[str]:
    """The Dockerfile's stages, each from its FROM line on."""
    parts = re.split(r"(?m)^(?=FROM )", dockerfile)
    return [p for p in parts if p.startswith("FROM ")]


@pytest.mark.parametrize("service", SERVICES, ids=lambda s: s.name)
def test_dockerfile_is_multi_stage_slim_non_root_and_pinned(service: Service) -> None:
    text = (IMAGES / f"{service.name}.Dockerfile").read_text()
    build, final = stages(text)[0], stages(text)[-1]
    assert len(stages(text)) >= 2
    assert re.search(r"(?m)^ARG PYTHON_IMAGE=python:3\.11\.\d+-slim", text), "slim Python 3.11, pinned"
    assert "-r /tmp/requirements.txt" in build
    assert "COPY requirements.txt" in build
    assert "--only-binary :all:" in build, "wheels only, so no compiler is needed anywhere"
    assert re.search(r"(?m)^USER 10001:10001$", final)
    assert "--from=build /opt/venv" in final
    for compiler in ("gcc", "build-essential", "g++", "apt-get"):
        assert compiler not in text, compiler
    # The image's default process is the one the Deployment runs.
    cmd = re.search(r"(?m)^CMD (\[.*\])$", final)
    assert cmd is not None
    (container,) = pod_spec(named(render("overlays/prod"), "Deployment", service.name))["containers"]
    assert json.loads(cmd.group(1)) == container["command"]
    module, _, factory = container["command"][2].partition(":")
    assert callable(getattr(importlib.import_module(module), factory))


def test_dockerignore_sends_only_what_the_images_copy() -> None:
    rules = [line for line in (ROOT / ".dockerignore").read_text().splitlines() if not line.startswith("#")]
    assert rules[0] == "**", "ignore everything first, then let in what the Dockerfiles copy"
    assert {"!requirements.txt", "!libs/smefin/", "!services/", "!gateway/"} <= set(rules)


@functools.cache
def container_builder() -> list[str] | None:
    """A working `docker build` (a daemon that answers), or None."""
    docker = shutil.which("docker")
    if docker and subprocess.run([docker, "info"], capture_output=True, timeout=30).returncode == 0:
        return [docker, "build"]
    podman = shutil.which("podman")
    if podman and subprocess.run([podman, "info"], capture_output=True, timeout=30).returncode == 0:
        return [podman, "build"]
    return None


@pytest.mark.parametrize("service", SERVICES, ids=lambda s: s.name)
def test_image_builds(service: Service) -> None:
    builder = container_builder()
    if builder is None:
        pytest.skip(
            "no container builder here (docker/podman missing or no daemon answers): images not built"
        )
    result = subprocess.run(
        [
            *builder,
            "-f",
            str(IMAGES / f"{service.name}.Dockerfile"),
            "-t",
            f"smefin/{service.name}:test",
            str(ROOT),
        ],
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert result.returncode == 0, result.stderr[-3000:]


PACKAGES = [
    ("libs/smefin", "src/smefin"),
    ("services/credit-info", "credit_info"),
    ("services/loan-matching", "loan_matching"),
    ("services/guarantee-registry", "guarantee_registry"),
    ("services/events", "fairs"),
    ("gateway", "gateway"),
]


@pytest.mark.parametrize(("project", "package"), PACKAGES, ids=[p for _, p in PACKAGES])
def test_images_carry_every_data_file(project: str, package: str) -> None:
    """The images install the packages (not editable), so a file setuptools' package-data misses
    (a model, a migration template, a vendored script) would be absent in the cluster only."""
    config = tomllib.loads((ROOT / project / "pyproject.toml").read_text())
    data = config["tool"]["setuptools"].get("package-data", {})
    root = ROOT / project / package
    name = root.name
    missing = []
    for path in root.rglob("*"):
        if path.is_dir() or "__pycache__" in path.parts or path.suffix in (".py", ".pyc"):
            continue
        relative = path.relative_to(root).as_posix()
        patterns = list(data.get("*", [])) + list(data.get(name, []))
        if not any(fnmatch.fnmatch(relative, p) or fnmatch.fnmatch(path.name, p) for p in patterns):
            missing.append(relative)
    assert not missing, f"not in {project}/pyproject.toml package-data: {missing}"
