"""deploy/ stays consistent with the code: every service, every setting name, every metric.

These tests only read files: nothing here runs Docker, Kubernetes, Prometheus or a server.
"""

import functools
import importlib
import json
import re
from pathlib import Path
from typing import Any

import msgspec
import pytest
import yaml
from prometheus_client.metrics import MetricWrapperBase

from libs.config.env import describe
from libs.devservers.suite import SERVICES
from libs.events.settings import EventSettings
from libs.runtime.settings import OWN_ONLY, CoreSettings
from services.audit.settings import AuditOwn
from services.fileshare.settings import FileshareOwn
from services.gateway.settings import GatewayOwn, UpstreamSettings
from services.identity.settings import IdentityOwn
from services.terminals.settings import TerminalsOwn

OWN_SETTINGS: dict[str, type[msgspec.Struct]] = {
    "identity": IdentityOwn,
    "terminals": TerminalsOwn,
    "audit": AuditOwn,
    "fileshare": FileshareOwn,
    "gateway": GatewayOwn,
}

DEPLOY = Path(__file__).resolve().parents[1] / "deploy"
PORT = 8000
METRICS_PORT = 9100
"""The gateway's monitoring listener: its public port serves no /metrics (issue 16)."""
UPSTREAMS = tuple(s for s in SERVICES if s != "gateway")
NATS_NODES = ("nats-1", "nats-2", "nats-3")
SECRETS = (
    "FUMIDAI_GATEWAY_TOKEN_SIGNING_KEY",
    "FUMIDAI_IDENTITY_TOTP_KEY",
    "POSTGRES_PASSWORD",
    *(f"POSTGRES_{service.upper()}_PASSWORD" for service in SERVICES),
    "GRAFANA_ADMIN_PASSWORD",
)
PUBLIC_KEYS = ("GATEWAY_TOKEN_PUBLIC_KEYS", "OPERATOR_TOKEN_PUBLIC_KEYS")
"""Not secrets, but deploy/.env's to fill in: the token keys services verify with."""
MAIL_EXAMPLE = {
    "SMTP_HOST": "",
    "SMTP_PORT": "25",
    "SMTP_STARTTLS": "false",
    "SMTP_USERNAME": "",
    "SMTP_PASSWORD": "",
    "MAIL_FROM": "",
    "PUBLIC_URL": "",
}
"""deploy/.env's mail settings: the site's relay (issue 17), for identity and fileshare."""
MAILERS = ("identity", "fileshare")
TOKEN_CALLERS = {"identity": 2, "terminals": 2, "audit": 2, "fileshare": 1}
"""How many callers' keys each service trusts: gateway and operators, or the gateway only."""


# -- what the code reads -------------------------------------------------------------------


def _names(group: type[msgspec.Struct], prefix: str) -> set[str]:
    return {name for name, _, _ in describe(group, prefix)}


SHARED_SETTINGS = {
    name
    for name in _names(CoreSettings, "FUMIDAI_") | _names(EventSettings, "FUMIDAI_EVENTS_")
    if name.removeprefix("FUMIDAI_").lower() not in OWN_ONLY
}
"""Read by every service: FUMIDAI_<FIELD> is the fallback of FUMIDAI_<SERVICE>_<FIELD>."""


def settings_of(service: str) -> set[str]:
    """Every FUMIDAI_* variable ``service`` reads (libs/runtime/settings.py and its own)."""
    prefix = f"FUMIDAI_{service.upper()}_"
    own = _names(CoreSettings, prefix) | _names(OWN_SETTINGS[service], prefix)
    if service == "gateway":
        own |= _names(UpstreamSettings, prefix)
    return SHARED_SETTINGS | own


_SUFFIXES = {
    "counter": ("_total", "_created"),
    "gauge": ("",),
    "histogram": ("_bucket", "_count", "_sum", "_created"),
    "summary": ("", "_count", "_sum", "_created"),
}


ROOT = DEPLOY.parent
_DEFINES_METRICS = re.compile(
    r"^from prometheus_client import .*\b(Counter|Gauge|Histogram|Summary)\b", re.M
)


def metric_modules() -> list[str]:
    """Every module of libs/ and services/ (tests aside) that makes prometheus_client
    metrics, found by its import: a new metrics module is covered without listing it."""
    found = []
    for path in sorted([*(ROOT / "libs").rglob("*.py"), *(ROOT / "services").rglob("*.py")]):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if "tests" not in parts and _DEFINES_METRICS.search(path.read_text()):
            found.append(".".join(parts))
    return found


@functools.cache
def exposed_metrics() -> dict[str, tuple[str, tuple[str, ...]]]:
    """Sample name in the exposition → (family name, label names), from every metric
    object of ``metric_modules()``.

    prometheus_client drops a counter's ``_total`` from the family name and adds it back
    (and ``_created``) on exposition; histograms expose ``_bucket``, ``_count`` and ``_sum``.
    """
    exposed: dict[str, tuple[str, tuple[str, ...]]] = {}
    for module in metric_modules():
        for value in vars(importlib.import_module(module)).values():
            if isinstance(value, MetricWrapperBase):
                labels = tuple(getattr(value, "_labelnames", ()))
                for family in value.describe():
                    for suffix in _SUFFIXES[family.type]:
                        exposed[family.name + suffix] = (family.name, labels)
    return exposed


