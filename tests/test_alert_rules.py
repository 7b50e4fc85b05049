"""deploy/prometheus/alerts.yml: valid for Prometheus, tested by promtool, and about
metrics the code defines (issue 17, Operations).

promtool comes from Debian's ``prometheus`` package, which ``./fumidai test`` installs
(fumidai_cli/system.py). Without it these tests fail rather than skip: an alert rule nobody
checked is worse than none.
"""

import re
import shutil
import subprocess
from pathlib import Path

import yaml

from tests.test_deploy import dashboard_queries, exposed_metrics

PROMETHEUS = Path(__file__).resolve().parents[1] / "deploy" / "prometheus"
RULES = PROMETHEUS / "alerts.yml"
RULE_TESTS = PROMETHEUS / "alerts.test.yml"


def promtool(*args: str) -> subprocess.CompletedProcess[str]:
    binary = shutil.which("promtool")
    assert binary, "promtool is missing: `./fumidai test` installs Debian's prometheus package"
    return subprocess.run(
        [binary, *args], cwd=PROMETHEUS, capture_output=True, text=True, timeout=120, check=False
    )


def alerts() -> list[dict[str, object]]:
    groups = yaml.safe_load(RULES.read_text())["groups"]
    return [rule for group in groups for rule in group["rules"]]


def test_promtool_check_rules() -> None:
    done = promtool("check", "rules", RULES.name)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"SUCCESS: {len(alerts())} rules found" in done.stdout


def test_promtool_test_rules() -> None:
    done = promtool("test", "rules", RULE_TESTS.name)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "SUCCESS" in done.stdout


def test_every_alert_has_a_unit_test() -> None:
    tested = set(re.findall(r"alertname: (\w+)", RULE_TESTS.read_text()))
    names = {str(rule["alert"]) for rule in alerts()}
    assert names <= tested, f"alerts without a promtool test: {sorted(names - tested)}"


def test_alerts_use_only_metrics_the_code_defines() -> None:
    exposed = exposed_metrics()
    for rule in alerts():
        for name in re.findall(r"\bfumidai_[a-z0-9_]+", str(rule["expr"])):
            assert name in exposed, f"{rule['alert']}: {name} is not a metric the code defines"


def test_alerts_cover_the_domains_signals() -> None:
    """The signals the issue names each have an alert watching them."""
    watched = " ".join(str(rule["expr"]) for rule in alerts())
    for metric in (
        "fumidai_http_request_seconds",
        "fumidai_consumer_lag",
        "fumidai_dead_letters_total",
        "fumidai_relay_backlog",
        "fumidai_close_order_ack_seconds",
        "fumidai_fileshare_scanner_unavailable_total",
        "fumidai_fileshare_scans_total",
        "fumidai_fileshare_mails_failed_total",
    ):
        assert metric in watched, f"no alert on {metric}"
    for rule in alerts():
        assert rule["labels"]["severity"] in {"critical", "warning", "info"}, rule  # type: ignore[index]
        assert rule["annotations"]["summary"], rule  # type: ignore[index]


def test_prometheus_loads_the_rules() -> None:
    config = yaml.safe_load((PROMETHEUS / "prometheus.yml").read_text())
    assert config["rule_files"] == [RULES.name]
    compose = yaml.safe_load((PROMETHEUS.parent / "compose.yaml").read_text())
    volumes = compose["services"]["prometheus"]["volumes"]
    assert "./prometheus/alerts.yml:/etc/prometheus/alerts.yml:ro" in volumes


def test_dashboard_queries_are_valid_promql(tmp_path: Path) -> None:
    """Each dashboard expression, with Grafana's variables given values, parses as PromQL:
    promtool checks it as a recording rule, so a typo fails here, not on a blank panel."""
    grafana = {"$__rate_interval": "1m", "$service": ".*"}
    rules = []
    for number, query in enumerate(dashboard_queries()):
        for variable, value in grafana.items():
            query = query.replace(variable, value)
        # A template variable's label_values(<selector>, <label>) is Grafana's: check the selector.
        query = re.sub(r"^label_values\((.*), *\w+\)$", r"\1", query)
        assert "$" not in query, f"a Grafana variable without a value here: {query}"
        rules.append({"record": f"fumidai:dashboard_{number}", "expr": query})
    assert len(rules) > 20
    checked = tmp_path / "dashboard-rules.yml"
    checked.write_text(yaml.safe_dump({"groups": [{"name": "dashboard", "rules": rules}]}))
    done = promtool("check", "rules", str(checked))
    assert done.returncode == 0, done.stdout + done.stderr
