import pytest

from shared.database import to_async_url


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgresql://u:p@h:5432/db", "postgresql+asyncpg://u:p@h:5432/db"),
        ("postgres://u:p@h/db", "postgresql+asyncpg://u:p@h/db"),
        ("postgresql+asyncpg://u@h/db", "postgresql+asyncpg://u@h/db"),
        ("postgresql://u:p%40ss@h/db", "postgresql+asyncpg://u:p%40ss@h/db"),
        ("postgresql://postgres:@/db?host=/run/pg", "postgresql+asyncpg://postgres:@/db?host=%2Frun%2Fpg"),
    ],
)
def test_standard_urls_become_asyncpg_urls(given: str, expected: str) -> None:
    assert to_async_url(given) == expected
