"""WeasyPrint's PDF font object made lean: the font file is read only when it is really needed.

WeasyPrint 70.0's ``weasyprint.pdf.fonts.Font.__init__`` copies the whole font file out of
HarfBuzz (``hb_face_reference_blob`` → ``hb_blob_get_data`` → Python ``bytes``) for every face a
document uses. The 文书 face is a Noto Serif CJK collection (26 MB regular, 27 MB bold), so each
document held some 53 MB of copies, all pages of the memory-mapped files touched on top — and the
copy is never used when the subset is made by HarfBuzz (it subsets from the face, not the
bytes): the issue's peak RSS of 302 MiB against the goal < 300 MiB.

``LeanFont`` subclasses that internal class: the copy in ``__init__`` is deferred, and the bytes
are read from the face only if some step asks for ``file_content`` before the subset replaces it
(the fontTools fallback, a variable or colour font, ``full_fonts``); once the subset is written
the full bytes are no longer referenced. The PDF is byte-identical with and without it
(``tests/test_lean_fonts.py``).

It relies on WeasyPrint internals, so ``install()`` refuses (``LeanFontsUnsupported``) on any
WeasyPrint but the version it was written for, or when the line it defers has changed: upgrading
WeasyPrint means re-reading ``pdf/fonts.py`` and this module, then moving ``WRITTEN_FOR``.
"""

from __future__ import annotations

import inspect
import threading
from typing import Any

WRITTEN_FOR = "70.0"
# The line of Font.__init__ whose copy is deferred; install() checks it is still there.
_DEFERRED_LINE = "self.file_content = get_hb_object_data(self.hb_face)"

_state = threading.local()
_lock = threading.Lock()
_installed: dict[str, Any] = {}
# False keeps WeasyPrint's own Font (bench/documents.py --weasyprint-fonts, the reference run).
enabled = True


class LeanFontsUnsupported(RuntimeError):
    """The installed WeasyPrint is not the one ``lean_fonts`` was written for."""


class _Deferred:
    """Stands for a face's whole font file until someone reads ``file_content``."""

    __slots__ = ("hb_face",)

    def __init__(self, hb_face: Any) -> None:
        self.hb_face = hb_face


def _head(hb_face: Any) -> bytes:
    """The first four bytes of the face's font file, read in place (no copy of the file)."""
    from weasyprint.text.ffi import ffi, harfbuzz

    blob = harfbuzz.hb_face_reference_blob(hb_face)
    try:
        length = ffi.new("unsigned int *")
        data = harfbuzz.hb_blob_get_data(blob, length)
        return b"" if data == ffi.NULL else bytes(ffi.unpack(data, min(4, int(length[0]))))
    finally:
        harfbuzz.hb_blob_destroy(blob)


def _check(weasyprint: Any, fonts: Any, stream: Any) -> None:
    if weasyprint.__version__ != WRITTEN_FOR:
        raise LeanFontsUnsupported(
            f"casetrail.documents.lean_fonts 针对 WeasyPrint {WRITTEN_FOR} 编写，"
            f"当前安装的是 {weasyprint.__version__}：请核对 weasyprint/pdf/fonts.py 后更新本模块。"
        )
    source = inspect.getsource(fonts.Font.__init__)
    if _DEFERRED_LINE not in source or getattr(stream, "Font", None) is not fonts.Font:
        raise LeanFontsUnsupported(
            f"WeasyPrint {weasyprint.__version__} 的 pdf.fonts.Font 与 lean_fonts 所依据的不同，"
            "请核对后更新本模块。"
        )


def install() -> None:
    """Make WeasyPrint's PDF writer use ``LeanFont``; idempotent and thread-safe. Raises
    ``LeanFontsUnsupported`` when WeasyPrint is not version ``WRITTEN_FOR`` (or its ``Font``
    has changed shape)."""
    if _installed or not enabled:
        return
    with _lock:
        if _installed:
            return
        import weasyprint
        from weasyprint.pdf import fonts, stream

        _check(weasyprint, fonts, stream)
        original_data = fonts.get_hb_object_data

        def object_data(hb_object: Any, ot_color: Any = None, glyph: Any = None) -> Any:
            # Only the whole-file read of LeanFont.__init__ is deferred; the subset's bytes and
            # colour glyphs are read as before.
            if ot_color is None and getattr(_state, "constructing", False):
                return _Deferred(hb_object)
            return original_data(hb_object, ot_color, glyph)

        class LeanFont(fonts.Font):
            """``weasyprint.pdf.fonts.Font`` whose ``file_content`` is read on first use."""

            def __init__(self, pango_font: Any, description: Any, font_size: Any) -> None:
                _state.constructing = True
                try:
                    super().__init__(pango_font, description, font_size)
                finally:
                    _state.constructing = False

            @property
            def file_content(self) -> Any:
                content = self.__dict__["_content"]
                if isinstance(content, _Deferred):
                    content = self.__dict__["_content"] = original_data(content.hb_face)
                return content

            @file_content.setter
            def file_content(self, value: Any) -> None:
                self.__dict__["_content"] = value

            @property
            def type(self) -> str:
                # Four bytes tell OpenType (CFF) from TrueType; not worth the whole file.
                content = self.__dict__["_content"]
                head = _head(content.hb_face) if isinstance(content, _Deferred) else content[:4]
                return "otf" if head == b"OTTO" else "ttf"

        fonts.get_hb_object_data = object_data
        stream.Font = LeanFont
        _installed.update(font=fonts.Font, data=original_data, lean=LeanFont)


def uninstall() -> None:
    """Put WeasyPrint's own ``Font`` back (the reference run of the benchmark and the test)."""
    with _lock:
        if not _installed:
            return
        from weasyprint.pdf import fonts, stream

        fonts.get_hb_object_data = _installed["data"]
        stream.Font = _installed["font"]
        _installed.clear()


def installed() -> bool:
    return bool(_installed)
