"""Issue 16, acceptance 1: the README's walk-through is run exactly as the README shows it, and its
output holds every line of the README's excerpt, in order."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# `make demo` makes SQLite files of its own whatever TEST_DATABASE says: the same run on either pass, so
# it runs on the SQLite pass only (docs/testing.md).
pytestmark = pytest.mark.backend_independent


def readme_demo() -> tuple[str, list[str]]:
    """The command of the README's console block and the output lines it shows."""
    blocks = re.findall(r"```console\n(.*?)```", (ROOT / "README.md").read_text(), flags=re.S)
    (block,) = [block for block in blocks if block.startswith("$ make demo")]
    command, *excerpt = block.rstrip("\n").split("\n")
    return command.removeprefix("$ "), excerpt


def as_pattern(shown: str) -> re.Pattern[str]:
    """A line of the excerpt, where `…` stands for what changes between runs (a year, a time)."""
    return re.compile(".*".join(re.escape(part) for part in shown.split("…")))


def test_the_readme_walk_through_carries_the_case_to_the_outcome_and_back_to_the_school() -> None:
    command, excerpt = readme_demo()
    assert command == "make demo"
    run = subprocess.run(["bash", "-c", command], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-4000:]
    output = [line.rstrip() for line in run.stdout.splitlines()]
    position = 0
    for shown in excerpt:
        if shown == "…":
            continue
        pattern = as_pattern(shown)
        while position < len(output) and not pattern.fullmatch(output[position]):
            position += 1
        assert position < len(output), f"the demo printed no line like {shown!r} after the ones before it:\n" + run.stdout
        position += 1
    # A person reads words, not the wire: no JSON object is printed as such.
    assert not any(line.lstrip().startswith("{") for line in output)
