"""The CJK typeface every 文书 is set in, found through fontconfig — or a loud refusal.

GB/T 9704 sets the title in a bold Song-style face (小标宋) and the body in 仿宋; the project uses
Debian's ``fonts-noto-cjk`` (Noto Serif CJK SC, a Song-style face, regular and bold), installed by
``make install`` / ``.ci/run``. Without it Pango would silently fall back to a face without Chinese
glyphs and print empty boxes, so rendering refuses first (``FontMissing``) and nothing is issued.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from functools import cache

from django.conf import settings


class FontMissing(RuntimeError):
    """The configured CJK face (regular or bold) is not installed; the message says how to fix."""


@dataclass(frozen=True)
class Face:
    family: str
    path: str  # the font file (a TrueType collection for Noto CJK)
    index: int  # the face's index inside the collection


def _lookup(family: str, style: str) -> Face | None:
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return None
    out = subprocess.run(
        [fc_list, f":family={family}:style={style}", "--format", "%{file}\t%{index}\n"],
        capture_output=True,
        text=True,
        check=False,
        timeout=30,
    ).stdout
    for line in out.splitlines():
        path, _, index = line.partition("\t")
        if path:
            return Face(family, path, int(index or 0))
    return None


@cache
def faces() -> tuple[Face, Face]:
    """(regular, bold) of ``CASETRAIL_DOCUMENT_FONT``; raises ``FontMissing`` when either is
    absent. Cached per process: installing the font needs a restart, as any system library."""
    family = settings.CASETRAIL_DOCUMENT_FONT
    regular, bold = _lookup(family, "Regular"), _lookup(family, "Bold")
    if regular is None or bold is None:
        raise FontMissing(
            f"未安装文书字体“{family}”（常规体和粗体），无法生成文书；"
            "请安装 Debian 软件包 fonts-noto-cjk（apt-get install fonts-noto-cjk，"
            "make install 会自动安装）后重新启动。"
        )
    return regular, bold
