"""Write a realistic synthetic corpus of Dockerfiles for the benchmark, deterministically.

    python bench/gen_corpus.py                      # 3000 files into bench/corpus/
    python bench/gen_corpus.py -n 500 --seed 7 /tmp/corpus

The same seed and count always give byte-identical files (no clock, no hash
randomisation, no environment read). The folder is emptied of earlier generated
files first (only `*/Dockerfile*` under it, never anything else).

The mix is shaped on what public repositories hold: mostly one or two stages,
apt/apk/pip/npm installs, ARG-driven bases, a few heredocs and cache mounts,
USER and HEALTHCHECK in about half, comments and continuations throughout, and
a tail of large multi-stage files. Every file is valid Dockerfile syntax (BuildKit
and hadolint 2.x parse all of them: heredocs are followed by a blank line, which
hadolint needs), so both linters do full work on each.
"""
from __future__ import annotations

import argparse
import os
import random
import shutil
import sys

DEFAULT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")

# language -> (build bases, runtime bases, build recipe, artifact, entrypoint)
LANGS = {
    "go": {
        "build": ["golang:{v}", "golang:{v}-alpine", "golang:{v}-bookworm"],
        "versions": ["1.21", "1.22", "1.23"],
        "runtime": ["gcr.io/distroless/static-debian12:nonroot", "gcr.io/distroless/static-debian13",
                    "scratch", "alpine:3.20", "cgr.dev/chainguard/static", "debian:bookworm-slim",
                    "ubuntu:24.04", "busybox:1.36"],
        "deps": ["COPY go.mod go.sum ./", "RUN go mod download"],
        "compile": ["CGO_ENABLED=0 GOOS=linux go build -trimpath -ldflags='-s -w' -o /out/app ./cmd/{name}",
                    "go build -o /out/app .", "CGO_ENABLED=0 go build -o /out/app ./..."],
        "artifact": "/out/app",
        "run": ['["/app"]', '["/app", "serve"]', "/app --port 8080"],
    },
    "python": {
        "build": ["python:{v}", "python:{v}-slim", "python:{v}-alpine", "python:{v}-bookworm"],
        "versions": ["3.10", "3.11", "3.12", "3.13"],
        "runtime": ["python:{v}-slim", "gcr.io/distroless/python3-debian12", "python:{v}-alpine",
                    "cgr.dev/chainguard/python:latest", "python:{v}", "ubuntu:22.04"],
        "deps": ["COPY requirements.txt .",
                 "RUN pip install --no-cache-dir -r requirements.txt",
                 "RUN pip install --prefix=/install -r requirements.txt"],
        "compile": ["python -m compileall -q /src", "pip wheel --wheel-dir /wheels -r requirements.txt"],
        "artifact": "/src",
        "run": ['["python", "-m", "{name}"]', '["gunicorn", "-b", "0.0.0.0:8000", "{name}.wsgi"]',
                "python app.py", '["uvicorn", "{name}.main:app", "--host", "0.0.0.0"]'],
    },
    "node": {
        "build": ["node:{v}", "node:{v}-alpine", "node:{v}-bookworm-slim"],
        "versions": ["18", "20", "22"],
        "runtime": ["node:{v}-alpine", "node:{v}-slim", "gcr.io/distroless/nodejs{v}-debian12",
                    "cgr.dev/chainguard/node", "node:{v}", "nginx:1.27-alpine"],
        "deps": ["COPY package.json package-lock.json ./", "RUN npm ci",
                 "RUN npm ci --omit=dev", "RUN --mount=type=cache,target=/root/.npm npm ci"],
        "compile": ["npm run build", "npx tsc -p .", "yarn build"],
        "artifact": "/src/dist",
        "run": ['["node", "dist/server.js"]', "npm start", '["node", "index.js"]'],
    },
    "java": {
        "build": ["maven:3.9-eclipse-temurin-{v}", "gradle:8-jdk{v}", "eclipse-temurin:{v}-jdk"],
        "versions": ["17", "21"],
        "runtime": ["eclipse-temurin:{v}-jre", "eclipse-temurin:{v}-jre-alpine",
                    "gcr.io/distroless/java{v}-debian12", "eclipse-temurin:{v}-jdk", "openjdk:{v}",
                    "amazoncorretto:{v}"],
        "deps": ["COPY pom.xml .", "RUN mvn -B dependency:go-offline",
                 "RUN --mount=type=cache,target=/root/.m2 mvn -B dependency:go-offline"],
        "compile": ["mvn -B -DskipTests package", "gradle --no-daemon bootJar", "./mvnw -q package"],
        "artifact": "/src/target/app.jar",
        "run": ['["java", "-jar", "/app.jar"]', "java $JAVA_OPTS -jar /app.jar",
                '["java", "-XX:MaxRAMPercentage=75", "-jar", "/app.jar"]'],
    },
    "rust": {
        "build": ["rust:{v}", "rust:{v}-slim", "rust:{v}-alpine"],
        "versions": ["1.78", "1.80", "1.83"],
        "runtime": ["debian:bookworm-slim", "gcr.io/distroless/cc-debian12", "scratch", "alpine:3.20",
                    "rust:{v}", "ubuntu:24.04"],
        "deps": ["COPY Cargo.toml Cargo.lock ./",
                 "RUN mkdir src && echo 'fn main(){}' > src/main.rs && cargo fetch"],
        "compile": ["cargo build --release", "cargo build --release --locked --target x86_64-unknown-linux-musl"],
        "artifact": "/src/target/release/{name}",
        "run": ['["/usr/local/bin/{name}"]', "/usr/local/bin/{name}"],
    },
    "dotnet": {
        "build": ["mcr.microsoft.com/dotnet/sdk:{v}", "mcr.microsoft.com/dotnet/sdk:{v}-alpine"],
        "versions": ["6.0", "8.0", "9.0"],
        "runtime": ["mcr.microsoft.com/dotnet/aspnet:{v}", "mcr.microsoft.com/dotnet/runtime:{v}",
                    "mcr.microsoft.com/dotnet/aspnet:{v}-alpine", "mcr.microsoft.com/dotnet/runtime-deps:{v}-chiseled",
                    "mcr.microsoft.com/dotnet/sdk:{v}"],
        "deps": ["COPY *.csproj ./", "RUN dotnet restore"],
        "compile": ["dotnet publish -c Release -o /out", "dotnet publish -c Release -o /out --no-restore"],
        "artifact": "/out",
        "run": ['["dotnet", "{Name}.dll"]', "dotnet {Name}.dll"],
    },
    "ruby": {
        "build": ["ruby:{v}", "ruby:{v}-slim", "ruby:{v}-alpine"],
        "versions": ["3.2", "3.3"],
        "runtime": ["ruby:{v}-slim", "ruby:{v}-alpine", "ruby:{v}"],
        "deps": ["COPY Gemfile Gemfile.lock ./", "RUN bundle config set without 'development test' && bundle install"],
        "compile": ["bundle exec rake assets:precompile", "bundle exec bootsnap precompile --gemfile"],
        "artifact": "/src",
        "run": ['["bundle", "exec", "puma", "-C", "config/puma.rb"]', "bundle exec rails server -b 0.0.0.0"],
    },
    "php": {
        "build": ["composer:2", "php:{v}-cli"],
        "versions": ["8.2", "8.3"],
        "runtime": ["php:{v}-fpm-alpine", "php:{v}-apache", "php:{v}-fpm"],
        "deps": ["COPY composer.json composer.lock ./", "RUN composer install --no-dev --no-scripts --prefer-dist"],
        "compile": ["composer dump-autoload --optimize"],
        "artifact": "/src",
        "run": ['["php-fpm"]', '["apache2-foreground"]'],
    },
    "c": {
        "build": ["gcc:{v}", "debian:bookworm", "ubuntu:{v}", "alpine:3.20"],
        "versions": ["12", "13", "22.04", "24.04"],
        "runtime": ["debian:bookworm-slim", "gcr.io/distroless/cc-debian12", "alpine:3.20", "scratch",
                    "ubuntu:24.04"],
        "deps": ["COPY CMakeLists.txt .", "COPY Makefile ."],
        "compile": ["cmake -S . -B build -DCMAKE_BUILD_TYPE=Release && cmake --build build -j",
                    "make -j$(nproc) && make install DESTDIR=/out", "gcc -O2 -static -o /out/app main.c"],
        "artifact": "/out/app",
        "run": ['["/usr/local/bin/app"]', "/usr/local/bin/app -c /etc/app.conf"],
    },
    "static": {
        "build": ["node:{v}-alpine", "node:{v}"],
        "versions": ["20", "22"],
        "runtime": ["nginx:1.27-alpine", "nginx:stable", "httpd:2.4-alpine", "caddy:2-alpine",
                    "nginxinc/nginx-unprivileged:1.27-alpine"],
        "deps": ["COPY package*.json ./", "RUN npm ci"],
        "compile": ["npm run build"],
        "artifact": "/src/dist",
        "run": ['["nginx", "-g", "daemon off;"]', "nginx -g 'daemon off;'"],
    },
}

