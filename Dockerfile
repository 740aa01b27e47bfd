# One image for web, worker and beat; docker-compose.yml picks the command.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN useradd --create-home --uid 10001 thrive
WORKDIR /app

COPY pyproject.toml requirements.lock ./
# The runtime dependencies of pyproject.toml at the exact versions of the lock (no dev tools).
RUN pip install -c requirements.lock .

COPY --chown=thrive:thrive . .
# collectstatic loads the production settings, which insist on a secret key and a keyring:
# give it throwaway ones that exist only for this step.
RUN python -c "from connections.vault import keyring_generate; print(keyring_generate().to_json())" \
        > /tmp/build-keyring.json \
    && SECRET_KEY="collectstatic-only-$(python -c 'import secrets; print(secrets.token_hex(32))')" \
       THRIVE_KEYRING_FILE=/tmp/build-keyring.json DEBUG=0 \
       python manage.py collectstatic --noinput -v 0 \
    && rm /tmp/build-keyring.json

USER thrive
EXPOSE 8000
CMD ["gunicorn", "thrive.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
