"""Strict, encoder-free checkpoints for the Hub mixin.

``PyTorchModelHubMixin`` saves every weight and loads with ``strict=False``. A planner checkpoint
leaves out the frozen encoder (it is referenced by name in ``config.json``) and must load every other
weight: a missing or unexpected one raises :class:`CheckpointError` naming it.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any, TypeVar

import torch
from huggingface_hub import ModelCard, hf_hub_download
from huggingface_hub.errors import (
    EntryNotFoundError,
    GatedRepoError,
    HfHubHTTPError,
    HFValidationError,
    OfflineModeIsEnabled,
    RepositoryNotFoundError,
    RevisionNotFoundError,
)
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file

from orchestai_agents._internal._secrets import redact
from orchestai_agents.errors import CheckpointError, ConfigError, HubError, OrchestAIError
from orchestai_agents.planner.config import PlannerConfig

__all__ = ["WEIGHTS_NAME", "StrictHubLoading", "checkpoint_state"]

WEIGHTS_NAME = "model.safetensors"
ARCHITECTURE_SECTIONS = ("encoder", "decomposer", "graph")
T = TypeVar("T", bound="StrictHubLoading")


def checkpoint_state(model: torch.nn.Module) -> dict[str, torch.Tensor]:
    """The weights a checkpoint holds: everything but the frozen encoder."""
    frozen = model.encoder.frozen  # type: ignore[attr-defined]
    return {
        k: v.detach().contiguous()
        for k, v in model.state_dict().items()
        if not (k.startswith("encoder.") and frozen(k[len("encoder.") :]))
    }


class StrictHubLoading:
    """Overrides of the mixin's weight I/O; mix in before ``PyTorchModelHubMixin``."""

    @classmethod
    def from_pretrained(
        cls: type[T], pretrained_model_name_or_path: str | Path, *args: Any, **kwargs: Any
    ) -> T:
        """The mixin's loader, with errors that say what to check.

        Raises:
            CheckpointError: naming a bad or missing config.json (one that is not a planner config
                included), or a source that is neither a checkpoint folder nor a Hub repo that can
                be fetched: no such (or a private) repo, no such revision, no such file.
            HubError: when the Hub refuses the repo (gated) or fails (any other HTTP error).
        """
        source = str(pretrained_model_name_or_path)
        if Path(source).is_file():
            raise CheckpointError(
                f"{source} is a file; pass the planner folder save_pretrained wrote, or a Hub repo id"
            )
        if _looks_local(source) and not Path(source).exists():
            raise CheckpointError(
                f"{source}: no such folder; pass the planner folder save_pretrained wrote, or a "
                "Hub repo id (org/name)"
            )
        try:
            _check_config(source, kwargs)
            # The mixin prints "Loading weights from local directory" to stdout, which would
            # corrupt a CLI's --json output.
            with contextlib.redirect_stdout(sys.stderr):
                model = super().from_pretrained(pretrained_model_name_or_path, *args, **kwargs)  # type: ignore[misc]
            folder = _router_folder(source, kwargs)
        # The mixin takes any source that is not a folder for a Hub repo id.
        except (HFValidationError, EntryNotFoundError, HfHubHTTPError) as exc:
            raise _not_fetched(source, kwargs.get("revision"), exc) from exc
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise CheckpointError(
                f"{source}/config.json is not valid JSON ({exc}); re-save the planner with save_pretrained"
            ) from exc
        except ConfigError as exc:
            raise CheckpointError(
                f"{source}/config.json describes no valid planner ({exc}); pass a folder written "
                "by `orchestai train` (or re-save the planner with save_pretrained)"
            ) from exc
        except TypeError as exc:
            # The mixin builds the planner without its config when it found no config.json.
            if "required positional argument: 'config'" not in str(exc):
                raise
            raise _no_config(source) from exc
        if folder is not None:
            from orchestai_agents.planner.routing import Router

            model.attach_router(Router.load(folder, model.embed_for_routing))  # type: ignore[attr-defined]
        return model

    def save_pretrained(self, save_directory: str | Path, *args: Any, **kwargs: Any) -> Any:
        """The mixin's save (also the first step of ``push_to_hub``), made safe to repeat.

        The files are written into a staging folder beside ``save_directory`` and moved into it one
        by one, weights first, so a save that crashes leaves the last complete files in place (phase
        1 re-saves its best epoch into the same folder). Writing afresh also rewrites the model card,
        which the mixin would keep from the first save. ``config.json`` is ``self.config`` whole, as
        it is now. Keys are redacted from the config and the card: training notes must not carry an
        API key to the Hub.
        """
        # The mixin would write the config it captured when the planner was built (push_to_hub
        # passes that one on): only the keys a dict given to Planner() had, and none of the edits
        # made to self.config since. The weights and the card follow self.config.
        kwargs["config"] = self.config.to_dict()  # type: ignore[attr-defined]
        try:  # edits to self.config are checked only here: a checkpoint must load again
            PlannerConfig.from_dict(kwargs["config"])
        except ConfigError as exc:
            raise ConfigError(
                f"not saved: planner.config was edited into a config no planner loads ({exc}); "
                "set that field back to a valid value, then save again"
            ) from None
        target = Path(save_directory)
        target.mkdir(parents=True, exist_ok=True)
        if kwargs.get("push_to_hub") and kwargs.get("repo_id") is None:
            # The mixin would name the repo after the staging folder.
            kwargs["repo_id"] = target.name
        with tempfile.TemporaryDirectory(
            dir=target.parent, prefix=f".{target.name}.saving-"
        ) as tmp:
            result = super().save_pretrained(tmp, *args, **kwargs)  # type: ignore[misc]
            _move_saved(Path(tmp), target)
        return result

    def _save_pretrained(self, save_directory: Path) -> None:
        save_file(
            checkpoint_state(self),
            str(Path(save_directory) / WEIGHTS_NAME),
            metadata={"format": "pt"},
        )  # type: ignore[arg-type]
        if self.router is not None:  # type: ignore[attr-defined]
            self.router.save(save_directory)  # type: ignore[attr-defined]

    @classmethod
    def _load_as_safetensor(
        cls: type[T], model: T, model_file: str, map_location: str, strict: bool
    ) -> T:
        try:
            state = load_file(model_file, device=str(map_location))
        except (OSError, SafetensorError) as exc:
            raise CheckpointError(f"cannot read planner weights {model_file}: {exc}") from exc
        load_strict(model, state, source=model_file)
        model.eval()  # type: ignore[attr-defined]
        return model

    @classmethod
    def _load_as_pickle(cls, model: Any, model_file: str, map_location: str, strict: bool) -> Any:
        raise CheckpointError(
            f"{model_file} is a pickle checkpoint; planners load only from model.safetensors (pickles can run code)"
        )

    def generate_model_card(self, *args: Any, **kwargs: Any) -> ModelCard:
        from orchestai_agents.planner.card import model_card

        return model_card(self.config)  # type: ignore[attr-defined]


