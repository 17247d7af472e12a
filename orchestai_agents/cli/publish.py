"""``orchestai publish``: push a planner checkpoint to the Hugging Face Hub, or show what would go."""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from orchestai_agents._internal._secrets import redact
from orchestai_agents.cli._display import console, print_json, table


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "publish",
        help="push a planner checkpoint to the Hugging Face Hub (or --dry-run to see what would go)",
    )
    parser.add_argument(
        "checkpoint", type=Path, help="planner folder written by save_pretrained / orchestai train"
    )
    parser.add_argument(
        "--repo", type=_repo_id, required=True, help="Hub repo id, e.g. user/orchestai-planner"
    )
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="list the files and print the model card; upload nothing",
    )
    parser.add_argument(
        "--private",
        action="store_true",
        help="create the repo as private (a repo that exists and is public is refused)",
    )
    parser.add_argument(
        "--json", action="store_true", help="print what would be (or was) uploaded as JSON"
    )
    parser.set_defaults(func=run)


def _repo_id(text: str) -> str:
    from huggingface_hub.errors import HFValidationError
    from huggingface_hub.utils import validate_repo_id

    try:
        validate_repo_id(text)
    except HFValidationError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a Hub repo id: {exc}") from None
    return text


def _refuse_a_local_encoder(encoder: str | None) -> None:
    """A checkpoint loads its encoder by the name in config.json: a folder of this machine's
    makes it unloadable anywhere else."""
    if encoder is None or not Path(encoder).expanduser().exists():
        return  # the offline default, or a Hub id
    from orchestai_agents.errors import ConfigError

    raise ConfigError(
        f"the planner's encoder is the local folder {encoder}, which no one who downloads the "
        "checkpoint has; retrain with --encoder set to its Hub id, or set encoder.name_or_path "
        "in config.json to the Hub id of the same weights"
    )


def run(args: argparse.Namespace) -> int:
    from orchestai_agents.planner import Planner

    planner = Planner.from_pretrained(str(args.checkpoint))
    _refuse_a_local_encoder(planner.config.encoder.name_or_path)
    if not args.dry_run:
        from orchestai_agents.training.hub import publish_planner

        url = publish_planner(planner, args.repo, private=args.private or None)
        print_json({"repo": args.repo, "commit": url}) if args.json else console.print(
            f"published: {url}"
        )
        return 0
    with tempfile.TemporaryDirectory() as staging:
        # The same save the mixin's push_to_hub does before uploading the folder.
        planner.save_pretrained(staging)
        files = sorted(p for p in Path(staging).rglob("*") if p.is_file())
        card = redact((Path(staging) / "README.md").read_text(encoding="utf-8"))
        listing = [(str(p.relative_to(staging)), p.stat().st_size) for p in files]
    if args.json:
        print_json({"repo": args.repo, "files": dict(listing), "model_card": card})
        return 0
    table(f"Would upload to {args.repo}", ["file", "bytes"], listing)
    console.print(card, markup=False, highlight=False)
    return 0
