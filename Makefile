# Evidence Kit. The two commands a newcomer needs:
#   make run    build and open the desktop app
#   make test   everything CI runs (format, lints, unit/integration, UI, end-to-end)
# Both install what is missing first (scripts/bootstrap).
.PHONY: run test bench bootstrap cli

run:
	@scripts/run

test:
	@scripts/test

bench:
	@scripts/bench

bootstrap:
	@scripts/bootstrap

cli:
	@cargo build --quiet -p evidence-kit && echo "target/debug/evidence-kit"
