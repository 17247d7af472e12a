"""Planning speed on CPU: the learned planner (encoder included) against SmolLM2 writing JSON plans.

For the learned planner: ms per plan p50/p95 and plans per second at batch 1 and batched, on the
requests of a data set's test split, with the planner's inference path (int8 dynamic quantization
of the encoder, inference mode, cached inventory embeddings). The encoder alone is timed in fp32
and int8 so the gain is measured, not assumed. For SmolLM2-135M (the local LLM worker), a small
sample of the same requests is planned by prompting for a JSON plan: its time per plan and its
node/link F1 beside the planner's on the same sample.

    python -m benchmarks.planning_speed [--planner runs/planner] [--data ultratool] [--requests 200] [--llm 10]
        [--threads 1 2] [--stages]

``--stages`` profiles the batch-1 plans (``torch.profiler``) and prints the time spent in each
stage of :meth:`Planner.predict` (the encoder, the lexical match, the beam search, the graph, ...).
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import time
from collections.abc import Callable, Sequence

import torch
from orchestai_agents.training.metrics import PredictedPlan, score_plans
from orchestai_agents.training.phase1_data import dataset_inventory
from orchestai_agents.training.phase1_eval import test_split
from orchestai_agents.training.workflows import AnnotatedWorkflow

from orchestai_agents.planner import Inventory, Planner, load_default_planner


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def time_each(fn: Callable[[], object], repeats: int) -> list[float]:
    """Milliseconds of each of ``repeats`` calls."""
    out = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def planner_rows(
    planner: Planner, requests: list[str], inventory: Inventory, batch: int
) -> list[tuple]:
    planner.predict(requests[:2], inventory)  # quantize, cache the inventory, warm up
    singles = []
    for r in requests:
        singles += time_each(lambda r=r: planner.predict([r], inventory), 1)
    start = time.perf_counter()
    for i in range(0, len(requests), batch):
        planner.predict(requests[i : i + batch], inventory)
    batched = (time.perf_counter() - start) * 1000 / len(requests)
    return [
        (
            "learned planner, batch 1",
            statistics.median(singles),
            percentile(singles, 0.95),
            1000 / statistics.mean(singles),
        ),
        (f"learned planner, batch {batch}", batched, None, 1000 / batched),
    ]


STAGES = (
    "encode",
    "inventory",
    "lexical_match",
    "context",
    "prior",
    "beam_search",
    "heads",
    "graph",
    "workers",
    "spans",
)


def stage_rows(planner: Planner, requests: list[str], inventory: Inventory) -> list[tuple]:
    """Mean ms per plan at batch 1 in each ``planner.*`` scope of :meth:`Planner.predict`, the
    whole plan, and the rest (what no scope covers), timed under ``torch.profiler``.

    The profiler adds its own cost to every op, so a profiled plan is slower than the timed ones;
    the stages' shares are what to read.
    """
    from torch.profiler import ProfilerActivity, profile, record_function

    planner.predict(requests[:2], inventory)  # quantize, cache the inventory, warm up
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        for r in requests:
            with record_function("benchmark.plan"):
                planner.predict([r], inventory)
    ms = {e.key: e.cpu_time_total / 1000 / len(requests) for e in prof.key_averages()}
    rows = [(name, ms.get(f"planner.{name}", 0.0)) for name in STAGES]
    whole = ms["benchmark.plan"]
    return [*rows, ("rest", whole - sum(t for _, t in rows)), ("whole plan, profiled", whole)]


def encoder_rows(planner: Planner, requests: list[str]) -> list[tuple]:
    """MiniLM alone at batch 1: fp32 (a fresh copy) and the planner's int8 path."""
    from orchestai_agents.encoders import TextEncoder

    fp32 = TextEncoder(
        planner.config.encoder.name_or_path, max_length=planner.config.encoder.max_length
    )
    fp32.eval()
    sample = requests[:50]
    rows = []
    for label, encode in (
        ("encoder alone, fp32", fp32.encode),
        ("encoder alone, int8", planner.encoder.encode),
    ):
        encode(sample[:2])  # quantize (int8) and warm up, outside the timing
        ms = [t for r in sample for t in time_each(lambda r=r, e=encode: e([r]), 1)]
        rows.append(
            (label, statistics.median(ms), percentile(ms, 0.95), 1000 / statistics.mean(ms))
        )
    return rows


_PROMPT = (
    "You plan tool calls. Tools: {tools}.\n"
    'Answer only with JSON: {{"nodes": [tool names in order], "links": [[source, target], ...]}}.\n'
    "Request: {request}\nJSON:"
)


