"""The words generated items are made of: people, places, topics and sentence templates, ru and en.

Kept apart from the generator so that the wording can grow without touching the logic. The
Russian texts deliberately use the same words in several grammatical forms (санкции / санкций /
санкциями, безопасность / безопасности, Байден / Байденом / Байдену) and the names the project's
keyword rules care about (НАТО, юридических гарантий, Макроном …), so that morphology-aware
keyword matching can be tested against realistic text. Everything here is an immutable constant.

Templates are ``str.format`` strings. Keys: ``title_instr``/``title_dat``/``title_full_instr`` and
``name``/``name_instr``/``name_dat`` (the grammatical case a Russian sentence needs; English uses
the same words for every key), ``side`` (the adjective of «по инициативе французской стороны»),
``rel`` («российско-французских»), ``day_month`` («30 декабря»), ``n`` (a number), ``reported``
(«доложил»/«доложила»), ``region`` and ``place``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Leader:
    """A foreign leader Vladimir Putin talks to on the phone, with the case forms titles need."""

    code: str
    ru_country: str
    en_country: str
    ru_title_instr: str
    ru_title_dat: str
    ru_title_full_instr: str
    ru_name: str
    ru_name_instr: str
    ru_name_dat: str
    ru_side: str
    ru_rel: str
    ru_tag: str
    en_title: str
    en_title_full: str
    en_name: str
    en_side: str
    en_rel: str
    en_tag: str
    person_id: int

    def context(self, lang: str) -> dict[str, str]:
        """Template keys for this leader in `lang`."""
        if lang == "ru":
            return {
                "title_instr": self.ru_title_instr, "title_dat": self.ru_title_dat,
                "title_full_instr": self.ru_title_full_instr, "name": self.ru_name,
                "name_instr": self.ru_name_instr, "name_dat": self.ru_name_dat,
                "side": self.ru_side, "rel": self.ru_rel,
            }  # fmt: skip
        return {
            "title_instr": self.en_title, "title_dat": self.en_title,
            "title_full_instr": self.en_title_full, "name": self.en_name,
            "name_instr": self.en_name, "name_dat": self.en_name,
            "side": self.en_side, "rel": self.en_rel,
        }  # fmt: skip


@dataclass(frozen=True)
class Region:
    """A Russian region as a geography tag (``/catalog/regions/<code>/events``)."""

    code: str
    ru: str
    en: str


@dataclass(frozen=True)
class Official:
    """A Russian official: meeting partner, speaker in transcripts, person tooltip content."""

    ru_label: str
    ru_full: str
    ru_desc: str
    ru_title_instr: str
    ru_name: str
    ru_name_instr: str
    ru_tag: str
    en_label: str
    en_full: str
    en_desc: str
    en_title: str
    en_tag: str
    person_id: int
    female: bool = False
    region: Region | None = None

    def label(self, lang: str) -> str:
        """The speaker label («М.Хуснуллин» / «Marat Khusnullin»)."""
        return self.ru_label if lang == "ru" else self.en_label

    def context(self, lang: str) -> dict[str, str]:
        """Template keys for this official in `lang`."""
        if lang == "ru":
            return {
                "title_instr": self.ru_title_instr, "name": self.ru_name,
                "name_instr": self.ru_name_instr,
                "reported": "доложила" if self.female else "доложил",
            }  # fmt: skip
        return {"title_instr": self.en_title, "name": self.en_label, "name_instr": self.en_label,
                "reported": "reported"}  # fmt: skip


@dataclass(frozen=True)
class Topic:
    """A topic tag (``/catalog/keywords/<id>/events``)."""

    ru: str
    en: str
    keyword_id: int


# --- people --------------------------------------------------------------------------------------

LEADERS: tuple[Leader, ...] = (
    Leader("FR", "Франция", "France", "Президентом Франции", "Президенту Франции",
           "Президентом Французской Республики", "Эммануэль Макрон", "Эммануэлем Макроном",
           "Эммануэлю Макрону", "французской", "российско-французских", "Макрон Эммануэль",
           "President of France", "President of the French Republic", "Emmanuel Macron", "French",
           "Russian-French", "Macron Emmanuel", 518),
    Leader("US", "США", "USA", "Президентом США", "Президенту США",
           "Президентом Соединённых Штатов Америки", "Джозеф Байден", "Джозефом Байденом",
           "Джозефу Байдену", "американской", "российско-американских", "Байден Джозеф",
           "President of the United States", "President of the United States of America",
           "Joseph Biden", "American", "Russian-US", "Biden Joseph", 6390),
    Leader("DE", "Германия", "Germany", "Федеральным канцлером Германии", "Федеральному канцлеру Германии",
           "Федеральным канцлером Федеративной Республики Германия", "Олаф Шольц", "Олафом Шольцем",
           "Олафу Шольцу", "германской", "российско-германских", "Шольц Олаф",
           "Federal Chancellor of Germany", "Federal Chancellor of the Federal Republic of Germany",
           "Olaf Scholz", "German", "Russian-German", "Scholz Olaf", 6781),
    Leader("TR", "Турция", "Turkey", "Президентом Турции", "Президенту Турции",
           "Президентом Турецкой Республики", "Реджеп Тайип Эрдоган", "Реджепом Тайипом Эрдоганом",
           "Реджепу Тайипу Эрдогану", "турецкой", "российско-турецких", "Эрдоган Реджеп Тайип",
           "President of Turkey", "President of the Republic of Turkey", "Recep Tayyip Erdogan",
           "Turkish", "Russian-Turkish", "Erdogan Recep Tayyip", 1217),
    Leader("BY", "Белоруссия", "Belarus", "Президентом Белоруссии", "Президенту Белоруссии",
           "Президентом Республики Беларусь", "Александр Лукашенко", "Александром Лукашенко",
           "Александру Лукашенко", "белорусской", "российско-белорусских", "Лукашенко Александр",
           "President of Belarus", "President of the Republic of Belarus", "Alexander Lukashenko",
           "Belarusian", "Russian-Belarusian", "Lukashenko Alexander", 120),
    Leader("CN", "Китай", "China", "Председателем КНР", "Председателю КНР",
           "Председателем Китайской Народной Республики", "Си Цзиньпин", "Си Цзиньпином",
           "Си Цзиньпину", "китайской", "российско-китайских", "Си Цзиньпин",
           "President of China", "President of the People’s Republic of China", "Xi Jinping",
           "Chinese", "Russian-Chinese", "Xi Jinping", 1580),
    Leader("KZ", "Казахстан", "Kazakhstan", "Президентом Казахстана", "Президенту Казахстана",
           "Президентом Республики Казахстан", "Касым-Жомарт Токаев", "Касым-Жомартом Токаевым",
           "Касым-Жомарту Токаеву", "казахстанской", "российско-казахстанских", "Токаев Касым-Жомарт",
           "President of Kazakhstan", "President of the Republic of Kazakhstan", "Kassym-Jomart Tokayev",
           "Kazakh", "Russian-Kazakh", "Tokayev Kassym-Jomart", 5974),
    Leader("IN", "Индия", "India", "Премьер-министром Индии", "Премьер-министру Индии",
           "Премьер-министром Республики Индия", "Нарендра Моди", "Нарендрой Моди",
           "Нарендре Моди", "индийской", "российско-индийских", "Моди Нарендра",
           "Prime Minister of India", "Prime Minister of the Republic of India", "Narendra Modi",
           "Indian", "Russian-Indian", "Modi Narendra", 4941),
    Leader("IL", "Израиль", "Israel", "Премьер-министром Израиля", "Премьер-министру Израиля",
           "Премьер-министром Государства Израиль", "Биньямин Нетаньяху", "Биньямином Нетаньяху",
           "Биньямину Нетаньяху", "израильской", "российско-израильских", "Нетаньяху Биньямин",
           "Prime Minister of Israel", "Prime Minister of the State of Israel", "Benjamin Netanyahu",
           "Israeli", "Russian-Israeli", "Netanyahu Benjamin", 1232),
    Leader("HU", "Венгрия", "Hungary", "Премьер-министром Венгрии", "Премьер-министру Венгрии",
           "Премьер-министром Венгрии", "Виктор Орбан", "Виктором Орбаном", "Виктору Орбану",
           "венгерской", "российско-венгерских", "Орбан Виктор",
           "Prime Minister of Hungary", "Prime Minister of Hungary", "Viktor Orban", "Hungarian",
           "Russian-Hungarian", "Orban Viktor", 1573),
    Leader("UZ", "Узбекистан", "Uzbekistan", "Президентом Узбекистана", "Президенту Узбекистана",
           "Президентом Республики Узбекистан", "Шавкат Мирзиёев", "Шавкатом Мирзиёевым",
           "Шавкату Мирзиёеву", "узбекской", "российско-узбекских", "Мирзиёев Шавкат",
           "President of Uzbekistan", "President of the Republic of Uzbekistan", "Shavkat Mirziyoyev",
           "Uzbek", "Russian-Uzbek", "Mirziyoyev Shavkat", 5311),
    Leader("FI", "Финляндия", "Finland", "Президентом Финляндии", "Президенту Финляндии",
           "Президентом Финляндской Республики", "Саули Ниинистё", "Саули Ниинистё", "Саули Ниинистё",
           "финляндской", "российско-финляндских", "Ниинистё Саули",
           "President of Finland", "President of the Republic of Finland", "Sauli Niinisto",
           "Finnish", "Russian-Finnish", "Niinisto Sauli", 4418),
    Leader("US", "США", "USA", "Президентом США", "Президенту США",
           "Президентом Соединённых Штатов Америки", "Дональд Трамп", "Дональдом Трампом",
           "Дональду Трампу", "американской", "российско-американских", "Трамп Дональд",
           "President of the United States", "President of the United States of America",
           "Donald Trump", "American", "Russian-US", "Trump Donald", 5385),
    Leader("IR", "Иран", "Iran", "Президентом Ирана", "Президенту Ирана",
           "Президентом Исламской Республики Иран", "Масуд Пезешкиан", "Масудом Пезешкианом",
           "Масуду Пезешкиану", "иранской", "российско-иранских", "Пезешкиан Масуд",
           "President of Iran", "President of the Islamic Republic of Iran", "Masoud Pezeshkian",
           "Iranian", "Russian-Iranian", "Pezeshkian Masoud", 7180),
)  # fmt: skip

BELGOROD = Region("BEL", "Белгородская область", "Belgorod Region")
TULA = Region("TUL", "Тульская область", "Tula Region")
MOSCOW_CITY = Region("MOW", "Москва", "Moscow")
PETERSBURG = Region("SPE", "Санкт-Петербург", "St Petersburg")
TATARSTAN = Region("TA", "Республика Татарстан", "Republic of Tatarstan")


def putin_label(lang: str) -> str:
    """Putin's speaker label; he never gets a tooltip on the real pages."""
    return "В.Путин" if lang == "ru" else "Vladimir Putin"


