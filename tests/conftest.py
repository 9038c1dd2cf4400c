"""Shared fixtures: a real HTTP server on 127.0.0.1, the shared corpus, the CLI as a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.httpserver import Site

REPO = Path(__file__).resolve().parents[1]
CORPUS = Path(os.environ.get("APPEALWATCH_CORPUS", REPO.parent / "shared" / "corpus"))
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture
def corpus() -> Path:
    """The shared real-data corpus; tests that need it skip, saying so, where it is absent."""
    if not CORPUS.is_dir():
        pytest.skip(f"shared corpus not found at {CORPUS} (set APPEALWATCH_CORPUS)")
    return CORPUS


@pytest.fixture
def site():
    """A real HTTP server on 127.0.0.1 serving what the test adds to it."""
    server = Site()
    server.start()
    yield server
    server.stop()


def run_cli(*args: str, cwd: Path | None = None, env: dict | None = None, input: str | None = None):
    """Run `python -m watch ARGS` as cron would: a real process, no terminal."""
    full_env = {**os.environ, "PYTHONPATH": str(REPO / "src"), "COLUMNS": "200"}
    full_env.pop("APPEALWATCH_WATCHLIST", None)
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "watch", *args],
        cwd=cwd,
        env=full_env,
        input=input,
        capture_output=True,
        text=True,
        timeout=300,
    )
