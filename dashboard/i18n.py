"""Interface strings and names in Kazakh, Russian and English, and the choice of language.

Every string a user reads goes through :func:`t`, so a missing translation is a test failure, not a
silent English fallback. Names of districts and regions come from the data (``name_kk/ru/en``); city
names, indicators, categories and origin regions of the figures are translated here.
"""

# ruff: noqa: E501  (translation tables: one string per line, however long)
from __future__ import annotations

LANGS = ("kk", "ru", "en")
DEFAULT_LANG = "en"

# key -> (en, ru, kk)
_STRINGS: dict[str, tuple[str, str, str]] = {
    "app_title": ("Qala Atlas: internal migration in Kazakhstan's cities",
                  "Qala Atlas: внутренняя миграция в городах Казахстана",
                  "Qala Atlas: Қазақстан қалаларындағы ішкі көші-қон"),
    "city": ("City", "Город", "Қала"),
    "layer": ("Layer", "Слой", "Қабат"),
    "indicator": ("Indicator", "Показатель", "Көрсеткіш"),
    "period": ("Period", "Период", "Кезең"),
    "scheme": ("Classes", "Классы", "Сыныптар"),
    "k": ("Number of classes", "Число классов", "Сынып саны"),
    "breaks": ("Own class breaks (comma separated)", "Свои границы классов (через запятую)",
               "Өз сынып шекаралары (үтір арқылы)"),
    "palette": ("Palette", "Палитра", "Палитра"),
    "language": ("Language", "Язык", "Тіл"),
    "category": ("Migrant category", "Категория мигрантов", "Көшіп-қонушылар санаты"),
    "district": ("District", "Район", "Аудан"),
    "choose_district": ("Choose a district…", "Выберите район…", "Ауданды таңдаңыз…"),
    "district_keyboard": ("Keyboard: type a name here, or Tab onto a district on the map and press Enter.",
                          "С клавиатуры: введите название здесь или перейдите Tab на район карты и нажмите Enter.",
                          "Пернетақта: атауын осында жазыңыз немесе картадағы ауданға Tab арқылы өтіп, Enter басыңыз."),
    "layer_concentration": ("1 · Where migrants live", "1 · Где живут мигранты", "1 · Көшіп-қонушылар қайда тұрады"),
    "layer_leftbank": ("2 · Astana's left bank and civil servants", "2 · Левый берег Астаны и госслужащие",
                       "2 · Астананың сол жағалауы және мемлекеттік қызметшілер"),
    "layer_perception": ("3 · How residents see newcomers", "3 · Как горожане видят приезжих",
                         "3 · Тұрғындар келушілерді қалай көреді"),
    "scheme_quantiles": ("Quantiles", "Квантили", "Квантильдер"),
    "scheme_fisher_jenks": ("Natural breaks (Fisher-Jenks)", "Естественные границы (Фишер-Дженкс)",
                            "Табиғи шекаралар (Фишер-Дженкс)"),
    "scheme_equal_interval": ("Equal intervals", "Равные интервалы", "Тең аралықтар"),
    "scheme_user_defined": ("My own breaks", "Свои границы", "Өз шекараларым"),
    "palette_viridis": ("Viridis (colour-blind safe)", "Viridis (для дальтоников)", "Viridis (түс соқырлығына қолайлы)"),
    "palette_cividis": ("Cividis (colour-blind safe)", "Cividis (для дальтоников)", "Cividis (түс соқырлығына қолайлы)"),
    "palette_YlGnBu": ("Yellow-green-blue (ColorBrewer)", "Жёлто-зелёно-синяя (ColorBrewer)",
                       "Сары-жасыл-көк (ColorBrewer)"),
    "palette_YlOrRd": ("Yellow-orange-red (ColorBrewer)", "Жёлто-оранжево-красная (ColorBrewer)",
                       "Сары-қызғылт сары-қызыл (ColorBrewer)"),
    "Kazakhstan": ("Kazakhstan (overview)", "Казахстан (обзор)", "Қазақстан (шолу)"),
    "Astana": ("Astana", "Астана", "Астана"),
    "Almaty": ("Almaty", "Алматы", "Алматы"),
    "Shymkent": ("Shymkent", "Шымкент", "Шымкент"),
    "ind_population": ("Population", "Численность населения", "Халық саны"),
    "ind_population_share_of_city": ("Share of the city's population", "Доля населения города",
                                     "Қала халқындағы үлесі"),
    "ind_density": ("Population density", "Плотность населения", "Халық тығыздығы"),
    "ind_growth_rate": ("Population growth", "Рост населения", "Халық санының өсуі"),
    "ind_net_migration": ("Net migration", "Сальдо миграции", "Көші-қон сальдосы"),
    "ind_arrivals": ("Arrivals", "Прибывшие", "Келгендер"),
    "ind_departures": ("Departures", "Выбывшие", "Кеткендер"),
    "ind_net_migration_interregional": ("Net interregional migration", "Сальдо межрегиональной миграции",
                                        "Өңіраралық көші-қон сальдосы"),
    "ind_arrivals_interregional": ("Arrivals from other regions", "Прибывшие из других регионов",
                                   "Басқа өңірлерден келгендер"),
    "ind_departures_interregional": ("Departures to other regions", "Выбывшие в другие регионы",
                                     "Басқа өңірлерге кеткендер"),
    "ind_net_migration_internal": ("Net internal migration", "Сальдо внутренней миграции",
                                   "Ішкі көші-қон сальдосы"),
    "ind_arrivals_all": ("Arrivals (all)", "Прибывшие (все)", "Келгендер (барлығы)"),
    "ind_departures_all": ("Departures (all)", "Выбывшие (все)", "Кеткендер (барлығы)"),
    "ind_migration_growth": ("Migration growth", "Миграционный прирост", "Көші-қон өсімі"),
    "ind_share_of_arrivals_from": ("Share of arrivals by origin region", "Доля прибывших по региону выбытия",
                                   "Келгендердің шыққан өңірі бойынша үлесі"),
    "ind_arrivals_from": ("Arrivals by origin region", "Прибывшие по региону выбытия",
                          "Шыққан өңірі бойынша келгендер"),
    "ind_other": ("Other indicator", "Другой показатель", "Басқа көрсеткіш"),
    "cat_all": ("All statements (any category)", "Все высказывания (любая категория)",
                "Барлық пікірлер (кез келген санат)"),
    "cat_rural": ("From villages", "Из сёл", "Ауылдан келгендер"),
    "cat_youth": ("Young people", "Молодёжь", "Жастар"),
    "cat_southerners": ("Southerners", "Южане", "Оңтүстіктен келгендер"),
    "cat_from_north_or_cities": ("From the north or other cities", "С севера или из других городов",
                                 "Солтүстіктен не басқа қалалардан"),
    "cat_civil_servants": ("Civil servants", "Госслужащие", "Мемлекеттік қызметшілер"),
    "cat_laborers": ("Labourers", "Рабочие", "Жұмысшылар"),
    "no_data": ("No data", "Нет данных", "Дерек жоқ"),
    "no_data_explained": ("Grey, dashed: no published figure for this district and period; not zero.",
                          "Серые, пунктир: нет опубликованной цифры по району за период; это не ноль.",
                          "Сұр, үзік сызық: осы аудан мен кезеңге жарияланған дерек жоқ; бұл нөл емес."),
    "legend": ("Legend", "Легенда", "Шартты белгілер"),
    "value": ("Value", "Значение", "Мәні"),
    "rank": ("Rank in city", "Место в городе", "Қаладағы орны"),
    "flags_every_row": ("Confidence flags of every value below:", "Отметки надёжности всех значений ниже:",
                        "Төмендегі барлық мәндердің сенімділік белгілері:"),
    "source_and_flags": ("Source and confidence flags", "Источник и отметки надёжности",
                         "Дереккөз және сенімділік белгілері"),
    "col_rank": ("Rank", "Место", "Орны"),
    "col_flags": ("Flags", "Отметки", "Белгілер"),
    "col_count": ("Rows", "Строк", "Жолдар"),
    "col_share_of_city": ("Share", "Доля", "Үлесі"),
    "col_per_1000": ("Per 1,000", "На 1000", "1000-ға"),
    "rank_of": ("{rank} of {n}", "{rank} из {n}", "{n} ішінен {rank}"),
    "source": ("Source", "Источник", "Дереккөз"),
    "confidence": ("Confidence flags", "Отметки надёжности", "Сенімділік белгілері"),
    "none_flags": ("none", "нет", "жоқ"),
    "note": ("Note", "Примечание", "Ескерту"),
    "flag_x2": ("two sources", "2 источника", "2 дереккөз"),
    "flag_secondary": ("secondary source", "вторичный источник", "қосалқы дереккөз"),
    "flag_approx": ("approximate", "приблизительно", "шамамен"),
    "flag_uncertain": ("uncertain", "неточно", "күмәнді"),
    "flag_lower_bound": ("lower bound", "нижняя граница", "төменгі шек"),
    "flag_derived_inference": ("inferred by source", "вывод источника", "дереккөз тұжырымы"),
    "flag_undated": ("undated", "без даты", "күні жоқ"),
    "flag_circa": ("circa", "около", "шамасында"),
    "flag_approx_date": ("approximate date", "примерная дата", "шамамен күні"),
    "flag_cumulative": ("cumulative", "нарастающим итогом", "жинақталған"),
    "flag_point": ("on one date", "на дату", "бір күнге"),
    "flag_open_start": ("start unknown", "начало неизвестно", "басы белгісіз"),
    "flag_open_end": ("end unknown", "конец неизвестен", "соңы белгісіз"),
    "flag_vintage_adjusted": ("other boundary set", "другой набор границ", "басқа шекаралар жиыны"),
    "flag_derived": ("computed by us", "рассчитано нами", "біз есептедік"),
    "flag_district_unmatched": ("district not matched", "район не сопоставлен", "аудан сәйкестендірілмеді"),
    "flag_asking_price": ("asking price (listings)", "цена предложения (объявления)", "ұсыныс бағасы (хабарландырулар)"),
    "flag_title": ("Confidence flag \"{code}\"", "Отметка надёжности «{code}»", "Сенімділік белгісі «{code}»"),
    "method": ("Computed by Qala Atlas", "Рассчитано Qala Atlas", "Qala Atlas есептеген"),
    "over_time": ("Values over time", "Значения во времени", "Уақыт бойынша мәндер"),
    "districts_table": ("Districts", "Районы", "Аудандар"),
    "boundaries": ("Boundaries", "Границы", "Шекаралар"),
    "boundaries_missing": (("The district boundaries valid in this period are not available, so the values are "
                            "listed here and not mapped."),
                           ("Границы районов, действовавшие в этот период, недоступны: значения приведены "
                            "списком, без карты."),
                           ("Осы кезеңде қолданылған аудан шекаралары жоқ, сондықтан мәндер картада емес, "
                            "тізіммен берілген.")),
    "no_figures": ("No published figures for this choice.", "Нет опубликованных цифр для этого выбора.",
                   "Бұл таңдау үшін жарияланған дерек жоқ."),
    "places_overlay": ("Documented migrant settlement places", "Задокументированные места расселения мигрантов",
                       "Көшіп-қонушылар қоныстанған құжатталған жерлер"),
    "places_no_coords": ("Places without published coordinates (not mapped)",
                         "Места без опубликованных координат (не на карте)",
                         "Жарияланған координаттары жоқ жерлер (картада жоқ)"),
    "migrant_link": ("Link to migrants", "Связь с мигрантами", "Көшіп-қонушылармен байланысы"),
    "link_yes": ("documented", "задокументирована", "құжатталған"),
    "link_unclear": ("unclear", "неясна", "анық емес"),
    "link_no": ("none found in the sources", "в источниках не найдена", "дереккөздерде табылмады"),
    "link_n/a": ("not applicable", "неприменимо", "қолданылмайды"),
    "evidence": ("Evidence", "Свидетельства", "Дәлелдер"),
    "bank_left": ("Left bank", "Левый берег", "Сол жағалау"),
    "bank_right": ("Right bank", "Правый берег", "Оң жағалау"),
    "bank_both": ("Both banks", "Оба берега", "Екі жағалау"),
    "institutions": ("State institutions with sourced coordinates", "Госучреждения с координатами из источников",
                     "Дереккөзде координаттары бар мемлекеттік мекемелер"),
    "institutions_share": ("{bank}: {count} of {n} ({pct})", "{bank}: {count} из {n} ({pct})",
                           "{bank}: {n} ішінен {count} ({pct})"),
    "left_share_title": ("Left bank's share of Astana's population", "Доля левого берега в населении Астаны",
                         "Сол жағалаудың Астана халқындағы үлесі"),
    "left_share_method": (("Sum of left-bank districts over all districts, only on dates where every district of "
                           "the boundary set has a published population."),
                          ("Сумма районов левого берега к сумме всех районов, только на даты, когда опубликовано "
                           "население каждого района."),
                          ("Сол жағалау аудандарының қосындысы барлық аудандарға қатысты, тек барлық аудан халқы "
                           "жарияланған күндерге.")),
    "left_share_split": (("{name} lies on both banks: its population was split by the left-bank share of its area "
                          "({pct}), an assumption of even spread."),
                         ("{name} лежит на обоих берегах: его население разделено по доле площади на левом берегу "
                          "({pct}), в предположении равномерного расселения."),
                         ("{name} екі жағалауда орналасқан: халқы аумағының сол жағалаудағы үлесі бойынша ({pct}) "
                          "бөлінді, біркелкі қоныстану болжамымен.")),
    "left_share_short": ("Left bank", "Левый берег", "Сол жағалау"),
    "bank_basis": ("Banks", "Берега", "Жағалаулар"),
    "bank_basis_published": ("as published (text)", "по тексту источника", "мәтін бойынша"),
    "bank_basis_computed": ("computed from boundaries", "по границам", "шекаралар бойынша"),
    "bank_basis_unknown": ("unknown", "неизвестно", "белгісіз"),
    "left_share_marks": (("Open circles: each district's bank as published (2008-2018 districts: Esil left, Almaty and "
                          "Saryarka right); filled: computed from the boundaries. Points are placed by date; a dashed "
                          "line joins different boundary sets."),
                         ("Пустые кружки: берег района по опубликованным текстам (районы 2008-2018: Есиль — левый, "
                          "Алматы и Сарыарка — правый); закрашенные: вычислен по границам. Точки расставлены по датам; "
                          "пунктир соединяет разные наборы границ."),
                         ("Бос дөңгелектер: аудан жағалауы жарияланған мәтін бойынша (2008-2018 аудандары: Есіл — сол, "
                          "Алматы мен Сарыарқа — оң); толтырылған: шекаралар бойынша есептелген. Нүктелер күні "
                          "бойынша орналасқан; үзік сызық әртүрлі шекара жиындарын қосады.")),
    "left_share_none": ("No date has a published population for every district.",
                        "Нет даты, на которую опубликовано население всех районов.",
                        "Барлық аудан халқы жарияланған күн жоқ."),
    "migration_by_bank": ("Published net migration by district", "Опубликованное сальдо миграции по районам",
                          "Аудандар бойынша жарияланған көші-қон сальдосы"),
    "finding_title": ("The study's finding on civil servants", "Вывод исследования о госслужащих",
                      "Зерттеудің мемлекеттік қызметшілер туралы қорытындысы"),
    "no_counts": ("No published count of civil servants by district or city exists; the finding is qualitative.",
                  "Опубликованных данных о числе госслужащих по районам или городу нет; вывод качественный.",
                  "Аудандар не қала бойынша мемлекеттік қызметшілер саны жарияланбаған; қорытынды сапалық."),
    "mean_stance": ("Mean stance", "Средняя оценка", "Орташа көзқарас"),
    "stance_scale": ("−1 distancing · 0 neutral or mixed · +1 welcoming",
                     "−1 отчуждение · 0 нейтрально или смешанно · +1 доброжелательно",
                     "−1 алшақтау · 0 бейтарап не аралас · +1 ілтипатты"),
    "indication_only": (("Qualitative focus-group data: a mean over a few statements is an indication, not a "
                         "measurement."),
                        ("Качественные данные фокус-групп: среднее по нескольким высказываниям — ориентир, а не "
                         "измерение."),
                        "Фокус-топтың сапалық деректері: бірнеше пікірдің орташасы өлшем емес, бағдар ғана."),
    "statements": ("Statements behind the score", "Высказывания, на которых основана оценка",
                   "Бағаның негізіндегі пікірлер"),
    "author_findings": ("The study's conclusions", "Выводы исследования", "Зерттеу қорытындылары"),
    "image_tags": ("Image of the city", "Образ города", "Қаланың бейнесі"),
    "origins": ("Where newcomers come from", "Откуда приезжают", "Келушілер қайдан келеді"),
    "origins_unmapped": ("Not mapped (not a single current region):", "Не на карте (не один текущий регион):",
                         "Картада жоқ (бір қазіргі өңір емес):"),
    "speaker": ("{sex}, {age}", "{sex}, {age}", "{sex}, {age}"),
    "sex_f": ("woman", "женщина", "әйел"),
    "sex_m": ("man", "мужчина", "ер адам"),
    "paraphrase_note": ("Paraphrases in English by the project, not quotations.",
                        "Пересказ на английском, сделанный проектом, а не цитаты.",
                        "Жобаның ағылшынша мазмұндауы, дәйексөз емес."),
    "download": ("Download this layer", "Скачать слой", "Қабатты жүктеу"),
    "download_geojson": ("GeoJSON", "GeoJSON", "GeoJSON"),
    "download_csv": ("CSV", "CSV", "CSV"),
    "upload_title": ("Your own data", "Ваши данные", "Өз деректеріңіз"),
    "upload_hint": ("Drop a CSV or GeoJSON file (max {mb} MB) to join it to the districts.",
                    "Перетащите CSV или GeoJSON (до {mb} МБ), чтобы привязать к районам.",
                    "Аудандарға байланыстыру үшін CSV не GeoJSON файлын сүйреп әкеліңіз ({mb} МБ дейін)."),
    "upload_too_big": ("The file is larger than {mb} MB.", "Файл больше {mb} МБ.", "Файл {mb} МБ-тан үлкен."),
    "upload_bad_type": ("Only .csv and .geojson files are accepted.", "Принимаются только файлы .csv и .geojson.",
                        "Тек .csv және .geojson файлдары қабылданады."),
    "upload_done": ("{matched} rows joined, {unmatched} not joined.", ("Привязано строк: {matched}, не привязано: "
                                                                       "{unmatched}."), "Байланыстырылған жолдар: {matched}, байланыспаған: {unmatched}."),
    "upload_empty": ("The file is empty.", "Файл пуст.", "Файл бос."),
    "upload_failed": ("This file could not be read as CSV or GeoJSON; check its format and encoding.",
                      "Файл не удалось прочитать как CSV или GeoJSON; проверьте формат и кодировку.",
                      "Файлды CSV не GeoJSON ретінде оқу мүмкін болмады; пішімі мен кодтауын тексеріңіз."),
    "upload_city": ("City of your data", "Город ваших данных", "Деректеріңіздің қаласы"),
    "upload_city_auto": ("Detect from the rows", "Определить по строкам", "Жолдар бойынша анықтау"),
    "upload_other_city": ("Your data is joined to the districts of {city}; the map now shows {shown}.",
                          "Ваши данные привязаны к районам города {city}; на карте сейчас {shown}.",
                          "Деректеріңіз {city} аудандарына байланыстырылды; картада қазір {shown}."),
    "upload_measure": ("Show on the map", "Показать на карте", "Картада көрсету"),
    "measure_count": ("Rows (count)", "Строк (число)", "Жолдар (саны)"),
    "measure_share_of_city": ("Share of the city", "Доля города", "Қаладағы үлесі"),
    "measure_per_1000": ("Per 1,000 residents", "На 1000 жителей", "1000 тұрғынға"),
    "measure_lq": ("Location quotient: {group}", "Коэффициент локализации: {group}",
                   "Шоғырлану коэффициенті: {group}"),
    "upload_counts": ("{input} rows read: {joined} joined to the districts of {city} ({vintage}), {aside} set aside.",
                      "Прочитано строк: {input}; привязано к районам ({city}, {vintage}): {joined}; отложено: {aside}.",
                      ("Оқылған жолдар: {input}; аудандарға ({city}, {vintage}) байланыстырылды: {joined}; "
                       "шеттетілді: {aside}.")),
    "upload_population": ("Per 1,000: population of {period},", "На 1000: население на {period},",
                          "1000-ға: {period} халқы,"),
    "set_aside_title": ("Rows not joined ({n})", "Непривязанные строки ({n})", "Байланыспаған жолдар ({n})"),
    "set_aside_none": ("Every row was joined.", "Все строки привязаны.", "Барлық жол байланыстырылды."),
    "row": ("Row", "Строка", "Жол"),
    "reason": ("Reason", "Причина", "Себебі"),
    "synthetic_label": ("SYNTHETIC", "СИНТЕТИКА", "СИНТЕТИКАЛЫҚ"),
    "synthetic_note": ("Synthetic data: generated for tests, not observations.",
                       "Синтетические данные: сгенерированы для тестов, это не наблюдения.",
                       "Синтетикалық деректер: тест үшін жасалған, бақылау емес."),
    "upload_dl_geojson": ("Joined result (GeoJSON)", "Результат (GeoJSON)", "Нәтиже (GeoJSON)"),
    "upload_dl_csv": ("Joined result (CSV)", "Результат (CSV)", "Нәтиже (CSV)"),
    "upload_clear": ("Remove from the map", "Убрать с карты", "Картадан алып тастау"),
    "basemap_unavailable": ("Basemap unavailable (no network); the data layers are complete.",
                            "Подложка недоступна (нет сети); слои данных показаны полностью.",
                            "Негізгі карта қолжетімсіз (желі жоқ); дерек қабаттары толық."),
    "notice_unknown": ("Unknown {what} \"{value}\" in the link; showing {default} instead.",
                       "Неизвестное значение {what} «{value}» в ссылке; показано {default}.",
                       "Сілтемедегі {what} мәні «{value}» белгісіз; оның орнына {default} көрсетілді."),
    "notice_breaks": ("Own breaks could not be read; quantiles are shown.",
                      "Свои границы не распознаны; показаны квантили.",
                      "Өз шекаралар оқылмады; квантильдер көрсетілді."),
    "astana_only_hint": ("Layer 2 is about Astana only; the other cities are on layers 1 and 3.",
                         "Слой 2 только об Астане; другие города — на слоях 1 и 3.",
                         "2-қабат тек Астана туралы; басқа қалалар 1 және 3-қабаттарда."),
    "fixed_colours": (("Colours on this layer are fixed (see the legend in the panel); classes and palette apply "
                       "to layer 1."),
                      "Цвета этого слоя заданы (легенда на панели справа); классы и палитра — для слоя 1.",
                      "Бұл қабаттың түстері тұрақты (аңыз оң жақ панельде); сыныптар мен палитра 1-қабатқа арналған."),
    "notice_astana_only": ("Layer 2 is about Astana: the city was switched to Astana.",
                           "Слой 2 посвящён Астане: город переключён на Астану.",
                           "2-қабат Астана туралы: қала Астанаға ауыстырылды."),
    "city_level": ("City level figure", "Показатель по городу", "Қала деңгейіндегі көрсеткіш"),
    "regions_context": ("Regions of Kazakhstan (geokz 2024) shown for orientation.",
                        "Регионы Казахстана (geokz 2024) показаны для ориентира.",
                        "Қазақстан өңірлері (geokz 2024) бағдар үшін көрсетілген."),
    "attribution": (("Map data © OpenStreetMap contributors (ODbL); boundaries geokz (A. Rodionov, BNS ASPR RK, "
                     "CC BY 4.0); river Astana city geoportal; figures: sources shown beside each value."),
                    ("Картографические данные © участники OpenStreetMap (ODbL); границы geokz (А. Родионов, БНС АСПиР "
                     "РК, CC BY 4.0); река: геопортал г. Астаны; цифры: источники указаны рядом с каждым значением."),
                    ("Карта деректері © OpenStreetMap қатысушылары (ODbL); шекаралар geokz (А. Родионов, СЖРА ҰСБ, "
                     "CC BY 4.0); өзен: Астана қаласының геопорталы; сандар: дереккөздері әр мәннің жанында.")),
    "hover_hint": ("Hover a district for its value; click it (or choose it below) for details.",
                   "Наведите на район, чтобы увидеть значение; щёлкните (или выберите ниже) для подробностей.",
                   "Мәнін көру үшін аудан үстіне апарыңыз; толығырақ үшін басыңыз (не төменнен таңдаңыз)."),
    "unit_persons": ("persons", "чел.", "адам"),
    "unit_percent": ("%", "%", "%"),
    "unit_per_km2": ("per km²", "на км²", "км²-ге"),
    "vintage": ("Boundary set", "Набор границ", "Шекаралар жиыны"),
    "what_city": ("city", "город", "қала"),
    "what_layer": ("layer", "слой", "қабат"),
    "what_indicator": ("indicator", "показатель", "көрсеткіш"),
    "what_period": ("period", "период", "кезең"),
    "what_scheme": ("classification", "классификация", "жіктеу"),
    "what_k": ("number of classes", "число классов", "сынып саны"),
    "what_palette": ("palette", "палитра", "палитра"),
    "what_lang": ("language", "язык", "тіл"),
    "what_district": ("district", "район", "аудан"),
    "what_category": ("category", "категория", "санат"),
    "synthetic": ("synthetic", "синтетические", "синтетикалық"),
}

