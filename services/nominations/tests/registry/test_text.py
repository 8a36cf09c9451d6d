"""Accent-insensitive words: what the public types matches what the decision says."""

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from nominations.registry.text import normalize, tokens


def test_vietnamese_names_match_without_diacritics() -> None:
    assert tokens("Nguyễn Văn Đức") == tokens("nguyen van duc") == ["nguyen", "van", "duc"]
    assert normalize("ĐẶNG THỊ HẢI YẾN") == "dang thi hai yen"
    assert normalize("Huyện Hương Sơn") == "huyen huong son"


def test_composed_and_combining_marks_are_the_same_word() -> None:
    composed = unicodedata.normalize("NFC", "Nguyễn Thị Hà")
    combining = unicodedata.normalize("NFD", "Nguyễn Thị Hà")
    assert composed != combining
    assert tokens(composed) == tokens(combining) == ["nguyen", "thi", "ha"]


def test_punctuation_separates_words_and_repeats_count_once() -> None:
    assert tokens("1234/QĐ-UBND", "Xã Sơn Long, xã Sơn Long") == ["1234", "qd", "ubnd", "xa", "son", "long"]
    assert normalize("  a__b--c  ") == "a b c"
    assert tokens(None, "", "  ") == []


def test_ha_and_hai_are_different_words() -> None:
    assert not set(tokens("nguyen thi hai")) <= set(tokens("Nguyễn Thị Hà"))
    assert set(tokens("nguyen thi ha")) <= set(tokens("Nguyễn Thị Hà"))


@given(st.text())
def test_normalize_is_its_own_normal_form(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once
    assert once == once.strip()
    assert "  " not in once


@given(st.text())
def test_tokens_are_distinct_plain_words(text: str) -> None:
    words = tokens(text)
    assert len(words) == len(set(words))
    for word in words:
        assert word
        assert word == normalize(word)
        assert " " not in word
        assert not any(unicodedata.combining(char) for char in word)


@given(st.text(alphabet="aàáảãạăằắẳẵặâầấẩẫậeèéẻẽẹêềếểễệiìíỉĩịoòóỏõọôồốổỗộơờớởỡợuùúủũụưừứửữựyỳýỷỹỵdđ "))
def test_every_vietnamese_vowel_and_d_fold_to_ascii(text: str) -> None:
    assert normalize(text) == normalize(text.upper())
    assert normalize(text).isascii()
