"""``orchestai`` run in-process on bad input: its exit status and the one error line it printed."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from orchestai_agents.cli.main import main


@pytest.fixture
def orchestai(capsys: pytest.CaptureFixture[str]) -> Callable[..., tuple[int, str]]:
    """Run ``orchestai *argv``; return (exit status, the last line of stderr).

    A flag argparse refuses exits with SystemExit(2); an error a command raises is printed by
    ``main``; any other exception is a bug, which ``main`` ends with status 70.
    """

    def run(*argv: str) -> tuple[int, str]:
        try:
            code = main(list(argv))
        except SystemExit as exc:
            code = exc.code
        lines = capsys.readouterr().err.strip().splitlines()
        return code, lines[-1] if lines else ""

    return run
