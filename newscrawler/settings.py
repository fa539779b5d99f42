"""Scrapy settings for newscrawler.

Shaped like Scrapy's project template: identity, politeness, components, then our own
settings, one block per component. Every setting can be overridden per run with
``-s NAME=VALUE``; the README lists them all.
"""

from newscrawler import fields as _fields

# -- Project identity ------------------------------------------------------------------------
BOT_NAME = "newscrawler"
SPIDER_MODULES = ["newscrawler.spiders"]
NEWSPIDER_MODULE = "newscrawler.spiders"
COMMANDS_MODULE = "newscrawler.commands"

# Where operators of crawled sites can read who we are. The news spider builds the
# User-Agent from it ("newscrawler/VERSION (+CONTACT_URL)") unless USER_AGENT is set.
CONTACT_URL = "https://github.com/newscrawler/newscrawler"

# -- Politeness ------------------------------------------------------------------------------
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_DELAY = 0.5
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
# Scrapy starts this many asyncio tasks for the output of every response (default 100); an
# article page yields one item and a dozen requests, and our pipelines do not wait on I/O, so
# 16 lose nothing and save the reactor thread ~84 task starts per page.
CONCURRENT_ITEMS = 16
# Scheduled jobs open no control port of their own.
REMOTE_CONTROL_ENABLED = False

# -- Bounds: every run ends on its own -------------------------------------------------------
# How many hops from a start page the crawl goes (home -> article -> related -> related).
DEPTH_LIMIT = 3
CLOSESPIDER_PAGECOUNT = 5000
CLOSESPIDER_TIMEOUT = 3600
CLOSESPIDER_ERRORCOUNT = 500
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 20 * 1024 * 1024
DOWNLOAD_WARNSIZE = 5 * 1024 * 1024
RETRY_TIMES = 2

# -- Incremental crawling and per-site counters -----------------------------------------------
DOWNLOADER_MIDDLEWARES = {
    # Early: an archived article is skipped before anything else is spent on it.
    "newscrawler.middlewares.IncrementalMiddleware": 50,
    # Next to the downloader: sees every response, retried ones included.
    "newscrawler.middlewares.SiteStatsMiddleware": 950,
    # Network safety (newscrawler/middlewares/safety.py): refuse non-HTTP and private targets (after the
    # offsite filter), refuse decompression bombs before HttpCompressionMiddleware (590) and
    # RedirectMiddleware (600) see them, repair a mislabelled charset after decompression.
    "newscrawler.middlewares.SafetyMiddleware": 60,
    "newscrawler.middlewares.ResponseGuardMiddleware": 620,
    "newscrawler.middlewares.CharsetRepairMiddleware": 585,
}
EXTENSIONS = {
    # A misspelt -s setting stops the run at start ("did you mean ...?"); STRICT_SETTINGS=0 lets it pass.
    "newscrawler.extensions.StrictSettings": -10,
    # Progress lines, end-of-run warnings and the summary (docs/crawling.md "What a crawl says").
    "newscrawler.extensions.CrawlReport": 10,
    # The crawl's one open archive (ARCHIVE_*): the middlewares and pipelines below use it.
    "newscrawler.extensions.ArchiveExtension": 0,
    "newscrawler.extensions.HealthCheck": 500,
    # A JOBDIR left by a killed crawl is refused at start instead of resumed with lost requests.
    "newscrawler.extensions.JobdirGuard": 0,
    # A graceful stop ends within STOP_GRACE_SECONDS, whatever the site's downloads do.
    "newscrawler.extensions.StopDeadline": 0,
    # Article extraction in worker processes (EXTRACT_WORKERS), so the reactor keeps crawling.
    "newscrawler.workers.pool.ExtractionPool": 0,
}

# -- Deduplication of requests: one URL canonicalisation for requests and archive -------------
REQUEST_FINGERPRINTER_CLASS = "newscrawler.request_fingerprinter.CanonicalRequestFingerprinter"

# -- Item pipelines: clean < validate < deduplicate < archive --------------------------------
ITEM_PIPELINES = {
    "newscrawler.pipelines.CleanPipeline": 300,
    "newscrawler.pipelines.ValidatePipeline": 400,
    "newscrawler.pipelines.DedupPipeline": 500,
    "newscrawler.pipelines.ArchivePipeline": 800,
}

