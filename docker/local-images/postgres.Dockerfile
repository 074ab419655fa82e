# Debian's PostgreSQL 15, started the way the official `postgres:15` image
# starts, for machines that cannot pull that image (see ./build). Only what
# docker-compose.yml relies on is copied from the official image:
#
# - POSTGRES_USER, POSTGRES_PASSWORD and POSTGRES_DB make the superuser and
#   the first database when the data directory is empty;
# - the data live in /var/lib/postgresql/data (a volume in the compose file);
# - the server listens on every interface of the container, with passwords;
# - `psql` and `pg_isready` are on the PATH (the migrations service and the
#   health check use them);
# - a command other than `postgres` runs as given (the migrations service).
ARG BASE_IMAGE=local/debian:bookworm
FROM ${BASE_IMAGE}
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql-15 \
 && rm -rf /var/lib/apt/lists/*
ENV PATH=/usr/lib/postgresql/15/bin:$PATH \
    PGDATA=/var/lib/postgresql/data
COPY postgres-entrypoint.sh /usr/local/bin/postgres-entrypoint.sh
ENTRYPOINT ["postgres-entrypoint.sh"]
CMD ["postgres"]
EXPOSE 5432
