"""``{% top_menu me %}``: the links of the page header (``base.html``) the viewer's roles offer,
written in Python. Issue 18: every page's header resolved a dozen ``{% if me and "…" in
me.role_set %}`` and reversed a dozen routes through the template engine — about a tenth of a
case list's CPU. The HTML is what those template lines wrote, their whitespace included."""

from __future__ import annotations

from functools import cache
from html import escape
from typing import Any

from django import template
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.safestring import SafeString, mark_safe

from casetrail.org.models import Role

register = template.Library()

# Who sees a line: every login, every login with an officer, or an officer holding one of roles.
LOGIN, OFFICER = "login", "officer"
# Each line of the header: who sees it and its links (route, text). The template wrote one line
# each, blank for a viewer not offered it.
LINES: tuple[tuple[frozenset[str] | str, tuple[tuple[str, str], ...]], ...] = (
    (LOGIN, (("worklist", "待办"),)),
    (LOGIN, (("case-list", "案件"),)),
    (frozenset({Role.CUSTODIAN}), (("archive-home", "档案"),)),
    (frozenset({Role.HANDLER}), (("case-new-ex-officio", "新建案件"),)),
    (frozenset({Role.SUPERVISOR}), (("verification-list", "核验"),)),
    (frozenset({Role.SUPERVISOR}), (("exemption-list", "规则豁免"),)),
    (frozenset({Role.SUPERVISOR, Role.APPROVER}), (("oversight-dashboard", "监督"),)),
    (
        frozenset({Role.ADMIN}),
        (
            ("org-officers", "人员"),
            ("document-patterns", "文号设置"),
            ("ops-recovery-list", "恢复登记"),
        ),
    ),
    (OFFICER, (("org-my-token", "API 令牌"), ("org-my-password", "修改密码"))),
)


@cache
def _written(prefix: str, urlconf: Any) -> tuple[str, ...]:
    """Each line's links as HTML, the routes reversed once a process (per script prefix)."""
    return tuple(
        " ".join(
            f'<a href="{escape(reverse(route, urlconf=urlconf))}">{text}</a>'
            for route, text in links
        )
        for _, links in LINES
    )


def _offered(who: frozenset[str] | str, me: Any) -> bool:
    if isinstance(who, str):
        return who == LOGIN or bool(me)
    return bool(me) and bool(who & me.role_set)


@register.simple_tag
def top_menu(me: Any) -> SafeString:
    """The header's lines for ``me`` (the request's officer, or None for a login without one)."""
    written = _written(get_script_prefix(), get_urlconf())
    lines = (
        html if _offered(who, me) else "" for (who, _), html in zip(LINES, written, strict=True)
    )
    return mark_safe("\n    ".join(lines))