OFF_DASHBOARD: dict[str, str] = {
    "fumidai_agent_polls_held": "how many agents hold a poll open is load, not a signal; "
    "the request rate of /agent/v1/orders shows the same",
    "fumidai_decision_batch_size": "a tuning figure of group commit, read in benchmarks",
}
"""Metrics the code defines that the dashboard leaves out on purpose, with the reason."""


def test_metric_names_are_read_from_the_module() -> None:
    exposed = exposed_metrics()
    assert "fumidai_events_appended_total" in exposed
    assert "fumidai_consume_batch_seconds_bucket" in exposed
    assert "fumidai_http_request_seconds_count" in exposed
    assert "fumidai_connection_decisions_total" in exposed  # services/terminals/app/metrics.py
    assert "fumidai_fileshare_mails_failed_total" in exposed  # services/fileshare/app/metrics.py
    assert "fumidai_events_appended" not in exposed  # a counter is only seen with _total


# -- the files -----------------------------------------------------------------------------


@functools.cache
def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    return loaded


def compose_service(name: str) -> dict[str, Any]:
    services: dict[str, Any] = compose()["services"]
    assert name in services, f"deploy/compose.yaml has no service {name!r}"
    service: dict[str, Any] = services[name]
    return service


def compose_env(service: dict[str, Any]) -> dict[str, str]:
    raw = service.get("environment") or {}
    if isinstance(raw, list):
        raw = dict(item.partition("=")[::2] for item in raw)
    return {str(k): str(v) for k, v in raw.items()}


@functools.cache
def manifests() -> list[dict[str, Any]]:
    """Every Kubernetes object under deploy/k8s/ (including templates/)."""
    docs: list[dict[str, Any]] = []
    for path in sorted((DEPLOY / "k8s").rglob("*.yaml")):
        docs.extend(doc for doc in yaml.safe_load_all(path.read_text()) if doc)
    return docs


def objects(kind: str) -> dict[str, dict[str, Any]]:
    return {o["metadata"]["name"]: o for o in manifests() if o["kind"] == kind}


@functools.cache
def dashboard() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((DEPLOY / "grafana" / "fumidai-dashboard.json").read_text())
    return loaded


def dashboard_queries() -> list[str]:
    """Every PromQL expression of the dashboard: panel targets and template queries."""
    queries = []
    for panel in dashboard()["panels"]:
        queries += [target["expr"] for target in panel.get("targets", [])]
    for variable in dashboard()["templating"]["list"]:
        query = variable.get("query")
        if variable["type"] == "query":
            queries.append(query["query"] if isinstance(query, dict) else query)
    return queries


# -- compose -------------------------------------------------------------------------------


@pytest.mark.parametrize("service", SERVICES)
def test_compose_runs_every_service_from_the_one_image(service: str) -> None:
    spec = compose_service(service)
    assert spec["command"] == [f"services.{service}"]
    assert spec["build"]["dockerfile"] == "deploy/Dockerfile"
    assert (DEPLOY / spec["build"]["context"] / spec["build"]["dockerfile"]).is_file()
    assert spec["image"] == compose_service("gateway")["image"]
    assert f"127.0.0.1:{PORT}/health/" in " ".join(spec["healthcheck"]["test"])
    for dependency in ("postgres", *NATS_NODES):
        assert spec["depends_on"][dependency]["condition"] == "service_healthy"


@pytest.mark.parametrize("service", SERVICES)
def test_compose_gives_each_service_its_database_and_address(service: str) -> None:
    env = compose_env(compose_service(service))
    upper = service.upper()
    # Its own role, not the superuser: no service opens another's database (issue 16).
    own_role = f"postgresql://fumidai_{service}:${{POSTGRES_{upper}_PASSWORD:?"
    assert env[f"FUMIDAI_{upper}_DATABASE_URL"].startswith(own_role)
    assert env[f"FUMIDAI_{upper}_DATABASE_URL"].endswith(f"@postgres:5432/fumidai_{service}")
    assert f"POSTGRES_{upper}_PASSWORD" in compose_env(compose_service("postgres"))
    assert env[f"FUMIDAI_{upper}_HOST"] == "0.0.0.0"
    assert env[f"FUMIDAI_{upper}_PORT"] == str(PORT)
    assert env["FUMIDAI_EVENTS_REPLICAS"] == "3"
    assert env["FUMIDAI_NATS_URL"].split(",") == [f"nats://{n}:4222" for n in NATS_NODES]
    if service == "gateway":
        key = env["FUMIDAI_GATEWAY_TOKEN_SIGNING_KEY"]
        assert key.startswith("${FUMIDAI_GATEWAY_TOKEN_SIGNING_KEY:?")
    else:
        trusted = env[f"FUMIDAI_{upper}_TOKEN_TRUSTED_KEYS"].split(",")
        assert len(trusted) == TOKEN_CALLERS[service]
        assert [ref.split(":")[0] for ref in trusted] == [
            f"${{{name}" for name in PUBLIC_KEYS[: TOKEN_CALLERS[service]]
        ]
    signing = [var for var in env if var.endswith("TOKEN_SIGNING_KEY")]
    assert signing == (["FUMIDAI_GATEWAY_TOKEN_SIGNING_KEY"] if service == "gateway" else [])


