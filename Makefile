# Evidence Kit. The two commands a newcomer needs:
#   make run    build and open the desktop app
#   make test   everything CI runs (format, lints, unit/integration, UI, end-to-end);
#               ends with "Skipped: ..." and "N passed, N failed, N skipped"
# Both install what is missing first (scripts/bootstrap).
.PHONY: run test test-long bench ux-metrics fuzz bootstrap cli

run:
	@scripts/run

test:
	@scripts/test

# The long tests: the whole entry limit (99,991 items sealed and verified) and every
# single-byte change of a bundle. Minutes, not part of make test (which counts them as
# skipped and names them).
test-long:
	@cargo test -p evidence-kit --test core -- --ignored

# Release-build benchmarks; exits 1 when a target is missed (after printing everything).
bench:
	@scripts/bench

# The guide's measures: the happy path in the real window at 1366x768, counted (clicks,
# keys, Tab presses, words to read, the tallest page); exits 1 when a target is missed.
ux-metrics:
	@scripts/bench-ux

# The fuzz targets (fuzz/, libFuzzer), each for FUZZ_SECONDS (default 60); exits 1 when any
# crashed. Installs cargo-fuzz when missing. Not part of make test.
fuzz:
	@scripts/fuzz

bootstrap:
	@scripts/bootstrap

cli:
	@cargo build --quiet -p evidence-kit && echo "target/debug/evidence-kit"
