"""Which registry runs, and its configuration.

The real registry either way: Debian's ``docker-registry`` binary when it is installed, else the
``registry:2`` image when the Docker engine already holds it. The image is never pulled: the
practice registry is for rooms without internet, and a pull there would only hang.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
from dataclasses import dataclass

from tutor.practice.state import HOST, ISSUER, SERVICE, Layout

IMAGE = "registry:2"
CONTAINER = "docker-tutor-practice-registry"  # and a few characters of the folder's hash: one per state folder
INSTALL = "sudo apt-get install docker-registry"
# Inside the image's container: where its data and our files are mounted.
_IN_STORAGE, _IN_CONFIG, _IN_CERT = "/var/lib/registry", "/etc/docker/registry/config.yml", "/etc/docker/registry/tokens.pem"


@dataclass(frozen=True)
class Backend:
    kind: str  # "binary" or "image"
    path: str  # the binary's path, or the image's name

    @property
    def label(self) -> str:
        return self.path if self.kind == "binary" else f"the {self.path} image"


class NoRegistry(RuntimeError):
    """Neither the binary nor the image is here; ``facts`` for the hint that says how to get one."""

    def __init__(self, **facts: str) -> None:
        super().__init__("no registry to run")
        self.facts = facts


def find_binary() -> str | None:
    # DOCKER_TUTOR_REGISTRY_BINARY: a registry installed elsewhere (or "" to use the image only).
    chosen = os.environ.get("DOCKER_TUTOR_REGISTRY_BINARY")
    if chosen is not None:
        return chosen if chosen and os.access(chosen, os.X_OK) else None
    return shutil.which("docker-registry") or next(
        (p for p in ("/usr/bin/docker-registry", "/usr/sbin/docker-registry") if os.access(p, os.X_OK)), None)


def image_name() -> str:
    return os.environ.get("DOCKER_TUTOR_REGISTRY_IMAGE") or IMAGE


def find() -> Backend:
    """The registry to run, or NoRegistry with the install command."""
    if binary := find_binary():
        return Backend("binary", binary)
    image = image_name()
    found, engine_problem = _image_present(image)
    if found:
        return Backend("image", image)
    state = f"the Docker engine has no {image} image" if not engine_problem else \
        f"the Docker engine could not be asked for the {image} image ({engine_problem})"
    raise NoRegistry(registry_image=image, image_state=state, install_command=INSTALL)


def _image_present(image: str) -> tuple[bool, str]:
    try:
        import docker

        client = docker.from_env(timeout=10)
        try:
            client.images.get(image)
            return True, ""
        finally:
            client.close()
    except Exception as exc:  # noqa: BLE001 - not found, or no engine: either way, no image to run
        if type(exc).__name__ == "ImageNotFound":
            return False, ""
        return False, str(exc).splitlines()[0][:160] if str(exc) else type(exc).__name__


def write_config(layout: Layout, backend: Backend, port: int, realm: str) -> None:
    """The registry's config.yml (JSON, which YAML reads as is), rewritten at every start: the token
    service's port changes from one start to the next, the storage stays."""
    from tutor.store import atomic_write

    inside = backend.kind == "image"
    config = {
        "version": "0.1",
        "log": {"level": "info", "accesslog": {"disabled": True}},
        "storage": {"filesystem": {"rootdirectory": _IN_STORAGE if inside else str(layout.storage)},
                    "delete": {"enabled": True}},
        # In a container the registry listens on its own port 5000; the engine publishes it on loopback.
        "http": {"addr": ":5000" if inside else f"{HOST}:{port}", "secret": secrets.token_hex(16),
                 "headers": {"X-Content-Type-Options": ["nosniff"]}},
        "auth": {"token": {"realm": realm, "service": SERVICE, "issuer": ISSUER,
                           "rootcertbundle": _IN_CERT if inside else str(layout.cert)}},
    }
    atomic_write(layout.config, json.dumps(config, indent=2) + "\n")


def container_name(layout: Layout) -> str:
    import hashlib

    return f"{CONTAINER}-{hashlib.sha256(str(layout.root).encode()).hexdigest()[:10]}"


def container_mounts(layout: Layout) -> dict[str, dict[str, str]]:
    """The docker SDK's ``volumes=`` for the image: our storage, config and certificate."""
    return {str(layout.storage): {"bind": _IN_STORAGE, "mode": "rw"},
            str(layout.config): {"bind": _IN_CONFIG, "mode": "ro"},
            str(layout.cert): {"bind": _IN_CERT, "mode": "ro"}}


def binary_argv(backend: Backend, layout: Layout) -> list[str]:
    return [backend.path, "serve", str(layout.config)]


def clean_env() -> dict[str, str]:
    """Our environment without REGISTRY_* variables, which would override the config file."""
    return {k: v for k, v in os.environ.items() if not k.startswith("REGISTRY_")}


def version(backend: Backend) -> str:
    """``docker-registry github.com/docker/distribution 2.8.2`` -> "2.8.2", or "" when unknown."""
    if backend.kind != "binary":
        return ""
    import subprocess

    try:
        out = subprocess.run([backend.path, "--version"], capture_output=True, text=True, timeout=5).stdout
    except (OSError, subprocess.SubprocessError):
        return ""
    words = out.split()
    return words[-1].split("+")[0] if words else ""
