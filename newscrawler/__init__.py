"""newscrawler: a Scrapy crawler and archiver for news sites."""

__version__ = "0.1.0"