def test_compose_sets_only_settings_the_code_reads() -> None:
    """Each FUMIDAI_* variable a container gets is one its service reads (no typos, no
    other service's variables); containers that are not fumidai services get none."""
    wrong = [
        f"{name}: {var}"
        for name, spec in compose()["services"].items()
        for var in compose_env(spec)
        if var.startswith("FUMIDAI_")
        and var not in (settings_of(name) if name in SERVICES else set())
    ]
    assert not wrong, f"FUMIDAI_* variables that no setting of that service reads: {wrong}"


def test_compose_secrets_come_from_the_environment_without_defaults() -> None:
    text = (DEPLOY / "compose.yaml").read_text()
    used = re.findall(r"\$\{([A-Z0-9_]+)([^}]*)\}", text)
    for name in SECRETS + PUBLIC_KEYS:
        uses = [modifier for var, modifier in used if var == name]
        assert uses, f"compose.yaml does not use ${{{name}}}"
        assert all(m.startswith(":?") for m in uses), f"${{{name}}} must be ${{{name}:?...}}"
    example = dict(
        line.partition("=")[::2]
        for line in (DEPLOY / "env.example").read_text().splitlines()
        if line and not line.startswith("#")
    )
    wanted = dict.fromkeys(SECRETS + PUBLIC_KEYS, "") | MAIL_EXAMPLE
    assert example == wanted, "env.example lists the secrets and keys, all empty, and mail"


def test_gateway_alone_is_published_and_reaches_every_service() -> None:
    env = compose_env(compose_service("gateway"))
    for upstream in UPSTREAMS:
        assert env[f"FUMIDAI_GATEWAY_{upstream.upper()}_URL"] == f"http://{upstream}:{PORT}"
        assert compose_service("gateway")["depends_on"][upstream]["condition"] == (
            "service_healthy"
        )
        assert "ports" not in compose_service(upstream)
    assert compose_service("gateway")["ports"] == [f"{PORT}:{PORT}"]


def test_postgres_init_creates_one_database_per_service() -> None:
    init = DEPLOY / "postgres" / "init"
    sql = "\n".join(p.read_text() for p in sorted(init.glob("*.sql")))
    created = re.findall(r"^CREATE DATABASE (\w+);", sql, re.MULTILINE)
    assert sorted(created) == sorted(f"fumidai_{s}" for s in SERVICES)
    postgres = compose_service("postgres")
    assert postgres["image"].startswith("postgres:16")
    assert "./postgres/init:/docker-entrypoint-initdb.d:ro" in postgres["volumes"]


@pytest.mark.parametrize("node", NATS_NODES)
def test_nats_node_config(node: str) -> None:
    conf = (DEPLOY / "nats" / f"{node}.conf").read_text()
    assert re.search(rf"^server_name: {node}$", conf, re.MULTILINE)
    assert re.search(r"^http: 0\.0\.0\.0:8222$", conf, re.MULTILINE)
    assert re.search(r"^jetstream \{[^}]*store_dir: /data/jetstream", conf, re.MULTILINE)
    cluster = re.search(r"^cluster \{(.*?)^\}", conf, re.MULTILINE | re.DOTALL)
    assert cluster, f"{node}.conf has no cluster block"
    routes = re.findall(r"nats-route://([\w-]+):6222", cluster.group(1))
    assert sorted(routes) == list(NATS_NODES)
    spec = compose_service(node)
    assert spec["image"].startswith("nats:2.10")
    assert f"./nats/{node}.conf:/etc/nats/nats.conf:ro" in spec["volumes"]
    assert any(v.endswith(":/data") for v in spec["volumes"])


def test_compose_mounts_files_that_exist() -> None:
    for name, spec in compose()["services"].items():
        for volume in spec.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("./"):
                assert (DEPLOY / source).exists(), f"{name} mounts missing {source}"


# -- Kubernetes ----------------------------------------------------------------------------


GATEWAY_KEY_SECRET = "fumidai-gateway-token-key"


def secret_keys() -> set[str]:
    return set(objects("Secret")["fumidai"]["stringData"])


