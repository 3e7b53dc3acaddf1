# `make train` and `make test` set everything up on a fresh machine with Python 3.11,
# 3.12 or 3.13: `make PYTHON=python3.13 test`.
PYTHON ?= python3
# One virtualenv at a time: a different PYTHON, or a changed requirements.txt or Chainer
# patch, rebuilds it. `make VENV=.venv-3.13 PYTHON=python3.13 test` keeps one beside it.
VENV ?= .venv
PY := $(VENV)/bin/python
PYVER := $(shell $(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)
CHAINER := chainer-7.8.1
PATCH := patches/$(CHAINER).patch
STAMP := $(VENV)/.installed-$(PYVER)-$(shell cat requirements.txt $(PATCH) | cksum | cut -d' ' -f1)
ARGS ?=
TESTS ?= tests
# `make setup PIP_ARGS="--no-index --find-links wheelhouse"` installs from a wheelhouse alone.
PIP_ARGS ?=
WHEELHOUSE ?= wheelhouse
# For another machine's Python:
#   WHEEL_TARGET="--python-version 3.12 --platform manylinux_2_28_x86_64 --platform manylinux2014_x86_64"
WHEEL_TARGET ?=

.PHONY: setup train test lint bench bench-peers wheelhouse

setup: $(STAMP)

# Chainer 7.8.1 (its last release) is built from its source with the few lines that
# numpy 2 and Python 3.12 need changed ($(PATCH) says which and why). Its setup.py and
# its import-time check use pkg_resources, which setuptools 82 dropped: the build runs
# without isolation (which would take the newest setuptools), on the venv's older one.
$(STAMP): requirements.txt $(PATCH)
	@test -n "$(PYVER)" || { echo "error: $(PYTHON) does not run here; name a Python 3.11, \
	3.12 or 3.13: make PYTHON=python3.13 ..." >&2; exit 1; }
	@case "$(PYVER)" in 3.11|3.12|3.13) ;; *) echo "error: $(PYTHON) is Python $(PYVER); \
	async-rl supports 3.11, 3.12 and 3.13: make PYTHON=python3.13 ..." >&2; exit 1;; esac
	$(PYTHON) -m venv --clear $(VENV)
	$(PY) -m pip install -q $(PIP_ARGS) --upgrade "pip<25" "setuptools<70" wheel
	$(PY) -m pip download -q $(PIP_ARGS) --no-deps --no-binary :all: --no-build-isolation \
		-d $(VENV)/src $(CHAINER:chainer-%=chainer==%)
	tar xzf $(VENV)/src/$(CHAINER).tar.gz -C $(VENV)/src
	patch -s -d $(VENV)/src/$(CHAINER) -p1 < $(PATCH)
	$(PY) -m pip install -q $(PIP_ARGS) --no-build-isolation -r requirements.txt $(VENV)/src/$(CHAINER)
	touch $@

train: $(STAMP)
	$(PY) a3c_ale.py $(shell nproc) pong $(ARGS)

test: $(STAMP)
	$(PY) -m pytest -q $(TESTS) $(ARGS)

lint: $(STAMP)
	$(PY) -m ruff check .

# Throughput table (bench.json beside it); bench-peers adds ChainerRL and PFRL, measured
# by ../shared/bench/peers/ in the same invocation, and prints the ratios.
bench: $(STAMP)
	$(PY) bench.py $(ARGS)

bench-peers: $(STAMP)
	$(PY) bench.py --methods a3c-ff,a3c-lstm --peers $(ARGS)

# Every package setup installs, for a machine whose pip cannot reach the index: Chainer's
# source (setup patches and builds it there), and the other packages and Chainer's own
# requirements as wheels for WHEEL_TARGET (this machine's Python if empty).
wheelhouse: $(STAMP)
	mkdir -p $(WHEELHOUSE) && cp $(VENV)/src/$(CHAINER).tar.gz $(WHEELHOUSE)/
	$(PY) -m pip download -q --only-binary=:all: -d $(WHEELHOUSE) $(WHEEL_TARGET) \
		"pip<25" "setuptools<70" wheel filelock six typing_extensions -r requirements.txt
