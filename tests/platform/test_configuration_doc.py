"""docs/configuration.md documents every setting every service reads."""

from devstack.paths import repo_root
from tests.platform.conftest import settings_class


def test_every_setting_is_documented(service: str) -> None:
    page = (repo_root() / "docs" / "configuration.md").read_text()
    settings = settings_class(service)
    missing = [
        name
        for name in settings.model_fields
        if f"`<S>_{name.upper()}`" not in page and f"`{settings.env_name(name)}`" not in page
    ]
    assert missing == []
