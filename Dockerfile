# CometTicker server image.
#   docker build -t cometticker .
#   docker run -e DATABASE_URL=postgresql://ticker_server:...@db/ticker -p 8080:8080 cometticker
# The database is yours: apply Schema/ once with
#   docker run --rm -e DATABASE_URL=postgresql://owner@db/ticker cometticker db migrate

FROM swift:6.1-bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends libpq-dev libevent-dev libwslay-dev libgd-dev pkg-config \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Package.swift ./
COPY Sources ./Sources
RUN swift build -c release --product ticker --static-swift-stdlib \
    && cp "$(swift build -c release --show-bin-path)/ticker" /ticker

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends \
        libpq5 libevent-2.1-7 libevent-pthreads-2.1-7 libwslay1 libgd3 ca-certificates tzdata \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home /nonexistent --shell /usr/sbin/nologin ticker
COPY --from=build /ticker /usr/local/bin/ticker
COPY Schema /usr/share/ticker/Schema
COPY Public /usr/share/ticker/Public
USER ticker
ENV PORT=8080
EXPOSE 8080
# DATABASE_URL comes from the environment; the server refuses to start without a database.
ENTRYPOINT ["/usr/local/bin/ticker"]
CMD ["serve", "--host", "0.0.0.0"]
