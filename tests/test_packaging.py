"""The distribution installs the three source folders under one package, with its data files."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCES = {
    "orchestai_agents": "orchestai_agents",
    "adapters": "orchestai_agents/adapters",
    "training": "orchestai_agents/training",
}


def expected_modules() -> set[str]:
    names = set()
    for folder, installed in SOURCES.items():
        for path in (ROOT / folder).rglob("*.py"):
            relative = path.relative_to(ROOT / folder)
            if "__pycache__" in relative.parts or (
                folder == "orchestai_agents" and relative.parts[0] in {"adapters", "training"}
            ):
                continue
            names.add(f"{installed}/{relative.as_posix()}")
    return names


@pytest.mark.slow
def test_wheel_contains_every_module_under_orchestai_agents(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            str(ROOT),
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
        ],
        check=True,
    )
    wheel = next(tmp_path.glob("orchestai_agents-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    missing = expected_modules() - names
    assert not missing, (
        f"modules missing from the wheel (add their packages to pyproject.toml): {sorted(missing)}"
    )
    assert not any(n.startswith(("adapters/", "training/")) for n in names), (
        "no top-level adapters/training packages"
    )
    assert "orchestai_agents/py.typed" in names


def test_editable_install_maps_the_folders() -> None:
    import orchestai_agents.adapters
    import orchestai_agents.training

    assert Path(orchestai_agents.adapters.__file__).parent == ROOT / "adapters"
    assert Path(orchestai_agents.training.__file__).parent == ROOT / "training"
