import pytest
from langchain_tests.unit_tests import EmbeddingsUnitTests
from orchestai_agents.adapters.embeddings import (
    MiniLMEmbeddings,
    PassageRankTool,
    task_text_sources,
)

from orchestai_agents.errors import InputFileError
from orchestai_agents.plan import planned_description
from orchestai_agents.task_types import BUILTIN_TASK_TYPES


class TestMiniLMEmbeddingsStandard(EmbeddingsUnitTests):
    @property
    def embeddings_class(self) -> type[MiniLMEmbeddings]:
        return MiniLMEmbeddings


def test_nothing_to_rank_says_what_to_give(make_task) -> None:
    with pytest.raises(InputFileError, match="no text to rank"):
        PassageRankTool().execute(make_task())


def test_text_inputs_are_decoded_like_extract_text_decodes_them(tmp_path, make_task) -> None:
    utf16 = tmp_path / "notes.txt"
    utf16.write_text("Café notes", encoding="utf-16")  # with a BOM
    legacy = tmp_path / "minutes.md"
    legacy.write_bytes("Résumé – draft".encode("cp1252"))
    tool = PassageRankTool(allowed_dirs=[str(tmp_path)])
    task = make_task(inputs=[utf16, legacy])
    assert task_text_sources(tool, task) == ["Café notes", "Résumé – draft"]


def test_empty_document_list() -> None:
    assert MiniLMEmbeddings().embed_documents([]) == []


@pytest.mark.slow
def test_real_minilm_embeddings_are_normalised_and_semantic() -> None:
    emb = MiniLMEmbeddings()
    cat, kitten, invoice = emb.embed_documents(
        ["a cat sleeps on the sofa", "a kitten naps on the couch", "pay the invoice by Friday"]
    )
    assert len(cat) == 384
    assert sum(x * x for x in cat) == pytest.approx(1.0, abs=1e-4)
    dot = lambda a, b: sum(x * y for x, y in zip(a, b, strict=True))  # noqa: E731
    assert dot(cat, kitten) > dot(cat, invoice) + 0.3
    assert emb.embed_query("a cat sleeps on the sofa") == pytest.approx(cat, abs=1e-5)


@pytest.mark.slow
def test_passages_of_the_paper_ranked_against_the_step(paper_pdf, make_task) -> None:
    from orchestai_agents.adapters.pdf_text import PdfTextTool

    text, _ = PdfTextTool().execute(make_task(inputs=[paper_pdf]))
    task = make_task(
        description="How much does routing reduce the cost?", context={"extract": {"text": text}}
    )
    ranked, files = PassageRankTool(top_k=3).execute(task)
    lines = ranked.splitlines()
    assert files == [] and len(lines) == 3 and lines[0].startswith("1. [")
    assert "cost" in lines[0].lower()
    scores = [float(line.split("[", 1)[1].split("]", 1)[0]) for line in lines]
    assert scores == sorted(scores, reverse=True)


@pytest.mark.slow
def test_a_planned_step_ranks_by_the_request_words_alone(paper_pdf, make_task) -> None:
    # The planner describes the step as the embed type's description ("Embed texts as vectors
    # ... rank passages for search"), then the request's words; the first part is no query.
    from orchestai_agents.adapters.pdf_text import PdfTextTool

    text, _ = PdfTextTool().execute(make_task(inputs=[paper_pdf]))
    asked = "the limitations of the planner"

    def ranked(description: str) -> str:
        task = make_task(description=description, context={"extract": {"text": text}})
        return PassageRankTool(top_k=3).execute(task)[0]

    assert ranked(planned_description(BUILTIN_TASK_TYPES["embed"], asked)) == ranked(asked)
