"""The GitHub and GitLab workflows: valid against their published schemas, calling real targets.

They cannot run here, so this checks what can be: each file against the schema
check-jsonschema ships for it, the deploy conditions, and that the make targets they call
exist and do their job (the production build and its check run for real).
"""

import os
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path

import pytest
from conftest import PROJECT, needs_tool
from cronsim import CronSim, CronSimError
from ruamel.yaml import YAML

GITHUB = PROJECT / ".github" / "workflows" / "publish.yml"
GITLAB = PROJECT / ".gitlab-ci.yml"
CHECK_JSONSCHEMA = Path(sys.executable).parent / "check-jsonschema"


def load(path: Path):
    """Read a YAML file."""
    return YAML(typ="safe").load(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("path", "schema"), [(GITHUB, "vendor.github-workflows"), (GITLAB, "vendor.gitlab-ci")]
)
def test_workflow_is_valid_against_its_schema(path, schema):
    result = subprocess.run(
        [str(CHECK_JSONSCHEMA), "--builtin-schema", schema, str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def shell_lines(node) -> list[str]:
    """Return every shell command of a workflow (GitHub `run`, GitLab `script` lists)."""
    found = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "run" and isinstance(value, str):
                found += value.splitlines()
            elif key in ("script", "before_script") and isinstance(value, list):
                found += [line for item in value for line in str(item).splitlines()]
            else:
                found += shell_lines(value)
    elif isinstance(node, list):
        for item in node:
            found += shell_lines(item)
    return found


def make_targets(path: Path) -> set[str]:
    """Return the make targets a workflow calls."""
    targets = set()
    for line in shell_lines(load(path)):
        for call in re.findall(r"(?:^|&&|;|\|\|)\s*(?:[A-Z_]+=\S*\s+)*make\s+([^;&|]+)", line):
            targets |= {word for word in call.split() if "=" not in word and word != "\\"}
    return targets


@pytest.mark.parametrize("path", [GITHUB, GITLAB])
def test_workflows_call_existing_make_targets(path):
    targets = make_targets(path)
    assert {"deps", "test", "publish"} <= targets
    for target in sorted(targets):
        result = subprocess.run(
            ["make", "-n", target], cwd=PROJECT, capture_output=True, text=True, timeout=60
        )
        assert result.returncode == 0, f"make {target}: {result.stderr}"


def test_github_deploys_only_from_main_and_tests_pull_requests():
    workflow = load(GITHUB)
    triggers = github_triggers()
    assert triggers["push"]["branches"] == ["main"]
    assert "pull_request" in triggers
    steps = workflow["jobs"]["build"]["steps"]
    runs = [step.get("run", "") for step in steps]
    assert runs.index("make test") < runs.index("make publish")  # make publish runs the checks
    upload = next(s for s in steps if str(s.get("uses", "")).startswith("actions/upload-pages"))
    assert upload["with"]["path"] == "publish/current"
    deploy = workflow["jobs"]["deploy"]
    for condition in (upload["if"], deploy["if"]):
        assert "refs/heads/main" in condition and "pull_request" in condition
    assert deploy["needs"] == "build"
    assert deploy["steps"][0]["uses"].startswith("actions/deploy-pages@")


def test_gitlab_publishes_public_from_the_default_branch_only():
    config = load(GITLAB)
    pages = config["pages"]
    assert pages["artifacts"]["paths"] == ["public"]
    assert pages["rules"] == [{"if": "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH"}]
    script = pages["script"]
    publish = next(i for i, line in enumerate(script) if "make publish" in line)
    assert script[publish + 1] == "cp -rL publish/current public"
    assert config["stages"].index("test") < config["stages"].index("deploy")
    assert "rules" not in config["test"]  # merge requests and branches are tested too
    assert any(
        r["if"] == '$CI_PIPELINE_SOURCE == "merge_request_event"'
        for r in config["workflow"]["rules"]
    )


def github_triggers() -> dict:
    """Return the GitHub workflow's `on` (YAML 1.1 reads the key `on` as true)."""
    workflow = load(GITHUB)
    return workflow.get("on") or workflow.get(True)


def daily_schedule(cron: str, where: str) -> list[datetime]:
    """Return the next three runs of a five-field cron expression; fail unless it is daily."""
    assert len(cron.split()) == 5, f"{where}: {cron!r} is not a five-field cron expression"
    try:
        runs = CronSim(cron, datetime(2027, 1, 1, tzinfo=UTC))
    except CronSimError as error:
        pytest.fail(f"{where}: {cron!r} is not a valid cron expression: {error}")
    times = [next(runs) for _ in range(3)]
    assert [b - a for a, b in pairwise(times)] == [timedelta(days=1)] * 2, where
    return times


def test_github_rebuilds_main_daily_and_on_demand():
    triggers = github_triggers()
    crons = [entry["cron"] for entry in triggers["schedule"]]
    assert len(crons) == 1
    daily_schedule(crons[0], "publish.yml on.schedule")
    assert "workflow_dispatch" in triggers
    # scheduled and manual runs of main deploy: only pull requests are kept from deploying
    workflow = load(GITHUB)
    assert workflow["jobs"]["deploy"]["if"] == (
        "github.event_name != 'pull_request' && github.ref == 'refs/heads/main'"
    )


def test_gitlab_runs_scheduled_and_manual_pipelines_with_githubs_schedule():
    config = load(GITLAB)
    cron = config["variables"]["PUBLISH_SCHEDULE"]["value"]
    github_cron = github_triggers()["schedule"][0]["cron"]
    assert daily_schedule(cron, ".gitlab-ci.yml PUBLISH_SCHEDULE") == daily_schedule(
        github_cron, "publish.yml"
    )
    conditions = [rule.get("if", "") for rule in config["workflow"]["rules"]]
    never = next(i for i, rule in enumerate(config["workflow"]["rules"]) if rule.get("when"))
    for source in ("schedule", "web"):
        # GitLab takes the first rule that matches: these come before the one that says never
        matching = [i for i, c in enumerate(conditions) if f'== "{source}"' in c]
        assert matching and matching[0] < never, source
    # a scheduled pipeline runs on main, which the pages job publishes
    assert config["pages"]["rules"] == [{"if": "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH"}]


def test_production_publish_runs_as_the_workflows_call_it(tmp_path):
    """`make publish` builds for production, checks and switches (axe left out, for time: the
    session's first publish runs every check, tests/test_publishing.py the rest)."""
    needs_tool("java")
    publish_dir = tmp_path / "publish"
    env = dict(os.environ, SITEURL="https://supporters.example.org")
    result = subprocess.run(
        ["make", "publish", f"PUBLISH_DIR={publish_dir}", "CHECKOPTS=--skip accessibility"],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, f"make publish:\n{result.stdout}\n{result.stderr}"
    assert "passed the checks run (html, links, policy, hreflang, feeds)" in result.stdout
    output = publish_dir / "current"
    home = (output / "fi" / "index.html").read_text(encoding="utf-8")
    assert 'href="https://supporters.example.org/fi/"' in home
    assert (output / "pagefind" / "pagefind-entry.json").is_file()


def test_production_build_refuses_a_relative_site_url(tmp_path):
    env = dict(os.environ, SITEURL="supporters.example.org")
    result = subprocess.run(
        ["make", "publish", f"PUBLISH_DIR={tmp_path / 'publish'}"],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode != 0
    assert "is not an absolute http(s) address" in result.stdout + result.stderr


def test_pull_requests_get_a_preview_with_its_address_removed_on_close():
    jobs = load(GITHUB)["jobs"]
    assert "closed" in github_triggers()["pull_request"]["types"]
    assert jobs["build"]["if"] == "github.event.action != 'closed'"
    upload = next(s for s in jobs["build"]["steps"] if s.get("id") == "preview")
    assert upload["uses"].startswith("actions/upload-artifact@")
    assert upload["with"]["path"] == "publish/current"
    assert "pull_request.number" in upload["with"]["name"]
    comment = jobs["preview-comment"]
    assert comment["needs"] == "build" and comment["permissions"] == {"pull-requests": "write"}
    assert "gh pr comment" in comment["steps"][0]["run"]
    remove = jobs["preview-remove"]
    assert "action == 'closed'" in remove["if"]
    assert "-X DELETE" in remove["steps"][0]["run"]


def test_merge_requests_get_a_review_app_stopped_on_close():
    jobs = load(GITLAB)
    review, stop = jobs["review"], jobs["stop_review"]
    merge_request = '$CI_PIPELINE_SOURCE == "merge_request_event"'
    assert review["rules"][0]["if"] == merge_request
    assert review["environment"]["name"] == stop["environment"]["name"]
    assert review["environment"]["on_stop"] == "stop_review"
    assert stop["environment"]["action"] == "stop"
    assert review["pages"]["path_prefix"] == "mr-$CI_MERGE_REQUEST_IID"
    assert "make publish" in " ".join(review["script"])
    assert review["environment"]["url"].startswith("$CI_PAGES_URL/mr-")