# -- Spider middlewares: keep the raw response behind every item (provenance) ----------------
SPIDER_MIDDLEWARES = {
    # Scrapy's depth limit, keeping the links it cuts off for the end-of-run report.
    "scrapy.spidermiddlewares.depth.DepthMiddleware": None,
    "newscrawler.middlewares.DepthMiddleware": 900,
    "newscrawler.middlewares.RawPagesMiddleware": 950,
    # Page signals the text does not show (a declared paywall), for ValidatePipeline.
    "newscrawler.middlewares.PageSignalsMiddleware": 900,
}

# -- Feed exports work as usual (scrapy crawl news -O articles.jsonl) -------------------------
FEED_EXPORT_ENCODING = "utf-8"
# A run that keeps no new article leaves an -O file as it was instead of emptying it.
FEED_STORE_EMPTY = False
# The article fields (newscrawler/fields.py), in that order; not the worker's private output.
FEED_EXPORT_FIELDS = list(_fields.ITEM_FIELDS)

# -- Our settings ----------------------------------------------------------------------------
# Site profiles (TOML); empty means the bundled newscrawler/sites.toml.
SITES_FILE = ""
# Headings of the related-articles block; empty means the built-in German + English labels.
RELATED_LABELS: list[str] = []
# At most this many related links are taken from one page (the rest counted as
# newscrawler/related/over_limit): a page with 10,000 "related" links must not take the run.
RELATED_MAX_LINKS = 50

# News spider, link choice on listing pages (docs/crawling-discovery.md): articles first;
# teasers with a paywall mark skipped; sections and topics followed at a lower priority, at
# most FOLLOW_SECTIONS_MAX per run (0: none); from a www. host, the site's other subdomains
# (sport., magazin.) followed too.
SKIP_PAYWALLED = True
FOLLOW_SECTIONS_MAX = 25
FOLLOW_SUBDOMAINS = True

# CleanPipeline: phrase lists per language (dict language -> list) replacing the built-in ones.
CLEAN_TAIL_MARKERS: dict[str, list[str]] = {}
CLEAN_INSERT_MARKERS: dict[str, list[str]] = {}

# ValidatePipeline: articles with fewer body words are dropped (EmptyBody / TooShort).
VALIDATE_MIN_WORDS = 25

# IncrementalMiddleware: archived articles are not fetched again, except those first seen
# less than RECRAWL_DAYS ago (re-checked with If-None-Match/If-Modified-Since), and those only
# once RECRAWL_INTERVAL_HOURS have passed since the last check, times RECRAWL_BACKOFF for each
# re-check that found the page unchanged (1 h, 3 h, 9 h, ...; a change starts again at 1 h).
# Pages dropped as too short or not an article are remembered and re-checked the same way.
INCREMENTAL_ENABLED = True
RECRAWL_DAYS = 2.0
RECRAWL_INTERVAL_HOURS = 1.0
RECRAWL_BACKOFF = 3.0

# HealthCheck: a site fails the run when it yields no article, or when this share of its
# responses are refusals or of its article pages extraction failures; `scrapy crawl` then exits 3.
HEALTH_CHECK_ENABLED = True
HEALTH_MAX_FAILURE_SHARE = 0.5

# DedupPipeline: near-duplicate detection (MinHash/LSH). A text is a copy when this share of
# the shorter text's word 3-grams is also in the other (bench/dedup_eval.py measures it).
DEDUP_NEAR_ENABLED = True
DEDUP_NEAR_THRESHOLD = 0.7

# ArchivePipeline: the SQLite archive.
ARCHIVE_ENABLED = True
ARCHIVE_PATH = "archive/news.db"
ARCHIVE_BATCH_SIZE = 50
# ...and at the latest every this many seconds, so a hard stop (kill -9, docker stop) loses at
# most the articles of the last seconds; 0 writes full batches only.
ARCHIVE_FLUSH_SECONDS = 5.0
# A graceful stop (Ctrl-C, SIGTERM) waits this long for downloads in flight, then gives them
# up, writes what it holds and ends (docker stop sends SIGKILL after 10 s); 0: wait for all.
STOP_GRACE_SECONDS = 8.0
ARCHIVE_TIMEOUT = 30.0

