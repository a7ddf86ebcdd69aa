# fleet-json-exporter image: built with the dev dependencies (TypeScript), run with the production ones only, non-root.
#
#   docker build -t fleet-json-exporter:0.1.0 .
#   docker run -p 7979:7979 fleet-json-exporter:0.1.0          # the embedded SRS config
#   docker run -p 7979:7979 -v $PWD/config.yml:/etc/fleet-json-exporter/config.yml:ro fleet-json-exporter:0.1.0
#
# The config lives at /etc/fleet-json-exporter/config.yml (the default command reads it; the Helm chart mounts its
# ConfigMap there). Arguments replace the default command, so a json_exporter Deployment's
# `args: ["--config.file", "/config.yml"]` works unchanged. test/deploy/dockerfile.test.ts checks this file's shape.
ARG NODE_IMAGE=node:24-slim

# 1. Compile TypeScript (dev dependencies) and write the embedded default config out as the image's config file.
FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
# The native addons (Node-API: the same binaries run on the runtime's Node) need g++ here: the JSON pruner
# (native/json_prune.cc) and gzip members through libdeflate (native/gzip_member.cc, linked statically from
# libdeflate-dev, so the runtime needs no library of its own).
RUN apt-get update && apt-get install -y --no-install-recommends g++ libdeflate-dev && rm -rf /var/lib/apt/lists/*
COPY native ./native
COPY tools/build-native.mjs ./tools/build-native.mjs
RUN FJE_NATIVE=required node tools/build-native.mjs
COPY tsconfig.json ./
COPY src ./src
RUN npx tsc -p tsconfig.json \
 && node --input-type=module -e "import('/src/dist/src/config/embedded.js').then((m) => process.stdout.write(m.EMBEDDED_CONFIG_YAML))" > /src/config.yml

# 2. Production dependencies only: no TypeScript, Biome or test tools, no native optional build (simdjson is bench-only).
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --omit=optional --ignore-scripts --no-audit --no-fund && npm cache clean --force

# 3. The runtime: compiled JavaScript, the native addons, production node_modules, package.json (for --version), the
#    default config.
FROM ${NODE_IMAGE} AS runtime
# Two malloc arenas, not glibc's eight per core: threads that malloc (V8's GC helpers, the workers) each kept an
# arena of their own whose freed memory stayed resident (not zlib's compressions: moving those to the main thread
# left the arenas as they were). Measured (bench:fleet, 10,000 × 10, 90 s windows, alternated, bench/README.md):
# max RSS 282 and 306 MB with it, 344 and 472 MB without; CPU the same.
# npm start and bench:fleet run the exporter the same way.
ENV NODE_ENV=production MALLOC_ARENA_MAX=2
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /src/dist/src ./dist/src
COPY --from=build /src/build/native ./build/native
COPY package.json ./
COPY --from=build /src/config.yml /etc/fleet-json-exporter/config.yml
# The node image's unprivileged user, by number so Kubernetes' runAsNonRoot can verify it.
USER 1000:1000
EXPOSE 7979
ENTRYPOINT ["node", "/app/dist/src/cli.js"]
CMD ["--config.file=/etc/fleet-json-exporter/config.yml"]
