"""Publishing without a network: a fake Hub transport for pushes, a seeded cache for loads."""

from __future__ import annotations

import importlib
import json
from collections.abc import Iterator
from pathlib import Path

import huggingface_hub
import pytest
import torch
from huggingface_hub.utils._http import default_client_factory
from orchestai_agents.training import hub

from orchestai_agents.errors import CheckpointError, HubError
from orchestai_agents.planner import DecomposerConfig, Planner, PlannerConfig

pytestmark = pytest.mark.slow  # builds planners on the offline MiniLM


def _http_library():
    """The HTTP client library this huggingface_hub calls through (httpx in 1.x, httpx2 in 2.x):
    its errors become the Hub's own (RepositoryNotFoundError, ...) only from that library."""
    client = default_client_factory()
    client.close()
    return importlib.import_module(type(client).__module__.split(".")[0])


http = _http_library()


@pytest.fixture(scope="module")
def planner() -> Planner:
    config = PlannerConfig(
        decomposer=DecomposerConfig(hidden_size=16, attention_heads=2), inventory={"a": "A tool"}
    )
    return Planner(config)


class FakeHub:
    """Answers the few Hub endpoints ``push_to_hub`` uses and records what was uploaded."""

    def __init__(self, existing: dict[str, bool] | None = None) -> None:
        self.repos: list[str] = []
        self.files: dict[str, bytes] = {}
        self.existing = existing or {}  # repo id -> private, of repos already on the Hub

    def __call__(self, request: http.Request) -> http.Response:
        path = request.url.path
        if path.startswith("/api/models/") and request.method == "GET":  # model_info
            repo = "/".join(path.split("/")[3:5])
            if repo not in self.existing:
                return http.Response(
                    404, headers={"X-Error-Code": "RepoNotFound"}, json={"error": "not found"}
                )
            return http.Response(
                200, json={"id": repo, "private": self.existing[repo], "sha": "a" * 40}
            )
        if path == "/api/repos/create":
            body = json.loads(request.content)
            repo = f"{body.get('organization') or 'me'}/{body['name']}"
            self.repos.append(repo)
            return http.Response(200, json={"url": f"https://huggingface.co/{repo}", "name": repo})
        if path == "/api/validate-yaml":  # the model card's metadata check
            return http.Response(200, json={})
        if path.endswith("/preupload/main"):
            files = json.loads(request.content)["files"]
            return http.Response(
                200,
                json={
                    "files": [
                        {"path": f["path"], "uploadMode": "regular", "shouldIgnore": False}
                        for f in files
                    ]
                },
            )
        if path.endswith("/commit/main"):
            for line in request.content.decode().splitlines():
                item = json.loads(line)
                if item["key"] == "file":
                    import base64

                    self.files[item["value"]["path"]] = base64.b64decode(item["value"]["content"])
            return http.Response(
                200,
                json={
                    "commitUrl": "https://huggingface.co/org/planner/commit/abc",
                    "commitOid": "a" * 40,
                    "success": True,
                },
            )
        return http.Response(404, json={"error": f"fake hub has no {request.method} {path}"})


@pytest.fixture
def fake_hub(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeHub]:
    fake = FakeHub()
    monkeypatch.setenv("HF_HUB_OFFLINE", "0")
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", False)
    huggingface_hub.set_client_factory(lambda: http.Client(transport=http.MockTransport(fake)))
    yield fake
    huggingface_hub.set_client_factory(
        default_client_factory
    )  # the real one, with its offline guard
    huggingface_hub.close_session()


def test_publish_uploads_weights_config_and_card(fake_hub: FakeHub, planner: Planner) -> None:
    hub.record_training(planner, data="toy workflows", metrics={"node F1": 90.0})
    url = hub.publish_planner(planner, "org/planner", token="hf_fake")
    assert "commit" in url and fake_hub.repos == ["org/planner"]
    assert {"model.safetensors", "config.json", "README.md"} <= set(fake_hub.files)
    assert b"toy workflows" in fake_hub.files["README.md"]


def test_a_private_push_to_a_repo_that_is_public_is_refused(
    fake_hub: FakeHub, planner: Planner
) -> None:
    # create_repo(exist_ok=True) leaves an existing repo's visibility as it is.
    fake_hub.existing = {"org/public": False, "org/private": True}
    with pytest.raises(HubError, match="org/public already exists and is public"):
        hub.publish_planner(planner, "org/public", token="hf_fake", private=True)
    assert fake_hub.files == {}  # nothing was uploaded
    hub.publish_planner(planner, "org/private", token="hf_fake", private=True)
    hub.publish_planner(planner, "org/new", token="hf_fake", private=True)
    assert fake_hub.repos == ["org/private", "org/new"] and "model.safetensors" in fake_hub.files


