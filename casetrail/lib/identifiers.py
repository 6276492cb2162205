"""Chinese identifiers as people type them, normalised and checked once for every app: the
居民身份证号码 (GB 11643-1999), the 统一社会信用代码 (GB 32100-2015), and phone numbers. Parties
(cases), persons named in documents (records) and agencies (org) store the normal form these
return, so one number is one string wherever it was typed.

The check characters are computed by python-stdnum (``stdnum.cn.ric``, ``stdnum.cn.uscc``); the
normalisation, the birth date and the registration-authority table are ours, because the library
accepts what GB 32100 does not (any first two characters) and refuses what we must accept (an ID
whose region code its database lacks).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.utils import timezone
from stdnum.cn import ric, uscc

from casetrail.lib.errors import ActionError

# Full-width forms (what a Chinese input method types in full-width mode) to ASCII. Only these:
# NFKC would also turn '²' or '①' into digits, which nobody types for an identifier.
_FULL_WIDTH = {
    **{0xFF10 + i: ord("0") + i for i in range(10)},
    **{0xFF21 + i: ord("A") + i for i in range(26)},
    **{0xFF41 + i: ord("a") + i for i in range(26)},
    0x3000: ord(" "),  # 全角空格
    0xFF0D: ord("-"),  # 全角连字符
    0xFF0B: ord("+"),
}
_SEPARATORS = str.maketrans("", "", " -\t")
_ASCII_DIGITS = frozenset("0123456789")

# GB 32100-2015 附录: 登记管理部门代码 (first character) → 机构类别代码 (second character).
REGISTRATION_AUTHORITIES: dict[str, str] = {
    "1": "1239",  # 机构编制：机关、事业单位、中央编办直接管理机构编制的群众团体、其他
    "2": "19",  # 外交：外国常驻新闻机构、其他
    "3": "123459",  # 司法行政：律师执业机构、公证处、基层法律服务所、司法鉴定机构、仲裁委员会、其他
    "4": "19",  # 文化：外国在华文化中心、其他
    "5": "1239",  # 民政：社会团体、民办非企业单位、基金会、其他
    "6": "129",  # 旅游：外国旅游部门常驻代表机构、港澳台地区旅游部门常驻内地（大陆）代表机构、其他
    "7": "129",  # 宗教：宗教活动场所、宗教院校、其他
    "8": "19",  # 工会：基层工会、其他
    "9": "123",  # 工商：企业、个体工商户、农民专业合作社
    "A": "19",  # 中央军委改革和编制办公室：军队事业单位、其他
    "N": "1239",  # 农业：组级、村级、乡镇级集体经济组织、其他
    "Y": "1",  # 其他
}
# The 31 characters of GB 32100: digits and capitals without I, O, Z, S, V.
CREDIT_CODE_CHARACTERS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
EARLIEST_BIRTH = dt.date(1900, 1, 1)


def _ascii(value: str) -> str:
    return value.translate(_FULL_WIDTH)


def _prefix(where: str) -> str:
    return f"{where}：" if where else ""


def normalize_id_number(value: str) -> str:
    """Full-width digits and ``ｘ`` to ASCII, spaces and hyphens dropped, ``x`` upper-cased."""
    return _ascii(value).translate(_SEPARATORS).upper()


def id_number_problem(value: str, *, today: dt.date | None = None) -> str | None:
    """What is wrong with a (normalised) 居民身份证号码, in zh-Hans, or None when it is valid."""
    if len(value) != 18:
        return f"身份证号码应为18位（现为{len(value)}位）"
    if not set(value[:17]) <= _ASCII_DIGITS or value[17] not in "0123456789X":
        return "身份证号码前17位应为数字，最后一位为数字或 X"
    try:
        born = dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return f"身份证号码中的出生日期 {value[6:14]} 不是真实存在的日期"
    if not EARLIEST_BIRTH <= born <= (today or timezone.localdate()):
        return f"身份证号码中的出生日期 {born.isoformat()} 不可能"
    if ric.calc_check_digit(value) != value[17]:
        return "身份证号码校验位不正确，请核对"
    return None


def _clean(
    value: str,
    normalize: Callable[[str], str],
    problem_of: Callable[[str], str | None],
    code: str,
    where: str,
    field: str | None,
) -> str:
    normal = normalize(value)
    problem = problem_of(normal)
    if problem:
        raise ActionError(code, f"{_prefix(where)}{problem}", field=field)
    return normal


def clean_id_number(value: str, *, where: str = "", field: str | None = None) -> str:
    """The normal form of a 居民身份证号码 (GB 11643), or ActionError ``invalid_id_number``."""
    return _clean(value, normalize_id_number, id_number_problem, "invalid_id_number", where, field)


def valid_id_number(value: str) -> bool:
    """Whether ``value``, normalised, is a valid 居民身份证号码."""
    return id_number_problem(normalize_id_number(value)) is None


def normalize_credit_code(value: str) -> str:
    """Full-width characters to ASCII, spaces and hyphens dropped, upper-cased."""
    return _ascii(value).translate(_SEPARATORS).upper()


def credit_code_problem(value: str) -> str | None:
    """What is wrong with a (normalised) 统一社会信用代码, in zh-Hans, or None when it is valid."""
    if len(value) != 18:
        return f"统一社会信用代码应为18位（现为{len(value)}位）"
    wrong = sorted({c for c in value if c not in CREDIT_CODE_CHARACTERS})
    if wrong:
        return (
            f"统一社会信用代码含有不允许的字符 {'、'.join(wrong)}"
            "（只用数字和除 I、O、Z、S、V 以外的大写字母）"
        )
    categories = REGISTRATION_AUTHORITIES.get(value[0])
    if categories is None or value[1] not in categories:
        return f"统一社会信用代码前两位 {value[:2]} 不是有效的登记管理部门和机构类别代码"
    if not set(value[2:8]) <= _ASCII_DIGITS:
        return "统一社会信用代码第3至8位应为登记管理机关行政区划码（数字）"
    if uscc.calc_check_digit(value[:17]) != value[17]:
        return "统一社会信用代码校验位不正确，请核对"
    return None


def clean_credit_code(value: str, *, where: str = "", field: str | None = None) -> str:
    """The normal form of a 统一社会信用代码 (GB 32100), or ActionError ``invalid_credit_code``."""
    return _clean(
        value, normalize_credit_code, credit_code_problem, "invalid_credit_code", where, field
    )


def valid_credit_code(value: str) -> bool:
    return credit_code_problem(normalize_credit_code(value)) is None


def normalize_phone(value: str) -> str:
    return _ascii(value).strip()


def valid_phone(value: str) -> bool:
    """A phone number as people write it: ASCII digits with - + ( ) and spaces, 3 to 30 of them."""
    return 3 <= len(value) <= 30 and all(c in "0123456789-+() " for c in value)


def _phone_problem(value: str) -> str | None:
    return None if valid_phone(value) else "联系电话只能包含数字和 - + ( )"


def clean_phone(value: str, *, where: str = "", field: str | None = None) -> str:
    return _clean(value, normalize_phone, _phone_problem, "invalid_phone", where, field)
