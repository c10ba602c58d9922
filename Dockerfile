# syntax=docker/dockerfile:1
# caracal-chatops: build with the dev dependencies, run compiled JavaScript with production dependencies only.
#   docker build -t caracal-chatops .
#   docker run --read-only --tmpfs /tmp -p 3000:3000 --env-file .env -v $PWD/config.yml:/etc/caracal-chatops/config.yml:ro caracal-chatops
ARG NODE_IMAGE=node:20-bookworm-slim

# 1. Compile TypeScript to dist/ (tsc, plus the sandbox's page and SQL).
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY src ./src
RUN npm run build

# 2. Production dependencies only (no tsx, no TypeScript, no test tools).
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --ignore-scripts && npm cache clean --force

# 3. The image: no npm at start, no install step, no TypeScript loader; root-owned files, a non-root user.
FROM ${NODE_IMAGE} AS runtime
RUN apt-get update \
  && apt-get install -y --no-install-recommends tini \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production \
    CARACAL_CHATOPS_CONFIG=/etc/caracal-chatops/config.yml
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin ./bin
COPY migrations ./migrations
# The image's "node" user (uid 1000). Nothing under /app is writable by it: the root filesystem can be read-only.
# The only writes are logs to stdout and, without STATE_DATABASE_URL, the embedded state under /app/.data (mount a
# volume there; with 2 replicas use STATE_DATABASE_URL instead). /tmp may be a tmpfs.
USER node
EXPOSE 3000
# /healthz on the bot's port (slack.port, default 3000; src/slack/routes.ts). Node 20 has fetch: no curl needed.
HEALTHCHECK --interval=30s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.HEALTHCHECK_PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# tini is PID 1: it forwards SIGTERM to node (which stops within 20 s, exit codes in README) and reaps children.
ENTRYPOINT ["/usr/bin/tini", "--", "node", "bin/caracal-chatops.js"]
CMD ["serve"]
