"""`scrapy extract-eval [DIR] [--jsonl OUT]`: score extract_article beside trafilatura.

Without DIR: every development set found in ../shared, one table. With DIR: that set only.
"""

from __future__ import annotations

from argparse import ArgumentParser, Namespace
from pathlib import Path

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from newscrawler.extract.evaluate import (
    SHARED_DIR,
    evaluate,
    evaluate_sets,
    find_dev_sets,
    format_changes,
    format_sets_table,
    format_worst,
)


class Command(ScrapyCommand):
    """Thin adapter over newscrawler.extract.evaluate, which holds the logic."""

    requires_project = False
    default_settings = {"LOG_LEVEL": "WARNING"}

    def syntax(self) -> str:
        return "[options] [pages_dir]"

    def short_desc(self) -> str:
        return "Score extract_article and trafilatura on every development set (or one DIR)"

    def add_options(self, parser: ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument(
            "--jsonl",
            type=Path,
            # No colon in this text: Scrapy's help formatter takes a wrapped line that ends in
            # one for a section heading.
            help="with DIR, the JSONL file for our extraction; without DIR, a folder for the "
            "<set>.<system>.jsonl files",
        )
        parser.add_argument(
            "--scorer", type=Path, help="score.py to use (default: ../shared/tools/score.py)"
        )
        parser.add_argument(
            "--no-baseline", action="store_true", help="skip the trafilatura run (faster)"
        )
        parser.add_argument(
            "--processes", type=int, default=2, help="worker processes (default: 2)"
        )
        parser.add_argument(
            "--shared", type=Path, default=SHARED_DIR, help="folder holding the sets"
        )
        parser.add_argument(
            "--worst",
            type=int,
            default=0,
            metavar="N",
            help="also list, per set, the N pages furthest behind trafilatura (or lowest)",
        )
        parser.add_argument(
            "--against",
            type=Path,
            metavar="DIR",
            help="also list the pages whose body F1 changed since the run whose --jsonl "
            "folder is DIR",
        )

    def run(self, args: list[str], opts: Namespace) -> None:
        if len(args) > 1:
            raise UsageError("give at most one pages directory")
        if opts.worst < 0:
            raise UsageError(f"--worst takes a count of pages, not {opts.worst}")
        if opts.against is not None and not opts.against.is_dir():
            raise UsageError(
                f"--against {opts.against}: not a folder; give the --jsonl folder of a run"
            )
        if args and (opts.worst or opts.against):
            raise UsageError(
                "--worst and --against read the development sets: leave out the pages directory"
            )
        if args:
            pages_dir = Path(args[0])
            if not pages_dir.is_dir():
                raise UsageError(f"{pages_dir} is not a directory of page folders")
            print(
                evaluate(pages_dir, opts.jsonl, not opts.no_baseline, opts.scorer, opts.processes)
            )
            return
        sets, notes = find_dev_sets(opts.shared)
        scorer = opts.scorer or opts.shared / "tools" / "score.py"
        if not sets or not scorer.is_file():
            print("\n".join([*notes, f"nothing to score (scorer: {scorer})"]))
            return
        results = evaluate_sets(sets, scorer, not opts.no_baseline, opts.processes, opts.jsonl)
        print(format_sets_table(results, notes))
        if opts.worst:
            print()
            print(format_worst(results, opts.worst))
        if opts.against is not None:
            print()
            print(format_changes(results, sets, scorer, opts.against))
