"""Loaders for the public planning formats; every one returns :class:`~training.workflows.AnnotatedWorkflow`.

Formats: GNN4TaskPlan/TaskBench (``data.json`` + ``tool_desc.json`` + ``split_ids.json``),
NesTools (``API_call_k`` data flow) and NESTFUL (``$varK...$`` data flow, ComplexFuncBench).
:func:`load_planning_dataset` is the front door by name or path.
"""

from .errors import DatasetFormatError
from .inventory import Tool, load_tool_inventory
from .loading import (
    DATASET_NAMES,
    Split,
    default_datasets_root,
    detect_format,
    empty_split_error,
    load_planning_dataset,
)
from .nestful import load_nestful, load_nestful_specs, parse_nestful_record
from .nestools import load_nestools, parse_nestools_record
from .splits import in_test_split, split_by_id
from .taskbench import load_taskbench, parse_taskbench_record, taskbench_split

__all__ = [
    "DATASET_NAMES",
    "DatasetFormatError",
    "Split",
    "Tool",
    "default_datasets_root",
    "detect_format",
    "empty_split_error",
    "in_test_split",
    "load_nestful",
    "load_nestful_specs",
    "load_nestools",
    "load_planning_dataset",
    "load_taskbench",
    "load_tool_inventory",
    "parse_nestful_record",
    "parse_nestools_record",
    "parse_taskbench_record",
    "split_by_id",
    "taskbench_split",
]
