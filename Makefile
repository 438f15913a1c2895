# Covenant Portal. Targets:
#   make serve        build the site and serve it on http://127.0.0.1:8000/ (PORT=8001 for another port)
#   make devserver    serve on http://127.0.0.1:8000/, rebuild on every change, reload open pages,
#                     show build errors in the browser (for editors)
#   make html         build the site into output/ (with its search index, sitemaps and server files)
#   make check        build output/ and run every quality check over it; OUTPUT=dir checks dir as it is
#   make check-external  request every external link of the built site (lychee; needs the network:
#                     offline it says so and exits 0); OUTPUT=dir checks dir
#   make publish      build a production release into publish/, check it, then make it live atomically
#                     (publish/current is the site to serve or deploy; PUBLISH_DIR=dir publishes elsewhere)
#   make rollback     make the previous release live again
#   make nginx-conf   write the nginx configuration for the built site into build/nginx/
#   make serve-nginx  serve the built site with that nginx configuration on http://127.0.0.1:8080/
#   make test         lint, format check and the test suite (what CI runs; it runs every check)
#   make golden       write the fixture site's expected output into tests/golden/ (after an intended change)
#   make bench        build-speed benchmark against Hugo, Hugo + Pagefind and Eleventy (BENCH_SCALE=full for the targets)
#   make clean        remove build products
#   make l10n-extract extract interface strings from templates and plugins into translations/messages.pot
#   make l10n-update  merge messages.pot into every language's messages.po (keeps translations
#                     whose string is gone as obsolete; PRUNE=1 drops them)
#   make l10n-compile compile every messages.po into messages.mo (the build also compiles in memory)
#   make l10n-init LANG=xx  start the catalogue of a new language
#   make l10n-export LANG=xx  write what xx lacks for translators' tools: build/l10n/*.xlf and *.po
#   make l10n-import FILE=...  [MACHINE=1]  merge a returned .xlf or .po (checked first)
#   make l10n-diff FILE=content/xx/page.md  what changed in English since that translation
#                     (a data record: FILE=content/data/news/x.yaml LANG=xx)
#   make l10n-status  print the translation status of every page and catalogue, by language
#   make l10n-stamp   record the English Source-Hash in translations that have none (once, after import),
#                     and METHOD=human|machine [LANG=xx] in data records' text that has no translation note
#   make l10n-reviewed FILE=content/xx/page.md [HUMAN=1]  mark a checked translation up to date
#                     (a data record: FILE=content/data/news/x.yaml LANG=xx)
#   make deps         create .venv and install the pinned Python packages
#   make node-deps    install the Nu Html Checker (npm package vnu-jar) into node_modules/
#   make system-deps  install Chromium, nginx (with its njs module), a Java runtime, Cairo (the
#                     link-preview picture) and the OASIS XLIFF 1.2 schema (Debian's
#                     php-symfony-translation ships it; the tests validate exports against it)
#                     with apt-get when missing
#   make bench-deps   install what make bench compares with: Hugo (apt-get) and Eleventy (npm, into bench/node/)
#   make cms          the browser editor on the local checkout: http://127.0.0.1:8000/admin/ (saves
#                     into content/, rebuilds and reloads like make devserver; no account needed)
#   make cms-deps     install the editor, Decap CMS, and its local backend (npm, into cms/node_modules/);
#                     make html includes /admin/ only when it is installed
#   make cms-config   write the editor's configuration cms/config.yml (and the fields its notes
#                     script hashes, cms/translated-fields.json) from the record models

PY_VERSION ?= python3
VENV := .venv
BIN := $(VENV)/bin
PELICANOPTS ?= --fatal warnings
PELICANCONF ?= pelicanconf.py
OUTPUT ?= output
PUBLISH_DIR ?= publish
CHECKOPTS ?=
NGINX_DIR ?= build/nginx
NGINX_PORT ?= 8080
NGINX_LISTEN ?= $(HOST):$(NGINX_PORT)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: deps node-deps system-deps bench-deps html check check-external publish rollback nginx-conf serve-nginx serve devserver clean golden \
	test lint cms cms-deps cms-config l10n-extract l10n-update l10n-compile l10n-init l10n-export l10n-import l10n-diff l10n-status l10n-stamp l10n-reviewed bench

$(BIN)/.installed: requirements.txt
	test -x $(BIN)/python || $(PY_VERSION) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

VNU_JAR := node_modules/vnu-jar/build/dist/vnu.jar

$(VNU_JAR): package.json package-lock.json
	command -v npm >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends npm; }
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

deps: $(BIN)/.installed

