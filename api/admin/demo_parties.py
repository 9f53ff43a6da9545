"""Demo counterparties with valid INN/KPP, their industries, market roles and contact people.

Every INN carries a correct check digit (computed with python-stdnum, which the counterparty
form validates with), so the demo clients behave exactly like real ones."""

from __future__ import annotations

import random
from dataclasses import dataclass

from stdnum.ru import inn as inn_number

from models.parties import MarketRole

# region code (the INN's first two digits), city
REGIONS = [
    ("77", "Москва"), ("78", "Санкт-Петербург"), ("71", "Тула"), ("66", "Екатеринбург"), ("54", "Новосибирск"),
    ("16", "Казань"), ("52", "Нижний Новгород"), ("63", "Самара"), ("61", "Ростов-на-Дону"), ("23", "Краснодар"),
    ("36", "Воронеж"), ("74", "Челябинск"), ("59", "Пермь"), ("02", "Уфа"), ("34", "Волгоград"),
    ("24", "Красноярск"), ("55", "Омск"), ("72", "Тюмень"), ("64", "Саратов"), ("76", "Ярославль"),
    ("62", "Рязань"), ("40", "Калуга"), ("48", "Липецк"), ("31", "Белгород"),
]
STEMS = ["Строй", "Металл", "Урал", "Сибирь", "Волга", "Пром", "Техно", "Мост", "Энерго", "Гидро",
         "Нефте", "Арм", "Профи", "Север", "Юг", "Дон", "Кама", "Ока", "Гранит", "Альфа"]
ENDINGS = ["монтаж", "снаб", "комплект", "инвест", "ресурс", "сервис", "строй", "холдинг", "торг", "деталь"]
FORMS = [("ООО", "Общество с ограниченной ответственностью", 70), ("АО", "Акционерное общество", 15),
         ("ПАО", "Публичное акционерное общество", 3), ("ИП", "Индивидуальный предприниматель", 12)]
STREETS = ["ул. Ленина", "ул. Промышленная", "ш. Энтузиастов", "ул. Заводская", "пр-т Мира", "ул. Складская",
           "ул. Строителей", "ул. Индустриальная", "Октябрьский пр-т", "ул. Набережная"]

MALE_SURNAMES = ["Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев", "Павлов", "Семёнов", "Голубев", "Виноградов",
                 "Богданов", "Воробьёв", "Фролов", "Никитин", "Соловьёв", "Тарасов", "Белоусов", "Комаров", "Жуков"]
MALE_NAMES = ["Александр", "Сергей", "Андрей", "Алексей", "Дмитрий", "Михаил", "Игорь", "Евгений", "Владимир", "Роман"]
FEMALE_NAMES = ["Елена", "Ольга", "Наталья", "Татьяна", "Ирина", "Светлана", "Юлия", "Марина", "Анна", "Екатерина"]
PATRONYMICS = ["Александров", "Сергеев", "Андреев", "Викторов", "Николаев", "Петров", "Иванов", "Михайлов"]
POSITIONS = ["Директор", "Главный инженер", "Начальник отдела снабжения", "Менеджер по закупкам",
             "Инженер ПТО", "Заместитель директора по строительству", "Снабженец", "Главный бухгалтер"]

# What each market role buys most (the demo deals pick lines from these categories).
ROLE_WEIGHTS = [(MarketRole.builder, 35), (MarketRole.end_customer, 25), (MarketRole.dealer, 12),
                (MarketRole.manufacturer, 15), (MarketRole.distributor, 5), (MarketRole.trader, 8)]


@dataclass
class Party:
    name: str
    full_name: str
    inn: str
    kpp: str | None
    city: str
    market_role: MarketRole
    industry: str
    address: str
    phone: str
    email: str
    contacts: list[dict]


def person(rnd: random.Random) -> tuple[str, str]:
    """A full name "Фамилия Имя Отчество" and its short form "Фамилия И. О."."""
    surname = rnd.choice(MALE_SURNAMES)
    patronymic = rnd.choice(PATRONYMICS)
    if rnd.random() < 0.45:
        first = rnd.choice(FEMALE_NAMES)
        surname, patronymic = surname + "а", patronymic + "на"
    else:
        first = rnd.choice(MALE_NAMES)
        patronymic += "ич"
    return f"{surname} {first} {patronymic}", f"{surname} {first[0]}. {patronymic[0]}."


def company_inn(rnd: random.Random, region: str) -> str:
    body = region + f"{rnd.randint(1, 99):02d}" + f"{rnd.randint(0, 99999):05d}"
    return body + inn_number.calc_company_check_digit(body)


def personal_inn(rnd: random.Random, region: str) -> str:
    body = region + f"{rnd.randint(1, 99):02d}" + f"{rnd.randint(0, 999999):06d}"
    return body + inn_number.calc_personal_check_digits(body)


def parties(rnd: random.Random, count: int, industries: list[str]) -> list[Party]:
    names = [stem + ending for stem in STEMS for ending in ENDINGS]
    rnd.shuffle(names)
    used_inns: set[str] = set()
    result: list[Party] = []
    while len(result) < count:
        i = len(result)
        region, city = rnd.choice(REGIONS)
        form, form_full, _ = rnd.choices(FORMS, weights=[f[2] for f in FORMS])[0]
        if form == "ИП":
            full, short = person(rnd)
            name, full_name, kpp = f"ИП {short}", f"{form_full} {full}", None
            inn = personal_inn(rnd, region)
        else:
            stem = names[i % len(names)]
            name, full_name = f"{form} «{stem}»", f"{form_full} «{stem}»"
            inn = company_inn(rnd, region)
            kpp = inn[:4] + "01001"  # tax office of registration + the usual reason code
        if inn in used_inns:
            continue
        used_inns.add(inn)
        role = rnd.choices([r for r, _ in ROLE_WEIGHTS], weights=[w for _, w in ROLE_WEIGHTS])[0]
        contacts = []
        for _ in range(rnd.randint(1, 3)):
            full, _short = person(rnd)
            contacts.append({"full_name": full, "position": rnd.choice(POSITIONS), "phone": phone(rnd),
                             "email": f"{_mailbox(rnd)}@client{i + 1:03d}.example"})
        result.append(Party(
            name=name, full_name=full_name, inn=inn, kpp=kpp, city=city, market_role=role,
            industry=rnd.choice(industries),
            address=f"г. {city}, {rnd.choice(STREETS)}, д. {rnd.randint(1, 150)}",
            phone=phone(rnd), email=f"info@client{i + 1:03d}.example", contacts=contacts,
        ))
    return result


def phone(rnd: random.Random) -> str:
    return f"+7 ({rnd.randint(812, 999)}) {rnd.randint(100, 999)}-{rnd.randint(10, 99)}-{rnd.randint(10, 99)}"


def _mailbox(rnd: random.Random) -> str:
    return rnd.choice(["snab", "zakupki", "office", "pto", "director", "buh"]) + str(rnd.randint(1, 99))
