# dockerslim-lint in a container, built the way its own rules ask: the build runs in a
# first stage, and only the installed package ships, on a distroless Python image with
# no shell or package manager, as a non-root user.
#
#   docker build -t dockerslim-lint .
#   docker run --rm -v "$PWD:/work:ro" dockerslim-lint Dockerfile
#
# The build stage's Python (3.13, Debian 13 "trixie") is the runtime's: distroless
# python3-debian13 ships Debian's Python 3.13 as /usr/bin/python3, so the bytecode and
# the compiled PyYAML module pip installs here run there. The package is installed with
# --target into a plain folder (not a venv, whose interpreter links would point at this
# stage's /usr/local/bin/python3) and run as `python3 -m dockerslim_lint`.
FROM python:3.13-slim-trixie AS build
WORKDIR /src
COPY pyproject.toml README.md LICENSE ./
COPY linter/ linter/
COPY rules/ rules/
RUN pip install --no-cache-dir --disable-pip-version-check --root-user-action=ignore \
        --target /opt/dockerslim-lint . \
    && rm -rf /opt/dockerslim-lint/bin

FROM gcr.io/distroless/python3-debian13:nonroot
COPY --from=build /opt/dockerslim-lint /opt/dockerslim-lint
ENV PYTHONPATH=/opt/dockerslim-lint
WORKDIR /work
ENTRYPOINT ["/usr/bin/python3", "-m", "dockerslim_lint"]
CMD ["Dockerfile"]
