"""Open a .qdpx archive defensively: entry names, sizes and counts are checked first.

Why: a .qdpx is a zip from another machine. Nothing is ever extracted to disk (entries are
read into memory by name), but names that would escape a target folder (``../``, absolute
paths, drive letters) are refused anyway, because an archive that contains them is hostile
or broken; the declared uncompressed sizes and the entry count are capped before anything is
inflated, and every read is bounded again, since a zip can lie about its sizes (zip bomb).
"""

from __future__ import annotations

import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

__all__ = [
    "MAX_ENTRIES",
    "MAX_ENTRY_BYTES",
    "MAX_RATIO",
    "MAX_TOTAL_BYTES",
    "ArchiveError",
    "SafeArchive",
]

#: at most this many entries (a project with thousands of sources still fits)
MAX_ENTRIES = 10_000
#: at most this many uncompressed bytes in all (media sources are skipped, not read)
MAX_TOTAL_BYTES = 2 * 1024**3
#: at most this many uncompressed bytes read from any one entry
MAX_ENTRY_BYTES = 512 * 1024**2
#: refuse entries that inflate more than this (text deflates ~3-10x; bombs ~1000x)
MAX_RATIO = 200


class ArchiveError(ValueError):
    """The archive is corrupt, truncated or hostile."""


@dataclass
class SafeArchive:
    path: Path
    zf: zipfile.ZipFile
    names: dict[str, str]  # lower-cased name -> real name

    @classmethod
    def open(
        cls,
        path: Path | str,
        *,
        max_entries: int = MAX_ENTRIES,
        max_total: int = MAX_TOTAL_BYTES,
        max_ratio: int = MAX_RATIO,
    ) -> SafeArchive:
        path = Path(path)
        try:
            zf = zipfile.ZipFile(path)
        except FileNotFoundError as exc:
            raise ArchiveError(f"{path.name}: no such file") from exc
        except zipfile.BadZipFile as exc:
            raise ArchiveError(
                f"{path.name}: not a readable zip archive (corrupt or truncated: {exc})"
            ) from exc
        except OSError as exc:
            raise ArchiveError(f"{path.name}: cannot read ({exc.strerror or exc})") from exc
        infos = zf.infolist()
        if len(infos) > max_entries:
            zf.close()
            raise ArchiveError(f"{path.name}: {len(infos)} entries (more than {max_entries}); refused")
        total = 0
        names: dict[str, str] = {}
        for info in infos:
            _check_name(path.name, info.filename)
            total += info.file_size
            if total > max_total:
                zf.close()
                raise ArchiveError(
                    f"{path.name}: uncompressed size exceeds {max_total // 1024**2} MiB; refused "
                    "(zip bomb?)"
                )
            if info.file_size > 1024**2 and info.file_size > max_ratio * max(info.compress_size, 1):
                zf.close()
                raise ArchiveError(
                    f"{path.name}: entry {info.filename} inflates {info.file_size} bytes from "
                    f"{info.compress_size} (ratio over {max_ratio}); refused (zip bomb?)"
                )
            names[info.filename.lower()] = info.filename
        return cls(path, zf, names)

    def close(self) -> None:
        self.zf.close()

    def find(self, name: str) -> str | None:
        """The real entry name matching ``name`` ignoring case (``Sources/`` vs ``sources/``)."""
        return self.names.get(name.lower())

    def read(self, name: str, *, limit: int = MAX_ENTRY_BYTES) -> bytes:
        """Read one entry, refusing more than ``limit`` bytes whatever its header declares."""
        info = self.zf.getinfo(name)
        if info.file_size > limit:
            raise ArchiveError(f"{self.path.name}: entry {name} is larger than {limit} bytes")
        try:
            with self.zf.open(info) as fh:
                data = fh.read(limit + 1)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as exc:
            # zlib.error: a damaged deflate stream (found by make fuzz, issue 21)
            raise ArchiveError(f"{self.path.name}: entry {name} is corrupt ({exc})") from exc
        except NotImplementedError as exc:
            raise ArchiveError(f"{self.path.name}: entry {name}: {exc}") from exc
        if len(data) > limit:
            raise ArchiveError(f"{self.path.name}: entry {name} inflates beyond {limit} bytes")
        return data


def _check_name(archive: str, name: str) -> None:
    """Refuse entry names that would leave the folder they are extracted into (zip-slip)."""
    norm = name.replace("\\", "/")
    p = PurePosixPath(norm)
    if (
        norm.startswith("/")
        or (len(norm) > 1 and norm[1] == ":")
        or ".." in p.parts
        or "\x00" in norm
    ):
        raise ArchiveError(f"{archive}: entry {name!r} points outside the archive; refused")
