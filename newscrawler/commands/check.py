"""`scrapy check`, as a diagnostic that leaves the archive alone.

Scrapy's own `check` runs the project's components, so it used to add a row to `crawls`, skip
URLs the archive already knows and hold the archive's writer lock. Here it runs with the
archive, incremental skipping, raw pages and the health check off
(:data:`newscrawler.commands.extract.DIAGNOSTIC_SETTINGS`); everything else is Scrapy's.
"""

from __future__ import annotations

from argparse import Namespace

from scrapy.commands.check import Command as ScrapyCheckCommand

from newscrawler.commands.extract import DIAGNOSTIC_SETTINGS


class Command(ScrapyCheckCommand):
    def process_options(self, args: list[str], opts: Namespace) -> None:
        super().process_options(args, opts)
        assert self.settings is not None
        for name, value in DIAGNOSTIC_SETTINGS.items():
            self.settings.set(name, value, priority="cmdline")
