"""orchestai-agents: a learned planner as a drop-in agent for LangChain and LangGraph."""
