"""The demo steel catalogue: categories, ~500 products with grade, size and standard, and the
warehouses they ship from. Generated from size tables, the way a price list is laid out."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

# key, name, parent key, default unit
CATEGORIES = [
    ("long", "Сортовой прокат", None, "т"),
    ("rebar", "Арматура", "long", "т"),
    ("wire_rod", "Катанка", "long", "т"),
    ("round", "Круг", "long", "т"),
    ("square", "Квадрат", "long", "т"),
    ("strip", "Полоса", "long", "т"),
    ("hexagon", "Шестигранник", "long", "т"),
    ("shaped", "Фасонный прокат", None, "т"),
    ("angle", "Уголок равнополочный", "shaped", "т"),
    ("channel", "Швеллер", "shaped", "т"),
    ("beam", "Балка двутавровая", "shaped", "т"),
    ("flat", "Листовой прокат", None, "т"),
    ("sheet_hr", "Лист горячекатаный", "flat", "т"),
    ("sheet_cr", "Лист холоднокатаный", "flat", "т"),
    ("sheet_galv", "Лист оцинкованный", "flat", "т"),
    ("sheet_tread", "Лист рифлёный", "flat", "т"),
    ("pipes", "Трубы", None, "т"),
    ("pipe_welded", "Труба электросварная", "pipes", "т"),
    ("pipe_profile", "Труба профильная", "pipes", "т"),
    ("pipe_seamless", "Труба бесшовная", "pipes", "т"),
    ("pipe_vgp", "Труба ВГП", "pipes", "м"),
    ("hardware", "Метизы", None, "т"),
    ("mesh", "Сетка сварная", "hardware", "м²"),
    ("tie_wire", "Проволока вязальная", "hardware", "т"),
    ("services", "Услуги", None, "шт"),
    ("processing", "Металлообработка и доставка", "services", "т"),
    ("service", "Сервисное обслуживание оборудования", "services", "ч"),
]


@dataclass
class Item:
    code: str
    name: str
    category: str
    price: Decimal  # a typical price per unit with VAT; only the demo deals use it
    unit: str | None = None  # None: the category's default unit
    attributes: dict = field(default_factory=dict)


def num(value: float) -> str:
    """6.5 → "6,5" as Russian price lists write it; 12.0 → "12"."""
    return f"{value:g}".replace(".", ",")


def _long_products() -> list[Item]:
    items: list[Item] = []
    rebar_sizes = (8, 10, 12, 14, 16, 18, 20, 22, 25, 28, 32, 36, 40)
    for d in rebar_sizes:
        for length, code in (("11,7 м", "11.7"), ("немерной длины", "NL")):
            items.append(Item(f"ARM-A500C-{d}-{code}", f"Арматура А500С ⌀{d} мм, {length}", "rebar", Decimal(61500 + d * 40),
                              attributes={"grade": "А500С", "size_mm": d, "length": length, "standard": "ГОСТ 34028-2016"}))
    for d in (6, 8, 10, 12):
        items.append(Item(f"ARM-A500C-{d}-COIL", f"Арматура А500С ⌀{d} мм в мотках", "rebar", Decimal(64000),
                          attributes={"grade": "А500С", "size_mm": d, "length": "моток", "standard": "ГОСТ 34028-2016"}))
    for d in (6, 8, 10, 12, 14, 16, 18, 20, 22):
        items.append(Item(f"ARM-A240-{d}", f"Арматура А240 (А-I) ⌀{d} мм гладкая, Ст3сп", "rebar", Decimal(66000),
                          attributes={"grade": "А240", "steel": "Ст3сп", "size_mm": d, "standard": "ГОСТ 34028-2016"}))
    for d in (10, 12, 14, 16, 18, 20, 22, 25, 28, 32):
        items.append(Item(f"ARM-A400-{d}", f"Арматура А400 (А-III) ⌀{d} мм, 35ГС", "rebar", Decimal(63500),
                          attributes={"grade": "А400", "steel": "35ГС", "size_mm": d, "standard": "ГОСТ 5781-82"}))
    for d in (5.5, 6.5, 8, 10, 12):
        for steel in ("Ст0", "Ст1кп", "Ст3сп"):
            items.append(Item(f"WR-{d}-{_latin(steel)}", f"Катанка ⌀{num(d)} мм {steel}", "wire_rod", Decimal(59800),
                              attributes={"steel": steel, "size_mm": d, "standard": "ГОСТ 30136-95"}))
    round_sizes = (10, 12, 14, 16, 18, 20, 22, 25, 28, 30, 32, 36, 40, 45, 50, 56, 60, 70, 80, 90, 100, 120, 140, 160, 180, 200)
    for d in round_sizes:
        for steel, price in (("Ст3сп", 68000), ("20", 74000), ("45", 79000), ("40Х", 98000)):
            items.append(Item(f"RND-{d}-{_latin(steel)}", f"Круг ⌀{d} мм ст.{steel}", "round", Decimal(price),
                              attributes={"steel": steel, "size_mm": d, "standard": "ГОСТ 2590-2006"}))
    for a in (10, 12, 14, 16, 20, 25, 30, 40, 50, 60):
        items.append(Item(f"SQ-{a}", f"Квадрат {a}×{a} мм Ст3сп", "square", Decimal(76000),
                          attributes={"steel": "Ст3сп", "size_mm": a, "standard": "ГОСТ 2591-2006"}))
    for w, t in ((20, 4), (25, 4), (30, 4), (40, 4), (40, 5), (50, 5), (60, 6), (80, 8), (100, 8), (120, 10)):
        for steel in ("Ст3сп", "09Г2С"):
            items.append(Item(f"STRIP-{w}x{t}-{_latin(steel)}", f"Полоса {w}×{t} мм {steel}", "strip", Decimal(74500),
                              attributes={"steel": steel, "size": f"{w}×{t}", "standard": "ГОСТ 103-2006"}))
    for s in (10, 12, 14, 17, 19, 22, 24, 27, 30, 36):
        for steel in ("35", "45"):
            items.append(Item(f"HEX-{s}-{steel}", f"Шестигранник {s} мм ст.{steel}", "hexagon", Decimal(93000),
                              attributes={"steel": steel, "size_mm": s, "standard": "ГОСТ 2879-2006"}))
    return items


def _shaped_products() -> list[Item]:
    items: list[Item] = []
    angles = ("25×4", "32×4", "35×4", "40×4", "45×4", "50×5", "63×5", "70×6", "75×6", "80×6", "90×7", "100×8",
              "110×8", "125×8", "140×10", "160×10", "200×12")
    for size in angles:
        for steel in ("Ст3сп", "09Г2С"):
            items.append(Item(f"ANG-{size.replace('×', 'x')}-{_latin(steel)}", f"Уголок {size} мм {steel}", "angle",
                              Decimal(71500), attributes={"steel": steel, "size": size, "standard": "ГОСТ 8509-93"}))
    for number in (5, 6.5, 8, 10, 12, 14, 16, 18, 20, 22, 24, 27, 30):
        for series in ("П", "У"):
            for steel in ("Ст3сп", "09Г2С"):
                items.append(Item(f"CH-{number}{_latin(series)}-{_latin(steel)}", f"Швеллер {num(number)}{series} {steel}",
                                  "channel", Decimal(73500),
                                  attributes={"steel": steel, "number": f"{num(number)}{series}", "standard": "ГОСТ 8240-97"}))
    beams = ("10Б1", "12Б1", "14Б1", "16Б1", "18Б1", "20Б1", "25Б1", "30Б1", "35Б1", "40Б1",
             "20Ш1", "25Ш1", "30Ш1", "35Ш1", "40Ш1", "20К1", "25К1", "30К1")
    for number in beams:
        for steel, price in (("С255", 81000), ("С345", 86000)):
            items.append(Item(f"BEAM-{_latin(number)}-{_latin(steel)}", f"Балка {number} {steel}", "beam", Decimal(price),
                              attributes={"steel": steel, "number": number, "standard": "ГОСТ Р 57837-2017"}))
    return items


def _flat_products() -> list[Item]:
    items: list[Item] = []
    for t in (2, 3, 4, 5, 6, 8, 10, 12, 14, 16, 20, 25, 30, 40, 50):
        for steel, price in (("Ст3сп", 69500), ("09Г2С", 76500)):
            items.append(Item(f"SHR-{t}-{_latin(steel)}", f"Лист г/к {t}×1500×6000 мм {steel}", "sheet_hr", Decimal(price),
                              attributes={"steel": steel, "thickness_mm": t, "size": "1500×6000", "standard": "ГОСТ 19903-2015"}))
    for t in (0.5, 0.7, 0.8, 1, 1.2, 1.5, 2):
        items.append(Item(f"SCR-{t}", f"Лист х/к {num(t)}×1250×2500 мм 08пс", "sheet_cr", Decimal(84000),
                          attributes={"steel": "08пс", "thickness_mm": t, "size": "1250×2500", "standard": "ГОСТ 19904-90"}))
    for t in (0.45, 0.5, 0.55, 0.7, 0.8, 1):
        items.append(Item(f"SGALV-{t}", f"Лист оцинкованный {num(t)}×1250×2500 мм", "sheet_galv", Decimal(104000),
                          attributes={"thickness_mm": t, "size": "1250×2500", "standard": "ГОСТ 14918-2020"}))
    for t in (3, 4, 5, 6, 8):
        for pattern, code in (("ромб", "R"), ("чечевица", "C")):
            items.append(Item(f"STR-{t}-{code}", f"Лист рифлёный {t}×1500×6000 мм «{pattern}» Ст3сп", "sheet_tread",
                              Decimal(79000), attributes={"steel": "Ст3сп", "thickness_mm": t, "pattern": pattern,
                                                          "standard": "ГОСТ 8568-77"}))
    return items


def _pipes_and_hardware() -> list[Item]:
    items: list[Item] = []
    welded = ("57×3", "76×3,5", "89×3,5", "108×4", "114×4", "133×4", "159×4,5", "219×6", "273×7", "325×8", "377×8",
              "426×8", "530×8")
    for size in welded:
        for steel in ("Ст3сп", "17Г1С"):
            items.append(Item(f"PW-{_code(size)}-{_latin(steel)}", f"Труба электросварная {size} мм {steel}", "pipe_welded",
                              Decimal(77000), attributes={"steel": steel, "size": size, "standard": "ГОСТ 10704-91"}))
    profile = ("20×20×2", "25×25×2", "40×20×2", "40×40×2", "40×40×3", "50×50×3", "60×40×3", "60×60×3", "80×80×4",
               "100×100×4", "100×50×4", "120×120×5", "140×140×5", "160×160×6")
    for size in profile:
        for steel in ("Ст3сп", "09Г2С"):
            items.append(Item(f"PP-{_code(size)}-{_latin(steel)}", f"Труба профильная {size} мм {steel}", "pipe_profile",
                              Decimal(79500), attributes={"steel": steel, "size": size, "standard": "ГОСТ 30245-2003"}))
    for size in ("57×4", "76×5", "89×6", "108×6", "133×8", "159×8", "219×10", "273×10"):
        for steel in ("20", "09Г2С"):
            items.append(Item(f"PS-{_code(size)}-{_latin(steel)}", f"Труба бесшовная г/д {size} мм ст.{steel}",
                              "pipe_seamless", Decimal(138000),
                              attributes={"steel": steel, "size": size, "standard": "ГОСТ 8732-78"}))
    for size in ("15×2,8", "20×2,8", "25×3,2", "32×3,2", "40×3,5", "50×3,5"):
        for finish, code, price in (("чёрная", "B", 310), ("оцинкованная", "Z", 420)):
            items.append(Item(f"VGP-{_code(size)}-{code}", f"Труба ВГП {size} мм {finish}", "pipe_vgp", Decimal(price),
                              attributes={"size": size, "finish": finish, "standard": "ГОСТ 3262-75"}))
    for size in ("50×50×3", "50×50×4", "100×100×4", "100×100×5", "150×150×5", "150×150×6", "200×200×6", "200×200×8"):
        items.append(Item(f"MESH-{_code(size)}", f"Сетка сварная {size} мм ВР-1, карта 2×6 м", "mesh", Decimal(460),
                          attributes={"size": size, "wire": "ВР-1", "standard": "ГОСТ 23279-2012"}))
    for d in (1, 1.2, 1.6, 2, 3):
        items.append(Item(f"TIE-{d}", f"Проволока вязальная отожжённая ⌀{num(d)} мм", "tie_wire", Decimal(118000),
                          attributes={"size_mm": d, "standard": "ГОСТ 3282-74"}))
    return items


def _services() -> list[Item]:
    return [
        Item("SRV-CUT", "Резка арматуры в размер", "processing", Decimal(3500)),
        Item("SRV-BEND", "Гибка арматуры по чертежу", "processing", Decimal(9000)),
        Item("SRV-PLASMA", "Плазменная резка листа", "processing", Decimal(450), unit="м"),
        Item("SRV-GUILLOTINE", "Рубка листа на гильотине", "processing", Decimal(4000)),
        Item("SRV-TRUCK", "Доставка автотранспортом, рейс до 20 т", "processing", Decimal(15000), unit="шт"),
        Item("SRV-CRANE", "Погрузка краном", "processing", Decimal(1500)),
        Item("SRV-MAINT", "Техническое обслуживание станка гибки арматуры", "service", Decimal(4500)),
        Item("SRV-VISIT", "Выезд сервисного инженера", "service", Decimal(12000), unit="шт"),
        Item("SRV-DISC", "Замена гибочного диска", "service", Decimal(18000), unit="шт"),
        Item("SRV-DIAG", "Диагностика оборудования", "service", Decimal(5000)),
    ]


def products() -> list[Item]:
    return _long_products() + _shaped_products() + _flat_products() + _pipes_and_hardware() + _services()


_LATIN = str.maketrans({"А": "A", "Б": "B", "Г": "G", "Е": "E", "К": "K", "П": "P", "С": "S", "Т": "T", "У": "U",
                        "Х": "H", "Ш": "SH", "п": "p", "с": "s", "к": "k", "т": "t"})


def _latin(text: str) -> str:
    """Article codes stay ASCII: "09Г2С" → "09G2S"."""
    return text.translate(_LATIN)


def _code(size: str) -> str:
    return size.replace("×", "x").replace(",", ".")


# city, warehouses there (the plant's own warehouse is marked by business unit code)
WAREHOUSES = [
    ("Москва", ["Склад Москва-Север", "Склад Москва-Юг", "Склад Москва-Восток"]),
    ("Санкт-Петербург", ["Склад Санкт-Петербург (Парнас)", "Склад Санкт-Петербург (Шушары)"]),
    ("Тула", ["Склад Тула", "Склад готовой продукции завода"]),
    ("Екатеринбург", ["Склад Екатеринбург", "Склад Екатеринбург-Сортировка"]),
    ("Новосибирск", ["Склад Новосибирск"]),
    ("Казань", ["Склад Казань"]),
    ("Нижний Новгород", ["Склад Нижний Новгород"]),
    ("Самара", ["Склад Самара"]),
    ("Ростов-на-Дону", ["Склад Ростов-на-Дону"]),
    ("Краснодар", ["Склад Краснодар"]),
    ("Воронеж", ["Склад Воронеж"]),
    ("Челябинск", ["Склад Челябинск"]),
    ("Пермь", ["Склад Пермь"]),
    ("Уфа", ["Склад Уфа"]),
    ("Волгоград", ["Склад Волгоград"]),
    ("Красноярск", ["Склад Красноярск"]),
    ("Омск", ["Склад Омск"]),
    ("Тюмень", ["Склад Тюмень"]),
    ("Саратов", ["Склад Саратов"]),
    ("Ярославль", ["Склад Ярославль"]),
    ("Рязань", ["Склад Рязань"]),
    ("Калуга", ["Склад Калуга"]),
    ("Липецк", ["Склад Липецк"]),
    ("Белгород", ["Склад Белгород"]),
    ("Брянск", ["Склад Брянск"]),
    ("Орёл", ["Склад Орёл"]),
]
PLANT_WAREHOUSE = "Склад готовой продукции завода"
