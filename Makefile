# gov-reports: every target works from a clean clone; `make install` is the only set-up.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
ARGS ?=
PYTEST_ARGS ?=
SCRAPYD_PORT ?= 6800
NATIVE := .govreports/native

.PHONY: install demo crawl test test-fast bench-parse bench-crawl scrapyd deploy lint clean

install: $(STAMP) $(NATIVE)/manifest.json

$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev,scrapyd]'
	@$(BIN)/python -m crawler.system chromium libreoffice wrk --install
	@touch $(STAMP)

# The parser's hot modules compiled with mypyc into $(NATIVE) (crawler/native.py), used only
# while every source they were built from is unchanged. Rebuilt when one of those changes:
# the build lists them in $(NATIVE)/deps.mk. A failed build is logged and leaves the pure
# parser in use (GOVREPORTS_PURE_PYTHON=1 forces it).
$(NATIVE)/manifest.json: $(STAMP) crawler/native.py
	@$(BIN)/python -m crawler.native build --jobs 2 || echo "compiled parser: build crashed, the parser runs as pure Python"

-include $(NATIVE)/deps.mk

# A small simulated landscape of portals, crawled into the database; prints what landed.
demo: install
	$(BIN)/govreports demo $(ARGS)

# The bundled registry of real county portals (needs the internet). Narrow it with e.g.
#   make crawl ARGS="-a divisions=1306 -a years=2022 -a limit=5"
crawl: install
	$(BIN)/scrapy crawl gov_reports $(ARGS)

# The whole suite, slow tests included (CI runs exactly this).
test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Everything but the slow suites, for a quick check while working.
test-fast: install
	$(BIN)/python -m pytest -m "not slow" $(PYTEST_ARGS)

bench-parse: install
	$(BIN)/python -m crawler.bench.parse $(ARGS)

bench-crawl: install
	$(BIN)/python -m crawler.bench.crawl $(ARGS)

# Scrapyd in the foreground with the repo's scrapyd.conf (port 6800 unless SCRAPYD_PORT says
# otherwise); its eggs, job database, logs and items live in .govreports/scrapyd/. Basic auth:
# set SCRAPYD_USERNAME and SCRAPYD_PASSWORD in the environment.
scrapyd: install
	$(BIN)/python -m crawler.scrapyd.run --port $(SCRAPYD_PORT)

# Build the egg from this tree (setup.py -> pyproject.toml) and upload it to the Scrapyd at
# 127.0.0.1:$(SCRAPYD_PORT) (scrapy.cfg [deploy:local]); credentials from the environment.
deploy: install
	SCRAPYD_PORT=$(SCRAPYD_PORT) SCRAPYD_USERNAME="$$SCRAPYD_USERNAME" SCRAPYD_PASSWORD="$$SCRAPYD_PASSWORD" \
		$(BIN)/scrapyd-deploy local -p gov_reports

lint: install
	$(BIN)/ruff check crawler spiders pipelines migrations tests
	$(BIN)/mypy

clean:
	rm -rf $(VENV) $(NATIVE) build *.egg-info .pytest_cache