APT_PACKAGES = ["ca-certificates", "curl", "git", "build-essential", "libpq-dev", "tzdata", "wget",
                "openssl", "libssl-dev", "pkg-config", "unzip", "jq", "vim", "netcat-openbsd",
                "gnupg", "locales", "procps", "libffi-dev", "python3-dev", "tini"]
APK_PACKAGES = ["ca-certificates", "curl", "git", "build-base", "musl-dev", "tzdata", "bash",
                "openssl", "libffi-dev", "postgresql-dev", "tini", "su-exec", "jq", "gcc"]
PIP_PACKAGES = ["requests", "flask==3.0.3", "gunicorn", "psycopg2-binary", "uvicorn[standard]",
                "numpy", "pydantic>=2", "django==5.0.6", "celery", "boto3"]
NAMES = ["api", "web", "worker", "gateway", "auth", "billing", "search", "ingest", "notifier",
         "scheduler", "proxy", "metrics", "catalog", "orders", "users", "frontend", "backend",
         "exporter", "crawler", "indexer"]
MAINTAINERS = ["platform@example.com", "Jane Doe <jane@example.org>", "ops-team"]
FILE_NAMES = ["Dockerfile", "Dockerfile", "Dockerfile", "Dockerfile", "Dockerfile.prod",
              "Dockerfile.dev", "Containerfile", "app.Dockerfile"]


