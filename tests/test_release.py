"""A release a user can install, pin and wire into CI safely: LICENSE and its metadata, the
CHANGELOG's version policy, README install lines that work from what exists, the documented
code-scanning workflow, the GitHub Action's shell handling and the pre-commit hooks."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml

from linter.discovery import SKIP_DIRS

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    tomllib = pytest.importorskip("tomli")

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _action() -> dict:
    return yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))


def _run_step(action: dict) -> dict:
    (step,) = [s for s in action["runs"]["steps"] if s.get("name") == "Run goplumber"]
    return step


def _readme_block(first_line: str) -> str:
    """The fenced code block of the README whose first line is `first_line`."""
    blocks = re.findall(r"^```[a-z]*\n(.*?)^```", README, flags=re.S | re.M)
    found = [b for b in blocks if b.startswith(first_line + "\n")]
    assert len(found) == 1, f"README has {len(found)} blocks starting with {first_line!r}"
    return found[0]


# -- LICENSE, packaging metadata --------------------------------------------------------------


def test_license_is_the_full_apache_text_and_named_in_pyproject():
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert "Apache License" in text and "Version 2.0, January 2004" in text
    # the whole license, not a stub: all nine sections and the appendix
    for section in (
        "1. Definitions.",
        "4. Redistribution.",
        "9. Accepting Warranty or Additional Liability.",
        "END OF TERMS AND CONDITIONS",
    ):
        assert section in text
    assert "APPENDIX: How to apply the Apache License to your work." in text
    project = _pyproject()["project"]
    assert project["license"] == "Apache-2.0"  # an SPDX expression (PEP 639), not free text
    assert "LICENSE" in project["license-files"]


def test_pyproject_ships_the_rules_inside_the_package():
    hatch = _pyproject()["tool"]["hatch"]["build"]["targets"]["wheel"]
    assert hatch["packages"] == ["linter"]
    assert hatch["force-include"] == {"rules": "linter/rules"}
    assert list((ROOT / "rules").glob("*.yaml")), "no bundled rules to ship"


def test_build_tool_of_ci_is_in_the_dev_extra():
    """.ci/run builds the sdist and wheel with `python -m build`; the README's install provides it."""
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "python -m build" in ci
    dev = _pyproject()["project"]["optional-dependencies"]["dev"]
    assert any(re.match(r"build\b", d) for d in dev)


@pytest.mark.slow
def test_built_wheel_contains_the_package_rules_and_license(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(tmp_path), str(ROOT)],
        check=True,
        timeout=600,
    )
    (whl,) = tmp_path.glob("goplumber-*.whl")
    names = set(zipfile.ZipFile(whl).namelist())
    assert {"linter/__init__.py", "linter/cli.py"} <= names
    assert {f"linter/rules/{p.name}" for p in (ROOT / "rules").glob("*.yaml")} <= names
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    metadata = next(n for n in names if n.endswith(".dist-info/METADATA"))
    head = zipfile.ZipFile(whl).read(metadata).decode()
    assert "License-Expression: Apache-2.0" in head
    assert "License-File: LICENSE" in head


# -- CHANGELOG -------------------------------------------------------------------------------


def test_changelog_has_an_unreleased_section_a_first_entry_and_the_version_policy():
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    headings = re.findall(r"^## (.+)$", text, flags=re.M)
    assert "[Unreleased]" in headings
    assert any(h.startswith("[0.1.0]") for h in headings)
    assert headings.index("[Unreleased]") < next(i for i, h in enumerate(headings) if h.startswith("[0.1.0]"))
    assert "keepachangelog.com" in text and "semver.org" in text
    policy = text[text.index("## Version policy") : text.index("## [Unreleased]")]
    for breaking in ("Exit codes", "JSON", "SARIF", "Rule ids", "Fingerprints", "CLI", "flags"):
        assert breaking in policy, breaking
    assert "breaking" in policy
    # the version the policy talks about is the one the code reports
    version = re.search(r'__version__ = "([^"]+)"', (ROOT / "linter" / "__init__.py").read_text()).group(1)
    assert f"## [{version}]" in text


