"""Chinese identifier checks and display masks (pure stdlib, no Django).

Covers, per ``security-and-formats.md`` §2.2–2.6:

* 公民身份号码 (GB 11643-1999): :func:`check_citizen_id`, :func:`citizen_id_check_digit`;
* 统一社会信用代码 (GB 32100-2015) with the nested 组织机构代码 (GB 11714):
  :func:`check_credit_code`, :func:`credit_code_check_char`, :func:`make_credit_code`,
  :func:`check_org_code`, :func:`org_code_check_char`, :func:`make_org_code`;
* 行政区划代码 (GB/T 2260, 6 digits) and 国家统计局 统计用区划代码 (9/12 digits):
  :data:`PROVINCE_CODES`, :func:`check_region_code`, :func:`normalise_region_code`,
  :func:`region_level`, :func:`region_parent_code`;
* 全国投资项目在线审批监管平台 项目代码 (GB/T 40058-2021, format only): :func:`check_project_code`;
* 手机号: :func:`check_mobile`;
* display masks for 公示 lists: :func:`mask_citizen_id`, :func:`mask_phone`, :func:`mask_name`,
  :func:`mask_bank_account`, :func:`mask_middle`.

Every ``check_*`` function returns the normalised value or raises :class:`IdentifierError`
(a :class:`ValueError`) whose message is a Chinese sentence fit to show to the user.
Input normalisation common to all checks: Unicode NFKC (so full-width ``１２３ｘ`` typed with a
Chinese IME becomes ``123x``), surrounding whitespace stripped, letters upper-cased.

The ``mask_*`` functions never raise: odd input is masked as safely as possible and
the result always has the same length as the stripped input.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from datetime import date
from enum import StrEnum
from types import MappingProxyType
from typing import Final

__all__ = [
    "CREDIT_CODE_CHARSET",
    "NATIONAL_REGION_CODE",
    "PROVINCE_CODES",
    "REGISTRATION_DEPARTMENTS",
    "IdentifierError",
    "RegionLevel",
    "check_citizen_id",
    "check_credit_code",
    "check_mobile",
    "check_org_code",
    "check_project_code",
    "check_region_code",
    "citizen_id_check_digit",
    "credit_code_check_char",
    "make_credit_code",
    "make_org_code",
    "mask_bank_account",
    "mask_citizen_id",
    "mask_middle",
    "mask_name",
    "mask_phone",
    "normalise_region_code",
    "org_code_check_char",
    "region_level",
    "region_parent_code",
]


class IdentifierError(ValueError):
    """An identifier failed validation; ``str(exc)`` is a Chinese reason for the user."""


def _clean(value: str) -> str:
    return unicodedata.normalize("NFKC", value).strip().upper()


def _is_ascii_digits(value: str) -> bool:
    # str.isdigit() also accepts other scripts' digits and superscripts; we want 0-9 only.
    return value.isascii() and value.isdigit()


# Region codes: GB/T 2260 (6 digits) and 国家统计局 统计用区划代码 (9 / 12 digits)

#: The 34 province-level codes of GB/T 2260 (31 mainland provinces/municipalities/regions,
#: 71 台湾, 81 香港, 82 澳门).
PROVINCE_CODES: Final[frozenset[str]] = frozenset(
    {"11", "12", "13", "14", "15"}
    | {"21", "22", "23"}
    | {"31", "32", "33", "34", "35", "36", "37"}
    | {"41", "42", "43", "44", "45", "46"}
    | {"50", "51", "52", "53", "54"}
    | {"61", "62", "63", "64", "65"}
    | {"71", "81", "82"}
)

#: Region segment used by central (national-level) registration authorities in
#: 统一社会信用代码 (e.g. organisations registered by a ministry). Not a GB/T 2260 division,
#: so :func:`check_region_code` rejects it; :func:`check_credit_code` accepts it.
NATIONAL_REGION_CODE: Final = "100000"


class RegionLevel(StrEnum):
    PROVINCE = "province"  # 省级  xx0000
    PREFECTURE = "prefecture"  # 地级  xxxx00
    COUNTY = "county"  # 县级  xxxxxx
    TOWNSHIP = "township"  # 乡级  xxxxxxxxx   (统计用区划代码)
    VILLAGE = "village"  # 村级  xxxxxxxxxxxx (统计用区划代码)


def normalise_region_code(value: str) -> str:
    """Return the shortest form of a region code, without validating it beyond that.

    NFKC + strip, then zero padding of a higher level is removed: the statistics bureau
    writes every level as 12 digits (``110101001000`` is a township, ``110101000000`` a county,
    ``110000000000`` a province), and some data sets pad townships to 9 digits the same way.
    So a 12-digit code ending in ``000`` is shortened to 9 digits, and a 9-digit code ending in
    ``000`` to 6 digits. Six-digit codes are never shortened (``110000`` stays ``110000``).
    Anything that is not 9 or 12 ASCII digits is returned stripped but otherwise unchanged.
    """
    code = _clean(value)
    if _is_ascii_digits(code):
        if len(code) == 12 and code.endswith("000"):
            code = code[:9]
        if len(code) == 9 and code.endswith("000"):
            code = code[:6]
    return code


def _region_error(code: str, reason: str) -> IdentifierError:
    return IdentifierError(f"行政区划代码「{code}」无效：{reason}")


def _six_digit_region_problem(code: str) -> str | None:
    """Why a 6-digit GB/T 2260 code is structurally invalid, or None if it looks valid."""
    if not _is_ascii_digits(code) or len(code) != 6:
        return "应为6位数字"
    if code[:2] not in PROVINCE_CODES:
        return f"省级代码 {code[:2]} 不存在"
    if code[2:4] == "00" and code[4:6] != "00":
        # No edition of GB/T 2260 puts a county directly under a province with a zero
        # prefecture segment: municipalities use 01/02 (110101 东城区), province-administered
        # counties use 90 (429004 仙桃市, 469001 五指山市).
        return "县级代码缺少地级代码段"
    return None


def check_region_code(value: str) -> str:
    """Validate a region code and return its normalised form (see :func:`normalise_region_code`).

    Accepted shapes (ASCII digits only):

    * 6 digits (GB/T 2260): province ``xx0000``, prefecture ``xxxx00``, county ``xxxxxx``.
      The province prefix must be one of :data:`PROVINCE_CODES`, and a county segment may not
      be non-zero under a zero prefecture segment (``110005``).
    * 9 digits (统计用区划代码, township): a valid prefecture or county code + a non-zero
      3-digit township segment. A prefecture code is allowed because 不设区的地级市 (东莞 441900,
      中山 442000, 儋州 460400, 嘉峪关 620200) have townships directly under them.
    * 12 digits (village): a valid township + a non-zero 3-digit village segment.
      Zero-padded 9/12-digit forms of higher levels are accepted and shortened.

    Only structure is checked; whether the code exists (or existed: codes are retired and
    re-used) needs the 民政部 code table.
    """
    code = normalise_region_code(value)
    if not code:
        raise IdentifierError("行政区划代码不能为空")
    if not _is_ascii_digits(code):
        raise _region_error(code, "只能包含数字")
    if len(code) not in (6, 9, 12):
        raise _region_error(code, "应为6位（省、地、县级）、9位（乡级）或12位（村级）数字")
    problem = _six_digit_region_problem(code[:6])
    if problem is not None:
        raise _region_error(code, problem)
    if len(code) >= 9 and code[2:6] == "0000":
        raise _region_error(code, "乡级代码缺少地级、县级代码段")
    # A zero township segment in a 12-digit code was shortened away unless the village
    # segment is non-zero, which is impossible.
    if len(code) == 12 and code[6:9] == "000":
        raise _region_error(code, "村级代码缺少乡级代码段")
    return code


def region_level(code: str) -> RegionLevel:
    """Level of a region code (validated and normalised first, so padded codes work)."""
    normal = check_region_code(code)
    if len(normal) == 12:
        return RegionLevel.VILLAGE
    if len(normal) == 9:
        return RegionLevel.TOWNSHIP
    if normal[2:] == "0000":
        return RegionLevel.PROVINCE
    if normal[4:] == "00":
        return RegionLevel.PREFECTURE
    return RegionLevel.COUNTY


def region_parent_code(code: str) -> str | None:
    """Code of the enclosing division, or ``None`` for a province.

    village (12) → township (9) → county (6) → prefecture ``xxxx00`` → province ``xx0000`` →
    ``None``. A township of a 不设区的地级市 (``441900003``) has the prefecture as its parent;
    a county has its prefecture as parent, even for municipalities (``110101`` → ``110100``)
    and for 省直辖县级行政单位 (``429004`` → ``429000``, the "prefecture" ``90`` segment,
    which has no own name in GB/T 2260). The result is always a valid, normalised code.
    """
    normal = check_region_code(code)
    level = region_level(normal)
    if level is RegionLevel.VILLAGE:
        return normal[:9]
    if level is RegionLevel.TOWNSHIP:
        return normal[:6]
    if level is RegionLevel.COUNTY:
        return normal[:4] + "00"
    if level is RegionLevel.PREFECTURE:
        return normal[:2] + "0000"
    return None


# 公民身份号码 GB 11643-1999

# Wi = 2^(18-i) mod 11 for i = 1..17
_ID_WEIGHTS: Final[tuple[int, ...]] = tuple(pow(2, 17 - i, 11) for i in range(17))
_ID_CHECK_CHARS: Final = "10X98765432"
#: Earliest birth date accepted; anything older is a typo, not a living resident.
_ID_MIN_BIRTH: Final = date(1850, 1, 1)
# 83xxxx: 台湾居民居住证 (港澳 residence permits use 81/82, already province codes).
_ID_EXTRA_PREFIXES: Final[frozenset[str]] = frozenset({"83"})


def citizen_id_check_digit(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character ('0'–'9' or 'X') for the first 17 digits."""
    if len(first17) != 17 or not _is_ascii_digits(first17):
        raise IdentifierError("身份证号本体码应为17位数字")
    total = sum(int(ch) * w for ch, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK_CHARS[total % 11]


def _valid_id_prefix(code: str) -> bool:
    if code[:2] in PROVINCE_CODES or code[:2] in _ID_EXTRA_PREFIXES:
        return True
    # 外国人永久居留身份证 (2023 format): '9' + 2-digit province of the issuing office +
    # 3-digit nationality code, then birth date, sequence and check digit as for citizens.
    return code[0] == "9" and code[1:3] in PROVINCE_CODES


def _birth_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def check_citizen_id(value: str, *, today: date | None = None) -> str:
    """Validate a 公民身份号码 and return it normalised (stripped, NFKC, upper-case 'X').

    18-digit numbers: 17 digits + check character; the birth date (positions 7–14) must be a
    real date between 1850-01-01 and ``today`` (default: the system date); the first two
    digits must be a province code (:data:`PROVINCE_CODES`), or ``83`` (台湾居民居住证), or
    ``9`` + a province code (2023 外国人永久居留身份证, same algorithm); the last character must
    match the ISO 7064 MOD 11-2 check. Only the province prefix of the 地址码 is checked:
    old numbers carry retired county codes, so a stricter test needs a dated code table.

    Legacy 15-digit numbers (YYMMDD birth date in the 1900s, no check digit) are accepted
    and returned unchanged after stripping.
    """
    code = _clean(value)
    if not code:
        raise IdentifierError("身份证号不能为空")
    if len(code) == 15:
        if not _is_ascii_digits(code):
            raise IdentifierError("15位身份证号应全部为数字")
        if not _valid_id_prefix(code):
            raise IdentifierError("身份证号地址码无效")
        if _birth_date(1900 + int(code[6:8]), int(code[8:10]), int(code[10:12])) is None:
            raise IdentifierError("身份证号出生日期无效")
        return code
    if len(code) != 18:
        raise IdentifierError(f"身份证号应为18位，当前为{len(code)}位")
    body, last = code[:17], code[17]
    if not _is_ascii_digits(body):
        raise IdentifierError("身份证号前17位应为数字")
    if not (_is_ascii_digits(last) or last == "X"):
        raise IdentifierError("身份证号最后一位应为数字或 X")
    if not _valid_id_prefix(code):
        raise IdentifierError("身份证号地址码无效")
    born = _birth_date(int(code[6:10]), int(code[10:12]), int(code[12:14]))
    if born is None or born < _ID_MIN_BIRTH:
        raise IdentifierError("身份证号出生日期无效")
    if born > (today if today is not None else date.today()):
        raise IdentifierError("身份证号出生日期无效：晚于今天")
    expected = citizen_id_check_digit(body)
    if last != expected:
        raise IdentifierError(f"身份证号校验位错误，应为 {expected}")
    return code


# 统一社会信用代码 GB 32100-2015 and 组织机构代码 GB 11714

#: The 31 characters of GB 32100, value = index (no I, O, S, V, Z).
CREDIT_CODE_CHARSET: Final = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_VALUES: Final[dict[str, int]] = {ch: i for i, ch in enumerate(CREDIT_CODE_CHARSET)}
# Wi = 3^(i-1) mod 31 for i = 1..17
_CREDIT_WEIGHTS: Final[tuple[int, ...]] = tuple(pow(3, i, 31) for i in range(17))

#: 登记管理部门代码 (position 1) of GB 32100-2015 and its amendments. Position 2
#: (机构类别代码) is deliberately not checked: its table differs per department and has
#: been extended over time.
REGISTRATION_DEPARTMENTS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "1": "机构编制",
        "2": "外交",
        "3": "司法行政",
        "4": "文化",
        "5": "民政",
        "6": "旅游",
        "7": "宗教",
        "8": "工会",
        "9": "市场监管（工商）",
        "A": "中央军委改革和编制办公室",
        "N": "农业",
        "Y": "其他",
    }
)

