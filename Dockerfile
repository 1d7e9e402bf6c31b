# syntax=docker/dockerfile:1
# One image for the API (node dist/main.js), the workers (node dist/worker.js) and the migrations
# (node dist/migrate/main.js up). Compile with dev dependencies; ship production dependencies only.
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
# Manifests first: the dependency layer is reused until package-lock.json changes.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# The launchers behind `npm run migrate`, `backfill` and `token`; without TypeScript installed they
# run dist/ as built.
COPY migrations ./migrations
COPY scripts/ensure-built.mjs scripts/token.mjs ./scripts/
COPY scripts/backfill ./scripts/backfill
# Files stay root-owned and read-only to the process: it writes nothing to disk.
USER node
EXPOSE 3000
# The health check lives in docker-compose.yml: the same image also runs the worker, which serves no HTTP.
CMD ["node", "dist/main.js"]