# -- README install lines --------------------------------------------------------------------


def test_readme_installs_goplumber_only_from_a_source_that_exists():
    """Not on PyPI: every `pip install` of goplumber names a checkout, a wheel or a git commit."""
    installs = re.findall(r"pip install ([^\n`]+)", README)
    assert installs
    for line in installs:
        args = shlex.split(line.split("#", 1)[0].split("&&", 1)[0])
        for req in (a for a in args if not a.startswith("-")):
            bare = re.fullmatch(r"goplumber(\[[\w,]+\])?", req)
            assert not bare, f"README: `pip install {line}` needs a package index that has goplumber"
            if req.startswith("goplumber"):
                assert re.search(r" @ git\+https://\S+@<commit-sha>$", req), req
    assert 'pip install "goplumber @ git+https://github.com/goplumber/goplumber@<commit-sha>"' in README
    assert "pip install dist/goplumber-*.whl" in README


def test_readme_pins_commits_not_tags_that_do_not_exist():
    assert not re.search(r"goplumber/goplumber@v\d|@v0\.1\.0", README), "no release tag is published"
    assert not re.search(r"rev:\s*v?\d", README)
    pre_commit = yaml.safe_load(_readme_block("# .pre-commit-config.yaml"))
    (repo,) = pre_commit["repos"]
    assert repo["rev"] == "<commit-sha>"
    assert "no release tags are published" in README
    workflow = yaml.safe_load(_readme_block("# .github/workflows/goplumber.yml"))
    uses = [s["uses"] for s in workflow["jobs"]["leaks"]["steps"] if s.get("uses", "").startswith("goplumber/")]
    assert uses == ["goplumber/goplumber@<commit-sha>"]


def test_readme_keeps_the_two_setup_commands_ci_runs():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    one = "python3 -m venv .venv && . .venv/bin/activate && pip install '.[dev]' && goplumber check examples/leaky"
    two = ". .venv/bin/activate && python -m pytest"
    assert one in README and one in ci
    assert two in README and two in ci


# -- the documented code-scanning workflow ---------------------------------------------------


