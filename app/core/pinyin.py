"""Search keys for Chinese names: full pinyin and initials (张伟 → "zhangwei", "zw")."""

from __future__ import annotations

from pypinyin import Style, lazy_pinyin


def pinyin_keys(text: str) -> tuple[str, str]:
    """(full pinyin without tones or spaces, initials), lower case; non-Chinese kept as is."""
    syllables = lazy_pinyin(text, style=Style.NORMAL, errors="default")
    full = "".join(syllables).replace(" ", "").lower()
    initials = "".join(s[0] for s in syllables if s and s.strip()).lower()
    return full, initials
