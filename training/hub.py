"""Publishing planner checkpoints: push to the Hugging Face Hub, or seed a local Hub cache.

Both go through huggingface_hub: :func:`publish_planner` is the mixin's ``push_to_hub`` with a
model card filled from training results; :func:`seed_hub_cache` lays a checkpoint folder out as
the Hub cache does, so ``Planner.from_pretrained("org/name")`` works on an air-gapped machine
under ``HF_HUB_OFFLINE=1``.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Mapping
from pathlib import Path

from huggingface_hub import constants

from orchestai_agents._internal._secrets import redact
from orchestai_agents.errors import CheckpointError, HubError
from orchestai_agents.planner import Planner
from orchestai_agents.planner.checkpoint import HTTP_CLIENT_ERRORS
from orchestai_agents.planner.routing import ROUTER_WORKERS_FILE
from orchestai_agents.planner.selector import SELECTOR_CONFIG_FILE, SELECTOR_WEIGHTS_FILE

__all__ = ["CHECKPOINT_FILES", "publish_planner", "record_training", "seed_hub_cache"]

# The planner's files, then its optional router's (written when the planner has one).
CHECKPOINT_FILES = (
    "config.json",
    "model.safetensors",
    "README.md",
    SELECTOR_CONFIG_FILE,
    SELECTOR_WEIGHTS_FILE,
    ROUTER_WORKERS_FILE,
)


def record_training(
    planner: Planner,
    *,
    data: str,
    metrics: Mapping[str, float],
    intended_use: str | None = None,
    datasets: list[str] | None = None,
) -> Planner:
    """Store what the model card reports (training data, metrics, intended use) in the config."""
    meta = planner.config.metadata
    meta["training_data"] = data
    meta.setdefault("metrics", {}).update({k: float(v) for k, v in metrics.items()})
    if intended_use:
        meta["intended_use"] = intended_use
    if datasets:
        meta["datasets"] = datasets
    return planner


def publish_planner(
    planner: Planner,
    repo_id: str,
    *,
    token: str | None = None,
    private: bool | None = None,
    commit_message: str = "Upload orchestai-agents planner",
) -> str:
    """Push weights (safetensors, no encoder), ``config.json`` and the model card; returns the commit URL.

    Raises:
        HubError: when the Hub cannot be reached or refuses the push; the checkpoint is untouched.
    """
    try:
        if private:
            _refuse_a_public_repo(repo_id, token)
        return str(
            planner.push_to_hub(
                repo_id, token=token, private=private, commit_message=commit_message
            )
        )
    # huggingface_hub's own errors (offline mode, no token, HTTP refusals) are OSErrors; a network
    # failure below them is its HTTP client's error, whichever client this version uses.
    except (OSError, *HTTP_CLIENT_ERRORS) as exc:
        raise HubError(
            f"could not push to {repo_id}: {_first_line(exc)}; check the network "
            "(HF_HUB_OFFLINE must be unset), your token (hf auth login or HF_TOKEN) and "
            "that you may write to that repo"
        ) from exc


def _refuse_a_public_repo(repo_id: str, token: str | None) -> None:
    """The Hub keeps an existing repo's visibility, whatever ``private`` says: weights meant to
    be private would go public."""
    from huggingface_hub import HfApi
    from huggingface_hub.errors import RepositoryNotFoundError

    try:
        info = HfApi(token=token).model_info(repo_id)
    except RepositoryNotFoundError:
        return  # push_to_hub creates it, private
    if not info.private:
        raise HubError(
            f"{repo_id} already exists and is public: private=True (--private) does not change "
            "an existing repo's visibility, so the weights would be public; make the repo private "
            "on the Hub first, or publish to a new repo"
        )


def _first_line(exc: BaseException) -> str:
    """The first line of an error's message (its type when it has none), keys redacted."""
    lines = redact(str(exc)).splitlines()
    return lines[0] if lines else type(exc).__name__


def seed_hub_cache(
    folder: str | Path, repo_id: str, *, cache_dir: str | Path | None = None, revision: str = "main"
) -> Path:
    """Copy a saved checkpoint into the Hub cache as ``repo_id`` at ``revision``; returns the snapshot.

    Raises:
        CheckpointError: if ``folder`` lacks ``config.json`` or ``model.safetensors``.
    """
    folder = Path(folder)
    missing = [f for f in CHECKPOINT_FILES[:2] if not (folder / f).is_file()]
    if missing:
        raise CheckpointError(
            f"{folder} is not a planner checkpoint: {missing} missing; save it with save_pretrained"
        )
    digest = hashlib.sha1()
    for name in CHECKPOINT_FILES:
        if (folder / name).is_file():
            digest.update(name.encode() + b"\x00" + (folder / name).read_bytes())
    commit = digest.hexdigest()
    repo = Path(cache_dir or constants.HF_HUB_CACHE) / f"models--{repo_id.replace('/', '--')}"
    snapshot = repo / "snapshots" / commit
    snapshot.mkdir(parents=True, exist_ok=True)
    for name in CHECKPOINT_FILES:
        if (folder / name).is_file():
            shutil.copyfile(folder / name, snapshot / name)
    (repo / "refs").mkdir(exist_ok=True)
    (repo / "refs" / revision).write_text(commit)
    return snapshot
