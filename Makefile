# Megabox — see README.md. `make run` and `make test` work from a fresh clone.
SHELL := /bin/bash
GO    ?= go
WAILS := $(shell $(GO) env GOPATH)/bin/wails
DESKTOP_TAGS := desktop,production,webkit2_41
GOLANGCI := build/tools/golangci-lint

.PHONY: run server test lint bench drills fuzz fuzz-short build package package-test app bindings frontend deps-run deps-test deps-package go-test frontend-test ui-test clean

# Fuzz targets: package and function.
FUZZ := ./backend/media:FuzzProbe ./app/sync:FuzzReadTags ./app/sync:FuzzSidecar ./backend/receipt:FuzzVerify ./backend/http:FuzzRequestBodies

## run: build the desktop app and open it on a local platform with demo content
run: deps-run app
	./build/bin/megabox

## server: run the platform server alone (megaboxd) and print its URL
server:
	$(GO) run ./backend/cmd/megaboxd

## test: everything CI checks (the linters first, so they fail fast)
test: deps-test lint frontend go-test fuzz-short frontend-test ui-test package-test

## lint: golangci-lint (also over the desktop build's Wails code), eslint and vue-tsc
lint: bindings
	$(GOLANGCI) run ./...
	$(GOLANGCI) run --build-tags $(DESKTOP_TAGS) .
	cd frontend && npm run --silent lint && npm run --silent typecheck

# golangci-lint runs go vet; the race detector is on for every test. The
# tests run beside PostgreSQL and an S3 server (versitygw) on loopback.
go-test:
	scripts/services.sh $(GO) test -race -count=1 ./...
	$(GO) test -count=1 -run 'ALSA|DeviceConnectedLater' ./app/player/

frontend-test:
	cd frontend && npx vitest run

# The real window under Xvfb, and the browser end-to-end run on the dev build.
ui-test: app
	scripts/screenshots.sh
	scripts/e2e.sh

# Installs the Debian package, opens the installed app and removes it again:
# only in CI (CI=true) or when asked (MEGABOX_PACKAGE_TEST=1).
package-test: app
	scripts/package-test.sh

# make test fuzzes each target on an execution count, not a duration: Go 1.26's
# coordinator can fail at the end of a -fuzztime duration with "context deadline
# exceeded" (golang/go#75804). The counts keep each target near 10 s on 2 cores
# (FuzzSidecar writes a file per input, so it gets fewer); FUZZCOUNT overrides.
FUZZ_SHORT := ./backend/media:FuzzProbe:20000x ./app/sync:FuzzReadTags:20000x ./app/sync:FuzzSidecar:5000x \
	./backend/receipt:FuzzVerify:20000x ./backend/http:FuzzRequestBodies:20000x
fuzz-short:
	@for t in $(FUZZ_SHORT); do IFS=: read -r pkg fn n <<<"$$t"; \
		FUZZMINIMIZE=500x scripts/fuzz.sh $$pkg $$fn $${FUZZCOUNT:-$$n} || exit 1; done

## fuzz: each fuzz target for FUZZTIME (default 2m); tells a crasher from an engine failure
fuzz:
	@for t in $(FUZZ); do scripts/fuzz.sh $${t%%:*} $${t#*:} $${FUZZTIME:-2m} || exit 1; done

## drills: the long fault drills (kill -9 of the sync CLI 500 times, of megaboxd 40 times, cut connections)
drills:
	MEGABOX_DRILLS=long $(GO) test -count=1 -v -timeout 60m ./internal/drills/
	MEGABOX_DRILLS=long $(GO) test -count=1 -v -run TestGrowingFile ./app/sync/

## bench: benchmarks against same-work baselines and peers (rclone, Syncthing, mpg123), medians of interleaved rounds; writes BENCHMARKS.md
bench: deps-test deps-bench app
	MEGABOX_PG_FSYNC=on scripts/services.sh $(GO) run ./bench -runs $${RUNS:-3}

deps-bench:
	@scripts/bench-deps.sh

## build: the desktop app, the CLI and the server in build/bin
build: app
	$(GO) build -o build/bin/megabox-cli ./app/cmd/megabox-cli
	$(GO) build -o build/bin/megaboxd ./backend/cmd/megaboxd

## package: the Debian package of the desktop app and megabox-cli, build/package/megabox_VERSION_amd64.deb
package: deps-package app
	scripts/package.sh

app: frontend
	$(GO) build -tags $(DESKTOP_TAGS) -o build/bin/megabox .

bindings:
	$(WAILS) generate module >/dev/null

frontend: bindings
	cd frontend && npm run build --silent

deps-run:
	@.ci/deps run

deps-test:
	@.ci/deps test

deps-package:
	@.ci/deps package

clean:
	rm -rf build/bin build/e2e build/screenshots build/package frontend/dist/assets frontend/dist/index.html frontend/wailsjs
