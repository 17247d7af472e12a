"""Execution speed of compiled plans: wall time against the critical path, and overhead per node.

Random DAGs (3-20 nodes) of workers that sleep for uneven, known durations are compiled and run;
wall time / critical-path time is 1.0 at the limit. The overhead part runs zero-second workers
through the graph and directly, and reports the difference per node.

    python -m benchmarks.dag_speed [--dags 200] [--seed 0]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Sequence

from langchain_core.runnables import RunnableLambda

from orchestai_agents import (
    Capabilities,
    Plan,
    SubTask,
    WorkerOutput,
    WorkerRegistry,
    WorkerSpec,
    compile_plan,
)

TASK = "sleep"


def sleeper_registry(durations: Sequence[float]) -> WorkerRegistry:
    """One worker per distinct duration, named by it."""

    def make(seconds: float) -> WorkerSpec:
        def call(task_input: dict) -> WorkerOutput:
            time.sleep(seconds)
            return WorkerOutput(task_input["node_id"])

        return WorkerSpec(
            f"sleep_{seconds:.3f}",
            f"sleeps {seconds} s",
            RunnableLambda(call),
            Capabilities({TASK}),
        )

    return WorkerRegistry(make(s) for s in sorted(set(durations)))


def random_dag(rng: random.Random, n: int, durations: Sequence[float]) -> Plan:
    """Each node depends on a random subset (up to 3) of earlier nodes."""
    subtasks = []
    for i in range(n):
        deps = rng.sample(range(i), k=min(i, rng.randint(0, 3)))
        subtasks.append(
            SubTask(
                f"n{i}",
                f"step {i}",
                TASK,
                f"sleep_{rng.choice(durations):.3f}",
                tuple(f"n{d}" for d in deps),
            )
        )
    return Plan("benchmark", tuple(subtasks))


def critical_path(plan: Plan) -> float:
    finish: dict[str, float] = {}
    for node in plan.topological_order():
        seconds = float(node.worker.removeprefix("sleep_"))
        finish[node.id] = seconds + max((finish[d] for d in node.dependencies), default=0.0)
    return max(finish.values())


def serial_time(plan: Plan) -> float:
    return sum(float(s.worker.removeprefix("sleep_")) for s in plan.subtasks)


def dag_ratios(
    n_dags: int, seed: int, durations: Sequence[float]
) -> tuple[list[float], list[float]]:
    rng = random.Random(seed)
    registry = sleeper_registry(durations)
    ratios, speedups = [], []
    for _ in range(n_dags):
        plan = random_dag(rng, rng.randint(3, 20), durations)
        graph = compile_plan(plan, registry)
        start = time.perf_counter()
        graph.invoke({})
        wall = time.perf_counter() - start
        ratios.append(wall / critical_path(plan))
        speedups.append(serial_time(plan) / wall)
    return ratios, speedups


def overhead_per_node(n_nodes: int, repeats: int) -> list[float]:
    """Graph time minus direct-invoke time of the same Runnables, per node, for a chain."""
    registry = sleeper_registry([0.0])
    worker = registry["sleep_0.000"]
    plan = Plan(
        "overhead",
        tuple(
            SubTask(f"n{i}", "x", TASK, worker.name, (f"n{i - 1}",) if i else ())
            for i in range(n_nodes)
        ),
    )
    graph = compile_plan(plan, registry)
    graph.invoke({})  # warm up imports and caches
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        for i in range(n_nodes):
            worker.runnable.invoke({"node_id": f"n{i}"})
        direct = time.perf_counter() - start
        start = time.perf_counter()
        graph.invoke({})
        samples.append((time.perf_counter() - start - direct) / n_nodes * 1000)
    return samples


def quantile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dags", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--durations", type=float, nargs="+", default=[0.05, 0.1, 0.2, 0.4])
    args = parser.parse_args()
    ratios, speedups = dag_ratios(args.dags, args.seed, args.durations)
    overhead = overhead_per_node(10, 30)
    print(f"\nExecution speed: {args.dags} random DAGs of 3-20 nodes, sleeps {args.durations} s\n")
    print(f"{'metric':44} {'median':>8} {'p95':>8} {'target':>10}")
    print(
        f"{'wall / critical path':44} {statistics.median(ratios):8.3f} {quantile(ratios, 0.95):8.3f} {'<=1.05/1.15':>10}"
    )
    print(
        f"{'speed-up over running nodes one by one':44} {statistics.median(speedups):8.2f} {quantile(speedups, 0.95):8.2f} {'':>10}"
    )
    print(
        f"{'orchestration overhead per node (ms)':44} {statistics.median(overhead):8.3f} {quantile(overhead, 0.95):8.3f} {'<=1 ms':>10}"
    )


if __name__ == "__main__":
    main()