# GB 11714: 36-character alphabet (A=10 … Z=35), weights for positions 1..8
_ORG_ALPHABET: Final = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_ORG_WEIGHTS: Final[tuple[int, ...]] = (3, 7, 9, 10, 5, 8, 4, 2)


def org_code_check_char(first8: str) -> str:
    """GB 11714 组织机构代码 check character ('0'–'9' or 'X') for the 8-character body."""
    body = _clean(first8)
    if len(body) != 8 or any(ch not in _ORG_ALPHABET for ch in body):
        raise IdentifierError("组织机构代码本体应为8位数字或大写字母")
    total = sum(_ORG_ALPHABET.index(ch) * w for ch, w in zip(body, _ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return "X" if check == 10 else "0" if check == 11 else str(check)


def make_org_code(first8: str) -> str:
    """Return the full 9-character 组织机构代码: ``first8`` + its GB 11714 check character."""
    return _clean(first8) + org_code_check_char(first8)


def check_org_code(value: str) -> str:
    """Validate a standalone 9-character 组织机构代码 (``XXXXXXXX-X`` with or without hyphen).

    Returns the 9 characters without the hyphen.
    """
    code = _clean(value)
    if len(code) == 10 and code[8] == "-":
        code = code[:8] + code[9]
    if len(code) != 9:
        raise IdentifierError("组织机构代码应为9位")
    if any(ch not in _ORG_ALPHABET for ch in code):
        raise IdentifierError("组织机构代码只能包含数字和大写字母")
    expected = org_code_check_char(code[:8])
    if code[8] != expected:
        raise IdentifierError(f"组织机构代码校验位错误，应为 {expected}")
    return code


def credit_code_check_char(first17: str) -> str:
    """GB 32100 check character (from :data:`CREDIT_CODE_CHARSET`) for the first 17 characters."""
    body = _clean(first17)
    if len(body) != 17:
        raise IdentifierError("统一社会信用代码前17位长度错误")
    bad = [ch for ch in body if ch not in _CREDIT_VALUES]
    if bad:
        raise IdentifierError(f"统一社会信用代码含有无效字符「{bad[0]}」（不使用 I、O、S、V、Z）")
    total = sum(_CREDIT_VALUES[ch] * w for ch, w in zip(body, _CREDIT_WEIGHTS, strict=True))
    return CREDIT_CODE_CHARSET[(31 - total % 31) % 31]


def make_credit_code(first17: str) -> str:
    """Append the correct GB 32100 check character to a 17-character prefix.

    Only the last character is computed; the nested 组织机构代码 check (position 17) is taken
    as given. To build a fully valid code use ``make_org_code`` for positions 9–17, e.g.
    ``make_credit_code("91" + "350100" + make_org_code("M000100Y"))``.
    """
    body = _clean(first17)
    return body + credit_code_check_char(body)


def check_credit_code(value: str) -> str:
    """Validate an 18-character 统一社会信用代码 and return it normalised (upper-case).

    Checks, in order: length 18; characters from :data:`CREDIT_CODE_CHARSET`; 登记管理部门代码
    (position 1) in :data:`REGISTRATION_DEPARTMENTS`; 登记管理机关行政区划码 (positions 3–8) is a
    structurally valid 6-digit GB/T 2260 code (see :func:`check_region_code`) or
    :data:`NATIONAL_REGION_CODE`; the nested GB 11714 check of the 主体标识码 (position 17
    against positions 9–16); the GB 32100 check character (position 18).

    Real registries hold a few codes that fail the outer check (``91350203M0001QAY9B``).
    They are rejected here; callers importing in bulk should warn and allow an override
    with a recorded reason rather than drop the record.
    """
    code = _clean(value)
    if not code:
        raise IdentifierError("统一社会信用代码不能为空")
    if len(code) != 18:
        raise IdentifierError(f"统一社会信用代码应为18位，当前为{len(code)}位")
    bad = [ch for ch in code if ch not in _CREDIT_VALUES]
    if bad:
        raise IdentifierError(f"统一社会信用代码含有无效字符「{bad[0]}」（不使用 I、O、S、V、Z）")
    if code[0] not in REGISTRATION_DEPARTMENTS:
        raise IdentifierError(f"统一社会信用代码登记管理部门代码「{code[0]}」无效")
    region = code[2:8]
    problem = None if region == NATIONAL_REGION_CODE else _six_digit_region_problem(region)
    if problem is not None:
        raise IdentifierError(f"统一社会信用代码第3–8位行政区划码「{region}」无效：{problem}")
    org_expected = org_code_check_char(code[8:16])
    if code[16] != org_expected:
        raise IdentifierError(
            f"统一社会信用代码中的组织机构代码（第9–17位）校验位错误，第17位应为 {org_expected}"
        )
    expected = credit_code_check_char(code[:17])
    if code[17] != expected:
        raise IdentifierError(f"统一社会信用代码校验位错误，应为 {expected}")
    return code


# 投资项目代码 GB/T 40058-2021

_PROJECT_CODE_RE: Final = re.compile(r"^(\d{4})-(\d{6})-(\d{2})-(\d{2})-(\d{5})([0-9A-Z])$", re.ASCII)


def check_project_code(value: str) -> str:
    """Validate the format of a 全国投资项目在线审批监管平台 项目代码; return it upper-cased.

    24 characters in five hyphen-separated segments (发改投资〔2020〕1439号, GB/T 40058-2021):
    4-digit 时间代码 (year, accepted 2000–2100), 6-digit 地区代码 (structurally valid GB/T 2260
    code with a known province prefix), 2-digit 中央业务指导部门代码, 2-digit 项目类型代码, and
    5-digit random code + 1 check character, e.g. ``2021-330106-04-01-12345X``.

    Format only: the check-character algorithm (GB/T 40058-2021 §4.7) and the 部门/项目类型
    code tables were not available, so the last character is treated as opaque. Legacy codes
    issued before 2020-11 use a different segmenting and are rejected here. These codes are
    issued by the 在线平台; never generate them.
    """
    code = _clean(value)
    if not code:
        raise IdentifierError("项目代码不能为空")
    match = _PROJECT_CODE_RE.match(code)
    if match is None:
        raise IdentifierError("项目代码格式应为“年份4位-地区6位-部门2位-类型2位-6位随机码和校验码”，共24位")
    year = int(match.group(1))
    if not 2000 <= year <= 2100:
        raise IdentifierError(f"项目代码年份「{match.group(1)}」无效")
    problem = _six_digit_region_problem(match.group(2))
    if problem is not None:
        raise IdentifierError(f"项目代码地区代码「{match.group(2)}」无效：{problem}")
    return code


# 手机号

_MOBILE_RE: Final = re.compile(r"^1[3-9]\d{9}$", re.ASCII)


def check_mobile(value: str) -> str:
    """Validate a mainland mobile number and return its 11 digits.

    Spaces and hyphens inside the number (``138 1234 5678``) and a ``+86``/``0086``/``86``
    country prefix are removed first.
    """
    code = re.sub(r"[\s-]", "", _clean(value))
    for prefix in ("+86", "0086", "86"):
        if code.startswith(prefix) and len(code) == len(prefix) + 11:
            code = code[len(prefix) :]
            break
    if not code:
        raise IdentifierError("手机号不能为空")
    if not _MOBILE_RE.match(code):
        raise IdentifierError("手机号应为11位数字，且以13–19开头")
    return code


# Display masks (§2.2). Never raise; output length == len(value.strip()).


def mask_middle(value: str, head: int, tail: int, char: str = "*") -> str:
    """Keep ``head`` leading and ``tail`` trailing characters, replace the rest with ``char``.

    The value is stripped first and the result has the stripped length. If the value is too
    short to hide at least one character while keeping ``head`` + ``tail``, everything is
    masked. Non-string input (``None``) gives ``""``.
    """
    if not isinstance(value, str):
        return ""
    text = value.strip()
    head, tail = max(head, 0), max(tail, 0)
    if len(text) <= head + tail:
        return char * len(text)
    return text[:head] + char * (len(text) - head - tail) + text[len(text) - tail :]


def mask_citizen_id(value: str, *, keep_head: int = 6, keep_tail: int = 4) -> str:
    """``110105********002X``: first 6 + last 4 kept by default.

    ``keep_head=0`` gives the stricter "last 4 only" policy.
    """
    return mask_middle(value, keep_head, keep_tail)


def mask_phone(value: str) -> str:
    """Mobile numbers (11 digits, ``1[3-9]…``): ``138****5678``; anything else (landlines,
    numbers with area code or country prefix): first 2 and last 2 characters kept."""
    if not isinstance(value, str):
        return ""
    text = value.strip()
    if _MOBILE_RE.match(text):
        return mask_middle(text, 3, 4)
    return mask_middle(text, 2, 2)


def mask_name(value: str) -> str:
    """``张*`` for two characters, ``张*三`` / ``欧阳**娜`` for three or more (first and last
    kept, one ``*`` per hidden character); a single character is fully masked."""
    if not isinstance(value, str):
        return ""
    text = value.strip()
    if len(text) <= 2:
        return mask_middle(text, 1, 0)
    return mask_middle(text, 1, 1)


def mask_bank_account(value: str) -> str:
    """First 4 + last 4 kept: ``6222***********1234``."""
    return mask_middle(value, 4, 4)