@pytest.mark.parametrize("service", SERVICES)
def test_k8s_deployment_and_service(service: str) -> None:
    deployment = objects("Deployment").get(service)
    assert deployment, f"deploy/k8s has no Deployment {service!r}"
    spec = deployment["spec"]
    assert spec["replicas"] == 2
    labels = spec["template"]["metadata"]["labels"]
    assert spec["selector"]["matchLabels"].items() <= labels.items()
    (container,) = spec["template"]["spec"]["containers"]
    assert container["args"] == [f"services.{service}"]
    assert (
        container["image"]
        == objects("Deployment")["gateway"]["spec"]["template"]["spec"]["containers"][0]["image"]
    )
    assert container["readinessProbe"]["httpGet"]["path"] == "/health/ready"
    assert container["livenessProbe"]["httpGet"]["path"] == "/health/live"
    for bound in ("requests", "limits"):
        assert {"cpu", "memory"} <= set(container["resources"][bound])
    ports = container["ports"]
    assert ports[0] == {"name": "http", "containerPort": PORT}
    if service == "gateway":
        assert ports[1:] == [{"name": "metrics", "containerPort": METRICS_PORT}]
        annotations = spec["template"]["metadata"]["annotations"]
        assert annotations["prometheus.io/port"] == str(METRICS_PORT)
    else:
        assert ports[1:] == []

    env = {e["name"]: e for e in container["env"]}
    upper = service.upper()
    if service == "gateway":
        assert env["FUMIDAI_GATEWAY_METRICS_PORT"]["value"] == str(METRICS_PORT)
    assert env[f"FUMIDAI_{upper}_HOST"]["value"] == "0.0.0.0"
    assert env[f"FUMIDAI_{upper}_PORT"]["value"] == str(PORT)
    for var in env:
        assert var in settings_of(service), f"{service} sets {var}, which nothing reads"
    ref = env[f"FUMIDAI_{upper}_DATABASE_URL"]["valueFrom"]["secretKeyRef"]
    assert ref["name"] == "fumidai" and ref["key"] in secret_keys()
    if service == "gateway":
        # The gateway's private key, from a Secret no other Deployment names.
        ref = env["FUMIDAI_GATEWAY_TOKEN_SIGNING_KEY"]["valueFrom"]["secretKeyRef"]
        assert ref == {"name": GATEWAY_KEY_SECRET, "key": "FUMIDAI_GATEWAY_TOKEN_SIGNING_KEY"}
    else:
        ref = env[f"FUMIDAI_{upper}_TOKEN_TRUSTED_KEYS"]["valueFrom"]["configMapKeyRef"]
        assert ref["name"] == "fumidai-token-keys"
        assert ref["key"] in objects("ConfigMap")["fumidai-token-keys"]["data"]
    secrets_named = {
        e["valueFrom"]["secretKeyRef"]["name"] for e in env.values() if "secretKeyRef" in str(e)
    }
    assert GATEWAY_KEY_SECRET not in secrets_named or service == "gateway"
    dsns = {v for v in env if v.endswith("_DATABASE_URL")}
    assert dsns == {f"FUMIDAI_{upper}_DATABASE_URL"}, "each service reads only its own DSN"
    if service == "gateway":
        for upstream in UPSTREAMS:
            url = env[f"FUMIDAI_GATEWAY_{upstream.upper()}_URL"]["value"]
            assert url == f"http://{upstream}:{PORT}"
    (source,) = container["envFrom"]
    assert source["configMapRef"]["name"] in objects("ConfigMap")

    svc = objects("Service").get(service)
    assert svc, f"deploy/k8s has no Service {service!r}"
    assert svc["spec"]["selector"].items() <= labels.items()
    assert svc["spec"]["ports"] == [{"name": "http", "port": PORT, "targetPort": "http"}]


def test_k8s_objects_live_in_the_namespace() -> None:
    (namespace,) = objects("Namespace")
    for obj in manifests():
        if obj["kind"] != "Namespace":
            assert obj["metadata"]["namespace"] == namespace, obj["metadata"]["name"]


def test_k8s_shared_config_holds_real_shared_settings() -> None:
    data = objects("ConfigMap")["fumidai-shared"]["data"]
    assert set(data) <= SHARED_SETTINGS, set(data) - SHARED_SETTINGS
    assert data["FUMIDAI_EVENTS_REPLICAS"] == "3"
    nats = objects("StatefulSet")["nats"]["spec"]
    hosts = [f"nats-{i}.{nats['serviceName']}" for i in range(nats["replicas"])]
    assert data["FUMIDAI_NATS_URL"].split(",") == [f"nats://{h}:4222" for h in hosts]


def test_k8s_secret_is_a_template_without_secrets() -> None:
    secrets = objects("Secret")
    assert set(secrets) == {"fumidai", GATEWAY_KEY_SECRET}
    assert secrets[GATEWAY_KEY_SECRET]["stringData"] == {"FUMIDAI_GATEWAY_TOKEN_SIGNING_KEY": ""}
    keys = secret_keys()
    assert keys == {"FUMIDAI_IDENTITY_TOTP_KEY"} | {
        f"FUMIDAI_{s.upper()}_DATABASE_URL" for s in SERVICES
    } | {f"FUMIDAI_{s.upper()}_SMTP_PASSWORD" for s in MAILERS}
    data = secrets["fumidai"]["stringData"]
    assert data["FUMIDAI_IDENTITY_TOTP_KEY"] == ""
    for service in SERVICES:
        dsn = data[f"FUMIDAI_{service.upper()}_DATABASE_URL"]
        assert "<password>" in dsn and dsn.endswith(f"/fumidai_{service}")
        # Its own role, as compose's postgres/init/02-roles.sh makes them (README: k8s 0.).
        assert dsn.startswith(f"postgresql://fumidai_{service}:<password>@")
    # `kubectl apply -f deploy/k8s/` is not recursive: the template is never applied by it.
    assert not any("kind: Secret" in p.read_text() for p in (DEPLOY / "k8s").glob("*.yaml"))


def test_k8s_token_keys_are_a_template_of_public_keys_per_service() -> None:
    """Decision 0027: which callers each service accepts; empty until filled in (the
    services then refuse to start), and not applied by `kubectl apply -f deploy/k8s/`."""
    data = objects("ConfigMap")["fumidai-token-keys"]["data"]
    assert data == {f"FUMIDAI_{s.upper()}_TOKEN_TRUSTED_KEYS": "" for s in TOKEN_CALLERS}
    template = DEPLOY / "k8s" / "templates" / "token-keys.yaml"
    assert "fumidai-token-keys" in template.read_text()
    applied = [
        doc["metadata"]["name"]
        for path in (DEPLOY / "k8s").glob("*.yaml")
        for doc in yaml.safe_load_all(path.read_text())
        if doc and doc["kind"] == "ConfigMap"
    ]
    assert "fumidai-token-keys" not in applied