OFFICIALS: tuple[Official, ...] = (
    Official("М.Хуснуллин", "Хуснуллин Марат Шакирзянович",
             "Заместитель Председателя Правительства Российской Федерации",
             "Заместителем Председателя Правительства", "Марат Хуснуллин", "Маратом Хуснуллиным",
             "Хуснуллин Марат", "Marat Khusnullin", "Khusnullin Marat", "Deputy Prime Minister of Russia",
             "Deputy Prime Minister", "Khusnullin Marat", 625),
    Official("М.Мишустин", "Мишустин Михаил Владимирович", "Председатель Правительства Российской Федерации",
             "Председателем Правительства", "Михаил Мишустин", "Михаилом Мишустиным", "Мишустин Михаил",
             "Mikhail Mishustin", "Mishustin Mikhail", "Prime Minister of Russia", "Prime Minister",
             "Mishustin Mikhail", 6210),
    Official("А.Силуанов", "Силуанов Антон Германович", "Министр финансов Российской Федерации",
             "Министром финансов", "Антон Силуанов", "Антоном Силуановым", "Силуанов Антон",
             "Anton Siluanov", "Siluanov Anton", "Minister of Finance of Russia", "Finance Minister",
             "Siluanov Anton", 1019),
    Official("С.Лавров", "Лавров Сергей Викторович", "Министр иностранных дел Российской Федерации",
             "Министром иностранных дел", "Сергей Лавров", "Сергеем Лавровым", "Лавров Сергей",
             "Sergei Lavrov", "Lavrov Sergei", "Minister of Foreign Affairs of Russia", "Foreign Minister",
             "Lavrov Sergei", 107),
    Official("Э.Набиуллина", "Набиуллина Эльвира Сахипзадовна", "Председатель Центрального банка",
             "Председателем Центрального банка", "Эльвира Набиуллина", "Эльвирой Набиуллиной",
             "Набиуллина Эльвира", "Elvira Nabiullina", "Nabiullina Elvira", "Governor of the Bank of Russia",
             "Central Bank Governor", "Nabiullina Elvira", 341, female=True),
    Official("А.Новак", "Новак Александр Валентинович",
             "Заместитель Председателя Правительства Российской Федерации",
             "Заместителем Председателя Правительства", "Александр Новак", "Александром Новаком",
             "Новак Александр", "Alexander Novak", "Novak Alexander", "Deputy Prime Minister of Russia",
             "Deputy Prime Minister", "Novak Alexander", 1601),
    Official("М.Решетников", "Решетников Максим Геннадьевич", "Министр экономического развития",
             "Министром экономического развития", "Максим Решетников", "Максимом Решетниковым",
             "Решетников Максим", "Maxim Reshetnikov", "Reshetnikov Maxim", "Minister of Economic "
             "Development",
             "Economic Development Minister", "Reshetnikov Maxim", 6002),
    Official("В.Гладков", "Гладков Вячеслав Владимирович", "губернатор Белгородской области",
             "губернатором Белгородской области", "Вячеслав Гладков", "Вячеславом Гладковым",
             "Гладков Вячеслав", "Vyacheslav Gladkov", "Gladkov Vyacheslav", "Governor of Belgorod Region",
             "Belgorod Region Governor", "Gladkov Vyacheslav", 6235, region=BELGOROD),
    Official("А.Дюмин", "Дюмин Алексей Геннадьевич", "губернатор Тульской области",
             "губернатором Тульской области", "Алексей Дюмин", "Алексеем Дюминым", "Дюмин Алексей",
             "Alexei Dyumin", "Dyumin Alexei", "Governor of Tula Region", "Tula Region Governor",
             "Dyumin Alexei", 5303, region=TULA),
    Official("С.Собянин", "Собянин Сергей Семёнович", "мэр Москвы", "мэром Москвы", "Сергей Собянин",
             "Сергеем Собяниным", "Собянин Сергей", "Sergei Sobyanin", "Sobyanin Sergei", "Mayor of Moscow",
             "Moscow Mayor", "Sobyanin Sergei", 4009, region=MOSCOW_CITY),
    Official("А.Беглов", "Беглов Александр Дмитриевич", "губернатор Санкт-Петербурга",
             "губернатором Санкт-Петербурга", "Александр Беглов", "Александром Бегловым", "Беглов Александр",
             "Alexander Beglov", "Beglov Alexander", "Governor of St Petersburg", "St Petersburg Governor",
             "Beglov Alexander", 1372, region=PETERSBURG),
    Official("Р.Минниханов", "Минниханов Рустам Нургалиевич", "Глава Республики Татарстан",
             "Главой Республики Татарстан", "Рустам Минниханов", "Рустамом Миннихановым",
             "Минниханов Рустам", "Rustam Minnikhanov", "Minnikhanov Rustam", "Head of the Republic of "
             "Tatarstan",
             "Head of Tatarstan", "Minnikhanov Rustam", 1433, region=TATARSTAN),
    Official("Т.Голикова", "Голикова Татьяна Алексеевна",
             "Заместитель Председателя Правительства Российской Федерации",
             "Заместителем Председателя Правительства", "Татьяна Голикова", "Татьяной Голиковой",
             "Голикова Татьяна", "Tatyana Golikova", "Golikova Tatyana", "Deputy Prime Minister of Russia",
             "Deputy Prime Minister", "Golikova Tatyana", 274, female=True),
    Official("Г.Греф", "Греф Герман Оскарович", "Президент, Председатель правления Сбербанка",
             "Президентом, Председателем правления Сбербанка", "Герман Греф", "Германом Грефом",
             "Греф Герман", "Herman Gref", "Gref Herman", "CEO and Chairman of the Executive Board of "
             "Sberbank",
             "Sberbank CEO", "Gref Herman", 154),
)  # fmt: skip