def load_strict(model: torch.nn.Module, state: dict[str, torch.Tensor], *, source: str) -> None:
    """Load ``state`` into ``model``; every expected weight must be there with its shape."""
    expected = checkpoint_state(model)
    missing = sorted(set(expected) - set(state))
    unexpected = sorted(set(state) - set(expected))
    if missing or unexpected:
        raise CheckpointError(
            f"planner checkpoint {source} does not fit the model built from its config.json: "
            f"missing {missing[:8]}{'...' if len(missing) > 8 else ''}, unexpected "
            f"{unexpected[:8]}{'...' if len(unexpected) > 8 else ''}; re-save it with save_pretrained"
        )
    wrong = [k for k, v in state.items() if v.shape != expected[k].shape]
    if wrong:
        raise CheckpointError(
            f"planner checkpoint {source}: weight(s) {wrong[:8]} have shapes that do not match config.json"
        )
    model.load_state_dict(state, strict=False)


def _move_saved(staging: Path, target: Path) -> None:
    """Move a save's files from ``staging`` into ``target``, weights first, with keys redacted
    from the config and the card. A router file the save did not write belongs to an earlier
    checkpoint (its router read another encoder): it is removed, not left to load."""
    from orchestai_agents.planner.routing import ROUTER_WORKERS_FILE
    from orchestai_agents.planner.selector import SELECTOR_CONFIG_FILE, SELECTOR_WEIGHTS_FILE

    for name in ("config.json", "README.md"):
        path = staging / name
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            if redact(text) != text:
                path.write_text(redact(text), encoding="utf-8")
    written = sorted(staging.iterdir(), key=lambda p: p.suffix != ".safetensors")
    for path in written:
        os.replace(path, target / path.name)
    stale = {SELECTOR_WEIGHTS_FILE, SELECTOR_CONFIG_FILE, ROUTER_WORKERS_FILE}
    for name in stale - {p.name for p in written}:
        (target / name).unlink(missing_ok=True)


# The HTTP client's own errors (httpx in huggingface_hub 1.x, httpx2 in 2.x): a network failure
# below the Hub's. requests' errors (0.x) are OSErrors.
HTTP_CLIENT_ERRORS = tuple(b for b in HfHubHTTPError.__bases__ if b is not OSError)


def _no_config(source: str) -> CheckpointError:
    return CheckpointError(
        f"{source} has no planner config.json; a checkpoint is config.json beside "
        "model.safetensors, as save_pretrained writes them"
    )