def test_k8s_nats_cluster() -> None:
    statefulset = objects("StatefulSet")["nats"]
    spec = statefulset["spec"]
    assert spec["replicas"] == 3
    headless = objects("Service")[spec["serviceName"]]["spec"]
    assert headless["clusterIP"] == "None"
    labels = spec["template"]["metadata"]["labels"]
    assert headless["selector"].items() <= labels.items()
    (claim,) = spec["volumeClaimTemplates"]
    (container,) = spec["template"]["spec"]["containers"]
    assert container["image"].startswith("nats:2.10")
    mounts = {m["name"]: m["mountPath"] for m in container["volumeMounts"]}
    conf = objects("ConfigMap")["nats-config"]["data"]["nats.conf"]
    assert f"store_dir: {mounts[claim['metadata']['name']]}/jetstream" in conf
    routes = re.findall(r"nats://([\w.-]+):6222", conf)
    assert routes == [f"nats-{i}.{spec['serviceName']}" for i in range(3)]
    (budget,) = objects("PodDisruptionBudget").values()
    assert budget["spec"]["selector"]["matchLabels"].items() <= labels.items()
    assert budget["spec"]["maxUnavailable"] == 1


def test_k8s_ingress_leads_to_the_gateway_only() -> None:
    (ingress,) = objects("Ingress").values()
    backends = [
        path["backend"]["service"]
        for rule in ingress["spec"]["rules"]
        for path in rule["http"]["paths"]
    ]
    assert backends and all(b["name"] == "gateway" for b in backends)
    port_names = {p["name"] for p in objects("Service")["gateway"]["spec"]["ports"]}
    assert all(b["port"]["name"] in port_names for b in backends)


def test_k8s_network_policy_lets_only_the_gateway_call_the_services() -> None:
    spec = objects("NetworkPolicy")["internal-services-from-gateway"]["spec"]
    (selector,) = spec["podSelector"]["matchExpressions"]
    assert selector["key"] == "app.kubernetes.io/name" and selector["operator"] == "In"
    assert sorted(selector["values"]) == sorted(UPSTREAMS)
    assert spec["policyTypes"] == ["Ingress"]
    peers = []
    for rule in spec["ingress"]:
        assert rule["ports"] == [{"protocol": "TCP", "port": PORT}]
        assert rule["from"], "an empty `from` admits everyone"
        peers += rule["from"]
    callers = []
    for peer in peers:
        name = peer["podSelector"]["matchLabels"]["app.kubernetes.io/name"]
        # Same namespace for the gateway; the only other caller is Prometheus, from its own
        # namespace, scraping /metrics (served on the API's port).
        assert ("namespaceSelector" in peer) == (name == "prometheus"), peer
        callers.append(name)
    assert sorted(callers) == ["gateway", "prometheus"]


def test_k8s_only_prometheus_reaches_the_gateways_metrics() -> None:
    """Issue 16 item 11: the gateway's monitoring listener admits Prometheus alone; its
    public port admits anyone (the ingress); the Service exposes the public port only."""
    spec = objects("NetworkPolicy")["gateway-metrics-from-prometheus"]["spec"]
    assert spec["podSelector"]["matchLabels"]["app.kubernetes.io/name"] == "gateway"
    by_port = {rule["ports"][0]["port"]: rule for rule in spec["ingress"]}
    assert set(by_port) == {PORT, METRICS_PORT}
    assert "from" not in by_port[PORT]
    (peer,) = by_port[METRICS_PORT]["from"]
    assert peer["podSelector"]["matchLabels"]["app.kubernetes.io/name"] == "prometheus"
    env = compose_env(compose_service("gateway"))
    assert env["FUMIDAI_GATEWAY_METRICS_PORT"] == str(METRICS_PORT)
    assert compose_service("gateway")["ports"] == [f"{PORT}:{PORT}"]


# -- metrics, Prometheus, Grafana ----------------------------------------------------------


def test_dashboard_uses_only_metrics_the_code_defines() -> None:
    exposed = exposed_metrics()
    for query in dashboard_queries():
        for name in re.findall(r"\bfumidai_[a-z0-9_]+", query):
            assert name in exposed, f"{name} is not a metric the code defines: {query}"


def test_dashboard_shows_every_metric_the_code_defines() -> None:
    used = {
        exposed_metrics()[name][0]
        for query in dashboard_queries()
        for name in re.findall(r"\bfumidai_[a-z0-9_]+", query)
    }
    families = {family for family, _ in exposed_metrics().values()}
    assert set(OFF_DASHBOARD) <= families, "OFF_DASHBOARD names a metric the code lacks"
    assert not set(OFF_DASHBOARD) & used, "a metric both on the dashboard and OFF_DASHBOARD"
    missing = families - used - set(OFF_DASHBOARD)
    assert not missing, f"metrics neither on the dashboard nor OFF_DASHBOARD: {sorted(missing)}"


