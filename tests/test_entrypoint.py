"""The container's entry point (deploy/docker-entrypoint.sh), run by `sh` with a stand-in `kremlin-watch`.

`docker run IMAGE crawl` and `docker run IMAGE kremlin-watch crawl` must both reach the CLI, and
`docker run IMAGE sh` must still run a shell; the image build itself is proven by hand (README).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT

ENTRYPOINT = ROOT / "deploy" / "docker-entrypoint.sh"


@pytest.fixture
def bin_dir(tmp_path: Path) -> Path:
    """A PATH entry holding a `kremlin-watch` that prints how it was called."""
    directory = tmp_path / "bin"
    directory.mkdir()
    stub = directory / "kremlin-watch"
    stub.write_text('#!/bin/sh\necho "kremlin-watch $*"\n', encoding="utf-8")
    stub.chmod(0o755)
    return directory


def entrypoint(bin_dir: Path, *args: str) -> str:
    env = {**os.environ, "PATH": f"{bin_dir}:/usr/bin:/bin"}
    result = subprocess.run(
        ["sh", str(ENTRYPOINT), *args], env=env, capture_output=True, text=True, timeout=30, check=False
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.mark.parametrize(
    ("args", "runs"),
    [
        (["crawl", "--pages", "2"], "kremlin-watch crawl --pages 2"),
        (["kremlin-watch", "crawl", "--pages", "2"], "kremlin-watch crawl --pages 2"),
        (["run"], "kremlin-watch run"),
        (["--help"], "kremlin-watch --help"),
        ([], "kremlin-watch"),
        # a shell builtin is not a program: `export` is the CLI's subcommand
        (["export", "--format", "jsonl"], "kremlin-watch export --format jsonl"),
        (["rules", "test", "санкции OR НАТО"], "kremlin-watch rules test санкции OR НАТО"),
    ],
)
def test_subcommands_go_to_the_cli(bin_dir: Path, args: list[str], runs: str) -> None:
    assert entrypoint(bin_dir, *args) == runs


def test_programs_run_as_given(bin_dir: Path) -> None:
    assert entrypoint(bin_dir, "echo", "a shell command") == "a shell command"
    assert entrypoint(bin_dir, "/bin/echo", "by path") == "by path"
    assert entrypoint(bin_dir, "sh", "-c", "echo $0", "from sh") == "from sh"


def test_entrypoint_is_executable_and_in_the_build_context() -> None:
    assert os.access(ENTRYPOINT, os.X_OK)
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    assert "!deploy/docker-entrypoint.sh" in ignored  # deploy/ is ignored, the script must not be
