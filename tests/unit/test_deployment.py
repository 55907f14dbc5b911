"""The container image and the compose file, checked structurally (no Docker engine runs in CI here).

What a school runs with `docker compose up -d` must hold together: PostgreSQL 16 with a healthcheck, the
API waiting for it and checked on /readyz, a worker on the same database; the image multi-stage, non-root,
health-checked, and carrying every file the installed package needs at run time.
"""

from __future__ import annotations

import fnmatch
import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def _compose() -> dict:
    return yaml.safe_load((ROOT / "compose.yaml").read_text())


def _dockerfile() -> list[str]:
    """Instructions, continuation lines joined."""
    text = re.sub(r"\\\n\s*", " ", (ROOT / "Dockerfile").read_text())
    return [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]


def test_compose_has_postgres_16_api_and_worker_wired_to_it() -> None:
    services = _compose()["services"]
    assert set(services) >= {"db", "api", "worker"}
    db = services["db"]
    assert db["image"].split(":")[1].startswith("16")
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    assert any(v.endswith(":/var/lib/postgresql/data") for v in db["volumes"])  # data survives a restart
    user, password, name = (db["environment"][k] for k in ("POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB"))
    for svc in ("api", "worker"):
        s = services[svc]
        url = s["environment"]["DATABASE_URL"]
        assert re.fullmatch(rf"postgresql://{user}:{re.escape(password)}@db:5432/{name}", url), url
        assert s["depends_on"]["db"]["condition"] == "service_healthy"
        assert s.get("image") == "teach:latest"
    assert services["api"]["build"] == "."
    assert services["api"]["command"][:2] == ["teach", "serve"] and "--no-worker" in services["api"]["command"]
    assert services["worker"]["command"] == ["teach", "worker"]
    check = " ".join(services["api"]["healthcheck"]["test"])
    assert "/readyz" in check and "8000" in check
    assert any(str(p).endswith(":8000") for p in services["api"]["ports"])
    assert services["api"]["environment"]["TEACH_HOST"] == "0.0.0.0"  # reachable from outside the container


def test_dockerfile_is_multi_stage_non_root_and_health_checked() -> None:
    lines = _dockerfile()
    stages = [i for i, line in enumerate(lines) if line.upper().startswith("FROM ")]
    assert len(stages) >= 2, "multi-stage: a build stage and a slim runtime"
    final = lines[stages[-1]:]
    users = [line.split()[1] for line in final if line.upper().startswith("USER ")]
    assert users and users[-1] not in ("root", "0"), "the runtime stage runs as a non-root user"
    assert any(line.upper().startswith("COPY --FROM=") for line in final), "runtime copies the built venv"
    health = [line for line in final if line.upper().startswith("HEALTHCHECK ")]
    assert health and "/readyz" in health[0]
    cmd = next(line for line in final if line.upper().startswith("CMD "))
    assert '"teach"' in cmd and '"serve"' in cmd


def test_the_image_copies_every_package_and_its_data() -> None:
    lines = _dockerfile()
    copied = {line.split()[1] for line in lines if line.upper().startswith("COPY ") and "--from" not in line}
    for source in copied:
        assert (ROOT / source).exists(), f"COPY {source}: not in the repository"
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    include = project["tool"]["setuptools"]["packages"]["find"]["include"]
    packages = sorted({pattern.rstrip("*") for pattern in include})
    assert set(packages) <= copied, f"packages not copied into the image: {set(packages) - copied}"
    # A non-editable install (the image) carries only .py files plus package-data: every data file the
    # packages hold must be matched by a package-data glob, or the image would miss it at run time.
    data = project["tool"]["setuptools"].get("package-data", {})
    missing = []
    for package in packages:
        for path in (ROOT / package).rglob("*"):
            if path.is_dir() or path.suffix in (".py", ".pyc") or "__pycache__" in path.parts:
                continue
            rel = path.relative_to(ROOT / package).as_posix()
            if not any(fnmatch.fnmatch(rel, glob) for glob in data.get(package, [])):
                missing.append(f"{package}/{rel}")
    assert not missing, f"not in [tool.setuptools.package-data]: {missing}"
