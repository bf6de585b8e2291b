# kanat: two commands do everything on a fresh Debian machine with Python 3.11.
#   make demo   set up .venv and choreograph the built-in demo music into out/demo
#   make test   set up .venv (with test tools) and run the whole test suite
#   make bench  run the benchmarks (kanat beside the peers it replaces)

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip --disable-pip-version-check -q
STAMP  := $(VENV)/.kanat-runtime
DEVSTAMP := $(VENV)/.kanat-dev

.PHONY: demo test bench system-test-deps clean

demo: $(STAMP)
	$(VENV)/bin/kanat demo --out out/demo

test: $(DEVSTAMP) system-test-deps
	$(PY) -m pytest -q --durations=15

bench: $(DEVSTAMP)
	@for b in benchmarks/*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

# pinned dependencies; the stamp records which lock file was installed
$(STAMP): requirements.lock pyproject.toml | $(VENV)/bin/python
	$(PIP) install -r requirements.lock
	$(PIP) install --no-deps --no-build-isolation -e . || $(PIP) install --no-deps -e .
	$(PY) scripts/warm_cache.py  # numba compiles librosa's kernels once, before anything runs in parallel
	touch $@

$(DEVSTAMP): $(STAMP) requirements-dev.lock
	$(PIP) install -r requirements-dev.lock
	touch $@

# Tools the tests use when present: Debian's Blender checks the BVH/glTF
# exports (installed when we are root with apt), three.js (npm, pinned in
# tests/js/package-lock.json) loads the glTF as a web page would. Without
# them those tests skip and say why. Debian's chromium runs the studio's browser
# test (Playwright drives it; Playwright's own browser download is not used).
system-test-deps:
	@if ! command -v blender >/dev/null 2>&1 && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "installing Debian's blender for the export tests"; \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends blender >/dev/null) \
		|| echo "blender could not be installed; the Blender tests will skip"; \
	fi
	@if ! command -v chromium >/dev/null 2>&1 && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "installing Debian's chromium for the studio's browser test"; \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null) \
		|| echo "chromium could not be installed; the studio's browser test will skip"; \
	fi
	@if command -v npm >/dev/null 2>&1 && [ ! -d tests/js/node_modules/three ]; then \
		(cd tests/js && npm ci --silent --no-audit --no-fund) || echo "three.js could not be installed; its test will skip"; \
	fi

clean:
	rm -rf $(VENV) out .pytest_cache