def test_dashboard_groups_by_labels_that_exist() -> None:
    # `service` comes from deploy/prometheus/prometheus.yml; `le` from histograms.
    known = {"service", "instance", "job", "le"}
    for _, labels in exposed_metrics().values():
        known |= set(labels)
    for query in dashboard_queries():
        for group in re.findall(r"\bby \(([^)]*)\)", query):
            for label in (g.strip() for g in group.split(",")):
                assert label in known, f"no metric has label {label!r}: {query}"


def test_dashboard_panels() -> None:
    board = dashboard()
    assert 36 <= board["schemaVersion"] <= 41
    panels = board["panels"]
    assert len({p["id"] for p in panels}) == len(panels)
    queries = " ".join(dashboard_queries())
    for quantile in ("0.5", "0.99"):
        assert re.search(
            rf"histogram_quantile\({quantile}, sum by \(le, projection\) "
            r"\(rate\(fumidai_consume_batch_seconds_bucket",
            queries,
        )
    titles = " | ".join(p["title"].lower() for p in panels)
    topics = (
        "request latency",
        "events appended",
        "relay backlog",
        "relay leader",
        "consumer lag",
        "consumed by projection",
        "consumer failures",
        "dead letters",
        "batch latency",
        "request rate per route",
        "server errors (5xx) per route",
        "connection decisions by reason",
        "live sessions",
        "force-close acknowledgement latency",
        "scans by result",
        "scanner unavailable",
        "mail sent / failed",
    )
    for topic in topics:
        assert topic in titles
    latency = next(p for p in panels if "request latency" in p["title"].lower())
    assert "fumidai_http_request_seconds" in latency["description"]
    for panel in panels:
        for target in panel.get("targets", []):
            assert target["datasource"]["uid"] == "${datasource}"


def test_prometheus_scrapes_every_service() -> None:
    config = yaml.safe_load((DEPLOY / "prometheus" / "prometheus.yml").read_text())
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    for service in SERVICES:
        job = jobs.get(service)
        assert job, f"prometheus.yml does not scrape {service}"
        assert job["metrics_path"] == "/metrics"
        (discovery,) = job["dns_sd_configs"]
        wanted = METRICS_PORT if service == "gateway" else PORT
        assert discovery["names"] == [service] and discovery["port"] == wanted
        assert {"target_label": "service", "replacement": service} in job["relabel_configs"]
    assert (
        "./prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro"
        in compose_service("prometheus")["volumes"]
    )


def test_grafana_is_provisioned_with_the_dashboard() -> None:
    provisioning = DEPLOY / "grafana" / "provisioning"
    sources = yaml.safe_load((provisioning / "datasources" / "prometheus.yaml").read_text())
    (source,) = sources["datasources"]
    assert source["type"] == "prometheus"
    assert source["url"] == "http://prometheus:9090"
    providers = yaml.safe_load((provisioning / "dashboards" / "fumidai.yaml").read_text())
    (provider,) = providers["providers"]
    grafana = compose_service("grafana")
    mounted = {v.split(":")[0]: v.split(":")[1] for v in grafana["volumes"]}
    assert mounted["./grafana/provisioning"] == "/etc/grafana/provisioning"
    target = mounted["./grafana/fumidai-dashboard.json"]
    assert str(Path(target).parent) == provider["options"]["path"]
    assert grafana["depends_on"]["prometheus"]["condition"] == "service_healthy"


# -- the image -----------------------------------------------------------------------------


def test_dockerfile() -> None:
    text = (DEPLOY / "Dockerfile").read_text()
    stages = re.findall(r"^FROM (\S+)", text, re.MULTILINE)
    assert stages and all(s == "python:3.11-slim" for s in stages)
    (user,) = re.findall(r"^USER (\S+)", text, re.MULTILINE)
    assert user.split(":")[0] not in ("root", "0")
    assert re.search(r"^HEALTHCHECK .*\n?.*/health/live", text, re.MULTILINE)
    assert re.search(r'^ENTRYPOINT \["python", "-m"\]$', text, re.MULTILINE)
    for var in re.findall(r"\b(FUMIDAI_\w+)=", text):
        assert var in SHARED_SETTINGS, f"the image sets {var}, which nothing reads"


def test_issue16_4_deployments_name_their_proxies_and_secure_cookies() -> None:
    """Every deployment says the cookies are Secure (the default, but never a copied
    false), and k8s names the ingress's ranges: otherwise every client would share the
    ingress's address (one sign-in limit for all, 院内外 and the login log wrong)."""
    (gateway,) = objects("Deployment")["gateway"]["spec"]["template"]["spec"]["containers"]
    env = {e["name"]: e.get("value") for e in gateway["env"]}
    assert env["FUMIDAI_GATEWAY_COOKIE_SECURE"] == "true"
    assert env["FUMIDAI_GATEWAY_TRUSTED_PROXIES"], "k8s must name the ingress's addresses"
    composed = compose_env(compose()["services"]["gateway"])
    assert composed["FUMIDAI_GATEWAY_COOKIE_SECURE"] == "true"
    assert "FUMIDAI_GATEWAY_TRUSTED_PROXIES" in composed


# -- NATS identities (issue 16 item 1, decision 0026) --------------------------------------


