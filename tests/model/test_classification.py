import pytest

from zhengzhao.model.classification import (
    ClassificationLevel,
    Masking,
    disclose,
    is_visible,
    mask,
    most_restrictive,
)

PUBLIC = ClassificationLevel.PUBLIC
INTERNAL = ClassificationLevel.INTERNAL
SENSITIVE = ClassificationLevel.SENSITIVE
SECRET = ClassificationLevel.SECRET


def test_levels_are_ordered_from_public_to_secret() -> None:
    assert PUBLIC < INTERNAL < SENSITIVE < SECRET
    assert SECRET > PUBLIC
    assert sorted([SECRET, PUBLIC, SENSITIVE, INTERNAL]) == list(ClassificationLevel)
    assert [level.rank for level in ClassificationLevel] == [1, 2, 3, 4]


def test_levels_compare_not_with_strings() -> None:
    with pytest.raises(TypeError):
        assert PUBLIC < "secret"


def test_levels_carry_chinese_and_english_labels() -> None:
    assert [level.label_zh for level in ClassificationLevel] == [
        "公开",
        "内部",
        "敏感",
        "高度敏感",
    ]
    assert SECRET.label_en == "Highly sensitive"


def test_parse_known_level() -> None:
    assert ClassificationLevel.parse("sensitive") is SENSITIVE


def test_parse_unknown_level_names_the_choices() -> None:
    with pytest.raises(ValueError, match="unknown classification 'confidential'"):
        ClassificationLevel.parse("confidential")


def test_is_visible_up_to_clearance() -> None:
    assert is_visible(INTERNAL, clearance=SENSITIVE)
    assert is_visible(SENSITIVE, clearance=SENSITIVE)
    assert not is_visible(SECRET, clearance=SENSITIVE)


def test_most_restrictive_of_levels() -> None:
    assert most_restrictive([INTERNAL, SECRET, PUBLIC]) is SECRET
    assert most_restrictive([]) is PUBLIC


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("650102199001011234", "6501**********1234"),
        ("91650100MA00000159", "9165**********0159"),
        ("13812345678", "13*******78"),  # a quarter at each end: 2 characters
    ],
)
def test_mask_identifier_keeps_short_prefix_and_suffix(value: str, masked: str) -> None:
    assert mask(value) == masked


@pytest.mark.parametrize(
    "value",
    # Shorter than a mobile number: the ends would leave too little hidden.
    ["A12345678", "1234567890", "1234", "abc", "C1", "1985-06-15"],
)
def test_mask_short_code_hides_it_whole(value: str) -> None:
    assert mask(value) == "***"


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("张三", "张*"),
        ("王小明", "王**"),
        ("欧阳娜娜", "欧***"),  # a compound surname loses its second character
        ("买买提·艾力", "买**·**"),  # transliterated names keep their dots
    ],
)
def test_mask_name_keeps_surname(value: str, masked: str) -> None:
    assert mask(value, masking=Masking.NAME) == masked


@pytest.mark.parametrize("value", ["张", "·张"])
def test_mask_name_of_one_character_hides_it_whole(value: str) -> None:
    assert mask(value, masking=Masking.NAME) == "***"


@pytest.mark.parametrize("value", ["王芳", "维吾尔", "汉", "哈萨克族", "已婚", "户主"])
def test_mask_short_text_not_a_name_hides_it_whole(value: str) -> None:
    # Two to four Chinese characters are an ethnicity or a relation as often as a
    # name: only callers that know a value is a name keep its first character.
    assert mask(value) == "***"


@pytest.mark.parametrize(
    "value", ["男", "维吾尔族", "2026-11-02", "650102199001011234"]
)
def test_mask_whole_hides_any_value_and_its_length(value: str) -> None:
    assert mask(value, masking=Masking.WHOLE) == "***"


def test_mask_text_keeps_at_most_six_characters() -> None:
    address = "新疆乌鲁木齐市天山区解放南路100号"
    assert mask(address) == "新疆乌鲁木齐" + "*" * (len(address) - 6)


def test_mask_text_keeps_a_third_of_text_from_nine_characters() -> None:
    assert mask("新疆乌鲁木齐市天山区") == "新疆乌*******"
    assert mask("新疆维吾尔自治区") == "***"  # eight characters: hidden whole


@pytest.mark.parametrize("value", [0, 123456, 3.5, True, False])
def test_mask_number_or_boolean_hides_everything(value: int | float | bool) -> None:
    assert mask(value) == "***"


@pytest.mark.parametrize("value", [None, ""])
def test_mask_nothing_gives_empty_text(value: str | None) -> None:
    assert mask(value) == ""


def test_mask_never_shows_more_than_a_quarter_at_either_end() -> None:
    for length in range(1, 40):
        value = "".join(str(n % 10) for n in range(length))
        masked = mask(value)
        shown = [a for a, b in zip(value, masked, strict=False) if a == b]
        assert len(shown) <= length // 2, (value, masked)
        assert masked == "***" or masked.count("*") >= length / 2


def test_disclose_shows_value_within_clearance() -> None:
    assert disclose("新疆", level=INTERNAL, clearance=INTERNAL) == "新疆"
    assert disclose(3250, level=PUBLIC, clearance=INTERNAL) == 3250


def test_disclose_masks_value_above_clearance() -> None:
    masked = disclose("650102199001011234", level=SENSITIVE, clearance=INTERNAL)
    assert masked == "6501**********1234"
