# linzhang_qgis: every command installs what it needs first, and skips what is already there.
#   make demo    build the demo district and run every algorithm on it (writes demo_output/)
#   make test    run all tests headless against real QGIS 3.22
#   make install [QGIS_CONFIG_DIR=DIR]   install the plugin (and its Python packages) into a QGIS profile
#   make package  the zip for QGIS's "Install from ZIP"
#   make qgis     open QGIS with the plugin and the demo project (needs a screen)
#   make bench    timings into docs/benchmarks.md
SHELL := /bin/bash
.DEFAULT_GOAL := help

SYSTEM_PYTHON := /usr/bin/python3
VENV := .venv
PY := $(VENV)/bin/python
STAMPS := .stamps
LRELEASE := /usr/lib/qt5/bin/lrelease
# Debian 12 packages: QGIS 3.22 with PyQGIS and Processing (and the desktop application with Xvfb for the
# desktop test), lrelease, CJK fonts for maps and PDFs, and what builds the native packages below
APT_PACKAGES := python3-qgis qgis-providers qgis xvfb python3-venv python3-pip python3-scipy python3-dev \
	qttools5-dev-tools fonts-noto-cjk build-essential libgeos-dev libproj-dev proj-bin libgdal-dev
APT_DESKTOP := imagemagick
QGIS_CONFIG_DIR ?= $(HOME)/.local/share/QGIS/QGIS3
PROFILE_DIR := $(QGIS_CONFIG_DIR)/profiles/default
PLUGIN_TARGET := $(PROFILE_DIR)/python/plugins/linzhang_qgis
DEPS_TARGET := $(PROFILE_DIR)/python/linzhang_qgis_deps
VERSION := $(shell sed -n 's/^version=//p' metadata.txt)
# shapely, pyproj, rasterio and pyogrio are built from source against Debian's GEOS/PROJ/GDAL, the
# libraries QGIS itself loads (see requirements-lock.txt). pyproj 3.6.1 needs Cython < 3.1 while the
# others need 3.1: it is built first, alone, under build-constraints.txt; the second step reuses that build.
PIP_INSTALL := $(PY) -m pip install -q --disable-pip-version-check --use-feature=no-binary-enable-wheel-cache \
	--no-binary shapely,pyproj,rasterio,pyogrio
PYPROJ_PIN := $(shell grep '^pyproj==' requirements-lock.txt)
TS_FILES := $(wildcard resources/i18n/*.ts)
QM_FILES := $(TS_FILES:.ts=.qm)
export QT_QPA_PLATFORM ?= offscreen

.PHONY: help system desktop venv translations stage test demo install package qgis bench clean

help:
	@sed -n 's/^#   //p' Makefile

# --- installing what is needed ------------------------------------------------------------------
define apt_install
	@missing=$$(for p in $(1); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:" $$missing; \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	fi
endef

system:
	$(call apt_install,$(APT_PACKAGES))

desktop: system
	$(call apt_install,$(APT_DESKTOP))

$(STAMPS)/venv: requirements-lock.txt requirements-dev.txt build-constraints.txt | system
	@mkdir -p $(STAMPS)
	@# a changed lock means a fresh venv: pip would otherwise keep builds it already has
	rm -rf $(VENV) && $(SYSTEM_PYTHON) -m venv --system-site-packages $(VENV)
	PIP_CONSTRAINT=build-constraints.txt $(PIP_INSTALL) --no-deps "$(PYPROJ_PIN)"
	$(PIP_INSTALL) -r requirements-dev.txt
	@touch $@

venv: $(STAMPS)/venv

# --- building the plugin ------------------------------------------------------------------------
resources/i18n/%.qm: resources/i18n/%.ts | system
	$(LRELEASE) -silent $< -qm $@

translations: $(QM_FILES)

stage: translations
	@$(SYSTEM_PYTHON) scripts/stage.py --into build >/dev/null

# --- the two commands ---------------------------------------------------------------------------
test: venv translations
	$(PY) -m pytest tests

demo: venv translations
	$(PY) scripts/demo.py --out demo_output

# --- installing into QGIS -----------------------------------------------------------------------
install: venv stage
	@mkdir -p $(dir $(PLUGIN_TARGET))
	rm -rf $(PLUGIN_TARGET) && cp -r build/linzhang_qgis $(PLUGIN_TARGET)
	@if ! cmp -s requirements-lock.txt $(DEPS_TARGET)/requirements-lock.txt; then \
	  echo "Installing pinned Python packages into $(DEPS_TARGET)"; \
	  rm -rf $(DEPS_TARGET) && mkdir -p $(DEPS_TARGET) && \
	  PIP_CONSTRAINT=build-constraints.txt $(PIP_INSTALL) --no-deps --target $(DEPS_TARGET) "$(PYPROJ_PIN)" && \
	  $(PIP_INSTALL) --no-deps --upgrade --target $(DEPS_TARGET) -r requirements-lock.txt && \
	  cp requirements-lock.txt $(DEPS_TARGET)/; \
	fi
	@echo "Installed into $(PLUGIN_TARGET); enable it in QGIS (Plugins > Manage) or with:"
	@echo "  QGIS_CUSTOM_CONFIG_PATH=$(QGIS_CONFIG_DIR) qgis_process.bin plugins enable linzhang_qgis"

package: stage
	@mkdir -p dist
	rm -f dist/linzhang_qgis-$(VERSION).zip
	cd build && $(SYSTEM_PYTHON) -m zipfile -c ../dist/linzhang_qgis-$(VERSION).zip linzhang_qgis
	@echo dist/linzhang_qgis-$(VERSION).zip

qgis: desktop install demo
	QGIS_CUSTOM_CONFIG_PATH=$(QGIS_CONFIG_DIR) qgis --noversioncheck --project demo_output/linzhang_demo.qgz

bench: venv translations
	$(PY) scripts/bench.py --out docs/benchmarks.md

clean:
	rm -rf build dist demo_output $(STAMPS) resources/i18n/*.qm