@pytest.mark.parametrize("node", NATS_NODES)
def test_compose_nats_runs_with_the_generated_authorization(node: str) -> None:
    conf = (DEPLOY / "nats" / f"{node}.conf").read_text()
    assert re.search(r"^include \./authorization\.conf$", conf, re.MULTILINE)
    assert compose_service(node)["configs"] == [
        {"source": "nats-authorization", "target": "/etc/nats/authorization.conf"}
    ]
    assert compose()["configs"]["nats-authorization"] == {"file": "./.nats/authorization.conf"}
    ignored = (DEPLOY.parent / ".gitignore").read_text().splitlines()
    assert "deploy/.nats/" in ignored, "the seeds must never be committed"


@pytest.mark.parametrize("service", SERVICES)
def test_compose_gives_each_service_its_own_nats_seed_only(service: str) -> None:
    spec = compose_service(service)
    assert spec["secrets"] == [f"nats-{service}"]
    assert compose()["secrets"][f"nats-{service}"] == {"file": f"./.nats/{service}.nk"}
    seeds = {k: v for k, v in compose_env(spec).items() if k.endswith("_NATS_NKEY_SEED_FILE")}
    assert seeds == {
        f"FUMIDAI_{service.upper()}_NATS_NKEY_SEED_FILE": f"/run/secrets/nats-{service}"
    }