def test_load_by_repo_id_from_a_seeded_cache_offline(
    planner: Planner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    planner.save_pretrained(tmp_path / "ckpt")
    hub.seed_hub_cache(tmp_path / "ckpt", "org/planner", cache_dir=tmp_path / "cache")
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)
    loaded = Planner.from_pretrained("org/planner", cache_dir=tmp_path / "cache")
    assert loaded.config == planner.config
    with pytest.raises(CheckpointError, match="not a planner checkpoint"):
        hub.seed_hub_cache(tmp_path, "org/other", cache_dir=tmp_path / "cache")


@pytest.fixture
def routed(planner: Planner) -> Iterator[Planner]:
    """The module's planner with a router attached for one test."""
    from orchestai_agents.planner.selector import Selector, SelectorConfig, context_width

    torch.manual_seed(0)
    planner.attach_router(
        Selector(SelectorConfig(384, 384, 385, context_width(5), hidden=8)),
        [{"name": "gpt", "description": "A big model.", "usd_per_call": 0.01}],
    )
    yield planner
    planner.router = None


def test_a_router_is_published_with_the_planner(routed: Planner, fake_hub: FakeHub) -> None:
    hub.publish_planner(routed, "org/routed", token="hf_fake")
    assert {"selector.safetensors", "selector_config.json", "selector_workers.json"} <= set(
        fake_hub.files
    )


def test_a_router_loads_back_from_a_folder_and_by_repo_id(
    routed: Planner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    routed.save_pretrained(tmp_path / "ckpt")
    hub.seed_hub_cache(tmp_path / "ckpt", "org/routed", cache_dir=tmp_path / "cache")
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)
    for source in (tmp_path / "ckpt", "org/routed"):
        loaded = Planner.from_pretrained(source, cache_dir=tmp_path / "cache")
        assert loaded.router is not None and loaded.router.workers == routed.router.workers
        for (name, mine), theirs in zip(
            routed.router.selector.state_dict().items(),
            loaded.router.selector.state_dict().values(),
            strict=True,
        ):
            assert torch.equal(mine, theirs), name


@pytest.mark.parametrize(
    ("text", "problem"),
    [('[{"name": "gpt",', "is not JSON"), ('{"name": "gpt"}', "holds a dict, not a list")],
)
def test_a_corrupt_router_worker_list_is_named(
    routed: Planner, tmp_path: Path, text: str, problem: str
) -> None:
    routed.save_pretrained(tmp_path / "ckpt")
    (tmp_path / "ckpt" / "selector_workers.json").write_text(text)
    with pytest.raises(CheckpointError, match=rf"selector_workers\.json {problem}"):
        Planner.from_pretrained(tmp_path / "ckpt")


def test_a_planner_saved_without_a_router_over_one_with_it_leaves_no_router(
    routed: Planner, tmp_path: Path
) -> None:
    routed.save_pretrained(tmp_path / "ckpt")
    router, routed.router = routed.router, None
    try:
        routed.save_pretrained(tmp_path / "ckpt")  # orchestai train --overwrite, say
    finally:
        routed.router = router
    assert not list((tmp_path / "ckpt").glob("selector*"))
    assert Planner.from_pretrained(tmp_path / "ckpt").router is None


def test_a_router_for_another_encoder_is_refused(planner: Planner) -> None:
    from orchestai_agents.planner.selector import Selector, SelectorConfig, context_width

    with pytest.raises(
        CheckpointError, match="reads 32-d embeddings but this planner's encoder gives 384-d"
    ):
        planner.attach_router(Selector(SelectorConfig(32, 32, 33, context_width(5), hidden=8)))
    assert planner.router is None


@pytest.mark.parametrize(
    ("error", "named"), [(OSError(), "OSError"), (OSError("no route\nto host"), "no route")]
)
def test_a_failed_push_is_a_hub_error_with_the_first_line_of_the_cause(
    planner: Planner, monkeypatch: pytest.MonkeyPatch, error: OSError, named: str
) -> None:
    def refuse(*_: object, **__: object) -> str:
        raise error

    monkeypatch.setattr(planner, "push_to_hub", refuse)
    with pytest.raises(HubError, match=rf"could not push to org/planner: {named}; check") as info:
        hub.publish_planner(planner, "org/planner")
    assert info.value.__cause__ is error
