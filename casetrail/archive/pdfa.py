"""PDF/A-2b checked in substance (ISO 19005-2, conformance level B), not only by its declared
identification: what veraPDF checks first and what the archive relies on. veraPDF itself (Java)
is not installed here; these are the clauses a renderer most often gets wrong:

- no encryption (6.1.3);
- an output intent ``/GTS_PDFA1`` with its ICC profile (``DestOutputProfile``, 6.2.3);
- every font embedded (``FontFile``/``FontFile2``/``FontFile3`` in its descriptor, 6.2.11.4),
  on every page and in every form XObject and annotation appearance it draws;
- XMP metadata with ``pdfaid:part`` = 2 and ``pdfaid:conformance`` = B (6.6.4);
- no JavaScript anywhere: no ``/JavaScript`` name tree, no ``/JS`` action, no additional
  actions (``/AA``) (6.5, 6.6.1).

``problems(pdf)`` returns one line per failure (empty: these clauses hold)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pikepdf

EMBEDDED = ("/FontFile", "/FontFile2", "/FontFile3")


def _fonts(resources: Any, seen: set[tuple[int, int]]) -> Iterator[tuple[str, Any]]:
    """(resource name, font dictionary) of ``resources`` and the form XObjects it draws."""
    if not isinstance(resources, pikepdf.Dictionary):
        return
    fonts = resources.get("/Font")
    if isinstance(fonts, pikepdf.Dictionary):
        yield from fonts.items()
    xobjects = resources.get("/XObject")
    if isinstance(xobjects, pikepdf.Dictionary):
        for xobject in xobjects.values():
            ref = xobject.objgen
            if ref != (0, 0) and ref in seen:
                continue
            seen.add(ref)
            if xobject.get("/Subtype") == "/Form":
                yield from _fonts(xobject.get("/Resources"), seen)


def _unembedded(font: Any) -> str | None:
    """The font's name when neither it nor (Type0) its descendant carries its program."""
    subtype = font.get("/Subtype")
    if subtype == "/Type3":
        return None  # glyphs are content streams in the font itself
    target = font
    if subtype == "/Type0":
        descendants = font.get("/DescendantFonts")
        target = descendants[0] if descendants is not None and len(descendants) else None
    descriptor = target.get("/FontDescriptor") if target is not None else None
    if descriptor is not None and any(k in descriptor for k in EMBEDDED):
        return None
    return str(font.get("/BaseFont", "?"))


def _javascript(pdf: pikepdf.Pdf) -> list[str]:
    found: list[str] = []
    names = pdf.Root.get("/Names")
    if names is not None and "/JavaScript" in names:
        found.append("文档含 JavaScript 名称树")
    if "/AA" in pdf.Root:
        found.append("文档含附加动作（/AA）")
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Dictionary) and (obj.get("/S") == "/JavaScript" or "/JS" in obj):
            found.append(f"对象 {obj.objgen[0]} 为 JavaScript 动作")
            break
    return found


def problems(pdf: pikepdf.Pdf) -> list[str]:
    """What keeps ``pdf`` from being PDF/A-2b by the clauses above (zh-Hans, one per line)."""
    out: list[str] = []
    if pdf.is_encrypted:
        out.append("文件已加密")
    intents = pdf.Root.get("/OutputIntents")
    intent = next(
        (i for i in (intents or []) if i.get("/S") == "/GTS_PDFA1"),
        None,
    )
    if intent is None:
        out.append("缺少 GTS_PDFA1 输出意图")
    elif not isinstance(intent.get("/DestOutputProfile"), pikepdf.Stream):
        out.append("输出意图缺少 ICC 色彩特性文件")
    seen: set[tuple[int, int]] = set()
    missing: set[str] = set()
    for page in pdf.pages:
        sources = [page.obj.get("/Resources")]
        for annot in page.obj.get("/Annots") or []:
            if "/AA" in annot:
                out.append("批注含附加动作（/AA）")
            appearance = annot.get("/AP")
            normal = appearance.get("/N") if appearance is not None else None
            if isinstance(normal, pikepdf.Stream):
                sources.append(normal.get("/Resources"))
        for resources in sources:
            for _key, font in _fonts(resources, seen):
                name = _unembedded(font)
                if name is not None:
                    missing.add(name)
    if missing:
        out.append("字体未嵌入：" + "、".join(sorted(missing)))
    try:
        meta = pdf.open_metadata()
        part = str(meta.get("pdfaid:part") or "")
        conformance = str(meta.get("pdfaid:conformance") or "")
    except Exception:  # an unreadable XMP packet is no metadata
        part = conformance = ""
    if part != "2" or conformance.upper() != "B":
        out.append(
            f"XMP 元数据未声明 PDF/A-2B（part={part or '无'}，conformance={conformance or '无'}）"
        )
    out.extend(_javascript(pdf))
    return out
