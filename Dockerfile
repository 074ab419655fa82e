# The bank's image: every binary, built once, on a small Debian base.
#
#   docker compose up        builds it and runs the bank on Postgres
#
# The build stage compiles the five binaries; the final stage holds only
# them, the SQL migrations, and what the health checks need.

FROM rust:1.95-bookworm AS build
WORKDIR /bank
COPY . .
RUN cargo build --release --locked \
      -p account-component -p funds-transfer-component -p aggregator -p web-ui -p bank

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build \
     /bank/target/release/account-component \
     /bank/target/release/funds-transfer-component \
     /bank/target/release/aggregator \
     /bank/target/release/web-ui \
     /bank/target/release/bank \
     /usr/local/bin/
COPY migrations /migrations
ENV RUST_LOG=info
USER nobody