# RawPagesMiddleware: raw responses of archived articles, zlib-compressed, in their own SQLite
# file; empty RAW_ARCHIVE_PATH means ARCHIVE_PATH with "-raw" before ".db" (archive/news-raw.db).
RAW_ARCHIVE_ENABLED = True
RAW_ARCHIVE_PATH = ""
RAW_ARCHIVE_BATCH_SIZE = 50

LOG_LEVEL = "INFO"
# CrawlReport says what a crawl does instead of Scrapy's minute line and 60-line stats dump
# (the stats are all in crawls.stats): a progress line every PROGRESS_INTERVAL seconds (0: none)
# and a summary at the end; a dropped article is one log line with its reason.
PROGRESS_INTERVAL = 10.0
LOGSTATS_INTERVAL = 0
STATS_DUMP = False
LOG_FORMATTER = "newscrawler.logformatter.NewsLogFormatter"
STRICT_SETTINGS = True

# -- Reliability and security (README "Reliability and security") -----------------------------
# SafetyMiddleware, ResponseGuardMiddleware, CharsetRepairMiddleware: on unless SAFETY_ENABLED
# is off. Private, loopback and link-local targets are refused unless they are the crawl's own
# hosts (start URLs, allowed domains) or listed here; other host names are resolved first.
SAFETY_ENABLED = True
SAFETY_PRIVATE_HOSTS: list[str] = []
SAFETY_RESOLVE_HOSTS = True
# A chain of more than 10 redirects is a broken or hostile site, not a moved article.
REDIRECT_MAX_TIMES = 10
# DOWNLOAD_MAXSIZE (above) also caps the decompressed size of a compressed response.
# ValidatePipeline: drop soft 404s, error and consent pages, paywall teasers, imprints and
# listings that carry an article template (newscrawler/extract/quality.py).
VALIDATE_PAGE_QUALITY = True

# -- Throughput (README "Performance"; python -m bench.crawl measures it) ----------------------
# Articles are extracted in a pool of worker processes, so the reactor thread keeps crawling:
# empty means one per core but one (at least 1); 0 extracts in the crawl's own process.
EXTRACT_WORKERS = ""
# The worker also cleans the body; CleanPipeline takes its result instead of cleaning again.

# -- Distributed mode (docs/scaling.md): many workers on one Redis, one archive writer ---------
# Empty: one process, as above. Set (redis://HOST:6379/0): `scrapy crawl news` is a worker of
# the site's shared run (scrapy-redis scheduler and dupefilter, leased requests, items to the
# stream REDIS_STREAM, site-wide politeness) and `scrapy archive-writer` archives the stream.
REDIS_URL = ""
ADDONS = {"newscrawler.distributed.DistributedAddon": 0}
# The run the worker joins; empty: the site's current run (the first worker starts one, the
# worker that sees it drained ends it, so the next crawl is a new run).
REDIS_RUN = ""
# Seconds a popped request stays leased without renewal before it returns to the queue.
REDIS_LEASE_SECONDS = 60.0
# A worker exits once its run had nothing queued and nothing leased for this many seconds.
REDIS_IDLE_TIMEOUT = 30.0
# Push the start requests of the run and exit (the seeding step of a scheduled run).
REDIS_SEED_ONLY = False
# How long a command waits for an unreachable Redis (a restart) before it fails, seconds.
REDIS_RETRY_SECONDS = 60
# Run keys (frontier, dupefilter) are kept this long after the run drained, seconds.
REDIS_RUN_TTL = 7 * 86400
# The stream of finished items, read by the writer in the consumer group WRITER_GROUP.
REDIS_STREAM = "newscrawler:articles"
# CONCURRENT_REQUESTS_PER_DOMAIN and DOWNLOAD_DELAY hold per site across all workers.
REDIS_POLITENESS_ENABLED = True
# `worker` or `writer` (set by `scrapy archive-writer`).
DISTRIBUTED_ROLE = "worker"
WRITER_GROUP = "archive-writer"
# Entries another writer read and left unacknowledged this long are claimed, seconds.
WRITER_CLAIM_SECONDS = 60.0
