"""What an answer really says before anything is detected in it: obfuscation undone, hidden text exposed.

An instruction to the marker can hide from a pattern in many ways; `reveal(text)` undoes the common ones so
the detectors (`tools.answer_checks`) and the Marker read the same text a model would:
- Unicode NFKC (full-width letters, ligatures, mathematical alphanumerics become plain letters);
- homoglyph folding: Cyrillic and Greek letters that look like Latin ones ("Аwаrd" with Cyrillic А/а) are
  folded to Latin — only inside words that also contain Latin letters or are entirely lookalikes, so genuine
  Greek symbols in economics ("Δ", "ε" alone) are left alone;
- zero-width characters, soft hyphens, bidirectional controls and other control characters removed;
- HTML comments (`<!-- … -->`) and markdown link-reference comments (`[//]: # (…)`) exposed as plain text
  (their content is kept, the hiding syntax dropped), and HTML tags removed.
`encoded_blobs(text)` finds base64-looking runs and decodes them, so an encoded instruction is recognised.
"""

from __future__ import annotations

import base64
import binascii
import re
import unicodedata

# Lookalikes of Latin letters (Cyrillic, Greek, a few others); the common obfuscation set.
CONFUSABLES = str.maketrans({
    "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p", "с": "c",
    "т": "t", "у": "y", "х": "x", "і": "i", "ї": "i", "ј": "j", "ѕ": "s", "ԁ": "d", "ӏ": "l", "ԛ": "q",
    "ԝ": "w", "һ": "h", "ɡ": "g", "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O",
    "Р": "P", "С": "C", "Т": "T", "У": "Y", "Х": "X", "І": "I", "Ј": "J", "Ѕ": "S", "Ԁ": "D",
    "α": "a", "ο": "o", "ρ": "p", "ε": "e", "ι": "i", "κ": "k", "ν": "v", "τ": "t", "υ": "u", "χ": "x",
    "ω": "w", "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N",
    "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X", "ɑ": "a", "ı": "i",
})
_LOOKALIKE_CHARS = frozenset(chr(c) for c in CONFUSABLES)
_INVISIBLE = re.compile("[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
                        "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0]")
_HTML_COMMENT = re.compile(r"<!--(.*?)(?:-->|$)", re.DOTALL)
_MD_COMMENT = re.compile(r"^\s*\[(?://|comment|_)\]\s*:\s*#\s*[(\"'](.*?)[)\"']\s*$", re.MULTILINE | re.IGNORECASE)
_TAG = re.compile(r"</?[a-zA-Z][^<>]{0,200}>")
_WORDISH = re.compile(r"\w+", re.UNICODE)
_BLOB = re.compile(r"(?<![A-Za-z0-9+/=])[A-Za-z0-9+/]{20,}={0,2}(?![A-Za-z0-9+/=])")


def _fold_word(match: re.Match[str]) -> str:
    word = match.group(0)
    if not any(ch in _LOOKALIKE_CHARS for ch in word):
        return word
    latin = any("a" <= ch.lower() <= "z" for ch in word)
    if latin or all(ch in _LOOKALIKE_CHARS or not ch.isalpha() for ch in word) and len(word) > 1:
        return word.translate(CONFUSABLES)
    return word


def _strip_controls(text: str) -> str:
    text = _INVISIBLE.sub("", text)
    return "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) != "Cc")


def reveal(text: str) -> str:
    """The answer with obfuscation undone and hidden text exposed (see the module docstring)."""
    if not isinstance(text, str):
        return ""
    text = unicodedata.normalize("NFKC", _strip_controls(text))
    text = _HTML_COMMENT.sub(lambda m: "\n" + m.group(1).strip() + "\n", text)
    text = _MD_COMMENT.sub(lambda m: m.group(1), text)
    text = _TAG.sub(" ", text)
    return _WORDISH.sub(_fold_word, text)


def hidden_text(text: str) -> bool:
    """True when the raw answer hides text: invisible characters inside words, lookalike letters mixed with
    Latin ones, or HTML/markdown comments."""
    if not isinstance(text, str):
        return False
    if _HTML_COMMENT.search(text) or _MD_COMMENT.search(text):
        return True
    if re.search(r"\w[\u200b-\u200f\u2060-\u2064\ufeff\u00ad]+\w", text):
        return True
    return any(any(ch in _LOOKALIKE_CHARS for ch in w) and any("a" <= ch.lower() <= "z" for ch in w)
               for w in _WORDISH.findall(unicodedata.normalize("NFKC", text)))


def _looks_encoded(run: str) -> bool:
    has = (any(c.islower() for c in run), any(c.isupper() for c in run), any(c.isdigit() or c in "+/=" for c in run))
    return sum(has) >= 2 and not run.isalpha() or (sum(has) == 2 and len(run) >= 32)


def encoded_blobs(text: str) -> list[str]:
    """Base64-looking runs of the answer, decoded to text where they decode (the run itself otherwise)."""
    found = []
    for match in _BLOB.finditer(text or ""):
        run = match.group(0)
        if not _looks_encoded(run):
            continue
        try:
            decoded = base64.b64decode(run + "=" * (-len(run) % 4), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            decoded = ""
        printable = decoded and sum(ch.isprintable() or ch.isspace() for ch in decoded) / len(decoded) > 0.9
        found.append(decoded if printable else run)
    return found
