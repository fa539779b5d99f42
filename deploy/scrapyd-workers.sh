#!/bin/sh
# newscrawler: schedule N distributed workers of one site profile on scrapyd (docs/scaling.md).
#     deploy/scrapyd-workers.sh tagesschau 4 redis://redis.example:6379/0 [http://127.0.0.1:6800/]
# Each job is one worker of the site's shared run; the first pushes the start requests, all of
# them exit once the run has drained. scrapyd runs spiders only: the writer runs beside it
# (newscrawler-writer.service, or `scrapy archive-writer` by hand).
set -eu
site=$1
workers=$2
redis_url=$3
scrapyd=${4:-http://127.0.0.1:6800/}
n=1
while [ "$n" -le "$workers" ]; do
    curl --fail --silent --show-error "${scrapyd}schedule.json" \
        -d project=newscrawler -d spider=news -d "site=$site" \
        -d "setting=REDIS_URL=$redis_url" -d "jobid=$site-worker-$n-$(date +%Y%m%dT%H%M)"
    echo
    n=$((n + 1))
done
