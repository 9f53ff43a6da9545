"""docker-compose.yml is valid and wires every service the app needs.

No Docker engine runs on these machines and the `docker compose` plugin is not installed (the
`docker` CLI alone cannot validate a compose file), so this reads the file with PyYAML and checks
its structure explicitly: the services, the commands they run, who waits for whom, the settings
the app receives, and that scaling by replicas works."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from settings import Settings

ROOT = Path(__file__).resolve().parent.parent
APP_SERVICES = ("migrate", "web", "worker", "mail-gateway")
CONDITIONS = {"service_started", "service_healthy", "service_completed_successfully"}
# ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?message}, ${NAME?message}; $$ is a literal $.
VARIABLE = re.compile(r"\$\{([A-Z][A-Z0-9_]*)(?:(:?[-?])[^}]*)?\}")


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


def strings(node: object) -> list[str]:
    if isinstance(node, dict):
        return [s for value in node.values() for s in strings(value)]
    if isinstance(node, list):
        return [s for value in node for s in strings(value)]
    return [node] if isinstance(node, str) else []


def depends(service: dict) -> dict[str, str]:
    wanted = service.get("depends_on", {})
    if isinstance(wanted, list):
        return dict.fromkeys(wanted, "service_started")
    return {name: spec.get("condition", "service_started") for name, spec in wanted.items()}


def test_every_service_the_app_needs(compose: dict) -> None:
    services = compose["services"]
    assert set(services) == {"postgres", "temporal-schema", "temporal", "temporal-ui", *APP_SERVICES}
    for name, service in services.items():
        assert "image" in service or "build" in service, name
        assert "container_name" not in service, f"{name}: a fixed name prevents replicas"
    assert services["postgres"]["image"].startswith("postgres:")
    assert services["temporal"]["image"].startswith("temporalio/server:")
    assert services["temporal-schema"]["image"].startswith("temporalio/admin-tools:")
    assert services["temporal-ui"]["image"].startswith("temporalio/ui:")


def test_who_waits_for_whom(compose: dict) -> None:
    services = compose["services"]
    for name, service in services.items():
        for target, condition in depends(service).items():
            assert target in services, f"{name} depends on a missing {target}"
            assert condition in CONDITIONS, (name, condition)
            if condition == "service_healthy":
                assert "healthcheck" in services[target], f"{name} waits for {target}, which has no healthcheck"
            if condition == "service_completed_successfully":
                assert services[target].get("restart") == "no", f"{target} is a one-shot: it must not restart"
    assert depends(services["temporal-schema"]) == {"postgres": "service_healthy"}
    assert depends(services["temporal"]) == {"temporal-schema": "service_completed_successfully"}
    assert depends(services["temporal-ui"]) == {"temporal": "service_healthy"}
    assert depends(services["migrate"]) == {"postgres": "service_healthy", "temporal": "service_healthy"}
    for name in ("web", "worker", "mail-gateway"):
        assert depends(services[name]) == {"migrate": "service_completed_successfully"}
    assert "healthcheck" in services["web"]
    # No cycles: every service can be started after the ones it depends on.
    started: set[str] = set()
    while len(started) < len(services):
        ready = {n for n, s in services.items() if n not in started and set(depends(s)) <= started}
        assert ready, f"a dependency cycle among {set(services) - started}"
        started |= ready


def test_temporal_runs_on_the_postgresql(compose: dict) -> None:
    services = compose["services"]
    postgres_env = services["postgres"]["environment"]
    temporal_env = services["temporal"]["environment"]
    assert temporal_env["DB"] == "postgres12" and temporal_env["POSTGRES_SEEDS"] == "postgres"
    assert temporal_env["POSTGRES_USER"] == postgres_env["POSTGRES_USER"]
    assert temporal_env["POSTGRES_PWD"] == postgres_env["POSTGRES_PASSWORD"]
    schema = "\n".join(services["temporal-schema"]["command"])
    for database, schema_dir in (("temporal", "temporal"), ("temporal_visibility", "visibility")):
        for step in ("create", "setup-schema", f"update-schema -d /etc/temporal/schema/postgresql/v12/{schema_dir}/versioned"):
            assert f"-u {postgres_env['POSTGRES_USER']} --db {database} {step}" in schema, (database, step)
    assert services["temporal-schema"]["environment"]["SQL_PASSWORD"] == postgres_env["POSTGRES_PASSWORD"]
    assert services["temporal-ui"]["environment"]["TEMPORAL_ADDRESS"] == "temporal:7233"
    assert any(p.endswith(":8080") for p in services["temporal-ui"]["ports"])
    assert "postgres-data" in compose["volumes"]
    assert any(v.startswith("postgres-data:") for v in services["postgres"]["volumes"])


def test_the_app_services_share_one_image_and_get_every_setting(compose: dict) -> None:
    services = compose["services"]
    postgres_env = services["postgres"]["environment"]
    known = {name.upper() for name in Settings.model_fields}
    images = {services[name]["image"] for name in APP_SERVICES}
    assert len(images) == 1, images
    for name in APP_SERVICES:
        service = services[name]
        assert service["build"] == "." and (ROOT / "Dockerfile").is_file()
        env = service["environment"]
        assert set(env) <= known, f"{name}: settings.py does not read {set(env) - known}"
        url = env["DATABASE_URL"]
        assert url.startswith(f"postgresql://{postgres_env['POSTGRES_USER']}:")
        assert url.endswith(f"@postgres:5432/{postgres_env['POSTGRES_DB']}")
        assert env["TEMPORAL_ADDRESS"] == "temporal:7233"
        assert VARIABLE.fullmatch(env["SECRET_KEY"]).group(2) == ":?", "SECRET_KEY must be required, never defaulted"


def test_the_commands_are_the_real_ones(compose: dict) -> None:
    services = compose["services"]
    assert services["migrate"]["command"] == ["python", "run.py", "migrate", "--temporal"]
    help_text = subprocess.run(
        [sys.executable, str(ROOT / "run.py"), "migrate", "--help"], capture_output=True, text=True, check=True
    ).stdout
    assert "--temporal" in help_text
    web = services["web"]["command"]
    assert web[:5] == ["python", "-m", "uvicorn", "--factory", "api.app:create_app"]
    assert web[web.index("--port") + 1] == "8000" and any(p.endswith(":8000") for p in services["web"]["ports"])
    assert services["worker"]["command"] == ["python", "worker.py"]
    assert services["mail-gateway"]["command"] == ["python", "-m", "api.mail.gateway"]
    assert (ROOT / "worker.py").is_file() and (ROOT / "run.py").is_file() and (ROOT / "api/mail/gateway.py").is_file()
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "WORKDIR /app" in dockerfile and "COPY . ." in dockerfile


def test_workers_scale_by_replicas(compose: dict) -> None:
    worker = compose["services"]["worker"]
    assert "ports" not in worker and "container_name" not in worker
    replicas = worker["deploy"]["replicas"]
    assert isinstance(replicas, int) or VARIABLE.fullmatch(replicas), replicas


def test_variables_are_well_formed_and_documented(compose: dict) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    used = set()
    for text in strings(compose):
        rest = VARIABLE.sub("", text.replace("$$", ""))
        assert "$" not in rest, f"a malformed variable in {text!r}"
        used |= {m.group(1) for m in VARIABLE.finditer(text)}
    assert {"POSTGRES_PASSWORD", "SECRET_KEY"} <= used
    undocumented = sorted(name for name in used if f"`{name}`" not in readme)
    assert not undocumented, f"README does not explain {undocumented}"


def test_the_mail_gateway_reads_one_mailbox_with_the_workers_mail_settings(compose: dict) -> None:
    services = compose["services"]
    gateway, worker = services["mail-gateway"], services["worker"]
    assert gateway["profiles"] == ["mail"], "opt-in: without IMAP_HOST it has nothing to read"
    assert "deploy" not in gateway and "ports" not in gateway  # one reader per mailbox
    env = gateway["environment"]
    assert {"IMAP_HOST", "IMAP_PORT", "IMAP_SSL", "IMAP_USERNAME", "IMAP_PASSWORD", "IMAP_MAILBOX",
            "IMAP_PROCESSED_FOLDER"} <= set(env)
    # The worker writes approvals+<token>@APPROVALS_ADDRESS into Reply-To; the gateway must read that
    # very mailbox, and both send through the same SMTP server.
    shared = {"APPROVALS_ADDRESS", "SMTP_HOST", "SMTP_PORT", "SMTP_USERNAME", "SMTP_PASSWORD", "MAIL_FROM"}
    assert shared <= set(worker["environment"])
    assert all(env[name] == worker["environment"][name] for name in shared | {"DATABASE_URL", "TEMPORAL_ADDRESS"})
    assert set(worker["environment"]).isdisjoint(name for name in env if name.startswith("IMAP_"))
