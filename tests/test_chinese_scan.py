"""The scan the demo-wide walk reads pages with (tests/browser/chinese_scan.py) finds what it must, and lets pass
what a Chinese clerk reads as it is."""

from tests.browser.chinese_scan import findings


def kinds(text: str) -> list[str]:
    return [f.split(":")[0] for f in findings(text)]


def test_english_words_codes_and_raw_numbers_are_found():
    assert kinds("分组 all") == ["English"]
    assert kinds("2026-11-3 考核结果") == ["period code"]
    assert kinds("期别 2026-11") == ["period code"]
    assert kinds("指标 red_lights") == ["choice value"]
    assert kinds("责任人 None") == ["English", "None"]
    assert kinds("研判 True") == ["English", "True/False"]
    assert kinds("请选择 ---------") == ["empty choice"]
    assert kinds("完成比例：0.8674698795180723") == ["raw number"]


def test_what_a_clerk_reads_as_it_is_passes():
    text = (
        "2026年11月下旬 导出 Excel 生成通报（Word） 填报截止 2026-12-10 18:00 现场坐标 117.082716, 34.236767 "
        "项目编号 2026-0001 全国代码 2024-320311-51-03-134774 GB/T 9704 完成率 86.7% 3,387.00 万元"
    )
    assert findings(text) == []
