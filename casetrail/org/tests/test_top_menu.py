"""The page header's links written in Python (``{% top_menu %}``, issue 18): what the template's
lines wrote, for every role and for a login without an officer."""

from __future__ import annotations

from django.template import Context, Template

from casetrail.conftest import client_for
from casetrail.org.templatetags.menu import top_menu

# The header's lines as base.html wrote them before ``{% top_menu %}``: the reference.
FORMER_LINES = """<a href="{% url 'worklist' %}">待办</a>
    <a href="{% url 'case-list' %}">案件</a>
    {% if me and "custodian" in me.role_set %}<a href="{% url 'archive-home' %}">档案</a>{% endif %}
    {% if me and "handler" in me.role_set %}<a href="{% url 'case-new-ex-officio' %}">新建案件</a>{% endif %}
    {% if me and "supervisor" in me.role_set %}<a href="{% url 'verification-list' %}">核验</a>{% endif %}
    {% if me and "supervisor" in me.role_set %}<a href="{% url 'exemption-list' %}">规则豁免</a>{% endif %}
    {% if me and "supervisor" in me.role_set or me and "approver" in me.role_set %}<a href="{% url 'oversight-dashboard' %}">监督</a>{% endif %}
    {% if me and "admin" in me.role_set %}<a href="{% url 'org-officers' %}">人员</a> <a href="{% url 'document-patterns' %}">文号设置</a> <a href="{% url 'ops-recovery-list' %}">恢复登记</a>{% endif %}
    {% if me %}<a href="{% url 'org-my-token' %}">API 令牌</a> <a href="{% url 'org-my-password' %}">修改密码</a>{% endif %}"""


def test_it_writes_the_header_links_as_the_template_lines_wrote_them(personas):
    former = Template(FORMER_LINES)
    for who, officer in [*personas.items(), ("no officer", None)]:
        assert top_menu(officer) == former.render(Context({"me": officer})), who


def test_it_offers_each_officer_only_the_links_of_their_roles(personas):
    # The links are what the roles allow: a handler is not shown the supervisor's or the
    # administrator's pages.
    zhang = client_for("zhang").get("/cases/").content.decode()
    assert '<a href="/cases/new/ex-officio/">新建案件</a>' in zhang
    assert "核验" not in zhang and "人员</a>" not in zhang and "档案</a>" not in zhang
    sun = client_for("sun").get("/cases/").content.decode()
    assert "核验</a>" in sun and "监督</a>" in sun and "新建案件" not in sun
