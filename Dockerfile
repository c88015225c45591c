# One image with the simulator (oqs-sim), the conformance runner (conformance), the reference
# client (oqs-reference-client), the certification suite and the sample Python adapter.
# UNTESTED: never built (no image registry reachable where this was written); see
# conformance/README.md "In your CI".
#
#   docker build -t oqs-conformance .
#   docker run --rm -v "$PWD:/work" -w /work oqs-conformance \
#     conformance run --adapter "python3 my-adapter/adapter.py --transport http"

ARG RUST_VERSION=1.95
ARG DEBIAN=bookworm

FROM rust:${RUST_VERSION}-slim-${DEBIAN} AS build
# The runner finds the suite at a path compiled in (conformance/../scenarios/features/
# certification): the sources live in /src here and the suite is copied to the same place below.
WORKDIR /src
COPY . .
ENV CARGO_TARGET_DIR=/src/target CARGO_INCREMENTAL=0
RUN cargo install --locked --root /out --path conformance \
 && cargo install --locked --root /out --path sim-server \
 && cargo install --locked --root /out --path reference-client

FROM debian:${DEBIAN}-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 ca-certificates \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /out/bin/ /usr/local/bin/
COPY --from=build /src/scenarios/features/certification /src/scenarios/features/certification
COPY --from=build /src/examples /opt/oqs/examples
RUN useradd --create-home oqs
USER oqs
# The simulator listens on loopback by default; inside a container, publish it explicitly,
# e.g. oqs-sim --listen 0.0.0.0:8080 --admin-token-file FILE (a listen address that is not
# loopback requires the admin token), and only on a network you trust.
CMD ["conformance", "--help"]
