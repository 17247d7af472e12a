"""200 concurrent runs of the agent with fake async workers: none lost, none mixed up, memory bounded.

The runs share one agent, one execution log and one checkpointer (a thread id each).

Each run carries its own tag as instruction and input; every worker output starts with the
run's instruction and carries its dependencies' texts, so a state shared between runs, or a
result delivered to the wrong caller, shows up as a foreign tag.
"""

from __future__ import annotations

from benchmarks.reliability import concurrent_runs, load_agent, mixed_up

RUNS = 200
# Observed about 22 MB traced at 200 runs (2 CPUs); three times that leaves room for noise, not leaks.
PEAK_MB = 64


async def test_concurrent_runs_lose_and_mix_up_nothing() -> None:
    report = await concurrent_runs(RUNS)
    assert report.lost == 0
    assert report.mixed_up == 0
    assert report.unlogged == 0  # the shared execution log holds each run exactly once
    assert report.peak_mb < PEAK_MB, f"traced peak {report.peak_mb:.0f} MB"


async def test_the_mix_up_check_can_fail() -> None:
    """Swapping two runs' states is caught, so the zero above means something."""
    agent = load_agent()
    first = await agent.ainvoke({"instruction": "run-0001", "inputs": ["/data/run-0001.pdf"]})
    second = await agent.ainvoke({"instruction": "run-0002", "inputs": ["/data/run-0002.pdf"]})
    assert not mixed_up("run-0001", first) and not mixed_up("run-0002", second)
    assert mixed_up("run-0001", second)
