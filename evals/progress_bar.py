"""A plain stderr progress bar for long eval runs (no extra package): `[#####.....] 12/40 label`."""

from __future__ import annotations

import sys
from typing import TextIO


class ProgressBar:
    """Redraws one line on a terminal; on a pipe or file it prints a line every 10% instead."""

    def __init__(self, total: int, *, width: int = 30, stream: TextIO | None = None) -> None:
        self.total = max(total, 1)
        self.width = width
        self.stream = stream or sys.stderr
        self.done = 0
        self._last_decile = -1
        self._tty = bool(getattr(self.stream, "isatty", lambda: False)())

    def advance(self, label: str = "") -> None:
        """Count one finished item and redraw."""
        self.done = min(self.done + 1, self.total)
        filled = round(self.width * self.done / self.total)
        line = f"[{'#' * filled}{'.' * (self.width - filled)}] {self.done}/{self.total} {label}"
        if self._tty:
            self.stream.write("\r" + line[:120].ljust(120))
            if self.done == self.total:
                self.stream.write("\n")
        else:
            decile = self.done * 10 // self.total
            if decile != self._last_decile:
                self._last_decile = decile
                self.stream.write(line + "\n")
        self.stream.flush()