# --- places and topics ---------------------------------------------------------------------------

#: (ru, en) meeting places, as in ``div.read__place`` («Москва, Кремль», «Ново-Огарёво, …»).
PLACES: tuple[tuple[str, str], ...] = (
    ("Москва, Кремль", "The Kremlin, Moscow"),
    ("Москва, Кремль", "The Kremlin, Moscow"),
    ("Ново-Огарёво, Московская область", "Novo-Ogaryovo, Moscow Region"),
    ("Ново-Огарёво, Московская область", "Novo-Ogaryovo, Moscow Region"),
    ("Сочи", "Sochi"),
    ("Санкт-Петербург", "St Petersburg"),
    ("Валдай, Новгородская область", "Valdai, Novgorod Region"),
)

FOREIGN_POLICY = Topic("Внешняя политика", "Foreign policy", 82)
REGIONS = Topic("Регионы", "Regions", 86)
ECONOMY = Topic("Экономика и финансы", "Economy and finance", 5)
SECURITY = Topic("Безопасность", "Security", 17)
AWARDS = Topic("Государственные награды", "State awards", 31)
SOCIAL = Topic("Социальная сфера", "Social sphere", 47)
ENERGY = Topic("Энергетика", "Energy", 64)
CULTURE = Topic("Культура", "Culture", 25)
ARMED_FORCES = Topic("Вооружённые силы", "Armed Forces", 21)

