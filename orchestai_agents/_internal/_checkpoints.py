"""Checkpointers revive only plain data: a tampered checkpoint database must run no code."""

from __future__ import annotations

from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer
from langgraph.types import Checkpointer


def strict_checkpointer(checkpointer: Checkpointer) -> Checkpointer:
    """Switch a checkpointer on LangGraph's default serializer to strict msgpack.

    The default revives any ``module.callable`` named in the data (with only a warning unless
    ``LANGGRAPH_STRICT_MSGPACK`` is set); strict mode still round-trips LangChain messages. A
    custom serializer (an encrypting one, say) is the user's choice and is left as it is.
    """
    serde = getattr(checkpointer, "serde", None)
    if type(serde) is JsonPlusSerializer and serde._allowed_msgpack_modules is not None:
        checkpointer.serde = JsonPlusSerializer(allowed_msgpack_modules=None)
    return checkpointer
