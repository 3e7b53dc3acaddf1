# `make train` and `make test` set everything up on a fresh machine with Python 3.11.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cksum < requirements.txt | cut -d' ' -f1)
ARGS ?=
# `make setup PIP_ARGS="--no-index --find-links wheelhouse"` installs from a wheelhouse alone.
PIP_ARGS ?=
WHEELHOUSE ?= wheelhouse
# For another machine's Python:
#   WHEEL_TARGET="--python-version 3.10 --platform manylinux_2_28_x86_64 --platform manylinux2014_x86_64"
WHEEL_TARGET ?=

.PHONY: setup train test bench bench-peers wheelhouse

setup: $(STAMP)

# Chainer 7.8.1 imports numpy.distutils, which numpy 1.26 lacks on Python 3.12 and later.
$(STAMP): requirements.txt
	@$(PYTHON) -c 'import sys, platform; sys.exit(sys.version_info >= (3, 12) and "error: \
	$(PYTHON) is Python " + platform.python_version() + ", and Chainer 7.8.1 does not import \
	on 3.12 or later; name a Python 3.11: make PYTHON=python3.11 ...")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q $(PIP_ARGS) --upgrade "pip<25" "setuptools<70" wheel numpy==1.26.4
	$(PY) -m pip install -q $(PIP_ARGS) --no-build-isolation -r requirements.txt
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

# Every package setup installs, as wheels in $(WHEELHOUSE)/, for a machine whose pip
# cannot reach the index: Chainer's wheel is built here (it is pure Python), the others
# are downloaded for WHEEL_TARGET (this machine's Python if empty).
wheelhouse: $(STAMP)
	$(PY) -m pip wheel -q --no-build-isolation --no-deps -w $(WHEELHOUSE) chainer==7.8.1
	$(PY) -m pip download -q --only-binary=:all: --find-links $(WHEELHOUSE) -d $(WHEELHOUSE) \
		$(WHEEL_TARGET) "pip<25" "setuptools<70" wheel -r requirements.txt