class Gen:
    def __init__(self, rnd: random.Random):
        self.r = rnd

    def chance(self, p: float) -> bool:
        return self.r.random() < p

    def pick(self, seq):
        return seq[self.r.randrange(len(seq))]

    def sample(self, seq, lo, hi):
        return self.r.sample(seq, self.r.randint(lo, min(hi, len(seq))))

    # -- pieces -----------------------------------------------------------------
    def comment(self, out):
        out.append("# " + self.pick([
            "Build stage", "Install dependencies first for better layer caching",
            "Runtime image", "TODO: pin the base image digest", "See docs/deploy.md",
            "Do not run as root", "Keep this in sync with .github/workflows/ci.yml",
        ]))

    def apt_install(self, out, slim: bool):
        pkgs = self.sample(APT_PACKAGES, 1, 7)
        no_rec = " --no-install-recommends" if self.chance(0.6) else ""
        cleanup = self.chance(0.7)
        if self.chance(0.15):
            out.append("RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \\")
            out.append("    --mount=type=cache,target=/var/lib/apt,sharing=locked \\")
            out.append(f"    apt-get update && apt-get install -y{no_rec} " + " ".join(pkgs))
            return
        lines = ["RUN apt-get update \\", f"    && apt-get install -y{no_rec} \\"]
        for p in pkgs:
            lines.append(f"        {p} \\")
        if cleanup:
            lines.append("    && rm -rf /var/lib/apt/lists/*")
        else:
            lines[-1] = lines[-1].rstrip(" \\")
        out.extend(lines)

    def apk_install(self, out):
        pkgs = self.sample(APK_PACKAGES, 1, 6)
        if self.chance(0.7):
            out.append("RUN apk add --no-cache " + " ".join(pkgs))
        else:
            out.append("RUN apk update && apk add " + " ".join(pkgs))

    def pip_install(self, out):
        pkgs = self.sample(PIP_PACKAGES, 1, 4)
        flag = "--no-cache-dir " if self.chance(0.6) else ""
        out.append(f"RUN pip install {flag}" + " ".join(f'"{p}"' if "[" in p or ">" in p else p for p in pkgs))

    def heredoc(self, out, name):
        delim = self.pick(["EOF", "EOT", "SCRIPT"])
        if self.chance(0.5):
            out.append(f"RUN <<{delim}")
            out.append("set -eux")
            out.append(f"mkdir -p /etc/{name}")
            out.append(f"echo 'listen 8080' > /etc/{name}/{name}.conf")
            out.append(f"chmod 0644 /etc/{name}/{name}.conf")
            out.append(delim)
        else:
            out.append(f"COPY <<{delim} /etc/{name}/config.yaml")
            out.append(f"service: {name}")
            out.append("port: 8080")
            out.append("log_level: ${LOG_LEVEL:-info}")
            out.append(delim)
        # hadolint 2.x fails to parse an instruction directly after a heredoc's closing
        # delimiter (DL1000) unless a blank line follows; BuildKit needs none. Keep the
        # blank line so that hadolint analyses these files fully and the comparison is fair.
        out.append("")

    def os_install(self, out, base):
        if "alpine" in base:
            self.apk_install(out)
        elif any(s in base for s in ("debian", "ubuntu", "bookworm", "slim", "python:", "node:", "ruby:",
                                     "php:", "gcc:", "golang:", "rust:", "eclipse-temurin", "openjdk")):
            self.apt_install(out, "slim" in base)

    def user(self, out, base):
        if "alpine" in base:
            out.append("RUN addgroup -S app && adduser -S -G app app")
            out.append("USER app")
        elif "distroless" in base or "chainguard" in base or base == "scratch":
            out.append(self.pick(["USER nonroot:nonroot", "USER 65532:65532", "USER 10001"]))
        elif self.chance(0.5):
            out.append("RUN groupadd -r app && useradd --no-log-init -r -g app app")
            out.append("USER app")
        else:
            out.append(self.pick(["USER 1000", "USER nobody", "USER root"]))

    def healthcheck(self, out, base):
        port = self.pick(["8080", "8000", "3000", "80"])
        if "distroless" in base or base == "scratch" or "chainguard" in base:
            out.append('HEALTHCHECK --interval=30s --timeout=3s CMD ["/app", "healthcheck"]')
        elif self.chance(0.5):
            out.append(f"HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \\")
            out.append(f"  CMD curl -fsS http://localhost:{port}/healthz || exit 1")
        else:
            out.append(f'HEALTHCHECK CMD ["wget", "-qO-", "http://127.0.0.1:{port}/health"]')

    def labels(self, out, name):
        if self.chance(0.5):
            out.append(f'LABEL org.opencontainers.image.title="{name}" \\')
            out.append('      org.opencontainers.image.source="https://example.com/acme/' + name + '" \\')
            out.append('      org.opencontainers.image.licenses="Apache-2.0"')
        else:
            out.append(f"LABEL maintainer=\"{self.pick(MAINTAINERS)}\"")

    # -- whole files ------------------------------------------------------------
    def dockerfile(self, index: int):
        lang = self.pick(list(LANGS))
        spec = LANGS[lang]
        v = self.pick(spec["versions"])
        name = self.pick(NAMES)
        fill = {"v": v, "name": name, "Name": name.capitalize()}
        build_base = self.pick(spec["build"]).format(**fill)
        runtime_base = self.pick(spec["runtime"]).format(**fill)
        out = []
        if self.chance(0.3):
            out.append("# syntax=docker/dockerfile:1" + self.pick(["", ".7", ".4"]))
        if self.chance(0.2):
            out.append("# escape=\\")
        if self.chance(0.6):
            self.comment(out)
        arg_base = self.chance(0.25)
        if arg_base:
            var = self.pick(["BASE_IMAGE", "BUILDER", "GO_VERSION", "PY_VERSION", "NODE_VERSION"])
            if var.endswith("_VERSION"):
                out.append(f"ARG {var}={v}")
                base_ref = build_base.replace(v, "${" + var + "}", 1)
            else:
                out.append(f"ARG {var}={build_base}")
                base_ref = "${" + var + "}" if self.chance(0.5) else "$" + var
        else:
            base_ref = build_base
        shape = self.r.random()
        stages = 1 if shape < 0.35 else (2 if shape < 0.85 else self.r.randint(3, 6))
        platform = "--platform=$BUILDPLATFORM " if stages > 1 and self.chance(0.15) else ""
        workdir = self.pick(["/src", "/app", "/usr/src/app", "/build"])

        def build_stage(stage_name, base):
            out.append("")
            out.append(f"FROM {platform}{base}" + (f" AS {stage_name}" if stage_name else ""))
            if self.chance(0.3):
                self.labels(out, name)
            if self.chance(0.4):
                out.append(f"ENV {self.pick(['DEBIAN_FRONTEND', 'PIP_NO_CACHE_DIR', 'NODE_ENV', 'CGO_ENABLED'])}="
                           f"{self.pick(['noninteractive', '1', 'production', '0'])}")
            self.os_install(out, base)
            if lang == "python" and self.chance(0.4):
                self.pip_install(out)
            out.append(f"WORKDIR {workdir}")
            for d in spec["deps"]:
                if self.chance(0.8):
                    out.append(d)
            out.append("COPY . .")
            if self.chance(0.12):
                self.heredoc(out, name)
            compile_cmd = self.pick(spec["compile"]).format(**fill)
            if self.chance(0.2):
                out.append(f"RUN --mount=type=cache,target=/root/.cache {compile_cmd}")
            else:
                out.append(f"RUN {compile_cmd}")

        if stages == 1:
            build_stage(None, base_ref)
            final_base = build_base
        else:
            build_stage("build", base_ref)
            for extra in range(stages - 2):
                stage = f"{self.pick(['test', 'lint', 'assets', 'deps', 'tools'])}{extra}"
                out.append("")
                out.append(f"FROM build AS {stage}")
                out.append(self.pick(["RUN make test", "RUN npm test", "RUN go vet ./...",
                                      "RUN pytest -q", "RUN cargo clippy -- -D warnings",
                                      "COPY assets/ /assets/"]))
            out.append("")
            final_base = runtime_base
            out.append(f"FROM {final_base}" + (" AS runtime" if self.chance(0.4) else ""))
            if self.chance(0.3):
                self.labels(out, name)
            if self.chance(0.3) and final_base != "scratch" and "distroless" not in final_base \
                    and "chainguard" not in final_base:
                self.os_install(out, final_base)
            if final_base == "scratch" and self.chance(0.5):
                out.append("COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/")
            artifact = spec["artifact"].format(**fill)
            dest = "/app" if lang in ("go", "c") else ("/app.jar" if lang == "java" else "/usr/local/bin/" + name
                                                      if lang == "rust" else "/app")
            chown = "--chown=65532:65532 " if self.chance(0.3) else ""
            link = "--link " if self.chance(0.1) else ""
            out.append(f"COPY {link}{chown}--from=build {artifact} {dest}")
        if self.chance(0.4):
            out.append("EXPOSE " + self.pick(["8080", "80", "3000", "8000 8443", "5000/tcp"]))
        if self.chance(0.5):
            self.user(out, final_base)
        if self.chance(0.35):
            self.healthcheck(out, final_base)
        if self.chance(0.05):
            out.append('SHELL ["/bin/bash", "-o", "pipefail", "-c"]')
        if self.chance(0.03):
            out.append("ONBUILD COPY . /app/src")
        if self.chance(0.05):
            out.append("# dockerslim-lint ignore=DSL307")
        run = self.pick(spec["run"]).format(**fill)
        kind = self.pick(["ENTRYPOINT", "CMD", "CMD"])
        out.append(f"{kind} {run}")
        if kind == "ENTRYPOINT" and run.startswith("[") and self.chance(0.3):
            out.append('CMD ["--help"]')
        crlf = self.chance(0.03)
        text = "\n".join(out).lstrip("\n") + "\n"
        if crlf:
            text = text.replace("\n", "\r\n")
        folder = f"{index:05d}-{lang}-{name}"
        return folder, self.pick(FILE_NAMES), text


