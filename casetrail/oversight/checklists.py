"""The 抽查 checklist, as data (第三十四条: 评议考核 of how the records are made, kept and used):
each item a stable code, the question the reviewer answers for a sampled case, and its article.
An agency changes the list here without touching the review code; a review stores the codes it
answered, so old reviews keep their meaning."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CheckItem:
    code: str
    question: str
    article: str


CHECKLIST: tuple[CheckItem, ...] = (
    CheckItem("start", "程序启动有审批或登记，文书齐全", "第八、九条"),
    CheckItem("officers", "调查取证记录载明两名以上执法人员及执法证件编号", "第十一条"),
    CheckItem("methods", "各调查取证方式的文书齐全并经签名", "第十二条"),
    CheckItem("av", "现场检查、抽样取证同步音像记录，并事先告知当事人", "第十三条"),
    CheckItem("decision", "处理决定经审核、法制审核（应审必审）和负责人批准", "第十五至十九条"),
    CheckItem("service", "文书送达方式合法且有送达凭证", "第二十二至二十六条"),
    CheckItem("execution", "执行情况有记录", "第二十七至二十九条"),
    CheckItem("upload", "音像记录在24小时内存储", "第三十条"),
    CheckItem("archive", "案卷按时立卷归档", "第三十条"),
)
RESULTS = {"ok": "符合", "issue": "存在问题", "na": "不适用"}
