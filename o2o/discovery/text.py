"""Text matching that works the same on SQLite and PostgreSQL, for Chinese and English.

Documents and queries are normalised the same way (NFKC, lower case, punctuation to spaces).
A query is split into terms: runs of Latin letters/digits are words, runs of CJK characters are
kept whole. A document matches when every term is a substring of its normalised text, so "火锅"
finds "重庆老火锅" with no segmenter and "hot" finds "hotpot". Adjacent English words may also
match joined ("hot pot" finds "Hotpot House"). An English word of 5+ letters that is not found
also tries every word of the vocabulary one edit away (insert, delete, substitute, transpose), so
"hotpto" still finds "hotpot". Terms become LIKE patterns with bound parameters: no query syntax
of either database can leak through, and the pattern characters % and _ never survive normalising.
"""

from __future__ import annotations

import re
import unicodedata
from itertools import product

MAX_QUERY_CHARS = 200
MAX_TERMS = 6
TYPO_MIN_LEN = 5
_LETTERS = "abcdefghijklmnopqrstuvwxyz"
_TOKEN = re.compile(r"[0-9a-z]+|[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af]+")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af]")


def normalise(text: str) -> str:
    """Lower-cased tokens separated by single spaces; everything else dropped."""
    if text.isascii():
        return " ".join(_TOKEN.findall(text.lower()))
    text = unicodedata.normalize("NFKC", text or "").lower()
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return " ".join(_TOKEN.findall(text))


def terms(q: str) -> list[str]:
    return normalise(q[: MAX_QUERY_CHARS * 2])[:MAX_QUERY_CHARS].split()[:MAX_TERMS]


def is_latin_word(term: str) -> bool:
    return not _CJK.search(term) and term.isalnum()


def edits1(word: str) -> set[str]:
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = {a + b[1:] for a, b in splits if b}
    transposes = {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    replaces = {a + c + b[1:] for a, b in splits if b for c in _LETTERS}
    inserts = {a + c + b for a, b in splits for c in _LETTERS}
    return (deletes | transposes | replaces | inserts) - {word}


def vocabulary_words(text: str) -> set[str]:
    """Latin words long enough to be typo targets."""
    return {w for w in text.split() if TYPO_MIN_LEN <= len(w) <= 64 and is_latin_word(w) and not w.isdigit()}


def alternatives(words: list[str]) -> list[list[str]]:
    """Ways to read the query: as typed, and with adjacent Latin words joined ("hot pot" -> "hotpot")."""
    if len(words) <= 1:
        return [words]
    out: list[list[str]] = []
    for joins in product((False, True), repeat=len(words) - 1):
        cur = [words[0]]
        ok = True
        for join, w in zip(joins, words[1:], strict=True):
            if join:
                if not (is_latin_word(cur[-1]) and is_latin_word(w)):
                    ok = False
                    break
                cur[-1] = cur[-1] + w
            else:
                cur.append(w)
        if ok:
            out.append(cur)
    return out
