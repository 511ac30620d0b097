# One image for every bilan process; the command picks the service.
FROM python:3.11-slim
ENV PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 BILAN_HOST=0.0.0.0
WORKDIR /app
COPY pyproject.toml README.md ./
COPY shared ./shared
COPY services ./services
COPY cli ./cli
COPY simulator ./simulator
RUN pip install . flower
RUN useradd --create-home bilan
USER bilan
ENTRYPOINT ["bilan"]
CMD ["web"]