DOMESTIC_TOPICS: tuple[Topic, ...] = (REGIONS, ECONOMY, SECURITY, SOCIAL, ENERGY, CULTURE, ARMED_FORCES)


# --- sentence templates --------------------------------------------------------------------------


@dataclass(frozen=True)
class Texts:
    """Every template the generator uses, in one language."""

    call_titles: tuple[tuple[int, str], ...]
    call_titles_pair: tuple[str, ...]
    call_leads: tuple[str, ...]
    call_lead_pair: str
    call_initiative: str
    call_body: tuple[str, ...]
    call_closing: tuple[str, ...]
    meeting_titles: tuple[str, ...]
    meeting_leads: tuple[str, ...]
    meeting_body: tuple[str, ...]
    group_meetings: tuple[tuple[str, str], ...]
    group_body: tuple[str, ...]
    transcript_titles: tuple[tuple[str, str], ...]
    transcript_narration: tuple[str, ...]
    putin_lines: tuple[str, ...]
    official_lines: tuple[str, ...]
    decree_names: tuple[str, ...]
    decree_title: str
    decree_lead: str
    decree_body: tuple[str, ...]
    greeting_titles: tuple[tuple[str, str], ...]
    greeting_leader_title: str
    greeting_leader_lead: str
    greeting_body: tuple[str, ...]
    separator: str = "* * *"
    omission: str = "<…>"


