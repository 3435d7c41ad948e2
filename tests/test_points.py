"""The point, muscle and spinal-level catalogue, and the normalisation of typed codes."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from collections import Counter
from importlib import resources

import pytest

from sessionlog.errors import UnknownCode
from sessionlog.points import (
    CHANNEL_COUNTS,
    catalogue,
    complete,
    is_midline,
    normalise_level,
    normalise_muscle,
    normalise_point,
    resolve,
    search,
)


def read_rows(name: str) -> list[dict[str, str]]:
    text = resources.files("sessionlog").joinpath("data", name).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


# --- the data files ------------------------------------------------------------------


def test_channel_counts_table() -> None:
    assert CHANNEL_COUNTS == {
        "LU": 11, "LI": 20, "ST": 45, "SP": 21, "HT": 9, "SI": 19, "BL": 67,
        "KI": 27, "PC": 9, "TE": 23, "GB": 44, "LR": 14, "GV": 28, "CV": 24,
    }  # fmt: skip
    assert sum(CHANNEL_COUNTS.values()) == 361


def test_points_csv_counts_per_channel() -> None:
    rows = read_rows("points.csv")
    assert len(rows) == 361
    assert Counter(r["channel"] for r in rows) == CHANNEL_COUNTS


def test_points_csv_codes_unique_and_numbers_contiguous() -> None:
    rows = read_rows("points.csv")
    assert len({r["code"] for r in rows}) == 361
    for channel, count in CHANNEL_COUNTS.items():
        numbers = sorted(int(r["number"]) for r in rows if r["channel"] == channel)
        assert numbers == list(range(1, count + 1)), channel
    for r in rows:
        assert r["code"] == f"{r['channel']}{r['number']}"
        assert r["pinyin"].isalpha() and r["pinyin"][0].isupper() and r["pinyin"][1:].islower()


def test_no_gv29() -> None:
    with pytest.raises(UnknownCode) as info:
        normalise_point("GV29")
    assert "GV28" in info.value.suggestions


def test_extra_points_csv() -> None:
    rows = read_rows("extra_points.csv")
    assert len(rows) == 48
    assert Counter(r["region"] for r in rows) == {
        "EX-HN": 15, "EX-CA": 1, "EX-B": 9, "EX-UE": 11, "EX-LE": 12,
    }  # fmt: skip
    assert len({r["code"] for r in rows}) == 48
    assert all(r["code"] == f"{r['region']}{r['number']}" for r in rows)


def test_muscles_csv() -> None:
    rows = read_rows("muscles.csv")
    assert len(rows) >= 70
    regions = {
        "head", "neck", "shoulder", "upper arm", "forearm", "hand", "thorax",
        "upper back", "low back", "abdomen", "hip", "thigh", "leg", "foot",
    }  # fmt: skip
    assert {r["region"] for r in rows} <= regions
    assert {r["thorax_risk"] for r in rows} <= {"0", "1"}
    assert len({r["name"] for r in rows}) == len(rows)
    assert all(r["name"] == r["name"].strip().lower() for r in rows)


def test_muscle_aliases_are_unambiguous_and_not_point_or_level_codes() -> None:
    seen: dict[str, str] = {}
    for r in read_rows("muscles.csv"):
        for alias in [r["name"], *filter(None, r["aliases"].split("|"))]:
            key = alias.lower()
            assert seen.setdefault(key, r["name"]) == r["name"], alias
            assert resolve(alias).code == r["name"], alias


@pytest.mark.parametrize(
    ("code", "pinyin"),
    [
        ("LU7", "Lieque"),
        ("LI4", "Hegu"),
        ("LI11", "Quchi"),
        ("ST36", "Zusanli"),
        ("ST40", "Fenglong"),
        ("SP6", "Sanyinjiao"),
        ("SP9", "Yinlingquan"),
        ("HT7", "Shenmen"),
        ("SI3", "Houxi"),
        ("BL23", "Shenshu"),
        ("BL40", "Weizhong"),
        ("BL60", "Kunlun"),
        ("KI3", "Taixi"),
        ("PC6", "Neiguan"),
        ("TE5", "Waiguan"),
        ("GB20", "Fengchi"),
        ("GB21", "Jianjing"),
        ("GB34", "Yanglingquan"),
        ("LR3", "Taichong"),
        ("GV14", "Dazhui"),
        ("GV20", "Baihui"),
        ("CV4", "Guanyuan"),
        ("CV12", "Zhongwan"),
        ("EX-HN3", "Yintang"),
        ("EX-HN5", "Taiyang"),
        ("EX-B2", "Jiaji"),
        ("EX-LE7", "Lanwei"),
    ],
)
def test_pinyin_spot_checks(code: str, pinyin: str) -> None:
    entry = resolve(code)
    assert (entry.code, entry.pinyin, entry.label) == (code, pinyin, f"{code} {pinyin}")


# --- the catalogue -------------------------------------------------------------------


def test_catalogue_order_and_counts() -> None:
    entries = catalogue()
    kinds = [e.kind for e in entries]
    muscles = len(read_rows("muscles.csv"))
    assert kinds == (
        ["acupuncture_point"] * (361 + 48) + ["muscle"] * muscles + ["spinal_level"] * 51
    )
    assert entries[0].code == "LU1" and entries[360].code == "CV24"
    assert entries[361].code == "EX-HN1"
    assert len({e.code for e in entries}) == len(entries)


def test_spinal_levels() -> None:
    levels = [e.code for e in catalogue() if e.kind == "spinal_level"]
    assert levels[:4] == ["C1", "C1-C2", "C2", "C2-C3"]
    assert levels[-3:] == ["S1", "S1-S2", "S2"]
    assert {"C7-T1", "T12-L1", "L4-L5", "L5-S1"} <= set(levels)
    assert len([c for c in levels if "-" not in c]) == 26


def test_entry_shapes() -> None:
    assert resolve("LI4").group == "LI"
    assert resolve("EX-HN3").group == "EX-HN"
    upper_trap = resolve("upper trapezius")
    assert (upper_trap.kind, upper_trap.label, upper_trap.group, upper_trap.pinyin) == (
        "muscle", "upper trapezius (neck)", "neck", None,
    )  # fmt: skip
    level = resolve("L4-L5")
    assert (level.kind, level.label, level.group) == ("spinal_level", "L4-L5 (lumbar)", "lumbar")
    assert resolve("C5-C6").group == "cervical"
    assert resolve("L5-S1").group == "lumbar"
    assert resolve("S1").group == "sacral"


def test_thorax_risk() -> None:
    assert resolve("rhomboid major").thorax_risk is True
    assert resolve("serratus anterior").thorax_risk is True
    assert resolve("upper trap").thorax_risk is True
    assert resolve("gluteus medius").thorax_risk is False
    assert resolve("T5").thorax_risk is True
    assert resolve("T5-T6").thorax_risk is True
    assert resolve("L4-L5").thorax_risk is False
    # The pleura reaches the C7-T1 and T12-L1 junctions beside the spine.
    assert resolve("C7-T1").thorax_risk is True
    assert resolve("T12-L1").thorax_risk is True
    assert resolve("L1-L2").thorax_risk is False
    assert resolve("C4").thorax_risk is False
    assert resolve("GB21").thorax_risk is True
    assert resolve("BL13").thorax_risk is True
    assert resolve("BL42").thorax_risk is True
    assert resolve("BL23").thorax_risk is False
    assert resolve("ST36").thorax_risk is False


# --- normalise_point -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("li4", "LI4"),
        ("LI-4", "LI4"),
        ("Li 4", "LI4"),
        ("LI 4", "LI4"),
        ("li.4", "LI4"),
        ("SJ5", "TE5"),
        ("TH5", "TE5"),
        ("TB5", "TE5"),
        ("LV3", "LR3"),
        ("Liv3", "LR3"),
        ("Du20", "GV20"),
        ("Ren12", "CV12"),
        ("UB40", "BL40"),
        ("B40", "BL40"),
        ("K3", "KI3"),
        ("P6", "PC6"),
        ("CS6", "PC6"),
        ("H7", "HT7"),
        ("st36", "ST36"),
        ("ST-36", "ST36"),
        ("St 36", "ST36"),
        ("hegu", "LI4"),
        ("He Gu", "LI4"),
        ("zu san li", "ST36"),
        ("Zúsānlǐ", "ST36"),
        ("ex-hn3", "EX-HN3"),
        ("EXHN3", "EX-HN3"),
        ("ex hn 3", "EX-HN3"),
        ("yintang", "EX-HN3"),
        ("huatuojiaji", "EX-B2"),
        ("Renzhong", "GV26"),
        ("LI4 Hegu", "LI4"),
    ],
)
def test_normalise_point(text: str, code: str) -> None:
    assert normalise_point(text) == code


def test_point_number_out_of_range_suggests_the_last() -> None:
    with pytest.raises(UnknownCode) as info:
        normalise_point("ST46")
    assert info.value.field == "point"
    assert info.value.suggestions[0] == "ST45"
    assert len(info.value.suggestions) <= 3
    with pytest.raises(UnknownCode) as info:
        normalise_point("LU12")
    assert info.value.suggestions[0] == "LU11"


def test_gibberish_point_names_the_field() -> None:
    with pytest.raises(UnknownCode) as info:
        normalise_point("qqqzzz", field="sites[2].code")
    assert info.value.field == "sites[2].code"
    assert str(info.value).startswith("sites[2].code: 'qqqzzz'")


def test_misspelt_pinyin_suggests() -> None:
    with pytest.raises(UnknownCode) as info:
        normalise_point("hegoo")
    assert info.value.suggestions == ["LI4"]


def test_ambiguous_pinyin_is_not_guessed() -> None:
    with pytest.raises(UnknownCode) as info:
        normalise_point("zhongdu")
    assert info.value.suggestions == ["GB32", "LR6"]


def test_single_letter_l_and_s_are_not_channels() -> None:
    for text in ("L4", "S1"):
        with pytest.raises(UnknownCode):
            normalise_point(text)


# --- normalise_muscle and normalise_level --------------------------------------------


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("upper trap", "upper trapezius"),
        ("Upper Trapezius", "upper trapezius"),
        ("UT", "upper trapezius"),
        ("SCM", "sternocleidomastoid"),
        ("QL", "quadratus lumborum"),
        ("fibularis longus", "peroneus longus"),
        ("TFL", "tensor fasciae latae"),
        ("supras", "supraspinatus"),
        ("biceps", "biceps brachii"),
    ],
)
def test_normalise_muscle(text: str, name: str) -> None:
    assert normalise_muscle(text) == name


def test_ambiguous_muscle_prefix_lists_candidates() -> None:
    with pytest.raises(UnknownCode) as info:
        normalise_muscle("trapezius")
    assert info.value.field == "muscle"
    assert info.value.suggestions == ["upper trapezius", "middle trapezius", "lower trapezius"]


def test_unknown_muscle() -> None:
    with pytest.raises(UnknownCode) as info:
        normalise_muscle("pectoralis maxximus")
    assert "pectoralis major" in info.value.suggestions


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("l4-5", "L4-L5"),
        ("L4/5", "L4-L5"),
        ("L4-L5", "L4-L5"),
        ("l4 l5", "L4-L5"),
        ("L45", "L4-L5"),
        ("L4–L5", "L4-L5"),
        ("l4", "L4"),
        ("T12", "T12"),
        ("t1-2", "T1-T2"),
        ("L5/S1", "L5-S1"),
        ("l5s1", "L5-S1"),
        ("C7-T1", "C7-T1"),
        ("c5/6", "C5-C6"),
    ],
)
def test_normalise_level(text: str, level: str) -> None:
    assert normalise_level(text) == level


def test_levels_must_be_neighbours() -> None:
    with pytest.raises(UnknownCode) as info:
        normalise_level("L3-L5")
    assert info.value.suggestions[:2] == ["L3-L4", "L4-L5"]
    with pytest.raises(UnknownCode) as info:
        normalise_level("L6")
    assert info.value.suggestions == ["L5", "L5-S1"]


# --- resolve, search, complete -------------------------------------------------------


def test_resolve_each_kind() -> None:
    assert (resolve("upper trap").kind, resolve("upper trap").code) == ("muscle", "upper trapezius")
    assert (resolve("L4-L5").kind, resolve("L4-L5").code) == ("spinal_level", "L4-L5")
    assert (resolve("st36").kind, resolve("st36").code) == ("acupuncture_point", "ST36")
    assert resolve("hegu").code == "LI4"
    assert resolve("l4-5").code == "L4-L5"


def test_resolve_unknown_suggests_across_kinds() -> None:
    with pytest.raises(UnknownCode) as info:
        resolve("upper trapezus")
    assert info.value.field == "site"
    assert info.value.suggestions[0] == "upper trapezius"
    with pytest.raises(UnknownCode) as info:
        resolve("xqzv")
    assert info.value.suggestions == []


def test_search_exact_first() -> None:
    assert search("sj 5")[0].code == "TE5"
    assert search("st36")[0].code == "ST36"
    assert search("upper trap")[0].code == "upper trapezius"


def test_search_prefix_then_substring() -> None:
    assert [e.code for e in search("li")][:20] == [f"LI{n}" for n in range(1, 21)]
    assert [e.code for e in search("trap")] == [
        "upper trapezius", "middle trapezius", "lower trapezius",
    ]  # fmt: skip
    codes = [e.code for e in search("sanli", limit=None)]
    assert codes == ["LI10", "ST36"]  # Shousanli, Zusanli: substring only


def test_search_empty_returns_everything() -> None:
    assert search("") == catalogue()


def test_complete() -> None:
    assert [e.code for e in complete("st3")] == ["ST3"] + [f"ST{n}" for n in range(30, 40)]
    assert complete("sj")[0].code == "TE1"
    assert [e.code for e in complete("l4", kinds=("spinal_level",))] == ["L4", "L4-L5"]
    assert [e.code for e in complete("glu", kinds=("muscle",))] == [
        "gluteus maximus", "gluteus medius", "gluteus minimus",
    ]  # fmt: skip
    assert len(complete("")) == 12
    assert complete("", kinds=("muscle",))[0].code == "masseter"


def test_import_does_no_io_and_no_textual() -> None:
    code = (
        "import sys, sessionlog.points\n"
        "from sessionlog import catalogue_data as d, catalogue_index as i\n"
        "assert 'textual' not in sys.modules\n"
        "assert i.get_index.cache_info().currsize == 0\n"
        "assert d.point_entries.cache_info().currsize == 0\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_midline_points_are_every_gv_and_cv_point_and_the_midline_extra_points() -> None:
    from sessionlog.domain import parse_site

    assert [is_midline(c) for c in ("GV20", "CV12", "EX-HN3", "EX-B8")] == [True] * 4
    assert [is_midline(c) for c in ("ST36", "EX-HN5", "EX-B2")] == [False] * 3
    # A midline point typed without a side is recorded on the midline.
    assert parse_site("yintang", "acupuncture").side == "midline"
    assert parse_site({"target": "yintang", "side": "left"}, "acupuncture").side == "left"


@pytest.mark.parametrize(
    "typed",
    ["st36", "sj 5", "L4/5", "upper trap", "infraspinatus", "Yintang", "upper tr", "st99",
     "lev", "xyz", "", "l4 l6", "trapezius"],
)  # fmt: skip
def test_named_is_resolve_without_the_search_for_suggestions(
    typed: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The site line asks at each key whether the text names an entry; a miss searched
    # the whole catalogue for suggestions nobody read.
    import sessionlog.points as points

    try:
        expected = resolve(typed)
    except UnknownCode:
        expected = None
    monkeypatch.setattr(points, "close", lambda *a: pytest.fail("searched for suggestions"))
    assert points.named(typed) == expected


def test_suggestions_are_difflibs_over_every_key() -> None:
    """``close`` gives difflib only the keys of a length that can pass its first test:
    the suggestions are those of difflib over every key, for inputs of every length."""
    import difflib

    from sessionlog.catalogue_index import close, get_index, lookup_key

    index = get_index()

    def over_every_key(text: str, kinds: list[str]) -> list[str]:
        keys = [k for k, code in index.suggest.items() if index.by_code[code].kind in kinds]
        codes = [index.suggest[k] for k in difflib.get_close_matches(lookup_key(text), keys, 10)]
        return list(dict.fromkeys(codes))[:3]

    texts = ["", "x", "st99", "lv33", "gb211", "hegu", "hgeu", "zusanli", "zu san lee"]
    texts += ["l4l6", "uper trap", "trapezuis", "infraspinatis", "pectoralis majr", "9" * 30]
    for text in texts:
        for kinds in (["acupuncture_point"], ["muscle"], ["spinal_level"]):
            assert close(text, kinds) == over_every_key(text, kinds), (text, kinds)
