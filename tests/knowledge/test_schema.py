"""Service files are validated on load; errors name the file and the field."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from knowledge import KnowledgeFormatError, KnowledgeSettings
from knowledge.schema import load_categories, load_services


def _edit(path: Path, **changes: object) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for key, value in changes.items():
        if value is None:
            data.pop(key)
        else:
            data[key] = value
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


@pytest.fixture()
def one_file(services_dir: Path) -> Path:
    return services_dir / "shehui-baozhangka-shenling.yaml"


def test_the_real_files_load(services_dir: Path) -> None:
    services = load_services(services_dir, load_categories(KnowledgeSettings().categories_file))
    assert len(services) >= 38
    card = next(s for s in services if s.name == "社会保障卡申领")
    assert card.department == "市人力资源和社会保障局"
    assert card.materials and card.place.hours


@pytest.mark.parametrize(
    ("changes", "field", "problem"),
    [
        ({"department": None}, "department", "expected a non-empty text"),
        ({"online": "是"}, "online", "expected true or false"),
        ({"process_days": "三天"}, "process_days", "expected a whole number"),
        ({"process_days": -1}, "process_days", "positive number of days"),
        ({"materials": "身份证"}, "materials", "expected a list of texts"),
        ({"materials": ["身份证", ""]}, "materials[1]", "expected a non-empty text"),
        ({"questions": ["社保卡怎么办"]}, "questions", "expected 5-15 questions, found 1"),
        ({"sample": False}, "sample", "must be true"),
        ({"place": {"hall": "大厅", "address": "示例地址"}}, "place.hours", "expected a non-empty text"),
        ({"steps": {"online": [], "offline": ["去窗口"]}}, "steps.online", "online service needs"),
    ],
)
def test_invalid_field_names_file_and_field(
    services_dir: Path, one_file: Path, changes: dict[str, object], field: str, problem: str
) -> None:
    _edit(one_file, **changes)
    with pytest.raises(KnowledgeFormatError) as caught:
        load_services(services_dir)
    error = caught.value
    assert Path(error.file) == one_file
    assert error.field == field
    assert problem in str(error)
    assert one_file.name in str(error) and f"'{field}'" in str(error)


def test_unknown_category_is_rejected(services_dir: Path, one_file: Path) -> None:
    _edit(one_file, category="星际旅行")
    categories = load_categories(KnowledgeSettings().categories_file)
    assert categories is not None and "劳动和社会保障" in categories
    with pytest.raises(KnowledgeFormatError, match="'category'.*星际旅行"):
        load_services(services_dir, categories)


def test_duplicate_service_name_is_rejected(services_dir: Path, one_file: Path) -> None:
    (services_dir / "zz-copy.yaml").write_text(one_file.read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(KnowledgeFormatError, match="zz-copy.yaml: field 'name': '社会保障卡申领' is already defined"):
        load_services(services_dir)


def test_broken_yaml_reports_the_line(services_dir: Path, one_file: Path) -> None:
    one_file.write_text("sample: true\nname: [未闭合\n", encoding="utf-8")
    with pytest.raises(KnowledgeFormatError, match=r"not valid YAML \(line \d+\)"):
        load_services(services_dir)


def test_jieba_dictionary_folder_holds_only_jieba_dictionaries() -> None:
    """Rasa's JiebaTokenizer loads every file of its folder: anything else there would become 'words'."""
    from knowledge.settings import KnowledgeSettings

    folder = KnowledgeSettings().dict_dir / "jieba"
    files = sorted(path.name for path in folder.iterdir())
    assert files == ["userdict.txt"]
    for line in (folder / "userdict.txt").read_text(encoding="utf-8").splitlines():
        word, *rest = line.split()
        assert word and not word.startswith("#") and len(rest) <= 2, line
