# The gateway's image (issue 13 item 4). README "Running on Kubernetes" says how to build it;
# `npm run image:check` builds it with buildah and starts it as Kubernetes would.
#
# NODE_IMAGE is any Node 22 image with npm (Node 20 reached end of life on 2026-04-30).
ARG NODE_IMAGE=node:22-bookworm-slim

# Build: every dependency, TypeScript to dist/, then only the production dependencies are kept.
FROM ${NODE_IMAGE} AS build
# Builds behind a TLS-intercepting proxy: a CA bundle that npm should trust, e.g. with
# `--build-arg NODE_EXTRA_CA_CERTS=/ca.crt` and the file mounted there. Empty: Node's own CAs.
ARG NODE_EXTRA_CA_CERTS=
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY migrations ./migrations
# The build's second step bundles the entries (README "Start time").
COPY scripts/bundle.mjs ./scripts/
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

# Runtime: root owns every file; the server writes only under /tmp (DATA_DIR: PGlite, its lock,
# secret.key), so the pod runs with readOnlyRootFilesystem and an emptyDir at /tmp, as
# `gatehouse manifests` prints it (src/k8s/gateway-manifests.ts). No RUN here: the stage works
# on any Node 22 image, shell or not.
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=4000 \
    DATA_DIR=/tmp/gatehouse \
    HOME=/tmp
WORKDIR /app
# package.json marks the root that the server finds schema/ and proto/ from (src/paths.ts).
COPY package.json package-lock.json ./
COPY schema ./schema
COPY proto ./proto
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# Numeric, so that Kubernetes can check runAsNonRoot; the pod's runAsUser and runAsGroup are the
# same. No passwd entry: HOME is set above, and nothing asks for a user name.
USER 10001:10001
EXPOSE 4000
ENTRYPOINT ["node", "dist/src/main.js"]