RU = Texts(
    call_titles=(
        (70, "Телефонный разговор с {title_instr} {name_instr}"),
        (15, "Телефонный разговор Владимира Путина с {title_instr} {name_instr}"),
        (8, "Владимир Путин поговорил по телефону с {title_instr} {name_instr}"),
    ),
    call_titles_pair=("Телефонные разговоры с {a} и {b}",),
    call_leads=(
        "Состоялся телефонный разговор Владимира Путина с {title_full_instr} {name_instr}{initiative}.",
        "{day_month} состоялся телефонный разговор Владимира Путина с {title_full_instr} "
        "{name_instr}{initiative}.",
        "Владимир Путин провёл телефонный разговор с {title_full_instr} {name_instr}{initiative}.",
    ),
    call_lead_pair="Состоялись телефонные разговоры Владимира Путина с {a} и {b}.",
    call_initiative=" по инициативе {side} стороны",
    call_body=(
        "Обсуждались актуальные вопросы {rel} отношений. Выражена обоюдная заинтересованность в развитии "
        "взаимовыгодного сотрудничества в торгово-экономической и гуманитарной сферах.",
        "Владимир Путин и {name} обменялись мнениями о ситуации вокруг Украины. Российская сторона "
        "подчеркнула, что попытки давления на Россию, в том числе путём введения новых санкций, "
        "бесперспективны.",
        "Президент России заметил, что нелегитимные санкции не способны поколебать устойчивость "
        "российской экономики, а их последствия в первую очередь ощущают сами инициаторы.",
        "Отдельно затронута тема обеспечения европейской безопасности. Владимир Путин напомнил о российских "
        "предложениях по предоставлению юридических гарантий безопасности, исключающих дальнейшее расширение "
        "НАТО на восток.",
        "В ходе беседы с {name_instr} Владимир Путин подчеркнул, что приближение военной инфраструктуры НАТО "
        "к российским границам несёт прямую угрозу безопасности России.",
        "Затрагивались вопросы энергетического сотрудничества, включая поставки российского газа и нефти, "
        "а также реализацию совместных инфраструктурных проектов.",
        "Главы государств обсудили ситуацию на Ближнем Востоке. Подчёркнута важность "
        "политико-дипломатического "
        "урегулирования конфликтов на основе норм международного права.",
        "Собеседники констатировали, что односторонние меры, вводимые в обход Совета Безопасности ООН, "
        "контрпродуктивны. Обсуждалась ситуация, сложившаяся в связи с санкциями западных стран.",
        "Подробно обсуждались перспективы урегулирования украинского кризиса. Президент России подтвердил "
        "принципиальные подходы к устранению коренных причин конфликта и обеспечению долгосрочных гарантий "
        "безопасности.",
        "Российская сторона вновь указала на недопустимость поставок западного оружия, которые лишь "
        "затягивают "
        "конфликт, а также на незаконность санкций, введённых против России.",
        "Состоялся обмен мнениями по проблематике стратегической стабильности и контроля над вооружениями.",
        "Владимир Путин выразил признательность {name_dat} за поздравления с днём рождения.",
        "Обсуждён ход реализации договорённостей, достигнутых в ходе переговоров на высшем уровне, "
        "в том числе по увеличению взаимного товарооборота, который по итогам прошлого года вырос на {n} "
        "процентов.",
        "{name} проинформировал о своих контактах с европейскими партнёрами. Владимир Путин подчеркнул, что "
        "Россия открыта для диалога при условии учёта её законных интересов в сфере безопасности.",
    ),
    call_closing=(
        "Условлено продолжить контакты на различных уровнях.",
        "Президенты договорились поддерживать контакты.",
        "Разговор носил конструктивный и деловой характер.",
        "Достигнута договорённость о продолжении контактов на высшем уровне.",
    ),
    meeting_titles=(
        "Встреча с {title_instr} {name_instr}",
        "Рабочая встреча с {title_instr} {name_instr}",
    ),
    meeting_leads=(
        "Владимир Путин провёл рабочую встречу с {title_instr} {name_instr}.",
        "Глава государства встретился с {title_instr} {name_instr}.",
    ),
    meeting_body=(
        "{name} {reported} Президенту о текущей ситуации, ходе выполнения поручений и реализации "
        "национальных проектов.",
        "Обсуждались вопросы обеспечения безопасности, восстановления инфраструктуры и поддержки участников "
        "специальной военной операции и их семей.",
        "Особое внимание уделено выполнению социальных обязательств, строительству жилья и модернизации "
        "коммунальной инфраструктуры: за год введено более {n} объектов.",
        "Отдельно затрагивалась тема адаптации экономики к внешним ограничениям, в том числе к санкциям.",
        "Речь шла также о мерах по повышению доступности медицинской помощи и качества образования.",
    ),
    group_meetings=(
        (
            "Совещание с членами Правительства",
            "Владимир Путин в режиме видеоконференции провёл совещание с членами Правительства.",
        ),
        ("Совещание по экономическим вопросам", "Президент провёл совещание по экономическим вопросам."),
        (
            "Оперативное совещание с постоянными членами Совета Безопасности",
            "Владимир Путин провёл оперативное совещание с постоянными членами Совета Безопасности.",
        ),
        (
            "Совещание по вопросам развития энергетики",
            "Глава государства провёл совещание по вопросам развития топливно-энергетического комплекса.",
        ),
    ),
    group_body=(
        "Основная тема – обеспечение устойчивости экономики в условиях санкционного давления.",
        "В центре внимания – вопросы национальной безопасности и международной повестки.",
        "Участники обсудили исполнение федерального бюджета и меры поддержки регионов.",
        "Также обсуждались итоги переговоров с зарубежными партнёрами и отношения с НАТО.",
    ),
    transcript_titles=(
        (
            "Заседание Совета по стратегическому развитию и национальным проектам",
            "Владимир Путин провёл заседание Совета по стратегическому развитию и национальным проектам.",
        ),
        (
            "Совещание по вопросам социально-экономического развития регионов",
            "Президент провёл совещание по вопросам социально-экономического развития регионов.",
        ),
        ("Встреча с членами Правительства", "Владимир Путин провёл встречу с членами Правительства."),
        (
            "Совещание по вопросам развития строительной отрасли",
            "Глава государства провёл совещание по вопросам развития строительной отрасли и жилищного "
            "строительства.",
        ),
    ),
    transcript_narration=(
        "В ходе совещания по видеосвязи состоялось открытие ряда социальных объектов: школ, больниц "
        "и спортивных комплексов.",
        "В заседании приняли участие члены Правительства, руководители регионов и крупных компаний.",
    ),
    putin_lines=(
        "Уважаемые коллеги, добрый день!",
        "Давайте перейдём к работе.",
        "Прошу Вас доложить о ходе работы.",
        "Хорошо. Что необходимо сделать в первую очередь?",
        "Спасибо. Прошу Правительство проработать эти предложения.",
        "Обращаю внимание: все решения должны быть подкреплены финансированием и конкретными сроками.",
        "Ситуация в сфере безопасности остаётся непростой, но это не должно сказываться на выполнении "
        "социальных обязательств.",
        "Несмотря на внешние ограничения и санкции, экономика продолжает расти, и мы должны закрепить "
        "эту тенденцию.",
        "Отмечу, что попытки сдержать наше развитие с помощью санкций провалились. Рассчитываю, что "
        "вы продолжите эту работу.",
        "Напомню, что за период с 2022 года восстановлено и построено почти {n} тысяч различных объектов.",
    ),
    official_lines=(
        "Уважаемый Владимир Владимирович! Докладываю о ходе реализации Ваших поручений.",
        "По итогам прошлого года введено в эксплуатацию более {n} объектов социальной инфраструктуры.",
        "Уважаемый Владимир Владимирович, все поручения отработаны в установленные сроки.",
        "Основные показатели исполнения бюджета соответствуют плановым значениям.",
        "Отдельное внимание уделяем вопросам безопасности объектов и защищённости граждан.",
        "Благодаря принятым мерам удалось компенсировать последствия санкционного давления.",
        "Спасибо большое.",
    ),
    decree_names=(
        "О награждении государственными наградами Российской Федерации",
        "О присвоении почётных званий Российской Федерации",
        "О мерах по обеспечению технологической независимости",
        "О применении специальных экономических мер в связи с недружественными действиями иностранных "
        "государств",
        "О национальных целях развития Российской Федерации",
        "О внесении изменений в Положение о Министерстве обороны Российской Федерации",
        "О проведении в Российской Федерации Года защитника Отечества",
        "О дополнительных мерах социальной поддержки членов семей военнослужащих",
    ),
    decree_title="Указ {name_lower}",
    decree_lead="Владимир Путин подписал Указ «{name}».",
    decree_body=(
        "Указ вступает в силу со дня его официального опубликования.",
        "Правительству Российской Федерации поручено в трёхмесячный срок привести свои нормативные правовые "
        "акты в соответствие с настоящим Указом.",
        "Меры приняты в ответ на введение санкций в отношении российских юридических и физических лиц "
        "и в целях защиты национальных интересов и безопасности Российской Федерации.",
        "Контроль за исполнением Указа возложен на Администрацию Президента.",
    ),
    greeting_titles=(
        (
            "Приветствие участникам Петербургского международного экономического форума",
            "Президент России направил приветствие участникам и гостям Петербургского международного "
            "экономического форума.",
        ),
        (
            "Приветствие участникам Международного форума «Российская энергетическая неделя»",
            "Владимир Путин направил приветствие участникам, организаторам и гостям Международного форума "
            "«Российская энергетическая неделя».",
        ),
        (
            "Поздравление с Днём учителя",
            "Владимир Путин поздравил педагогов и ветеранов педагогического труда с профессиональным "
            "праздником.",
        ),
        (
            "Поздравление с Днём работников нефтяной и газовой промышленности",
            "Президент поздравил работников и ветеранов нефтяной и газовой промышленности с профессиональным "
            "праздником.",
        ),
        (
            "Поздравление с Днём Военно-морского флота",
            "Владимир Путин поздравил военнослужащих и ветеранов Военно-морского флота с праздником.",
        ),
    ),
    greeting_leader_title="Поздравление {title_dat} {name_dat} с национальным праздником",
    greeting_leader_lead="Владимир Путин направил поздравительную телеграмму {title_dat} {name_dat} "
    "по случаю национального праздника.",
    greeting_body=(
        "В приветствии, в частности, говорится: «Ваш труд заслуживает глубокого уважения и признательности».",
        "«Убеждён, что и впредь будут укрепляться традиции взаимопонимания и добрососедства», – отмечается "
        "в послании.",
        "В поздравлении подчёркивается: «Мероприятие стало авторитетной площадкой для обсуждения вопросов "
        "экономики, энергетики и безопасности».",
    ),
)