# Counted strings: key -> (en (one, other), ru (one, few, many), kk (other,)); the count is always ``{n}``.
# Kazakh nouns stay singular after a numeral, so it has one form; Russian follows the CLDR integer rules.
_PLURALS: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "n_statements": (("n = {n} statement", "n = {n} statements"),
                     ("n = {n} высказывание", "n = {n} высказывания", "n = {n} высказываний"),
                     ("n = {n} пікір",)),
    "institutions_unmapped": (
        ("{n} more institution is described by location only and is not counted.",
         "{n} more institutions are described by location only and are not counted."),
        ("Ещё {n} учреждение описано только адресом и не учтено.",
         "Ещё {n} учреждения описаны только адресом и не учтены.",
         "Ещё {n} учреждений описаны только адресом и не учтены."),
        ("Тағы {n} мекеме тек мекенжаймен сипатталған, есепке алынбады.",)),
    "set_aside_more": (
        ("{n} more row is not listed here; `qala join` writes all of them to set_aside.csv.",
         "{n} more rows are not listed here; `qala join` writes all of them to set_aside.csv."),
        ("Ещё {n} строка здесь не показана; `qala join` записывает все в set_aside.csv.",
         "Ещё {n} строки здесь не показаны; `qala join` записывает все в set_aside.csv.",
         "Ещё {n} строк здесь не показаны; `qala join` записывает все в set_aside.csv."),
        ("Тағы {n} жол мұнда көрсетілмеген; `qala join` барлығын set_aside.csv файлына жазады.",)),
    "notice_k": (("Only {n} distinct value: {k} classes were reduced to {n}.",
                  "Only {n} distinct values: {k} classes were reduced to {n}."),
                 ("Различных значений: {n}; число классов уменьшено с {k} до {n}.",) * 3,
                 ("Әртүрлі мән саны {n}: сынып саны {k}-ден {n}-ге азайтылды.",)),
}