@pytest.mark.parametrize("service", SERVICES)
def test_k8s_gives_each_service_its_own_nats_seed_only(service: str) -> None:
    pod = objects("Deployment")[service]["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    secrets = {v["name"]: v["secret"]["secretName"] for v in pod["volumes"] if "secret" in v}
    assert list(secrets.values()) == [f"fumidai-nats-{service}"]
    (mount,) = (m for m in container["volumeMounts"] if m["name"] in secrets)
    assert mount["readOnly"] is True
    env = {e["name"]: e.get("value") for e in container["env"]}
    seed = env[f"FUMIDAI_{service.upper()}_NATS_NKEY_SEED_FILE"]
    assert seed == f"{mount['mountPath']}/seed.nk"
    # Secret files are root's; the service (uid 10001) reads its seed through its group.
    assert pod["securityContext"]["fsGroup"] == pod["securityContext"]["runAsGroup"]


def test_k8s_nats_runs_with_the_generated_authorization() -> None:
    spec = objects("StatefulSet")["nats"]["spec"]
    (container,) = spec["template"]["spec"]["containers"]
    mounts = {m["name"]: m["mountPath"] for m in container["volumeMounts"]}
    volumes = {v["name"]: v for v in spec["template"]["spec"]["volumes"]}
    config = container["args"][container["args"].index("--config") + 1]
    assert config == f"{mounts['config']}/nats.conf"
    conf = objects("ConfigMap")["nats-config"]["data"]["nats.conf"]
    (included,) = re.findall(r"^\s*include (\S+)$", conf, re.MULTILINE)
    resolved = Path(mounts["config"], included).resolve()
    assert resolved == Path(mounts["authorization"], "authorization.conf")
    assert volumes["authorization"]["configMap"]["name"] == "nats-authorization"
    # Made per deployment by ./fumidai nats-identities: nothing here defines it.
    assert "nats-authorization" not in objects("ConfigMap")


def test_k8s_network_policy_lets_only_the_services_and_readers_reach_nats() -> None:
    policy = objects("NetworkPolicy")["nats-from-services"]["spec"]
    nats = objects("StatefulSet")["nats"]["spec"]["template"]["metadata"]["labels"]
    assert policy["podSelector"]["matchLabels"].items() <= nats.items()
    by_port = {rule["ports"][0]["port"]: rule["from"] for rule in policy["ingress"]}
    assert set(by_port) == {4222, 6222, 8222}
    services, readers = by_port[4222]
    (names, part_of) = services["podSelector"]["matchExpressions"]
    assert names["values"] == list(SERVICES) and part_of["values"] == ["fumidai"]
    assert readers["podSelector"]["matchLabels"] == {"fumidai.example/nats-reader": "true"}
    (peers,) = by_port[6222]
    assert peers["podSelector"]["matchLabels"].items() <= nats.items()


# -- clamd and mail (issue 17: the deployments run the whole product) ----------------------


def clamd_options() -> dict[str, str]:
    lines = (DEPLOY / "clamav" / "clamd.conf").read_text().splitlines()
    return dict(line.split(None, 1) for line in lines if line and not line.startswith("#"))


def _bytes(size: str) -> int:
    units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    return int(size[:-1]) * units[size[-1]] if size[-1] in units else int(size)


def test_clamd_conf_has_what_fileshare_needs() -> None:
    """docs/fileshare.md: encrypted archives and files past the limits are 検査不可, never
    passed half-read (SPEC F1, F3); a 99 MiB file fits in one stream; no verdict cache."""
    options = clamd_options()
    for option in ("AlertEncryptedArchive", "AlertExceedsMax", "DisableCache", "Foreground"):
        assert options[option] == "yes", option
    for limit in ("StreamMaxLength", "MaxFileSize", "MaxScanSize"):
        assert _bytes(options[limit]) >= 99 * (1 << 20), limit
    assert options["TCPAddr"] == "0.0.0.0"
    assert options["DatabaseDirectory"] == "/var/lib/clamav"
    assert int(options["SelfCheck"]) > 0, "clamd must reload what freshclam downloads"
    # clamav/clamav's entrypoint calls clamd started only once one of these sockets exists
    # (else it gives up after CLAMD_STARTUP_TIMEOUT and the container stops).
    assert options["LocalSocket"] in ("/tmp/clamd.sock", "/run/clamav/clamd.sock")
    assert "LogFile" not in options, "clamd refuses /dev/stdout; a file fills the container"


def test_compose_runs_clamd_with_freshclam_for_fileshare() -> None:
    clamd, freshclam = compose_service("clamd"), compose_service("freshclam")
    env = compose_env(compose_service("fileshare"))
    assert env["FUMIDAI_FILESHARE_CLAMD_HOST"] == "clamd"
    assert env["FUMIDAI_FILESHARE_CLAMD_PORT"] == clamd_options()["TCPSocket"]
    assert "./clamav/clamd.conf:/etc/clamav/clamd.conf:ro" in clamd["volumes"]
    # One database: freshclam writes it, clamd reads it; each runs only its own daemon.
    (database,) = (v for v in clamd["volumes"] if v.endswith(":/var/lib/clamav"))
    assert database in freshclam["volumes"] and database.split(":")[0] in compose()["volumes"]
    assert compose_env(clamd)["CLAMAV_NO_FRESHCLAMD"] == "true"
    assert compose_env(freshclam)["CLAMAV_NO_CLAMD"] == "true"
    assert clamd["image"] == freshclam["image"] and clamd["image"].startswith("clamav/clamav:")
    assert clamd["depends_on"]["freshclam"]["condition"] == "service_healthy"
    assert "ports" not in clamd


@pytest.mark.parametrize("service", MAILERS)
def test_compose_sends_mail_through_the_sites_relay(service: str) -> None:
    env = compose_env(compose_service(service))
    upper = service.upper()
    assert env[f"FUMIDAI_{upper}_SMTP_HOST"] == "${SMTP_HOST:?set it in deploy/.env}"
    assert env[f"FUMIDAI_{upper}_MAIL_FROM"] == "${MAIL_FROM:?set it in deploy/.env}"
    for name in ("PORT", "STARTTLS", "USERNAME", "PASSWORD"):
        default = MAIL_EXAMPLE[f"SMTP_{name}"]
        assert env[f"FUMIDAI_{upper}_SMTP_{name}"] == f"${{SMTP_{name}:-{default}}}"
    if service == "identity":
        assert env["FUMIDAI_IDENTITY_PUBLIC_URL"] == "${PUBLIC_URL:?set it in deploy/.env}"


def test_k8s_runs_clamd_with_freshclam_for_fileshare() -> None:
    config = objects("ConfigMap")["clamd-config"]["data"]["clamd.conf"]
    assert config == (DEPLOY / "clamav" / "clamd.conf").read_text()
    pod = objects("Deployment")["clamd"]["spec"]["template"]["spec"]
    containers = {c["name"]: c for c in pod["containers"]}
    assert set(containers) == {"clamd", "freshclam"}
    (init,) = pod["initContainers"]
    for container in (*containers.values(), init):
        mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
        assert mounts["/var/lib/clamav"] == "signatures"
    mounted = {m["mountPath"]: m for m in containers["clamd"]["volumeMounts"]}
    assert mounted["/etc/clamav/clamd.conf"]["subPath"] == "clamd.conf"
    volumes = {v["name"]: v for v in pod["volumes"]}
    assert volumes["config"]["configMap"]["name"] == "clamd-config"
    service = objects("Service")["clamd"]["spec"]
    (port,) = service["ports"]
    assert port["port"] == int(clamd_options()["TCPSocket"])
    (fileshare,) = objects("Deployment")["fileshare"]["spec"]["template"]["spec"]["containers"]
    env = {e["name"]: e.get("value") for e in fileshare["env"]}
    assert env["FUMIDAI_FILESHARE_CLAMD_HOST"] == "clamd"
    assert env["FUMIDAI_FILESHARE_CLAMD_PORT"] == str(port["port"])
    policy = objects("NetworkPolicy")["clamd-from-fileshare"]["spec"]
    (rule,) = policy["ingress"]
    assert rule["from"][0]["podSelector"]["matchLabels"]["app.kubernetes.io/name"] == "fileshare"


@pytest.mark.parametrize("service", MAILERS)
def test_k8s_sends_mail_through_the_sites_relay(service: str) -> None:
    (container,) = objects("Deployment")[service]["spec"]["template"]["spec"]["containers"]
    env = {e["name"]: e.get("valueFrom", {}) for e in container["env"]}
    mail = objects("ConfigMap")["fumidai-mail"]["data"]
    upper = service.upper()
    wanted = {
        "SMTP_HOST": "smtp-host",
        "SMTP_PORT": "smtp-port",
        "SMTP_STARTTLS": "smtp-starttls",
        "SMTP_USERNAME": "smtp-username",
        "MAIL_FROM": "mail-from",
    }
    if service == "identity":
        wanted["PUBLIC_URL"] = "public-url"
    for var, key in wanted.items():
        ref = env[f"FUMIDAI_{upper}_{var}"]["configMapKeyRef"]
        assert ref == {"name": "fumidai-mail", "key": key} and key in mail
    password = env[f"FUMIDAI_{upper}_SMTP_PASSWORD"]["secretKeyRef"]
    assert password == {"name": "fumidai", "key": f"FUMIDAI_{upper}_SMTP_PASSWORD"}
