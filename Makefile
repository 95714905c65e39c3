# Megabox — see README.md. `make run` and `make test` work from a fresh clone.
SHELL := /bin/bash
GO    ?= go
DESKTOP_TAGS := desktop,production,webkit2_41

.PHONY: run test bench build megaboxd frontend deps-run deps-test go-test frontend-test clean

## run: start the platform server on the embedded default and print its URL
run: deps-run
	$(GO) run ./backend/cmd/megaboxd

## test: everything CI checks
test: deps-test frontend go-test frontend-test

go-test:
	$(GO) vet ./...
	$(GO) test -count=1 ./...

frontend-test:
	cd frontend && npm test --silent

## bench: benchmarks, each as a ratio to a baseline measured in the same run
bench: deps-run
	$(GO) run ./bench

## build: the desktop app and the server binaries in build/bin
build: frontend
	$(GO) build -tags $(DESKTOP_TAGS) -o build/bin/megabox .
	$(GO) build -o build/bin/megaboxd ./backend/cmd/megaboxd

frontend:
	cd frontend && npm run build --silent

deps-run:
	@.ci/deps run

deps-test:
	@.ci/deps test

clean:
	rm -rf build/bin frontend/dist/assets frontend/dist/index.html .bench
