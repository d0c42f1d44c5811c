"""Where a resident's request is: 县区 and 乡镇/街道 from the gazetteer of 六安市 (``knowledge/places.yaml``),
小区/村/社区, roads, 门牌/楼栋 and landmarks by patterns.

Built for request intake: the assistant restates the place and asks for one only when the request has none.
Stdlib + PyYAML only (both Python environments import ``knowledge``); the gazetteer loads and the patterns
compile on the first call, not at import. Only the first ``READ_CHARS`` characters of a text are read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, fields, replace
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

# Residents say where early (the first sentence of a chat, the self-introduction of a letter); reading a fixed
# prefix bounds the work of a 10,000-character letter to that of a long message (docs/routing.md).
READ_CHARS = 1000

TOWNSHIP_SUFFIXES = ("街道", "镇", "乡")
COUNTY_SUFFIXES = ("区", "县")
# Short forms of three or more characters are added automatically (毛坦厂镇 -> 毛坦厂); shorter ones are
# too often ordinary words (花园镇 -> 花园) and are listed by hand in the gazetteer when safe.
MIN_AUTO_SHORT_FORM = 3

# Characters that never belong to a place name in running text: particles, pronouns, verbs of the
# complaint itself. A name is the run of other characters right before a suffix (路, 小区 ...); upper-case
# letters count, half- or full-width (SOHO公寓, ＸＸ小区), lower-case ones do not ("I live in幸福小区").
_NOT_NAME = (
    "的了是找我你他她它们这那哪吗呢吧啊呀把被给让就都也还很太最没不要想说请问能会可去到从往向对于将已经"
    "个些每啥么什怎为因所但而且及或与跟着过得时住在条段该其此各"
)
_NAME = r"(?:(?![" + _NOT_NAME + r"])[\u3400-\u9fffA-ZＡ-Ｚ])"
_NUMBER = r"(?:[0-9０-９]{1,4}|[一二三四五六七八九十两零〇]{1,3})"
# A gazetteer name right before one of these is a road named after the place (金寨路, 梅山南路), not the place.
_ROAD_AFTER = r"(?![东西南北中]?(?:路|大道|大街|街(?!道)|巷))"
# A short form right before one of these is a village or community named after the place (汤家汇村 in 梅山镇,
# 毛坦厂社区), not the township; a full name keeps its meaning (梅山镇村民).
_COMMUNITY_AFTER = r"(?!村(?!民)|社区|小区)"

# Longest name kept before each suffix: a run can start well before the name ("我家门口梅山路").
_MAX_NAME = {"community": 6, "road": 5, "landmark": 8}
# The city before a name: dropped from roads and communities (六安市人民路 -> 人民路), kept in landmarks
# (六安市人民医院, 六安二中).
_CITY_PREFIXES = ("安徽省", "六安市", "六安")
# Words a name may start with that are not part of it ("反映梅山路" -> 梅山路), stripped repeatedly.
_LEADING_NOISE = (
    "反映", "投诉", "举报", "咨询", "建议", "沿着", "关于", "位于", "地址", "住址", "家住", "附近",
    "周边", "旁边", "对面", "家门口", "门口", "孩子", "小孩", "女儿", "儿子", "老人", "家里", "本地", "当地",
    "市里", "县里", "区里", "镇上", "村里", "我家", "现在", "目前", "一直", "每天", "今天", "昨天", "最近",
    "经常", "听说", "发现", "看到", "以及", "还有", "另外", "同时", "其中", "如果", "市民", "居民", "业主",
    "村民", "本人", "楼下", "楼上", "隔壁", "整个", "一条", "一家", "一所", "一个", "今年", "去年", "明年",
    "早上", "上午", "中午", "下午", "晚上", "夜里", "半夜", "凌晨", "每晚", "天天", "平时", "周末", "好多",
    "很多", "许多", "一些", "所有", "全部", "多次", "多年",
)  # fmt: skip
# A road whose last two characters are one of these is an ordinary word (门前道路, 门口马路, 老板跑路), not a name;
# 山路, 一路 are not here: 梅山路, 长江一路.
_GENERIC_ROAD_ENDINGS = frozenset(
    "道路 马路 上路 出路 走路 修路 过路 网路 线路 电路 思路 套路 跑路 带路 让路 堵路".split()
)
_GENERIC_ROADS = frozenset(
    "水泥路 柏油路 高速路 断头路 机耕路 乡村路 进村路 回家路 上班路 上学路 主干路 田间路 沙石路 砂石路 泥土路 "
    "商业街 美食街 小吃街 小区路 内部路 入户路 人行道路 背街小巷 大街小巷".split()
)
_GENERIC_COMMUNITIES = frozenset(
    "新农村 美丽乡村 城中村 行政村 自然村 贫困村 示范村 中心村 老小区 新小区 商品房小区 安置小区 老旧小区 "
    "无物业小区 开放式小区 封闭小区 拆迁安置小区".split()
)
_GENERIC_LANDMARKS = frozenset(
    "大医院 小医院 私立医院 公立医院 民营医院 小超市 大超市 大商场 小公园 公交站 公交车站 地铁站 车站 充电站 "
    "小站 一站 网站 驿站 服务站 加油站".split()
)
# 园, 府, 湾, 城 end many community names (碧桂园, 万达华府, 御景湾, 凤凰城) and many words that are none
# (公园, 幼儿园, 政府, 港湾, 县城): the character before the suffix tells them apart.
_NOT_COMMUNITY_BEFORE = {
    "园": frozenset("公儿业果菜物校陵墓茶乐庄区"),
    "府": frozenset("政官王"),
    "湾": frozenset("港河海水"),
}
_SUFFIXES = {
    # A name ending in 园/城/苑 … right before 路 or 街 is a road's (皋城路, 花园路): "和皋城路" is no estate 和皋城.
    "community": "村民组|小区|新村|公寓|社区|庄园|公馆|名都|都会|"
    "(?:花园|家园|嘉园|佳园|花苑|苑|园|府|湾|郡|邸|城(?![区市管乡镇关里中]))(?![路街巷]|大道)|村(?!民|委|干部|级)",
    "road": "大道|大街|路(?!灯)|街(?!道)|巷",  # 路灯 is a street lamp: "小区门口路灯坏了" names no road
    "landmark": "卫生服务中心|卫生院|医院|学校|中学|小学|幼儿园|学院|大学|公园|广场(?!舞)|商场|超市|菜市场|农贸市场|"
    "火车站|高铁站|汽车站|客运站|大桥|服务中心|大厦|酒店|宾馆|派出所|加油站|工业园|产业园|体育馆|图书馆|"
    "博物馆|景区|水库|服务区|[东西南北]?站|[一二三四五六七八九十]中(?![心间午央])",
}
_UNIT = (
    rf"(?:{_NUMBER}(?:号楼|栋|幢|座|号院))?\s?(?:{_NUMBER}单元)?\s?(?:{_NUMBER}(?:号|室|楼|层))?"
    rf"(?:{_NUMBER}室)?"
)
# A unit written on its own (3栋2单元) must name a building; a bare 5号 could be a date.
_STANDALONE_UNIT = rf"(?<![0-9０-９])(?:{_NUMBER}(?:号楼|栋|幢)(?:{_NUMBER}单元)?|{_NUMBER}单元)(?:{_NUMBER}(?:室|号))?"
_CROSSING = r"\s?(?:交叉路口|十字路口|丁字路口|交叉口|交汇处|交口|路口)"


class PlaceDataError(ValueError):
    """The gazetteer is malformed; the message names the file, the line and the field."""


@dataclass(frozen=True)
class Place:
    """A place in a request. ``as_written`` is the resident's own words for it (the span that names the
    parts, as typed); ``unit`` is the 楼栋/单元/门牌, of the community or the road when it follows one."""

    county: str | None = None
    township: str | None = None
    community: str | None = None
    road: str | None = None
    unit: str | None = None
    landmark: str | None = None
    as_written: str = ""

    @property
    def specific(self) -> bool:
        """Someone could go there: a community, a road or a landmark, not only a 县区/乡镇."""
        return bool(self.community or self.road or self.landmark)

    @property
    def complete(self) -> bool:
        """Enough to dispatch without asking: the county, the township and a specific place."""
        return bool(self.county and self.township and self.specific)


@dataclass(frozen=True)
class Township:
    name: str
    county: str


@dataclass(frozen=True)
class Area:
    name: str
    counties: tuple[str, ...]


@dataclass(frozen=True)
class Gazetteer:
    """Every written form (full name, alias, short form) and what it may mean."""

    counties: Mapping[str, str]  # written form -> county
    townships: Mapping[str, tuple[Township, ...]]  # written form -> townships (several: ambiguous)
    areas: Mapping[str, Area]  # written form -> area
    pattern: re.Pattern[str] = field(compare=False, repr=False)  # any written form, longest first


def load_gazetteer(path: Path) -> Gazetteer:
    """Read and validate ``places.yaml``; errors name the file, the line and the field."""
    if not path.is_file():
        raise PlaceDataError(f"{path}: the gazetteer file does not exist")
    try:
        root = yaml.compose(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise PlaceDataError(f"{path}: not valid YAML: {error}") from error
    return _Reader(path).gazetteer(root)


class _Reader:
    """Walks the YAML node tree (not the loaded data) so that every error can name its line."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.counties: dict[str, str] = {}
        self.townships: dict[str, list[Township]] = {}
        self.areas: dict[str, Area] = {}

    def fail(self, node: Node, message: str) -> PlaceDataError:
        return PlaceDataError(f"{self.path}:{node.start_mark.line + 1}: {message}")

    def gazetteer(self, root: Node | None) -> Gazetteer:
        if root is None:
            raise PlaceDataError(f"{self.path}: empty file; expected 'counties' (and optionally 'areas')")
        fields = self.mapping(root, "the file")
        unknown = set(fields) - {"sample", "counties", "areas"}
        if unknown:
            raise self.fail(root, f"unknown field(s) {', '.join(sorted(unknown))} (expected counties, areas, sample)")
        if "counties" not in fields:
            raise self.fail(root, "missing field 'counties'")
        county_nodes = self.mapping(fields["counties"], "'counties'")
        if not county_nodes:
            raise self.fail(fields["counties"], "'counties' is empty")
        for county, node in county_nodes.items():
            self.county(county, node)
        self.add_former_suffixes()
        if "areas" in fields and not _is_null(fields["areas"]):
            for area, node in self.mapping(fields["areas"], "'areas'").items():
                self.area(area, node)
        forms = sorted({*self.counties, *self.townships, *self.areas}, key=lambda form: (-len(form), form))
        full_name = COUNTY_SUFFIXES + TOWNSHIP_SUFFIXES
        written = "|".join(re.escape(form) + ("" if form.endswith(full_name) else _COMMUNITY_AFTER) for form in forms)
        return Gazetteer(
            counties=dict(self.counties),
            townships={form: tuple(dict.fromkeys(found)) for form, found in self.townships.items()},
            areas=dict(self.areas),
            pattern=re.compile("(?:" + written + ")" + _ROAD_AFTER),
        )

    def county(self, county: str, node: Node) -> None:
        where = f"county '{county}'"
        if not county.endswith(COUNTY_SUFFIXES):
            raise self.fail(node, f"{where}: a county name ends in 区 or 县")
        fields = self.mapping(node, where)
        unknown = set(fields) - {"aliases", "townships"}
        if unknown:
            raise self.fail(node, f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
        for form, form_node in [(county, node), *self.names(fields.get("aliases"), f"{where}: 'aliases'")]:
            self.add_county_form(form, county, form_node)
        if "townships" not in fields:
            raise self.fail(node, f"{where}: missing field 'townships'")
        seen: set[str] = set()
        items = fields["townships"]
        if not isinstance(items, SequenceNode):
            raise self.fail(items, f"{where}: 'townships' must be a list")
        for item in items.value:
            name, name_node, aliases = self.township_item(item, where)
            if name in seen:
                raise self.fail(name_node, f"{where}: township '{name}' is listed twice")
            seen.add(name)
            township = Township(name, county)
            forms = [name, *aliases]
            stem = _short_form(name)
            if len(stem) >= MIN_AUTO_SHORT_FORM:
                forms.append(stem)
            for form in forms:
                if form in self.counties:
                    raise self.fail(name_node, f"{where}: '{form}' is already a county name or alias")
                self.townships.setdefault(form, []).append(township)

    def add_former_suffixes(self) -> None:
        """A 镇 written as 乡 or a 乡 as 镇 (孙岗乡 for 孙岗镇): residents keep a township's name from before
        乡 became 镇. Added after every listed name, and never over one: a listed 城北乡 stays itself."""
        listed = set(self.townships)
        for form in listed:
            for suffix, former in (("镇", "乡"), ("乡", "镇")):
                if form.endswith(suffix):
                    other = form[: -len(suffix)] + former
                    if other not in listed and other not in self.counties:
                        self.townships.setdefault(other, []).extend(self.townships[form])

    def township_item(self, item: Node, where: str) -> tuple[str, Node, list[str]]:
        if isinstance(item, ScalarNode):
            name, aliases = self.text(item, f"{where}: township"), []
        elif isinstance(item, MappingNode) and len(item.value) == 1:
            key, value = item.value[0]
            name = self.text(key, f"{where}: township")
            aliases = [alias for alias, _ in self.names(value, f"{where}: township '{name}' aliases")]
        else:
            raise self.fail(item, f"{where}: a township is a name or a one-key mapping {{name: [aliases]}}")
        if not name.endswith(TOWNSHIP_SUFFIXES):
            raise self.fail(item, f"{where}: township '{name}' must end in 街道, 镇 or 乡")
        return name, item, aliases

    def area(self, area: str, node: Node) -> None:
        where = f"area '{area}'"
        fields = self.mapping(node, where)
        unknown = set(fields) - {"aliases", "counties"}
        if unknown:
            raise self.fail(node, f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
        counties = [name for name, _ in self.names(fields.get("counties"), f"{where}: 'counties'")]
        for name in counties:
            if name not in self.counties.values():
                raise self.fail(fields["counties"], f"{where}: '{name}' is not a county of 'counties'")
        if not counties:
            raise self.fail(node, f"{where}: 'counties' must list the county or counties it lies in")
        entry = Area(area, tuple(counties))
        for form, form_node in [(area, node), *self.names(fields.get("aliases"), f"{where}: 'aliases'")]:
            if form in self.counties or form in self.townships or form in self.areas:
                raise self.fail(form_node, f"{where}: '{form}' is already a name or alias of another place")
            self.areas[form] = entry

    def add_county_form(self, form: str, county: str, node: Node) -> None:
        if form in self.counties:
            raise self.fail(node, f"county '{county}': '{form}' is already a name or alias of {self.counties[form]}")
        self.counties[form] = county

    def mapping(self, node: Node, where: str) -> dict[str, Node]:
        if not isinstance(node, MappingNode):
            raise self.fail(node, f"{where}: expected a mapping")
        result: dict[str, Node] = {}
        for key, value in node.value:
            name = self.text(key, where)
            if name in result:
                raise self.fail(key, f"{where}: '{name}' appears twice")
            result[name] = value
        return result

    def names(self, node: Node | None, where: str) -> list[tuple[str, Node]]:
        if node is None or _is_null(node):
            return []
        if not isinstance(node, SequenceNode):
            raise self.fail(node, f"{where}: expected a list of names")
        return [(self.text(item, where), item) for item in node.value]

    def text(self, node: Node, where: str) -> str:
        if not isinstance(node, ScalarNode) or not str(node.value).strip():
            raise self.fail(node, f"{where}: expected a non-empty name")
        value = str(node.value).strip()
        if len(value) < 2:
            raise self.fail(node, f"{where}: '{value}' is too short to be recognised safely (2 characters or more)")
        return value


def _is_null(node: Node) -> bool:
    return isinstance(node, ScalarNode) and node.tag.endswith(":null")


def _short_form(township: str) -> str:
    for suffix in TOWNSHIP_SUFFIXES:
        if township.endswith(suffix):
            return township[: -len(suffix)]
    return township


@lru_cache(maxsize=1)
def default_gazetteer() -> Gazetteer:
    """The gazetteer of ``KnowledgeSettings.places_file`` (``KNOWLEDGE_PLACES_FILE``), loaded once."""
    from knowledge.settings import KnowledgeSettings

    return load_gazetteer(KnowledgeSettings.from_env().places_file)


@dataclass(frozen=True)
class _Part:
    """One place part found in the text, with where it was written."""

    kind: str  # county, township, area, community, road, unit, landmark
    value: str
    start: int
    end: int


class _Patterns(NamedTuple):
    named: re.Pattern[str]  # a community, road or landmark: its name run and its suffix
    unit_after: re.Pattern[str]  # the 楼栋/门牌 right after a community or a road
    standalone_unit: re.Pattern[str]
    landmark_after: re.Pattern[str]  # a landmark named after the place before it (毛坦厂中学)
    leading_noise: re.Pattern[str]  # before a road or a community name, with the city
    landmark_leading_noise: re.Pattern[str]  # before a landmark name, without the city
    crossing: re.Pattern[str]  # 交叉口, 路口 ... after two roads


@lru_cache(maxsize=1)
def _patterns() -> _Patterns:
    """Compiled on first use. One pattern for every kind of named place, its name run lazy: scanning left
    to right, each place ends at the first suffix after its name, so 幸福小区梅山路 is a community then a
    road, never one long road."""
    kinds = "|".join(f"(?P<{kind}>{suffixes})" for kind, suffixes in _SUFFIXES.items())
    # Checking a suffix's first character before trying the ~50 suffixes halves the time of a letter.
    heads = "".join(sorted({char for suffixes in _SUFFIXES.values() for char in _first_chars(suffixes)}))
    return _Patterns(
        named=re.compile(
            f"(?P<name>{_NAME}{{2,16}}?)(?=[{heads}])(?:{kinds})(?P<tail>(?<=村){_NAME}{{1,4}}组|(?<![区村组])小区)?"
        ),
        unit_after=re.compile(rf"\s?{_UNIT}"),
        standalone_unit=re.compile(_STANDALONE_UNIT),
        landmark_after=re.compile(f"{_NAME}{{0,4}}?(?:{_SUFFIXES['landmark']})"),
        leading_noise=_alternatives_repeated((*_CITY_PREFIXES, *_LEADING_NOISE)),
        landmark_leading_noise=_alternatives_repeated(_LEADING_NOISE),
        crossing=re.compile(_CROSSING),
    )


def _first_chars(suffixes: str) -> set[str]:
    """Every character a suffix of ``suffixes`` ("大道|[东西南北]?站|...") can start with (a superset)."""
    chars: set[str] = set()
    for alternative in suffixes.split("|"):
        while alternative.startswith("["):
            close = alternative.index("]")
            chars.update(alternative[1:close])
            alternative = alternative[close + 1 :]
            if not alternative.startswith("?"):
                break
            alternative = alternative[1:]
        else:
            chars.add(alternative[0])
    return chars


def _alternatives_repeated(words: Iterable[str]) -> re.Pattern[str]:
    return re.compile("(?:" + "|".join(sorted(words, key=len, reverse=True)) + ")*")


def extract_place(text: str, gazetteer: Gazetteer | None = None) -> Place | None:
    """The place a request names, or None when it names none. Reads ``text[:READ_CHARS]``."""
    gazetteer = gazetteer or default_gazetteer()
    window = text[:READ_CHARS]
    names = list(_gazetteer_parts(window, gazetteer))
    masked = _mask(window, names)
    found = [*names, *_pattern_parts(masked)]
    named_after = list(_landmarks_named_after(masked, found))
    # 东市街道人民路菜市场: the landmark is named after the nearest place (人民路菜市场).
    named_after = [
        part
        for part in named_after
        if not any(nearer.end == part.end and nearer.start > part.start for nearer in named_after)
    ]
    kept = [part for part in found if not (part.kind == "landmark" and _within(part, named_after))]
    parts = sorted(kept + named_after, key=lambda part: part.start)
    if not parts:
        return None
    return _assemble(window, parts, gazetteer)


def _landmarks_named_after(masked: str, parts: list[_Part]) -> Iterator[_Part]:
    """A landmark suffix right after a place names a landmark after it: 毛坦厂中学, 金安区人民医院,
    人民路菜市场, 杭埠镇工业园 (the place stays a place of its own too)."""
    landmark_after = _patterns().landmark_after
    for part in parts:
        if part.kind in ("county", "township", "area", "road", "community"):
            match = landmark_after.match(masked, part.end)
            if match:
                yield _Part("landmark", part.value + match.group(), part.start, match.end())


def _within(part: _Part, others: list[_Part]) -> bool:
    return any(other.start <= part.start and part.end <= other.end for other in others)


def _gazetteer_parts(window: str, gazetteer: Gazetteer) -> Iterator[_Part]:
    for match in gazetteer.pattern.finditer(window):
        form = match.group()
        kind = "county" if form in gazetteer.counties else "township" if form in gazetteer.townships else "area"
        yield _Part(kind, form, match.start(), match.end())


def _mask(window: str, parts: Iterable[_Part]) -> str:
    """The window with the gazetteer names blanked out, so a name run never starts inside one."""
    chars = list(window)
    for part in parts:
        chars[part.start : part.end] = "|" * (part.end - part.start)
    return "".join(chars)


def _pattern_parts(masked: str) -> Iterator[_Part]:
    patterns = _patterns()
    found: list[_Part] = []
    for match in patterns.named.finditer(masked):
        suffix_kind = next(kind for kind in _SUFFIXES if match.group(kind))
        suffix, tail = match.group(suffix_kind), match.group("tail") or ""
        kind = "community" if tail else suffix_kind  # 梅山路小区 is a community named after its road
        name = _clean_name(match.group("name"), suffix_kind)
        if name is None:
            continue
        value = name + suffix + tail
        if not _accept(kind, name, suffix, value):
            continue
        found.append(_Part(kind, value, match.end() - len(value), match.end()))
        if kind != "landmark":
            unit = patterns.unit_after.match(masked, match.end())
            if unit and unit.group().strip():
                found.append(_Part("unit", unit.group().strip(), match.end(), unit.end()))
    claimed = {index for part in found if part.kind == "unit" for index in range(part.start, part.end)}
    for match in patterns.standalone_unit.finditer(masked):
        if match.start() not in claimed:
            found.append(_Part("unit", match.group(), match.start(), match.end()))
    yield from _join_crossings(masked, sorted(found, key=lambda part: part.start))


# "这条街叫北关老街", "那个小区名叫幸福家园": the name follows the word that gives it.
_NAMING = re.compile(r".*(?:叫做|叫作|名叫|叫)")


def _clean_name(run: str, kind: str) -> str | None:
    """The name at the end of a run: its last characters (``_MAX_NAME``) without leading noise words, and
    after the word that gives it ("街叫北关老街" -> 北关老街)."""
    name = _NAMING.sub("", run[-_MAX_NAME[kind] :])
    patterns = _patterns()
    noise = (patterns.landmark_leading_noise if kind == "landmark" else patterns.leading_noise).match(name)
    name = name[noise.end() :] if noise else name
    return name if len(name) >= 2 else None


def _accept(kind: str, name: str, suffix: str, value: str) -> bool:
    if kind == "road":
        return value not in _GENERIC_ROADS and value[-2:] not in _GENERIC_ROAD_ENDINGS
    if kind == "community":
        return value not in _GENERIC_COMMUNITIES and name[-1] not in _NOT_COMMUNITY_BEFORE.get(suffix, ())
    return value not in _GENERIC_LANDMARKS


def _join_crossings(masked: str, parts: list[_Part]) -> Iterator[_Part]:
    """Two roads joined by 与/和 and followed by 交叉口 (路口, 交汇处 ...) are one place: their crossing.
    The connector may have been read into the second name (和平路 starts with 和): it is dropped there."""
    crossing = _patterns().crossing
    index = 0
    while index < len(parts):
        part = parts[index]
        following = parts[index + 1] if index + 1 < len(parts) else None
        if part.kind == "road" and following is not None and following.kind == "road":
            between = masked[part.end : following.start].strip()
            second = following.value
            if not between and second[0] in "与和跟、":
                between, second = second[0], second[1:]
            end = crossing.match(masked, following.end)
            if between in ("", "与", "和", "跟", "、", "/") and end:
                yield _Part("road", f"{part.value}与{second}交叉口", part.start, end.end())
                index += 2
                continue
        yield part
        index += 1


# Parts closer than this (a 的, a comma, 附近) belong to one written place.
_MAX_GAP = 4


def _assemble(window: str, parts: list[_Part], gazetteer: Gazetteer) -> Place:
    """One Place. Parts written next to each other form one written place; the one with the most kinds of
    part (the first of those) is ``as_written``, and its parts come first. Parts it lacks are filled from the
    rest of the window (the county of a letter's signature, say) when they agree."""
    clusters: list[list[_Part]] = [[parts[0]]]
    cluster_end = parts[0].end
    for part in parts[1:]:
        if part.start - cluster_end > _MAX_GAP:
            clusters.append([])
        clusters[-1].append(part)
        cluster_end = part.end if len(clusters[-1]) == 1 else max(cluster_end, part.end)
    best = max(clusters, key=lambda cluster: (len({part.kind for part in cluster}), -cluster[0].start))
    ordered = best + [part for cluster in clusters if cluster is not best for part in cluster]
    county = next((gazetteer.counties[p.value] for p in ordered if p.kind == "county"), None)
    township, township_county = _choose_township(ordered, gazetteer, county)
    if township is None:
        township, township_county = _choose_area(ordered, gazetteer, county)
    first = {kind: next((p for p in ordered if p.kind == kind), None) for kind in ("community", "road", "landmark")}
    return Place(
        county=county or township_county,
        township=township,
        community=first["community"].value if first["community"] else None,
        road=first["road"].value if first["road"] else None,
        unit=_unit(ordered, first["community"] or first["road"]),
        landmark=first["landmark"].value if first["landmark"] else None,
        as_written=window[best[0].start : max(part.end for part in best)].strip(),
    )


def _unit(parts: list[_Part], owner: _Part | None) -> str | None:
    """The 楼栋/门牌 written right after the community (else the road), else the first one written."""
    units = [part for part in parts if part.kind == "unit"]
    for unit in units:
        if owner is not None and unit.start == owner.end:
            return unit.value
    return units[0].value if units else None


def _choose_township(parts: list[_Part], gazetteer: Gazetteer, county: str | None) -> tuple[str | None, str | None]:
    """The first township mention that agrees with the county (or any, without one); its county when the
    name is unique, e.g. 毛坦厂 -> 金安区, but not 城关镇 (霍邱县 and 舒城县)."""
    mentions = [gazetteer.townships[p.value] for p in parts if p.kind == "township"]
    for candidates in mentions:
        if county is not None:
            agreeing = [township for township in candidates if township.county == county]
            if agreeing:
                return agreeing[0].name, county
            continue
        names = {township.name for township in candidates}
        counties = {township.county for township in candidates}
        if len(names) == 1:
            return names.pop(), counties.pop() if len(counties) == 1 else None
    if mentions and county is not None:  # the resident's township, though the gazetteer places it elsewhere
        return mentions[0][0].name, None
    return None, None


def _choose_area(parts: list[_Part], gazetteer: Gazetteer, county: str | None) -> tuple[str | None, str | None]:
    for part in parts:
        if part.kind != "area":
            continue
        area = gazetteer.areas[part.value]
        if county is not None and county not in area.counties:
            continue  # 霍邱县城区 is not 六安城区
        return area.name, area.counties[0] if len(area.counties) == 1 else None
    return None, None


def filled_in(earlier: Place, later: Place) -> Place | None:
    """``earlier`` with the parts it lacks taken from ``later`` ("鼓楼广场" and then "裕安区西市街道"), or None when the
    two name different places (another county, township, community, road, unit or landmark)."""
    names = [f.name for f in fields(Place) if f.name != "as_written"]
    if any(getattr(earlier, n) and getattr(later, n) and getattr(earlier, n) != getattr(later, n) for n in names):
        return None
    return replace(earlier, **{n: getattr(earlier, n) or getattr(later, n) for n in names})


def describe(place: Place) -> str:
    """One line of Chinese for a case, the parts it has in this order: 金安区三里桥街道 幸福小区3栋 梅山路 六安一中.
    The unit goes after the community, else after the road, else on its own."""
    region = (place.county or "") + (place.township or "")
    unit = place.unit or ""
    community = (place.community or "") + (unit if place.community else "")
    road = (place.road or "") + (unit if place.road and not place.community else "")
    alone = unit if not (place.community or place.road) else ""
    parts = [part for part in (community, road, alone, place.landmark or "") if part]
    # A landmark named after the road says the road already: 皋城路六安一中, not "皋城路 皋城路六安一中".
    rest = [part for index, part in enumerate(parts) if not any(later.startswith(part) for later in parts[index + 1 :])]
    if region and any(part.startswith(region) for part in rest):
        region = ""  # "金安区政务服务中心" says its district already: not "金安区 金安区政务服务中心"
    return " ".join(part for part in (region, *rest) if part)
