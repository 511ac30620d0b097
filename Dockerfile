# One image for every bilan process; the command picks the service.

# The web pages' browser assets (DSFR, Chart.js), from the committed lock file.
FROM node:20-slim AS assets
WORKDIR /frontend
COPY services/web/frontend/package.json services/web/frontend/package-lock.json services/web/frontend/.dsfr.yml ./
RUN npm ci --omit=dev --no-audit --no-fund

FROM python:3.11-slim
ENV PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 BILAN_HOST=0.0.0.0
WORKDIR /app
COPY pyproject.toml README.md ./
COPY shared ./shared
COPY services ./services
COPY cli ./cli
COPY simulator ./simulator
COPY --from=assets /frontend/node_modules ./services/web/frontend/node_modules
# Editable, so that the app finds its assets beside its code, as in a checkout.
RUN pip install -e . flower
RUN useradd --create-home bilan
USER bilan
ENTRYPOINT ["bilan"]
CMD ["web"]