LANG_NAMES = {"kk": "Қазақша", "ru": "Русский", "en": "English"}


def plural_form(n: float, lang: str) -> int:
    """Index of the form of a counted string for ``n`` in ``lang`` (CLDR cardinal rules).

    en: 0 one (exactly 1), 1 other. ru: 0 one (…1 but not …11), 1 few (…2-4 but not …12-14), 2 many (other
    integers); fractions take the 'few' form (genitive singular: 1,5 высказывания). kk: always 0.
    """
    if lang == "kk":
        return 0
    whole = float(n).is_integer()
    if lang == "en":
        return 0 if whole and int(n) == 1 else 1
    if not whole:
        return 1
    i = abs(int(n))
    if i % 10 == 1 and i % 100 != 11:
        return 0
    if 2 <= i % 10 <= 4 and not 12 <= i % 100 <= 14:
        return 1
    return 2


def t(key: str, lang: str, **fmt: object) -> str:
    """The interface string ``key`` in ``lang``, formatted with ``fmt``; KeyError if it does not exist.

    Counted strings (see ``_PLURALS``) take the grammatical form the count ``n`` asks for in that language.
    """
    if key in _PLURALS:
        forms = _PLURALS[key][LANGS_ORDER[lang]]
        return forms[plural_form(fmt["n"], lang)].format(**fmt)
    text = _STRINGS[key][LANGS_ORDER[lang]]
    return text.format(**fmt) if fmt else text