def test_readme_workflow_uploads_a_full_scan_on_push_and_pull_request():
    workflow = yaml.safe_load(_readme_block("# .github/workflows/goplumber.yml"))
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    assert set(triggers) == {"push", "pull_request"}
    assert triggers["push"]["branches"], "push to the default branch: code scanning's reference analysis"
    job = workflow["jobs"]["leaks"]
    permissions = {**workflow.get("permissions", {}), **job.get("permissions", {})}
    assert permissions == {"contents": "read", "security-events": "write", "actions": "read"}
    steps = job["steps"]
    (plumber,) = [s for s in steps if s.get("uses", "").startswith("goplumber/goplumber@")]
    (upload,) = [s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif@")]
    assert "if" not in plumber, "the scan runs on every event"
    options = plumber.get("with", {})
    # nothing that narrows findings reaches the SARIF run: the diff scope is gate-args only
    assert "--new-from" not in options.get("args", "") and "--baseline" not in options.get("args", "")
    assert "--new-from-merge-base" in options["gate-args"] and "pull_request" in options["gate-args"]
    sarif = options.get("sarif-file", _action()["inputs"]["sarif-file"]["default"])
    assert upload["with"]["sarif_file"] == sarif
    assert "pull_request" not in upload.get("if", "") and "event_name" not in upload.get("if", "")
    assert "always()" in upload["if"] or "cancelled()" in upload["if"], "findings fail the job; the upload still happens"
    assert plumber.get("with", {}).keys() <= _action()["inputs"].keys()


# -- the GitHub Action -----------------------------------------------------------------------


def test_action_never_interpolates_expressions_into_a_shell_script():
    action = _action()
    runs = [s for s in action["runs"]["steps"] if "run" in s]
    assert len(runs) == 2
    for step in runs:
        assert "${{" not in step["run"], step["run"]
        assert step["shell"] == "bash"
    env = _run_step(action)["env"]
    # every input the script needs arrives as an environment variable
    assert {v.strip() for v in env.values()} >= {"${{ inputs.paths }}", "${{ inputs.args }}", "${{ inputs.gate-args }}"}
    assert "eval" not in _run_step(action)["run"].split()


def _action_repo(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A git repository whose second commit adds one leak to a package that already had five,
    and an environment where `goplumber` is this source tree."""
    repo = tmp_path / "repo"
    shutil.copytree(ROOT / "examples" / "leaky", repo)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"]
    subprocess.run(["git", "init", "-q", "."], cwd=repo, check=True)
    subprocess.run([*git, "add", "."], cwd=repo, check=True)
    subprocess.run([*git, "commit", "-qm", "base"], cwd=repo, check=True)
    subprocess.run(["git", "branch", "base"], cwd=repo, check=True)  # the pull request's base branch
    (repo / "extra.go").write_text("package main\n\nfunc storeAgain(req *Request) {\n\tcache.Store(req.Id, req.Msg[:2])\n}\n")
    subprocess.run([*git, "add", "."], cwd=repo, check=True)
    subprocess.run([*git, "commit", "-qm", "change"], cwd=repo, check=True)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    shim = bin_dir / "goplumber"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m linter "$@"\n')
    shim.chmod(0o755)
    env = {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "PYTHONPATH": str(ROOT),
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
        "GOPLUMBER_PATHS": ".",
        "GOPLUMBER_ARGS": "",
        "GOPLUMBER_GATE_ARGS": "",
        "GOPLUMBER_SARIF": "goplumber.sarif",
    }
    return repo, env


def _run_action(repo: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    script = _run_step(_action())["run"]
    # as GitHub runs a `shell: bash` step: bash --noprofile --norc -eo pipefail {0}
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script], cwd=repo, env=env, capture_output=True, text=True, timeout=300
    )


@pytest.mark.skipif(shutil.which("bash") is None or shutil.which("git") is None, reason="needs bash and git")
def test_action_writes_a_full_sarif_while_annotations_are_diff_scoped(tmp_path):
    repo, env = _action_repo(tmp_path)
    env["GOPLUMBER_GATE_ARGS"] = "--new-from-merge-base base"  # as the README's workflow on a pull request
    env["GOPLUMBER_PATHS"] = " .\n"  # spaces and newlines only separate
    p = _run_action(repo, env)
    assert p.returncode == 1, p.stderr  # the new finding fails the step
    annotations = [line for line in p.stdout.splitlines() if line.startswith(("::error ", "::warning ", "::notice "))]
    assert len(annotations) == 1 and "file=extra.go" in annotations[0], p.stdout
    sarif = json.loads((repo / "goplumber.sarif").read_text())
    results = sarif["runs"][0]["results"]
    files = sorted(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results)
    assert files == ["extra.go"] + ["main.go"] * 5  # every finding, old ones too


@pytest.mark.skipif(shutil.which("bash") is None or shutil.which("git") is None, reason="needs bash and git")
def test_action_inputs_cannot_run_shell_commands(tmp_path):
    repo, env = _action_repo(tmp_path)
    hostile = "$(touch pwned1) `touch pwned2` ; touch pwned3 && touch pwned4 | touch pwned5 'x\" *"
    for name in ("GOPLUMBER_PATHS", "GOPLUMBER_ARGS", "GOPLUMBER_GATE_ARGS"):
        p = _run_action(repo, {**env, name: hostile})
        assert not list(repo.glob("pwned*")) and not list(Path(tmp_path).glob("pwned*")), name
        # the words reached goplumber as they were written (no substitution, no glob): as paths
        # that do not exist
        assert "$(touch" in p.stdout + p.stderr and "`touch" in p.stdout + p.stderr, (name, p.stdout, p.stderr)
        assert p.returncode == 2, (name, p.stdout, p.stderr)  # paths that do not exist: a usage error
    # a usage error in the SARIF run leaves no half-written report behind for the upload step
    p = _run_action(repo, {**env, "GOPLUMBER_ARGS": "--no-such-flag"})
    assert p.returncode == 2
    assert not (repo / "goplumber.sarif").exists()


@pytest.mark.skipif(shutil.which("bash") is None or shutil.which("git") is None, reason="needs bash and git")
def test_action_split_words_reach_goplumber_one_by_one(tmp_path):
    repo, env = _action_repo(tmp_path)
    env["GOPLUMBER_ARGS"] = "--select\tsubslice-retained"
    env["GOPLUMBER_GATE_ARGS"] = "--fail-on\nerror"  # subslice-retained is a warning: passes
    p = _run_action(repo, env)
    assert p.returncode == 0, p.stderr
    assert p.stdout.count("::warning ") == 2
    sarif = json.loads((repo / "goplumber.sarif").read_text())
    assert {r["ruleId"] for r in sarif["runs"][0]["results"]} == {"subslice-retained"}


# -- pre-commit hooks ------------------------------------------------------------------------


def test_pre_commit_hooks_skip_what_goplumber_skips_and_offer_a_whole_repo_hook():
    hooks = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))}
    assert set(hooks) == {"goplumber", "goplumber-repo"}
    assert hooks["goplumber"].get("pass_filenames", True) is True
    assert hooks["goplumber-repo"]["pass_filenames"] is False
    for hook in hooks.values():
        assert hook["entry"] == "goplumber check" and hook["language"] == "python" and hook["types"] == ["go"]
        exclude = re.compile(hook["exclude"])
        # the directories goplumber's own walk skips (linter.discovery), at any depth
        for d in sorted(SKIP_DIRS) + [".github", "_tools"]:
            assert exclude.search(f"{d}/x.go") and exclude.search(f"a/b/{d}/c/x.go"), (hook["id"], d)
        for kept in ("main.go", "cmd/server/main.go", "vendored/x.go", "pkg/testdata_gen.go", "my_vendor/x.go", ".x.go", "a/_x.go"):
            assert not exclude.search(kept), (hook["id"], kept)
    for hook_id in hooks:
        assert f"id: {hook_id}" in README


def _pre_commit() -> str:
    exe = shutil.which("pre-commit", path=os.path.dirname(sys.executable)) or shutil.which("pre-commit")
    if exe is None:
        pytest.skip("pre-commit is not installed (it is in the dev extra)")
    return exe


def test_pre_commit_accepts_the_manifest_and_the_readme_config(tmp_path):
    exe = _pre_commit()
    p = subprocess.run([exe, "validate-manifest", str(ROOT / ".pre-commit-hooks.yaml")], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stdout + p.stderr
    config = tmp_path / ".pre-commit-config.yaml"
    config.write_text(_readme_block("# .pre-commit-config.yaml"))
    p = subprocess.run([exe, "validate-config", str(config)], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stdout + p.stderr


@pytest.mark.slow
def test_pre_commit_hooks_run_from_this_repository(tmp_path):
    """pre-commit installs the hook from the repository (as `rev: <commit-sha>` would) and runs
    it: vendored copies are never handed to it, the whole-repo hook checks every package."""
    exe = _pre_commit()
    repo = tmp_path / "repo"
    shutil.copytree(ROOT / "examples" / "leaky", repo)
    shutil.copytree(ROOT / "examples" / "leaky", repo / "vendor" / "example.com" / "leaky")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"]
    subprocess.run(["git", "init", "-q", "."], cwd=repo, check=True)
    subprocess.run([*git, "add", "."], cwd=repo, check=True)
    subprocess.run([*git, "commit", "-qm", "base"], cwd=repo, check=True)
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home")}

    def hook(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([exe, "try-repo", str(ROOT), *args], cwd=repo, env=env, capture_output=True, text=True, timeout=900)

    p = hook("goplumber", "--all-files")
    assert p.returncode == 1 and "main.go:27:17: error:" in p.stdout, p.stdout + p.stderr
    assert "vendor/" not in p.stdout and "in 1 file" in p.stdout
    p = hook("goplumber", "--files", "vendor/example.com/leaky/main.go")
    assert p.returncode == 0 and "no files to check" in p.stdout, p.stdout + p.stderr
    p = hook("goplumber-repo", "--files", "main.go")
    assert p.returncode == 1 and "5 findings" in p.stdout and "vendor/" not in p.stdout, p.stdout + p.stderr