def _not_fetched(source: str, revision: str | None, exc: Exception) -> OrchestAIError:
    """What to check when ``source`` at ``revision`` could not be fetched as a Hub repo."""
    # A Hub failure with nothing cached to fall back on comes as the cause of a "not in the cache".
    http = exc if isinstance(exc, HfHubHTTPError) else exc.__cause__
    if isinstance(http, HfHubHTTPError) and not isinstance(http, EntryNotFoundError):
        return _hub_refusal(source, revision, http)
    if isinstance(exc.__cause__, OfflineModeIsEnabled):
        return CheckpointError(
            f"{source} is no planner folder here, and HF_HUB_OFFLINE is set, so it is not fetched "
            "from the Hub: check the path, or fetch the repo once online (a Hub planner offline "
            "must already be in the cache)"
        )
    if isinstance(exc.__cause__, (*HTTP_CLIENT_ERRORS, ConnectionError, TimeoutError)):
        return HubError(
            f"could not reach the Hub to fetch {source} (revision {revision or 'main'}), and it "
            f"is not in the cache ({redact(str(exc.__cause__)).splitlines()[0]}); check the "
            "network and any proxy settings, or pass a local checkpoint folder"
        )
    return CheckpointError(
        f"{source} is neither a planner folder nor a Hub repo whose checkpoint files could "
        f"be fetched ({type(exc).__name__}); check the path or the repo id (offline, a Hub "
        "planner must already be in the cache)"
    )


def _hub_refusal(source: str, revision: str | None, exc: HfHubHTTPError) -> OrchestAIError:
    """What to check when the Hub would not hand over ``source`` at ``revision``."""
    repo = f"Hub repo {source} (revision {revision or 'main'})"
    login = "log in with `hf auth login` or set HF_TOKEN"
    if isinstance(exc, GatedRepoError):
        return HubError(f"{repo} is gated: accept its conditions on its Hub page, then {login}")
    if isinstance(exc, RepositoryNotFoundError):  # the Hub answers so for a private repo too
        return CheckpointError(
            f"{repo} does not exist or is private: check the repo id's spelling, and for a "
            f"private repo {login}"
        )
    if isinstance(exc, RevisionNotFoundError):
        return CheckpointError(
            f"{repo}: no such revision; check the branch, tag or commit given as revision"
        )
    return HubError(
        f"{repo} could not be fetched (HTTP {exc.response.status_code}); check the network, the "
        f"repo id and your access to it ({login})"
    )


def _looks_local(source: str) -> bool:
    """A path no Hub repo id can be: absolute, relative to . or ~, or of more than two parts."""
    return source.startswith(("/", ".", "~", "\\")) or len(Path(source).parts) > 2


def _check_config(source: str, hub_kwargs: dict[str, Any]) -> None:
    """Build a :class:`PlannerConfig` from the source's config.json, before the mixin reads it.

    The mixin fails on a config.json that is no JSON object with an AttributeError; this raises
    the :class:`ConfigError` that names what is wrong. A local folder without a config.json is
    named here, before the mixin logs its own warning about it; from the Hub, the mixin then
    calls the model without a config, which ``from_pretrained`` reports.
    """
    if Path(source).is_dir():
        path = Path(source) / "config.json"
        if not path.is_file():
            raise _no_config(source)
    else:
        path = Path(hf_hub_download(source, "config.json", **_hub_options(hub_kwargs)))
    data = json.loads(path.read_text(encoding="utf-8"))
    PlannerConfig.from_dict(data)
    # A dict given to Planner() may leave sections to their defaults; a saved checkpoint has them
    # all, and the weights fit only the shapes they give.
    lacking = [k for k in ARCHITECTURE_SECTIONS if k not in data]
    if lacking:
        raise ConfigError(
            f"it lacks the section(s) {lacking}, which set the weights' shapes "
            f"(a checkpoint's config.json has {list(ARCHITECTURE_SECTIONS)})"
        )


def _hub_options(hub_kwargs: dict[str, Any]) -> dict[str, Any]:
    """The download options of a ``from_pretrained`` call that ``hf_hub_download`` takes too."""
    return {
        k: hub_kwargs[k]
        for k in ("revision", "cache_dir", "force_download", "token", "local_files_only")
        if hub_kwargs.get(k) is not None
    }


def _router_folder(source: str, hub_kwargs: dict[str, Any]) -> Path | None:
    """The folder holding the checkpoint's router files, or ``None`` when it has no router.

    A local folder is read as it is; a Hub repo's router files are fetched like its weights
    (same revision, cache and offline rules). A checkpoint without them simply has no router.
    """
    from orchestai_agents.planner.routing import ROUTER_WORKERS_FILE
    from orchestai_agents.planner.selector import SELECTOR_CONFIG_FILE, SELECTOR_WEIGHTS_FILE

    if Path(source).is_dir():
        return Path(source) if (Path(source) / SELECTOR_CONFIG_FILE).is_file() else None
    options = _hub_options(hub_kwargs)
    try:
        files = [
            hf_hub_download(source, name, **options)
            for name in (SELECTOR_CONFIG_FILE, SELECTOR_WEIGHTS_FILE)
        ]
    except EntryNotFoundError:  # LocalEntryNotFoundError too: offline, never downloaded
        return None
    with contextlib.suppress(EntryNotFoundError):
        hf_hub_download(source, ROUTER_WORKERS_FILE, **options)
    return Path(files[0]).parent
