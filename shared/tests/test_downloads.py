"""File names in Content-Disposition (RFC 6266 with RFC 8187's filename*), and streaming a file."""

import tempfile
from urllib.parse import unquote

import pytest

from shared.downloads import ascii_filename, content_disposition, file_chunks


@pytest.mark.parametrize(
    ("name", "plain"),
    [
        ("Tiến độ Hà Tĩnh.xlsx", "Tien do Ha Tinh.xlsx"),
        ("Đồng Lộc - Đức Thọ.csv", "Dong Loc - Duc Tho.csv"),
        ('a "quoted"\\name;\r\n.svg', "a _quoted_name_.svg"),
        ("Ủy ban nhân dân", "Uy ban nhan dan"),
        ("日本", "download"),
        ("日本.xlsx", "_.xlsx"),
    ],
)
def test_the_ascii_name_drops_diacritics_and_anything_that_needs_escaping(name: str, plain: str) -> None:
    assert ascii_filename(name) == plain


def test_the_vietnamese_name_is_in_filename_star_percent_encoded_in_utf8() -> None:
    header = content_disposition("Tiến độ HT-2021-2025 - Tỉnh Hà Tĩnh.xlsx")
    plain, encoded = header.removeprefix("attachment; ").split("; ")
    assert plain == 'filename="Tien do HT-2021-2025 - Tinh Ha Tinh.xlsx"'
    assert encoded.startswith("filename*=UTF-8''Ti%E1%BA%BFn%20%C4%91%E1%BB%99%20")
    assert unquote(encoded.removeprefix("filename*=UTF-8''")) == "Tiến độ HT-2021-2025 - Tỉnh Hà Tĩnh.xlsx"
    assert " " not in encoded
    assert ";" not in encoded
    assert content_disposition("a.svg", inline=True).startswith("inline; ")


def test_a_file_streams_from_its_start_and_is_closed_after() -> None:
    file = tempfile.TemporaryFile()  # noqa: SIM115 - file_chunks closes it, which is what is tested
    file.write(b"x" * 10 + b"y" * 5)
    assert list(file_chunks(file, chunk_bytes=4)) == [b"xxxx", b"xxxx", b"xxyy", b"yyy"]
    assert file.closed