node-deps: $(VNU_JAR)

# The OASIS XLIFF 1.2 schema as a Debian package ships it (tests/test_exchange.py reads it there)
XLIFF_SCHEMA := /usr/share/php/Symfony/Component/Translation/Resources/schemas/xliff-core-1.2-strict.xsd

system-deps:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing="$$missing nginx-light"; \
	[ -f /usr/lib/nginx/modules/ngx_http_js_module.so ] || missing="$$missing libnginx-mod-http-js"; \
	command -v java >/dev/null 2>&1 || missing="$$missing default-jre-headless"; \
	ldconfig -p 2>/dev/null | grep -q 'libcairo\.so\.2 ' || missing="$$missing libcairo2"; \
	[ -f $(XLIFF_SCHEMA) ] || missing="$$missing php-symfony-translation"; \
	if [ -n "$$missing" ]; then \
	  echo "Installing system packages:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi

html: deps node-deps
	$(BIN)/python -m portal.build content -s $(PELICANCONF) -o $(OUTPUT) $(PELICANOPTS)

nginx-conf: deps
	PYTHONPATH=plugins $(BIN)/python -m serving.nginx --settings $(PELICANCONF) --root $(OUTPUT) \
	  --listen $(NGINX_LISTEN) --out $(NGINX_DIR) --standalone

serve-nginx: html nginx-conf
	@echo "Serving $(OUTPUT)/ on http://$(NGINX_LISTEN)/ (Ctrl-C stops)"
	/usr/sbin/nginx -c $(abspath $(NGINX_DIR))/nginx.conf -e $(abspath $(NGINX_DIR))/error.log

serve: html
	$(BIN)/python -m portal.serve $(OUTPUT) --bind $(HOST) --port $(PORT)

devserver: deps node-deps
	$(BIN)/python -m portal.devserver content -s $(PELICANCONF) -o $(OUTPUT) $(PELICANOPTS) --bind $(HOST) --port $(PORT)

