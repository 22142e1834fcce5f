# One image for both services; the command chooses which (see docker-compose.yml).
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
RUN useradd --create-home --uid 10001 app
WORKDIR /app
COPY pyproject.toml requirements.lock README.md ./
COPY shared ./shared
COPY services ./services
COPY migrations ./migrations
COPY scripts ./scripts
# The same installer and pin as the Makefile's (tests/shared/test_lock_file.py); bytecode compiled at install,
# since PYTHONDONTWRITEBYTECODE stops the services writing it.
ARG UV=uv==0.13.9
RUN pip install --no-cache-dir $UV && uv pip install --system --no-cache --compile-bytecode -c requirements.lock -e .
USER app
EXPOSE 8001 8002
CMD ["school-api", "serve", "--host", "0.0.0.0", "--port", "8001"]
