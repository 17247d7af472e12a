"""The reliability tests share their cases and fake workers with ``benchmarks/reliability.py``.

``python -m pytest`` puts the repository root on ``sys.path``; the bare ``pytest`` script does
not, so do it here for ``import benchmarks.reliability``.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = str(Path(__file__).resolve().parents[2])
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)
