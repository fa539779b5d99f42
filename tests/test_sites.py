"""Site profiles: the bundled file loads, and a bad profile says what is wrong."""

import pytest

from newscrawler.sites import SiteProfileError, load_profile, load_profiles


def test_bundled_profiles_load():
    profiles = load_profiles()
    assert "demo" in profiles
    demo = profiles["demo"]
    assert demo.article_pattern.search("/2024/07/06/nato-suedkorea/")
    assert not demo.article_pattern.search("/category/politik/")
    assert "Ähnliche Themen" in demo.related_labels


def test_unknown_profile_lists_the_known_ones():
    with pytest.raises(SiteProfileError, match=r"known: .*demo"):
        load_profile("nope")


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("[x]\nstart_urls = []", "start_urls is empty"),
        ("[x]\nstart_urls = ['ftp://a/']", "not http"),
        (
            "[x]\nstart_urls = ['https://a/']\narticle_pattern = '('",
            "not a valid regular expression",
        ),
        ("[x]\nstart_urls = ['https://a/']\ncolour = 'red'", "unknown key"),
        ("[x]\nstart_urls = ['https://a/']\n[x.selectors]\nweather = 'p'", "unknown field"),
        ("[x\nstart_urls = 1", "not valid TOML"),
    ],
)
def test_bad_profiles_are_refused_with_a_reason(tmp_path, toml, message):
    path = tmp_path / "sites.toml"
    path.write_text(toml, encoding="utf-8")
    with pytest.raises(SiteProfileError, match=message):
        load_profiles(path)


def test_missing_sites_file_names_the_setting(tmp_path):
    with pytest.raises(SiteProfileError, match="SITES_FILE"):
        load_profiles(tmp_path / "missing.toml")
