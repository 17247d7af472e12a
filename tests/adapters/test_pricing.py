import warnings

import pytest
from orchestai_agents.adapters.pricing import PRICE_TABLE, price_for


@pytest.mark.parametrize(
    ("name", "input_usd", "output_usd"),
    [
        ("gpt-4o", 2.50, 10.00),
        ("gpt-4o-mini-2024-07-18", 0.15, 0.60),  # longest prefix wins over gpt-4o
        ("openai:gpt-4.1-nano", 0.10, 0.40),  # provider prefix dropped
        ("claude-3-5-sonnet-20241022", 3.00, 15.00),
        ("models/gemini-2.5-flash-lite", 0.10, 0.40),
        ("mistral-large-latest", 2.00, 6.00),
        ("GPT-4-0613", 30.00, 60.00),  # case-insensitive
        ("anthropic.claude-3-5-sonnet-20240620-v1:0", 3.00, 15.00),  # Bedrock id
        ("azure/gpt-4o-mini", 0.15, 0.60),
    ],
)
def test_price_matches_by_prefix(name: str, input_usd: float, output_usd: float) -> None:
    cost = price_for(name)
    assert cost.usd_per_input_token * 1e6 == pytest.approx(input_usd)
    assert cost.usd_per_output_token * 1e6 == pytest.approx(output_usd)
    assert cost.usd_per_call == 0


def test_unknown_model_is_free_with_a_warning_that_says_what_to_do() -> None:
    with pytest.warns(
        UserWarning, match=r"no price known for chat model 'my-own-llm'.*cost=CostModel"
    ):
        cost = price_for("my-own-llm")
    assert (cost.usd_per_input_token, cost.usd_per_output_token) == (0, 0)


def test_a_family_name_inside_another_word_does_not_match() -> None:
    with pytest.warns(UserWarning):
        assert price_for("myo1-model") == price_for("unknown-model")


def test_known_model_does_not_warn() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cost = price_for("claude-sonnet-4-20250514")
    assert (cost.usd_per_input_token * 1e6, cost.usd_per_output_token * 1e6) == pytest.approx(
        (3.00, 15.00)
    )


def test_table_prices_are_positive_and_output_not_cheaper() -> None:
    for name, (input_usd, output_usd) in PRICE_TABLE.items():
        assert 0 < input_usd <= output_usd, name
