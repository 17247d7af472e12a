"""``orchestai train``: phase-1 training of a planner on annotated workflows, saved as a checkpoint."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from orchestai_agents.cli._args import (
    data_sets,
    decay,
    known_data_sets,
    non_negative_int,
    output_folder,
    positive_float,
    positive_int,
)
from orchestai_agents.errors import ConfigError

if TYPE_CHECKING:
    from orchestai_agents.planner import PlannerConfig
    from orchestai_agents.training.phase1 import Phase1Config


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "train",
        help="train a planner on annotated workflows (phase 1)",
        description="Train a planner (supervised, phase 1) and save it with save_pretrained. Example: "
        "orchestai train --data ultratool,nestools,complexfuncbench --out runs/planner",
    )
    parser.add_argument(
        "--data",
        type=data_sets,
        default="ultratool",
        help="comma-separated data sets: ultratool, nestools, complexfuncbench, builtin, or paths",
    )
    parser.add_argument(
        "--out",
        type=output_folder,
        required=True,
        help="checkpoint folder (also README.md, metrics.csv, tensorboard/); one that already "
        "holds a checkpoint, a README.md or tensorboard/ is refused unless --overwrite",
    )
    parser.add_argument(
        "--overwrite",
        action="store_true",
        help="replace the checkpoint (and metrics) already in --out",
    )
    parser.add_argument("--epochs", type=positive_int, default=60, help="maximum epochs")
    parser.add_argument(
        "--lr", type=positive_float, default=None, help="AdamW learning rate (default 1e-4)"
    )
    parser.add_argument("--batch-size", type=positive_int, default=32)
    parser.add_argument(
        "--conv", choices=["gcn", "gat", "sage"], default="gat", help="graph convolution"
    )
    parser.add_argument("--hidden", type=positive_int, default=256, help="planner hidden size")
    parser.add_argument(
        "--encoder",
        default=None,
        help="transformers encoder id or folder (default: offline MiniLM)",
    )
    parser.add_argument(
        "--fine-tune-layers",
        type=non_negative_int,
        default=0,
        metavar="N",
        help="fine-tune the encoder's top N transformer layers (BERT-style encoders; they are "
        "then stored in the checkpoint); 0 keeps the encoder frozen (default)",
    )
    parser.add_argument(
        "--encoder-lr",
        type=positive_float,
        default=5e-5,
        help="learning rate of the fine-tuned encoder layers (default 5e-5)",
    )
    parser.add_argument(
        "--no-memory", action="store_true", help="train without the plan memory prior"
    )
    parser.add_argument(
        "--no-known-types",
        action="store_true",
        help="score task types by their descriptions alone (for data whose tool names rarely recur)",
    )
    parser.add_argument(
        "--no-lexical-match",
        action="store_true",
        help="no word-coverage feature (it costs requests x inventory words to precompute)",
    )
    parser.add_argument(
        "--ema-decay",
        type=decay,
        default=0.0,
        help="validate and keep an exponential moving average of the weights, updated every step "
        "with this decay (e.g. 0.995); 0 keeps the weights as they are (default)",
    )
    parser.add_argument(
        "--int8-features",
        action="store_true",
        help="train on the features of the encoder's int8 copy, which the planner encodes with "
        "at inference on CPU, rather than on the float encoder's",
    )
    parser.add_argument(
        "--max-minutes",
        type=positive_float,
        default=25.0,
        help="wall-clock budget, encoding the data included: no epoch is started that would "
        "end past it",
    )
    parser.add_argument(
        "--patience", type=non_negative_int, default=6, help="early-stopping patience (epochs)"
    )
    parser.add_argument("--seed", type=non_negative_int, default=0)
    parser.add_argument("--device", default="auto", help="auto, cpu or cuda")
    parser.add_argument(
        "--threads", type=non_negative_int, default=0, help="torch CPU threads (0: torch's default)"
    )
    parser.add_argument(
        "--cache-dir",
        type=output_folder,
        default="runs/cache",
        help="where frozen-encoder outputs are cached",
    )
    parser.add_argument("--wandb-project", default=None, help="also log to wandb (if installed)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from orchestai_agents.cli._display import console
    from orchestai_agents.training.hub import record_training
    from orchestai_agents.training.phase1 import train_phase1
    from orchestai_agents.training.phase1_data import load_training_data

    config = _config(args)
    train, val, inventory = load_training_data(args.data)
    console.print(
        f"training on {len(train)} workflows ({', '.join(args.data)}), {len(inventory.task_types)} task types"
    )
    result = train_phase1(config, train, val or None, inventory=inventory)
    if result.interrupted:
        console.print(
            f"interrupted after epoch {len(result.history)}: saving the best epoch so far"
        )
    # The card and config.json travel with a published checkpoint: a user's own data is named
    # by its file name, never by a path from this machine.
    shown = [name if name in known_data_sets() else Path(name).name for name in args.data]
    record_training(
        result.planner,
        data=f"{', '.join(shown)}: {len(train)} training workflows (train splits; validation held out for early stopping)",
        metrics={},
        datasets=shown,
    )
    result.planner.save_pretrained(args.out)
    best = {k: round(v, 2) for k, v in result.best.items() if k.startswith("val_")}
    if not result.interrupted:  # an interrupted run has said so above
        console.print(
            f"stopped after epoch {len(result.history)} of {args.epochs}: {result.stopped}"
        )
    console.print(f"saved {args.out} (best epoch {int(result.best['epoch'])}: {best})")
    return 130 if result.interrupted else 0


def _config(args: argparse.Namespace) -> Phase1Config:
    """The flags as a Phase1Config, checked before any data is loaded."""
    from orchestai_agents.training.phase1 import Phase1Config, resolve_device

    resolve_device(args.device)  # a bad --device fails now, not after loading the data
    _check_fine_tune_layers(args.fine_tune_layers, args.encoder)
    _check_out(args.out, args.overwrite)
    return Phase1Config(
        planner=_planner_config(args),
        out_dir=str(args.out),
        encoder_lr=args.encoder_lr,
        cache_dir=str(args.cache_dir),
        batch_size=args.batch_size,
        max_epochs=args.epochs,
        patience=args.patience,
        seed=args.seed,
        device=args.device,
        max_minutes=args.max_minutes,
        wandb_project=args.wandb_project,
        threads=args.threads,
        memory=not args.no_memory,
        ema_decay=args.ema_decay,
        int8_features=args.int8_features,
        **({"lr": args.lr} if args.lr is not None else {}),
    )


# What else training writes into --out (a project root's own files, with ``--out .``), and why
# that would lose them.
_ALSO_WRITTEN = {
    "README.md": "the planner's model card would replace it",
    "tensorboard/": "training would log its runs among the ones there",
}


def _check_out(out: Path, overwrite: bool) -> None:
    """Refuse to train into a folder that holds a checkpoint, metrics, a README.md or a
    tensorboard/ folder, unless asked to."""
    if overwrite:
        return
    kept = ("config.json", "model.safetensors", "metrics.csv")
    found = [name for name in kept if (out / name).exists()]
    if found:
        raise ConfigError(
            f"--out {out} already holds a trained planner ({', '.join(found)}); choose a new "
            "folder, or pass --overwrite to replace it"
        )
    for name, loss in _ALSO_WRITTEN.items():
        if (out / name).exists():
            raise ConfigError(
                f"--out {out} holds {name}, and {loss}; choose a new folder, or pass "
                "--overwrite to write over it"
            )


def _check_fine_tune_layers(layers: int, encoder: str | None) -> None:
    """Refuse more fine-tuned layers than the encoder has, from its config.json alone."""
    if not layers:
        return
    from transformers import AutoConfig

    from orchestai_agents.encoders import default_encoder_path

    source = encoder or default_encoder_path()
    try:
        depth = AutoConfig.from_pretrained(source, trust_remote_code=False).num_hidden_layers
    except (OSError, ValueError, AttributeError):
        return  # loading the encoder itself then says what is wrong with it
    if layers > depth:
        raise ConfigError(
            f"--fine-tune-layers {layers}: the encoder {source!r} has {depth} transformer "
            f"layers; give 1 to {depth}, or 0 to keep it frozen"
        )


def _planner_config(args: argparse.Namespace) -> PlannerConfig:
    from orchestai_agents.planner import DecomposerConfig, EncoderConfig, GraphConfig, PlannerConfig

    try:
        return PlannerConfig(
            encoder=EncoderConfig(
                name_or_path=args.encoder,
                trainable=args.fine_tune_layers > 0,
                trainable_layers=args.fine_tune_layers or None,
            ),
            decomposer=DecomposerConfig(
                hidden_size=args.hidden,
                lexical_match=not args.no_lexical_match,
                known_type_embeddings=not args.no_known_types,
            ),
            graph=GraphConfig(conv=args.conv),
        )
    except ConfigError as exc:  # only its derived sizes can fail: --hidden against the fixed heads
        raise ConfigError(f"--hidden {args.hidden} does not fit the planner: {exc}") from exc