EN = Texts(
    call_titles=(
        (70, "Telephone conversation with {title_instr} {name}"),
        (15, "Vladimir Putin had a telephone conversation with {title_instr} {name}"),
        (8, "Vladimir Putin spoke on the phone with {title_instr} {name}"),
    ),
    call_titles_pair=("Telephone conversations with {a} and {b}",),
    call_leads=(
        "Vladimir Putin had a telephone conversation with {title_full_instr} {name}{initiative}.",
        "Vladimir Putin had a telephone conversation with {title_full_instr} {name}{initiative}.",
        "Vladimir Putin held a telephone conversation with {title_full_instr} {name}{initiative}.",
    ),
    call_lead_pair="Vladimir Putin had telephone conversations with {a} and {b}.",
    call_initiative=" at the initiative of the {side} side",
    call_body=(
        "The two leaders discussed current matters of {rel} relations and expressed mutual interest in "
        "developing mutually beneficial cooperation in trade, the economy and the humanitarian sphere.",
        "Vladimir Putin and {name} exchanged views on the situation around Ukraine. The Russian side "
        "stressed that attempts to put pressure on Russia, including by imposing new sanctions, were futile.",
        "The President of Russia noted that illegitimate sanctions could not undermine the stability of "
        "the Russian economy.",
        "The parties touched upon European security. Vladimir Putin reminded his counterpart of Russia’s "
        "proposals on legal security guarantees that would rule out further NATO expansion eastwards.",
        "During the conversation with {name}, Vladimir Putin emphasised that the approach of NATO military "
        "infrastructure to Russian borders posed a direct threat to Russia’s security.",
        "The leaders discussed energy cooperation, including Russian gas and oil supplies and joint "
        "infrastructure projects.",
        "The two leaders discussed the situation in the Middle East and stressed the importance of "
        "political and diplomatic settlement of conflicts based on international law.",
        "They noted that unilateral sanctions imposed bypassing the UN Security Council were "
        "counterproductive.",
        "The prospects for settling the Ukraine crisis were discussed in detail. The President of Russia "
        "reaffirmed the principled approaches to eliminating the root causes of the conflict and ensuring "
        "long-term security guarantees.",
        "The Russian side again pointed to the inadmissibility of Western arms supplies, which only prolong "
        "the conflict, and to the illegality of the sanctions imposed on Russia.",
        "The leaders exchanged views on strategic stability and arms control.",
        "Vladimir Putin thanked {name} for birthday greetings.",
        "They reviewed the implementation of agreements reached at the top level, including on increasing "
        "trade, which grew by {n} percent last year.",
        "{name} informed the President of his contacts with European partners. Vladimir Putin emphasised "
        "that Russia was open to dialogue provided its legitimate security interests were taken into "
        "account.",
    ),
    call_closing=(
        "It was agreed to maintain contacts at various levels.",
        "The leaders agreed to stay in touch.",
        "The conversation was constructive and businesslike.",
        "The two leaders agreed to continue contacts at the top level.",
    ),
    meeting_titles=(
        "Meeting with {title_instr} {name}",
        "Working meeting with {title_instr} {name}",
    ),
    meeting_leads=(
        "Vladimir Putin had a working meeting with {title_instr} {name}.",
        "The President met with {title_instr} {name}.",
    ),
    meeting_body=(
        "{name} {reported} to the President on the current situation, the implementation of his instructions "
        "and of national projects.",
        "They discussed matters of security, infrastructure restoration and support for participants in the "
        "special military operation and their families.",
        "Special attention was given to social commitments, housing construction and the modernisation of "
        "utilities: over {n} facilities were commissioned during the year.",
        "The economy’s adaptation to external restrictions, including sanctions, was also discussed.",
        "They also talked about measures to make medical care more accessible and to improve education.",
    ),
    group_meetings=(
        (
            "Meeting with Government members",
            "Vladimir Putin held a meeting with Government members via videoconference.",
        ),
        ("Meeting on economic issues", "The President held a meeting on economic issues."),
        (
            "Operational meeting with permanent members of the Security Council",
            "Vladimir Putin held an operational meeting with permanent members of the Security Council.",
        ),
        (
            "Meeting on energy sector development",
            "The President held a meeting on the development of the fuel and energy sector.",
        ),
    ),
    group_body=(
        "The main topic was the stability of the economy under sanctions pressure.",
        "The focus was on national security and the international agenda.",
        "The participants discussed the federal budget and support measures for the regions.",
        "They also discussed the results of talks with foreign partners and relations with NATO.",
    ),
    transcript_titles=(
        (
            "Meeting of Council for Strategic Development and National Projects",
            "Vladimir Putin held a meeting of the Council for Strategic Development and National Projects.",
        ),
        (
            "Meeting on socioeconomic development of the regions",
            "The President held a meeting on the socioeconomic development of the regions.",
        ),
        ("Meeting with Government members", "Vladimir Putin held a meeting with Government members."),
        (
            "Meeting on developing the construction industry",
            "The President held a meeting on developing the construction industry and housing construction.",
        ),
    ),
    transcript_narration=(
        "During the videoconference, a number of social facilities were opened: schools, hospitals and "
        "sports centres.",
        "The meeting was attended by Government members, regional heads and the heads of major companies.",
    ),
    putin_lines=(
        "Colleagues, good afternoon.",
        "Let us get to work.",
        "Please, go ahead and report on the progress.",
        "Good. What needs to be done first?",
        "Thank you. I ask the Government to look into these proposals.",
        "Please note that every decision must be backed by funding and specific deadlines.",
        "The security situation remains difficult, but this must not affect our social commitments.",
        "Despite external restrictions and sanctions, the economy continues to grow, and we must "
        "consolidate this trend.",
        "Attempts to contain our development with sanctions have failed. I count on you to continue "
        "this work.",
        "Since 2022, almost {n} thousand various facilities have been rebuilt or built.",
    ),
    official_lines=(
        "Mr President, I would like to report on the implementation of your instructions.",
        "Last year, over {n} social infrastructure facilities were commissioned.",
        "Mr President, all instructions have been carried out on schedule.",
        "The key budget indicators are in line with the plans.",
        "We are paying special attention to the security of facilities and the protection of citizens.",
        "The measures taken have offset the consequences of the sanctions pressure.",
        "Thank you very much.",
    ),
    decree_names=(
        "On awarding state decorations of the Russian Federation",
        "On conferring honorary titles of the Russian Federation",
        "On measures to ensure technological independence",
        "On applying special economic measures in connection with unfriendly actions of foreign states",
        "On the national development goals of the Russian Federation",
        "On amending the Regulations on the Ministry of Defence of the Russian Federation",
        "On holding the Year of the Defender of the Fatherland in the Russian Federation",
        "On additional social support measures for family members of military personnel",
    ),
    decree_title="Executive Order {name_lower}",
    decree_lead="Vladimir Putin signed Executive Order {name}.",
    decree_body=(
        "The Executive Order takes effect on the day of its official publication.",
        "The Government of the Russian Federation has been instructed to bring its regulations in line "
        "with the Executive Order within three months.",
        "The measures were taken in response to the sanctions imposed on Russian legal entities and "
        "individuals, and to protect Russia’s national interests and security.",
        "The Presidential Executive Office will oversee the implementation of the Executive Order.",
    ),
    greeting_titles=(
        (
            "Greetings to participants of St Petersburg International Economic Forum",
            "The President of Russia sent greetings to the participants and guests of the St Petersburg "
            "International Economic Forum.",
        ),
        (
            "Greetings to Russian Energy Week International Forum",
            "Vladimir Putin sent greetings to the participants, organisers and guests of Russian Energy "
            "Week.",
        ),
        (
            "Greetings on Teacher’s Day",
            "Vladimir Putin congratulated teachers and veteran teachers on their professional holiday.",
        ),
        (
            "Greetings on Oil and Gas Industry Workers’ Day",
            "The President congratulated oil and gas industry workers and veterans on their professional "
            "holiday.",
        ),
        (
            "Greetings on Navy Day",
            "Vladimir Putin congratulated Navy servicemen and veterans on the holiday.",
        ),
    ),
    greeting_leader_title="Greetings to {title_dat} {name} on national holiday",
    greeting_leader_lead="Vladimir Putin sent a message of greetings to {title_dat} {name} "
    "on the national holiday.",
    greeting_body=(
        "The message reads, in part: “Your work deserves deep respect and gratitude.”",
        "“I am confident that the traditions of mutual understanding and good-neighbourliness will continue "
        "to grow stronger,” the message says.",
        "The message stresses: “The event has become a respected platform for discussing the economy, "
        "energy and security.”",
    ),
)


def texts(lang: str) -> Texts:
    """The templates of `lang` ("ru" or "en")."""
    return RU if lang == "ru" else EN


def official_by_label(label: str, lang: str) -> Official | None:
    """The official whose speaker label is `label`: the renderer gives such speakers a tooltip."""
    for official in OFFICIALS:
        if official.label(lang) == label:
            return official
    return None
