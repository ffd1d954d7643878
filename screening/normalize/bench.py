"""Speed check (a command, not a test): python -m screening.normalize.bench [N]

Builds N (default 1,000,000) mixed account-like names — Chinese persons (some traditional), Chinese
companies, Latin persons with titles, Latin companies with legal forms, Cyrillic and Arabic names — from
seeded random combinations, then times name_forms_frame() and prints names/s and the distinct share.
"""
from __future__ import annotations

import random
import sys
import time

import polars as pl

from screening.normalize import chinese, name_forms_frame

_GIVEN = ("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国志文斌宇浩凯鑫晨雪梅琳婷颖欣怡佳慧俊峰海波鹏辉亮"
          "红玉凤春燕子轩梓涵一诺依若宁思远博嘉豪天佑墨然金龙云飞德成安乐长重行")
_CITIES = ("北京", "上海", "深圳", "广州", "杭州", "重庆", "成都", "武汉", "南京", "天津")
_TRADES = ("科技", "贸易", "实业", "投资", "信息技术", "网络", "电子", "物流", "银行", "文化传媒")
_CN_FORMS = ("有限公司", "有限责任公司", "股份有限公司", "集团有限公司", "")
_FIRST = ("john", "maria", "ahmed", "olga", "james", "fatima", "ivan", "anna", "mohammed", "li", "david", "sergei",
          "elena", "omar", "peter", "sofia", "hassan", "natalia", "michael", "yusuf", "wei", "chen", "juan", "ali")
_LAST = ("smith", "ivanov", "al-rashid", "garcia", "müller", "petrova", "khan", "o'brien", "nguyen", "kowalski",
         "hussein", "wang", "chang", "lee", "wong", "schmidt", "rossi", "haddad", "novak", "tanaka", "cohen", "silva")
_TITLES = ("", "", "", "mr ", "dr ", "sheikh ", "mrs ", "prof. ")
_ORG_WORDS = ("global", "trading", "petro", "star", "union", "bank", "shipping", "holding", "tech", "energy",
              "capital", "industrial", "group", "logistics", "pacific", "steel", "marine", "invest")
_ORG_FORMS = (" ltd", " llc", " co., ltd.", " gmbh", " inc.", " jsc", " limited", " corp", "", " s.a.")
_CYRILLIC = ("Иван", "Петров", "Сергей", "Шойгу", "Ольга", "Смирнова", "Дмитрий", "Медведев", "Алексей", "Кузнецов")
_ARABIC = ("محمد", "أحمد", "علي", "حسين", "عبد الله", "التكريتي", "صدام", "يوسف", "الرشيد", "خالد")


def make_names(n: int, seed: int = 7) -> tuple[list[str], list[str]]:
    """n seeded (name, subject_type) pairs in account-like proportions."""
    rnd = random.Random(seed)
    surnames = list(chinese.surname_table()[0])
    weights = [1.0 / (i + 1) for i in range(len(surnames))]
    s2t = __import__("opencc").OpenCC("s2t")
    names: list[str] = []
    types: list[str] = []
    for _ in range(n):
        r = rnd.random()
        if r < 0.45:
            name = rnd.choices(surnames, weights)[0] + "".join(rnd.choices(_GIVEN, k=rnd.choice((1, 2, 2))))
            names.append(s2t.convert(name) if rnd.random() < 0.1 else name)
            types.append("person")
        elif r < 0.55:
            names.append(rnd.choice(_CITIES) + "".join(rnd.choices(_GIVEN, k=2)) + rnd.choice(_TRADES) + rnd.choice(_CN_FORMS))
            types.append("organization")
        elif r < 0.80:
            first, last = rnd.choice(_FIRST), rnd.choice(_LAST)
            middle = rnd.choice(("", "", rnd.choice(_FIRST) + " ", rnd.choice("abcdefghjk") + ". "))
            name = rnd.choice(_TITLES) + first + " " + middle + last
            names.append(name.upper() if rnd.random() < 0.3 else name.title())
            types.append("person")
        elif r < 0.90:
            name = " ".join(rnd.choices(_ORG_WORDS, k=rnd.choice((1, 2, 3)))) + rnd.choice(_ORG_FORMS)
            names.append(name.upper() if rnd.random() < 0.5 else name.title())
            types.append("organization")
        else:
            pool = _CYRILLIC if rnd.random() < 0.5 else _ARABIC
            names.append(" ".join(rnd.choices(pool, k=rnd.choice((2, 3)))))
            types.append("person")
    return names, types


def main(argv: list[str]) -> None:
    n = int(argv[0]) if argv else 1_000_000
    names, types = make_names(n)
    distinct = len(set(zip(names, types)))
    start = time.perf_counter()
    frame = name_forms_frame(pl.Series(names), pl.Series(types))
    seconds = time.perf_counter() - start
    print(f"{n:,} names ({distinct:,} distinct name/type pairs) -> {frame.height:,} form rows "
          f"in {seconds:.2f} s = {n / seconds:,.0f} names/s ({distinct / seconds:,.0f} distinct/s)")
    print(frame.group_by("kind").len().sort("kind"))


if __name__ == "__main__":
    main(sys.argv[1:])
