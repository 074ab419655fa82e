# The bank's image: every binary, on a small Debian base.
#
#   docker compose up        builds it and runs the bank on Postgres
#
# Where the binaries come from is the only thing that differs between the two
# ways this file is used, so the image is built in stages:
#
#   runtime         what every bank image holds besides the binaries;
#   host-binaries   runtime + binaries compiled on the host (`cargo build`),
#                   for machines that cannot pull the Rust image: the compose
#                   test (bank/tests/workshop/) builds this target;
#   compile         the five binaries compiled in the official Rust image;
#   bank            runtime + those binaries: what `docker compose up` builds
#                   on a laptop (the last stage, and the compose file's
#                   default target).
#
# The base images are arguments, so that a machine without a registry can
# name images it built itself (docker/local-images/build). The order of the
# stages matters for Docker's classic builder, which builds every stage
# before the target it is asked for: `host-binaries` comes before `compile`
# so that building it never needs the Rust image.

ARG RUST_IMAGE=rust:1.95-bookworm
ARG RUNTIME_IMAGE=debian:bookworm-slim

FROM ${RUNTIME_IMAGE} AS runtime
COPY migrations /migrations
ENV RUST_LOG=info
# Every binary serves Prometheus metrics on this address (README, "Metrics").
ENV METRICS_ADDRESS=0.0.0.0:9100
EXPOSE 9100
USER nobody

FROM runtime AS host-binaries
# The compose test puts the binaries here; in git the folder holds only its
# README, which a laptop's classic builder copies harmlessly.
COPY docker/host-binaries/ /usr/local/bin/

FROM ${RUST_IMAGE} AS compile
WORKDIR /bank
COPY . .
# Every binary is the `bank` package's (`bank/src/bin/`).
RUN cargo build --release --locked -p bank --bins

FROM runtime AS bank
COPY --from=compile \
     /bank/target/release/account-component \
     /bank/target/release/funds-transfer-component \
     /bank/target/release/aggregator \
     /bank/target/release/web-ui \
     /bank/target/release/bank \
     /usr/local/bin/
