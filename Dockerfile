# meshgate's container image: the supported way to run meshgate on CI runners
# and machines that are not Debian 12 (docs/install.md says why).  Build it from
# a release tag, and pin it by that tag (or its digest):
#
#   docker build -t meshgate:0.1.0 .                    # in a clone at the tag v0.1.0
#   docker run --rm -v "$PWD:/work" meshgate:0.1.0 validate
#
# Two stages on the same Debian 12 base: the build stage has the compilers and
# -dev packages (scripts/install-deps.sh's list), the runtime stage only the
# shared libraries the binary links (tests/cli/t0077-container.sh checks them
# against dpkg-shlibdeps of a build, so the lists cannot drift), plus git and
# the CA certificates.  It runs as the unprivileged user meshgate (uid 10001).
ARG DEBIAN_IMAGE=debian:12-slim

FROM ${DEBIAN_IMAGE} AS build
ARG BUILD_PACKAGES="build-essential cmake pkg-config git \
  libgit2-dev libcjson-dev libyaml-dev libcurl4-openssl-dev libssl-dev \
  libsqlite3-dev libpq-dev"
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${BUILD_PACKAGES} \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cmake -S . -B /build -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=/usr \
 && cmake --build /build -j"$(nproc)" --target meshgate meshgate_man \
 && DESTDIR=/out cmake --install /build --strip \
 && /out/usr/bin/meshgate --version

FROM ${DEBIAN_IMAGE} AS runtime
# The libraries: exactly the .deb's Depends (dpkg-shlibdeps of the binary).
ARG RUNTIME_LIBRARIES="libc6 libcjson1 libcurl4 libgit2-1.5 libpq5 libsqlite3-0 libssl3 libyaml-0-2"
# What meshgate runs besides: git (the pre-commit hook, `git fetch` in CI jobs)
# and the CA certificates (HTTPS to AWS, GitHub and GitLab).
ARG RUNTIME_TOOLS="git ca-certificates"
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${RUNTIME_LIBRARIES} ${RUNTIME_TOOLS} \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --create-home --uid 10001 --user-group --shell /bin/sh meshgate
COPY --from=build /out/ /
USER 10001:10001
WORKDIR /work
ENTRYPOINT ["meshgate"]
CMD ["--help"]
