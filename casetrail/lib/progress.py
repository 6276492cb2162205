"""A plain-text progress bar on stderr for long CLI runs (no dependency, no cursor tricks
when stderr is not a terminal)."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class ProgressBar:
    def __init__(self, stream: TextIO | None = None, width: int = 30) -> None:
        self.stream = stream or sys.stderr
        self.width = width
        self.tty = self.stream.isatty()
        self.last = 0.0

    def __call__(self, label: str, done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - self.last < 0.2:
            return
        self.last = now
        frac = done / total if total else 1.0
        bar = "#" * int(frac * self.width)
        line = f"{label} [{bar:<{self.width}}] {done:,}/{total:,} ({frac:.0%})"
        if self.tty:
            self.stream.write("\r" + line + ("\n" if done >= total else ""))
        elif done >= total:
            self.stream.write(line + "\n")
        self.stream.flush()
