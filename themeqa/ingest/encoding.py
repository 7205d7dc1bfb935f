"""Decode a text file's bytes, whatever tool and platform wrote it.

Order of trust: a byte-order mark (UTF-8, UTF-16 LE/BE, UTF-32 LE/BE); strict UTF-8; then a
guess. Guessing uses charset-normalizer, but for Latin-script guesses (it often names cp1250,
cp775 or latin-1 for an ordinary Windows file, even a French one) cp1252 is preferred when it
decodes cleanly, because that is what Word and Notepad on Western European Windows write; the
price is that a Central European cp1250 file is read as cp1252. Guesses on fewer than 32 bytes
are not trusted either. Binary data (NUL
bytes without a UTF-16/32 byte-order mark, or many control characters) is refused.

The decoded text goes through :func:`themeqa.core.text.normalize_text`, the one normaliser.
"""

from __future__ import annotations

import codecs
import re

from themeqa.core.text import normalize_text
from themeqa.ingest.model import IngestError

__all__ = ["decode_bytes"]

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: it starts with the same two bytes
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# charset-normalizer guesses that are "some Latin-script single-byte code page": for these we
# trust cp1252 when it decodes the bytes without an undefined byte.
_LATIN_GUESSES = frozenset(
    """
    ascii cp1252 latin_1 iso8859_15 iso8859_2 iso8859_3 iso8859_4 iso8859_9 iso8859_10
    iso8859_13 iso8859_14 iso8859_16 cp1250 cp1254 cp1257 cp1258 cp775 cp850 cp858 cp437 cp852
    cp860 cp861 cp863 cp865 mac_roman mac_latin2 mac_iceland mac_turkish hp_roman8 cp037 cp500
    """.split()  # noqa: SIM905
)
# Below this many bytes a guess is not worth more than the cp1252 default.
_MIN_GUESS_BYTES = 32

# Control characters that do not occur in text; allowed: \t \n \v \f \r, \x1a (DOS end of
# file) and \x85 (NEL).
_CONTROL_RE = re.compile(r"[\x00-\x08\x0e-\x19\x1b-\x1f\x7f-\x84\x86-\x9f]")
_MAX_CONTROL_SHARE = 0.01


def _looks_binary(text: str) -> bool:
    if "\x00" in text:
        return True
    limit = max(2, int(_MAX_CONTROL_SHARE * len(text)))
    return any(count > limit for count, _ in enumerate(_CONTROL_RE.finditer(text), start=1))


def _guess(data: bytes) -> tuple[str, str]:
    """Decode bytes that are not valid UTF-8."""
    best = None
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
    except Exception:  # a broken guesser must not break import: fall back to cp1252
        best = None
    if best is not None and best.encoding:
        encoding = best.encoding
        trusted = (
            encoding not in _LATIN_GUESSES
            # UTF-16/32 without a byte-order mark would have NUL bytes, refused before
            and not encoding.startswith(("utf_16", "utf_32"))
            and len(data) >= _MIN_GUESS_BYTES
        )
        if trusted:
            try:
                return data.decode(encoding), encoding
            except (UnicodeDecodeError, LookupError):
                pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        pass
    if best is not None and best.encoding and not best.encoding.startswith(("utf_16", "utf_32")):
        try:
            return data.decode(best.encoding), best.encoding
        except (UnicodeDecodeError, LookupError):
            pass
    # cp1252 leaves five bytes undefined; latin-1 decodes anything.
    return data.decode("latin-1"), "latin-1"


def decode_bytes(data: bytes, filename: str) -> tuple[str, str]:
    """Return ``(normalised text, encoding name)`` for a text file's raw bytes.

    Raises :class:`IngestError` ``"not a text file"`` for binary data, and for a file whose
    byte-order mark promises an encoding its bytes do not follow.
    """
    text: str | None = None
    encoding = ""
    for bom, name in _BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom) :].decode(name.removesuffix("-sig"))
            except UnicodeDecodeError as exc:
                raise IngestError(
                    filename, f"not a text file (invalid {name} after its byte-order mark)"
                ) from exc
            encoding = name
            break
    if text is None:
        if b"\x00" in data:
            raise IngestError(filename, "not a text file (contains NUL bytes)")
        try:
            text, encoding = data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            text, encoding = _guess(data)
    if _looks_binary(text):
        raise IngestError(filename, "not a text file (binary data or control characters)")
    return normalize_text(text), encoding