LANGS_ORDER = {"en": 0, "ru": 1, "kk": 2}


def has(key: str) -> bool:
    return key in _STRINGS or key in _PLURALS


def all_keys() -> list[str]:
    return [*_STRINGS, *_PLURALS]


def texts_of(key: str) -> list[str]:
    """Every text of a key in all languages and forms (for completeness checks)."""
    if key in _PLURALS:
        return [text for forms in _PLURALS[key] for text in forms]
    return list(_STRINGS[key])


def indicator_label(indicator: str, lang: str) -> str:
    """Label of an indicator; unknown indicators keep their code beside a generic word, never disappear."""
    key = f"ind_{indicator}"
    return t(key, lang) if has(key) else f"{t('ind_other', lang)}: {indicator}"


def flag_label(code: str, lang: str) -> str:
    """Short human label of a confidence flag; an unknown flag keeps its code so it is never hidden."""
    key = f"flag_{code}"
    return t(key, lang) if has(key) else code


def unit_label(unit: str | None, lang: str) -> str:
    if not unit:
        return ""
    key = {"persons": "unit_persons", "percent": "unit_percent", "%": "unit_percent",
           "persons/km2": "unit_per_km2", "per_km2": "unit_per_km2", "persons per km2": "unit_per_km2"}.get(unit)
    return t(key, lang) if key else unit


def name_of(row: object, lang: str) -> str:
    """A place's name in ``lang`` from its ``name_kk/ru/en`` fields, falling back to the other languages."""
    get = row.get if hasattr(row, "get") else (lambda k, d=None: getattr(row, k, d))
    for code in (lang, "en", "ru", "kk"):
        value = get(f"name_{code}", None)
        if isinstance(value, str) and value.strip():
            return value
    return str(get("district_id", "") or get("place_id", "") or "?")


def pick_language(accept_language: str | None) -> str:
    """The first of kk/ru/en in an HTTP Accept-Language header, by its q weight; English if none matches."""
    if not accept_language:
        return DEFAULT_LANG
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(accept_language.split(",")):
        pieces = part.strip().split(";")
        tag = pieces[0].strip().lower()
        quality = 1.0
        for param in pieces[1:]:
            name, _, val = param.strip().partition("=")
            if name == "q":
                try:
                    quality = float(val)
                except ValueError:
                    quality = 0.0
        base = tag.split("-")[0]
        if base in LANGS and quality > 0:
            ranked.append((-quality, position, base))
    return min(ranked)[2] if ranked else DEFAULT_LANG
