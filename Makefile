# `make train` and `make test` set everything up on a fresh machine with Python 3.11.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cksum < requirements.txt | cut -d' ' -f1)
ARGS ?=

.PHONY: setup train test bench bench-peers

setup: $(STAMP)

$(STAMP): requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade "pip<25" "setuptools<70" wheel numpy==1.26.4
	$(PY) -m pip install -q --no-build-isolation -r requirements.txt
	touch $@

train: $(STAMP)
	$(PY) a3c_ale.py $(shell nproc) pong $(ARGS)

test: $(STAMP)
	$(PY) -m pytest -q tests $(ARGS)

# Throughput table (bench.json beside it); bench-peers adds ChainerRL and PFRL, measured
# by ../shared/bench/peers/ in the same invocation, and prints the ratios.
bench: $(STAMP)
	$(PY) bench.py $(ARGS)

bench-peers: $(STAMP)
	$(PY) bench.py --methods a3c-ff,a3c-lstm --peers $(ARGS)