def generate(directory: str, count: int, seed: int) -> int:
    """Write `count` Dockerfiles under `directory`; returns the total bytes written."""
    if os.path.isdir(directory):
        for entry in os.listdir(directory):
            full = os.path.join(directory, entry)
            if os.path.isdir(full) and not os.path.islink(full) and entry[:5].isdigit():
                shutil.rmtree(full)
    os.makedirs(directory, exist_ok=True)
    gen = Gen(random.Random(seed))
    total = 0
    for i in range(count):
        folder, file_name, text = gen.dockerfile(i)
        os.makedirs(os.path.join(directory, folder), exist_ok=True)
        data = text.encode("utf-8")
        with open(os.path.join(directory, folder, file_name), "wb") as f:
            f.write(data)
        total += len(data)
    return total


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("directory", nargs="?", default=DEFAULT_DIR, help="output folder [bench/corpus]")
    ap.add_argument("-n", "--count", type=int, default=3000, help="number of Dockerfiles [3000]")
    ap.add_argument("--seed", type=int, default=20240601, help="random seed [20240601]")
    args = ap.parse_args(argv)
    if args.count < 1:
        ap.error("--count must be at least 1")
    total = generate(args.directory, args.count, args.seed)
    print(f"wrote {args.count} Dockerfiles ({total / 1024:.0f} KiB) to {args.directory}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
