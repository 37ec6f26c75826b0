# One image for web, worker and beat (docker-compose.yml shares it through a YAML anchor).
FROM node:20-bookworm-slim AS assets
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY scripts/vendor.mjs scripts/vendor.mjs
RUN npm run build

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DEBUG=false BIND=0.0.0.0:8000
WORKDIR /app
COPY requirements.txt ./
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
COPY --from=assets /app/static/vendor static/vendor
RUN pybabel compile -d locale -D django \
    && SECRET_KEY=build-only ALLOWED_HOSTS=localhost python manage.py collectstatic --noinput \
    && useradd --create-home --uid 1000 app && chown -R app /app/var
USER app
EXPOSE 8000
CMD ["gunicorn", "config.wsgi"]