# $(OUTPUT).building-* and $(OUTPUT).old-*: what a `make html` killed half-way leaves
clean:
	rm -rf $(OUTPUT) $(OUTPUT).building-* $(OUTPUT).old-* build cache .pytest_cache __pycache__ translations/*/LC_MESSAGES/*.mo

lint: deps
	$(BIN)/ruff check plugins portal tests bench pelicanconf.py publishconf.py
	$(BIN)/ruff format --check plugins portal tests bench pelicanconf.py publishconf.py

# The fixture site's expected output (tests/test_golden.py), written again after an intended
# change; pagefind/ is left out (binary index, compared with Pagefind's own by the search tests),
# and images/ (drawn by the system's Cairo, whose versions smooth edges differently; the sharing
# tests check the picture).
GOLDEN := tests/golden/fixture
golden: deps node-deps
	rm -rf $(GOLDEN) $(GOLDEN).building-*
	SOURCE_DATE_EPOCH=1795996800 $(BIN)/python -m portal.build tests/fixtures/site -s pelicanconf.py \
	  -o $(GOLDEN) --fatal warnings -e 'CACHE_PATH="build/golden-cache"'
	rm -rf $(GOLDEN)/pagefind $(GOLDEN)/images $(GOLDEN)/admin

test: deps node-deps cms-deps system-deps lint
	$(BIN)/python -m pytest

# `make check` builds output/ first; `make check OUTPUT=dir` checks an existing build as it is.
ifeq ($(origin OUTPUT),command line)
CHECK_BUILD :=
else
CHECK_BUILD := html
endif
check: deps node-deps system-deps $(CHECK_BUILD)
	$(BIN)/python -m portal.checks $(OUTPUT)

# Not part of `make check`: its result depends on other sites and on the network.
check-external: deps
	$(BIN)/python -m portal.check_external $(OUTPUT)

# CHECKOPTS narrows the checks of a publish (e.g. "--skip accessibility"); by default all run.
publish: deps node-deps system-deps
	$(BIN)/python -m portal.release publish --to $(PUBLISH_DIR) --check-args="$(CHECKOPTS)"

rollback: deps
	$(BIN)/python -m portal.release rollback --to $(PUBLISH_DIR)

# BENCH_SCALE=quick (default) takes a few minutes; full builds the targets' scale (see
# BENCHMARKS.md). BENCH_OPTS passes other options, e.g. BENCH_OPTS="--runs 5".
BENCH_SCALE ?= quick
BENCH_OPTS ?=

# Eleventy has its own package.json so that the test suite's `npm ci` does not install it.
ELEVENTY_STAMP := bench/node/node_modules/.installed

$(ELEVENTY_STAMP): bench/node/package.json bench/node/package-lock.json
	command -v npm >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends npm; }
	npm ci --prefix bench/node --no-audit --no-fund --loglevel=error
	touch $@

bench-deps: $(ELEVENTY_STAMP)
	@command -v hugo >/dev/null 2>&1 || { \
	  echo "Installing system packages: hugo"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends hugo; \
	}

bench: deps bench-deps
	$(BIN)/python -m bench --suite $(BENCH_SCALE) $(BENCH_OPTS)

# LANG=C.UTF-8: `make l10n-init LANG=xx` also puts LANG=xx into the commands' environment,
# where Python and Pelican would take it for a locale.
L10N := LANG=C.UTF-8 $(BIN)/python -m portal.l10n
# LANG=xx given to make (not the locale variable LANG of the environment): --lang xx
L10N_LANGS = $(if $(filter command line,$(origin LANG)),$(foreach lang,$(LANG),--lang $(lang)))

l10n-extract: deps
	@$(L10N) extract

# A translated entry whose msgid left messages.pot is kept as obsolete (#~) and named;
# PRUNE=1 drops such entries.
l10n-update: l10n-extract
	@$(L10N) update $(if $(PRUNE),--prune)

l10n-compile: deps
	$(BIN)/pybabel compile --statistics -d translations

l10n-init: l10n-extract
	@test "$(origin LANG)" = "command line" || { echo "usage: make l10n-init LANG=xx (one of the codes in pelicanconf.py LANGUAGES)"; exit 2; }
	@$(L10N) init $(LANG)

# Files for translators' tools: build/l10n/covenant-portal-xx.xlf (XLIFF 1.2) and .po
l10n-export: deps
	@test "$(origin LANG)" = "command line" || { echo "usage: make l10n-export LANG=xx"; exit 2; }
	@$(L10N) export $(LANG)

# MACHINE=1: the returned text is machine output (Translation-Method: machine)
l10n-import: deps
	@test -n "$(FILE)" || { echo "usage: make l10n-import FILE=build/l10n/covenant-portal-xx.xlf [MACHINE=1]"; exit 2; }
	@$(L10N) import $(if $(MACHINE),--machine) $(FILE)

l10n-diff: deps
	@test -n "$(FILE)" || { echo "usage: make l10n-diff FILE=content/xx/page.md (a data record: FILE=content/data/news/x.yaml LANG=xx)"; exit 2; }
	@$(L10N) diff $(L10N_LANGS) $(FILE)

l10n-status: deps
	@$(L10N) status

l10n-stamp: deps
	$(L10N) stamp $(if $(METHOD),--method $(METHOD)) $(L10N_LANGS) $(FILE)

l10n-reviewed: deps
	@test -n "$(FILE)" || { echo "usage: make l10n-reviewed FILE=content/xx/page.md [HUMAN=1] (a data record: FILE=content/data/news/x.yaml LANG=fi)"; exit 2; }
	$(L10N) reviewed $(if $(HUMAN),--human) $(L10N_LANGS) $(FILE)

# The browser editor (Decap CMS) has its own package.json so that the test suite's npm ci does
# not install it into node_modules/; the site builds without it (no /admin/ then).
CMS_STAMP := cms/node_modules/.installed
EDITOR_PROXY_PORT ?= 8081

$(CMS_STAMP): cms/package.json cms/package-lock.json
	command -v npm >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends npm; }
	npm ci --prefix cms --no-audit --no-fund --loglevel=error
	touch $@

cms-deps: $(CMS_STAMP)

cms-config: deps
	$(BIN)/python -m portal.editor_config

# decap-server writes what the editor saves into this checkout; the dev server serves /admin/
# and passes its /api/v1 requests to decap-server, so the editor needs no other origin.
cms: deps cms-deps
	@echo "Editor: http://$(HOST):$(PORT)/admin/ (saves into content/; Ctrl-C stops)"
	@GIT_REPO_DIRECTORY=$(CURDIR) PORT=$(EDITOR_PROXY_PORT) BIND_HOST=127.0.0.1 MODE=fs LOG_LEVEL=warn \
	  cms/node_modules/.bin/decap-server & proxy=$$!; \
	  trap 'kill $$proxy 2>/dev/null' EXIT INT TERM; \
	  $(BIN)/python -m portal.devserver content -s $(PELICANCONF) -o $(OUTPUT) $(PELICANOPTS) \
	    --bind $(HOST) --port $(PORT) --editor-proxy http://127.0.0.1:$(EDITOR_PROXY_PORT)
