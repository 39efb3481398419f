# syntax=docker/dockerfile:1.7
#
# wirewatch container image.
#
#   docker build -t wirewatch .
#   docker run --rm wirewatch demo
#   docker run -d -p 9464:9464 --stop-timeout 45 \
#       -v wirewatch-state:/var/lib/wirewatch \
#       -e WIREWATCH__KAFKA__BROKERS=kafka:9092 \
#       --env-file wirewatch.env wirewatch     # secrets: WIREWATCH__SMTP__PASSWORD=...
#
# --stop-timeout 45: on SIGTERM the daemon drains in-flight deliveries for up
# to 30 s (delivery.shutdown_grace_secs); Docker's default 10 s cuts that short.
#
# Configuration lives in /etc/wirewatch (wirewatch.toml + watchlists/); mount
# your own over it, or override single keys with WIREWATCH__SECTION__KEY.

############################################################################
# Build stage
############################################################################
FROM rust:1.95-bookworm AS builder

# Run RUN commands with bash and pipefail, so a failing command on the left of
# a pipe (the awk below) fails the build instead of being masked.
SHELL ["/bin/bash", "-o", "pipefail", "-c"]

# librdkafka is compiled from source by rdkafka-sys (configure + make) and
# links against the system OpenSSL and zlib.
# DL3008 (pin apt versions): deliberately not pinned. Debian replaces a
# package version in the archive whenever it ships a security update, so a
# pinned version stops resolving and the build breaks; the base image tag
# pins the release (bookworm) and we want its latest security fixes.
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
        build-essential pkg-config libssl-dev zlib1g-dev \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /build

# 1. Dependency layer: build every dependency against stub sources, so that
#    editing the code does not recompile librdkafka and ~300 crates. This
#    layer is rebuilt only when Cargo.toml or Cargo.lock change.
COPY Cargo.toml Cargo.lock ./
COPY crates/wirewatch-matcher/Cargo.toml crates/wirewatch-matcher/
RUN <<'EOF'
#!/usr/bin/env bash
# (a shebang makes BuildKit run this here-document as a bash script)
set -euo pipefail
mkdir -p src crates/wirewatch-matcher/src
echo 'fn main() {}' > src/main.rs
: > src/lib.rs
: > crates/wirewatch-matcher/src/lib.rs
# Cargo refuses a manifest whose explicitly declared targets ([[bin]],
# [[bench]], [[test]], [[example]], [lib] path) have no source file, so give
# each one a stub too, in every crate of the workspace.
for crate in . crates/wirewatch-matcher; do
awk -v dir="$crate" '
  function flush() {
    if (kind == "") return
    if (path == "" && kind == "bench")   path = "benches/" name ".rs"
    if (path == "" && kind == "test")    path = "tests/" name ".rs"
    if (path == "" && kind == "example") path = "examples/" name ".rs"
    if (path == "" && kind == "bin" && name != pkg) path = "src/bin/" name ".rs"
    if (path != "") print dir "/" path
    kind = ""; name = ""; path = ""
  }
  function value(line) { sub(/^[^=]*=[ \t]*"/, "", line); sub(/".*$/, "", line); return line }
  /^\[package\]/                          { flush(); section = "package"; next }
  /^\[\[(bin|bench|test|example)\]\]/     { flush(); kind = $0; gsub(/[\[\] \t]/, "", kind); section = kind; next }
  /^\[lib\]/                              { flush(); kind = "lib"; section = "lib"; next }
  /^\[/                                   { flush(); section = ""; next }
  section == "package" && /^name[ \t]*=/  { pkg = value($0) }
  kind != "" && /^name[ \t]*=/            { name = value($0) }
  kind != "" && /^path[ \t]*=/            { path = value($0) }
  END { flush() }
' "$crate/Cargo.toml"
done | while read -r stub; do
  [ -e "$stub" ] && continue
  mkdir -p "$(dirname "$stub")"
  echo 'fn main() {}' > "$stub"
done
cargo build --release --locked
# Drop the stubs and the stub-built wirewatch artifacts; dependencies stay.
rm -rf src benches tests examples crates/wirewatch-matcher/src crates/wirewatch-matcher/benches
rm -rf target/release/.fingerprint/wirewatch-* target/release/deps/wirewatch-* \
       target/release/deps/libwirewatch-* target/release/deps/wirewatch_matcher-* \
       target/release/deps/libwirewatch_matcher-* target/release/wirewatch*
EOF

# 2. The real sources: src/, crates/ (the matcher, its taxonomy/ data and
#    build.rs), config/, examples/ (embedded by `wirewatch demo`). .dockerignore keeps
#    target/, .git/ and deploy files out of the context.
COPY . .
RUN find src crates -name '*.rs' -exec touch {} + \
 && cargo build --release --locked --bin wirewatch \
 && install -D -m 0755 target/release/wirewatch /out/wirewatch

############################################################################
# Runtime stage
############################################################################
FROM debian:bookworm-slim

# DL3008: not pinned, for the reason given in the build stage (security
# updates replace Debian package versions in the archive).
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates libssl3 zlib1g \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 wirewatch \
 && useradd --system --uid 10001 --gid wirewatch --home-dir /var/lib/wirewatch \
        --no-create-home --shell /usr/sbin/nologin wirewatch \
 && install -d -o wirewatch -g wirewatch -m 0750 /var/lib/wirewatch

COPY --from=builder /out/wirewatch /usr/local/bin/wirewatch
COPY config/wirewatch.toml /etc/wirewatch/wirewatch.toml
COPY config/watchlists/ /etc/wirewatch/watchlists/

# Inside a container the metrics/health server must listen on all interfaces
# to be reachable through a published port (the shipped config says
# 127.0.0.1:9464, which suits a host install).
ENV WIREWATCH__HTTP__LISTEN=0.0.0.0:9464

# Numeric ids, so that Kubernetes' runAsNonRoot can verify the user without
# reading /etc/passwd (uid/gid 10001 = the wirewatch user created above).
USER 10001:10001
WORKDIR /var/lib/wirewatch
VOLUME ["/var/lib/wirewatch"]
EXPOSE 9464

# The image has no curl or wget: the binary checks its own /healthz.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["wirewatch", "health", "--url", "http://127.0.0.1:9464/healthz"]

ENTRYPOINT ["wirewatch"]
CMD ["run", "--config", "/etc/wirewatch/wirewatch.toml"]
