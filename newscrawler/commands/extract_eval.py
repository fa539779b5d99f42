"""`scrapy extract-eval [DIR] [--jsonl OUT]`: score extract_article against trafilatura on scored pages."""

from __future__ import annotations

from argparse import ArgumentParser, Namespace
from pathlib import Path

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from newscrawler.extract.evaluate import DEFAULT_PAGES_DIR, evaluate


class Command(ScrapyCommand):
    """Thin adapter over newscrawler.extract.evaluate, which holds the logic."""

    requires_project = False
    default_settings = {"LOG_LEVEL": "WARNING"}

    def syntax(self) -> str:
        return "[options] [pages_dir]"

    def short_desc(self) -> str:
        return "Score extract_article and trafilatura on page folders (page.html + truth.json)"

    def add_options(self, parser: ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--jsonl", type=Path, help="write our extraction as JSONL here")
        parser.add_argument(
            "--scorer", type=Path, help="score.py to use (default: ../tools/score.py next to DIR)"
        )
        parser.add_argument(
            "--no-baseline", action="store_true", help="skip the trafilatura run (faster)"
        )

    def run(self, args: list[str], opts: Namespace) -> None:
        if len(args) > 1:
            raise UsageError("give at most one pages directory")
        pages_dir = Path(args[0]) if args else DEFAULT_PAGES_DIR
        if not pages_dir.is_dir():
            raise UsageError(f"{pages_dir} is not a directory of page folders")
        print(evaluate(pages_dir, opts.jsonl, not opts.no_baseline, opts.scorer))
