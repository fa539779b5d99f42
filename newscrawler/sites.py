"""Site profiles: named crawl configurations read from one TOML file (``sites.toml``)."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

__all__ = ["DEFAULT_SITES_FILE", "SiteProfile", "SiteProfileError", "load_profile", "load_profiles"]

#: The bundled profiles, read as package data so they load from a zipped egg too (scrapyd).
DEFAULT_SITES_FILE = resources.files("newscrawler").joinpath("sites.toml")
_SELECTOR_FIELDS = frozenset({"title", "body", "authors", "published_at", "related"})
_KEYS = frozenset(
    {
        "start_urls",
        "allowed_domains",
        "article_pattern",
        "related_labels",
        "language",
        "selectors",
        "feeds",
        "sitemaps",
    }
)


class SiteProfileError(ValueError):
    """A site profile is missing or malformed; the message says which and why."""


@dataclass(frozen=True)
class SiteProfile:
    """What the generic crawl needs to know about one site, and nothing more."""

    name: str
    start_urls: tuple[str, ...]
    allowed_domains: tuple[str, ...] = ()
    article_pattern: re.Pattern[str] | None = None
    related_labels: tuple[str, ...] = ()
    language: str | None = None
    selectors: Mapping[str, str] = field(default_factory=dict)
    feeds: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()

    @classmethod
    def from_mapping(cls, name: str, data: Mapping[str, Any]) -> SiteProfile:
        """Validate one ``[name]`` table; unknown keys are errors, not silently ignored."""
        unknown = set(data) - _KEYS
        if unknown:
            raise SiteProfileError(
                f"site profile {name!r}: unknown key(s) {', '.join(sorted(unknown))}; "
                f"allowed: {', '.join(sorted(_KEYS))}"
            )
        start_urls = _str_list(name, "start_urls", data.get("start_urls", []))
        if not start_urls:
            raise SiteProfileError(f"site profile {name!r}: start_urls is empty")
        for url in start_urls:
            if urlsplit(url).scheme not in ("http", "https"):
                raise SiteProfileError(f"site profile {name!r}: start URL {url!r} is not http(s)")
        pattern = data.get("article_pattern")
        try:
            compiled = re.compile(pattern) if pattern else None
        except re.error as exc:
            raise SiteProfileError(
                f"site profile {name!r}: article_pattern {pattern!r} is not a valid regular "
                f"expression: {exc}"
            ) from exc
        selectors = dict(data.get("selectors", {}))
        bad = set(selectors) - _SELECTOR_FIELDS
        if bad:
            raise SiteProfileError(
                f"site profile {name!r}: selectors for unknown field(s) {', '.join(sorted(bad))}; "
                f"allowed: {', '.join(sorted(_SELECTOR_FIELDS))}"
            )
        return cls(
            name=name,
            start_urls=tuple(start_urls),
            allowed_domains=tuple(
                _str_list(name, "allowed_domains", data.get("allowed_domains", []))
            ),
            article_pattern=compiled,
            related_labels=tuple(_str_list(name, "related_labels", data.get("related_labels", []))),
            language=data.get("language"),
            selectors=selectors,
            feeds=tuple(_str_list(name, "feeds", data.get("feeds", []))),
            sitemaps=tuple(_str_list(name, "sitemaps", data.get("sitemaps", []))),
        )


def _str_list(name: str, key: str, value: Any) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise SiteProfileError(f"site profile {name!r}: {key} must be a list of strings")
    return value


def load_profiles(path: str | Path | None = None) -> dict[str, SiteProfile]:
    """All profiles of a sites file (default: the bundled ``sites.toml``)."""
    file: Path | Traversable = Path(path) if path else DEFAULT_SITES_FILE
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise SiteProfileError(
            f"sites file {str(file)!r} does not exist (setting SITES_FILE)"
        ) from exc
    except tomllib.TOMLDecodeError as exc:
        raise SiteProfileError(f"sites file {str(file)!r} is not valid TOML: {exc}") from exc
    return {name: SiteProfile.from_mapping(name, table) for name, table in data.items()}


def load_profile(name: str, path: str | Path | None = None) -> SiteProfile:
    """One profile by name; an unknown name lists the known ones."""
    profiles = load_profiles(path)
    try:
        return profiles[name]
    except KeyError:
        raise SiteProfileError(
            f"no site profile named {name!r}; known: {', '.join(sorted(profiles)) or '(none)'}"
        ) from None
