"""Benchmarks of newscrawler (run as ``python -m bench.crawl``); not part of the package."""