def llm_plans(
    workflows: list[AnnotatedWorkflow], inventory: Inventory
) -> tuple[list[PredictedPlan | None], list[float]]:
    """SmolLM2 prompted for a JSON plan per request; unparseable answers are None (they score 0)."""
    from orchestai_agents.adapters.local_llm import load_smollm2

    lm = load_smollm2()
    tools = ", ".join(inventory.task_types)
    plans, seconds = [], []
    for w in workflows:
        messages = [
            {"role": "user", "content": _PROMPT.format(tools=tools, request=w.request.strip())}
        ]
        ids = lm.tokenizer.apply_chat_template(
            messages, add_generation_prompt=True, return_tensors="pt"
        )
        ids = ids["input_ids"] if not isinstance(ids, torch.Tensor) else ids
        start = time.perf_counter()
        with torch.inference_mode():
            out = lm.model.generate(ids, max_new_tokens=96, do_sample=False)
        seconds.append(time.perf_counter() - start)
        plans.append(_parse(lm.tokenizer.decode(out[0, ids.shape[1] :], skip_special_tokens=True)))
    return plans, seconds


def _parse(text: str) -> PredictedPlan | None:
    match = re.search(r"\{.*\}", text, re.DOTALL)
    try:
        data = json.loads(match.group(0)) if match else None
        return [str(n) for n in data["nodes"]], [(str(a), str(b)) for a, b in data.get("links", [])]
    except (ValueError, KeyError, TypeError):
        return None


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--planner", default=None, help="checkpoint folder (default: the shipped planner)"
    )
    parser.add_argument(
        "--data",
        default=None,
        help="data set whose test requests are planned (default: builtin for the shipped "
        "planner, whose task types those are; ultratool for a --planner checkpoint)",
    )
    parser.add_argument("--requests", type=int, default=200, help="requests timed")
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument(
        "--llm", type=int, default=10, help="requests planned by SmolLM2 (0 skips it)"
    )
    default_threads = torch.get_num_threads()  # what a user's process gets: one per core
    parser.add_argument(
        "--threads",
        type=int,
        nargs="+",
        default=sorted({1, default_threads}),
        help=f"torch thread counts, each timed in turn (default: 1 and torch's default, here "
        f"{default_threads}); one thread is what a planner gets beside other work on the machine",
    )
    parser.add_argument(
        "--stages",
        action="store_true",
        help="also profile the batch-1 plans and print the time of each stage of a plan",
    )
    args = parser.parse_args(argv)
    # The shipped planner knows only the built-in task types: on UltraTool's tools it would
    # plan zero-shot, and its quality beside SmolLM2's would say nothing.
    args.data = args.data or ("builtin" if args.planner is None else "ultratool")
    if min(args.threads) < 1:
        parser.error(f"--threads must be at least 1, got {min(args.threads)}")
    planner = (
        load_default_planner() if args.planner is None else Planner.from_pretrained(args.planner)
    )
    _, test = test_split(args.data)
    inventory = dataset_inventory(args.data)
    requests = [w.request for w in test[: args.requests]]
    for threads in args.threads:
        torch.set_num_threads(threads)
        rows = encoder_rows(planner, requests) + planner_rows(
            planner, requests, inventory, args.batch
        )
        print(f"Planning speed on {args.data} ({len(requests)} requests, CPU, {threads} thread(s))")
        print(f"{'planner':34} {'ms/plan p50':>12} {'p95':>8} {'plans/s':>8}")
        for name, p50, p95, rate in rows:
            print(f"{name:34} {p50:12.1f} {'-' if p95 is None else f'{p95:.1f}':>8} {rate:8.1f}")
        print()
        if args.stages:
            rows = stage_rows(planner, requests, inventory)
            whole = rows[-1][1]
            print(f"Where a plan's time goes, batch 1, {threads} thread(s), under torch.profiler")
            print(f"{'stage':34} {'ms/plan':>12} {'share':>8}")
            for name, ms in rows:
                print(f"{name:34} {ms:12.2f} {100 * ms / whole:7.1f}%")
            print()
    torch.set_num_threads(default_threads)
    if args.llm:
        sample = test[: args.llm]
        plans, seconds = llm_plans(sample, inventory)
        ours = [
            (list(g.task_types), g.named_links)
            for g in planner.predict([w.request for w in sample], inventory)
        ]
        print(f"Same {len(sample)} requests: node-F1 / link-F1 and time per plan")
        for name, preds, ms in (
            ("SmolLM2-135M JSON plan", plans, 1000 * statistics.median(seconds)),
            (
                "learned planner",
                ours,
                statistics.median(
                    time_each(lambda: planner.predict([sample[0].request], inventory), 5)
                ),
            ),
        ):
            s = score_plans(preds, sample)
            print(
                f"{name:34} node-F1 {s.node_f1:6.2f}  link-F1 {s.link_f1 or 0:6.2f}  {ms:10.1f} ms/plan"
            )


if __name__ == "__main__":
    main()
