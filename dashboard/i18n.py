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
    "layer_concentration": ("1 · Where migrants live: population and migration",
                            "1 · Где живут мигранты: население и миграция",
                            "1 · Көшіп-қонушылар қайда тұрады: халық және көші-қон"),
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
    "ind_area": ("Area", "Площадь", "Аумағы"),
    "ind_population_change": ("Population change", "Изменение численности населения", "Халық санының өзгерісі"),
    "ind_population_gain_from_newcomers": ("Population gain from newcomers", "Прирост населения за счёт приезжих",
                                           "Келушілер есебінен халық өсімі"),
    "ind_population_total_in_ethnic_table": ("Population (total of the ethnic composition table)",
                                             "Население (итог таблицы этнического состава)",
                                             "Халық саны (этникалық құрам кестесінің жиыны)"),
    "ind_female_share_of_population": ("Women's share of the population", "Доля женщин в населении",
                                       "Халықтағы әйелдер үлесі"),
    "ind_net_migration_external": ("Net external migration", "Сальдо внешней миграции", "Сыртқы көші-қон сальдосы"),
    "ind_net_migration_internal_regional": ("Net regional internal migration", "Сальдо региональной внутренней миграции",
                                            "Өңірлік ішкі көші-қон сальдосы"),
    "ind_net_migration_unspecified_type": ("Net migration (type not specified)", "Сальдо миграции (тип не указан)",
                                           "Көші-қон сальдосы (түрі көрсетілмеген)"),
    "ind_interregional_migration_unspecified_type": ("Interregional migration (type not specified)",
                                                     "Межрегиональная миграция (тип не указан)",
                                                     "Өңіраралық көші-қон (түрі көрсетілмеген)"),
    "ind_arrivals_from_other_regions": ("Moved in from other regions (type uncertain)",
                                        "Переехали из других регионов (тип неясен)",
                                        "Басқа өңірлерден көшіп келгендер (түрі анық емес)"),
    "ind_arrivals_purpose": ("Arrivals by purpose of the move", "Прибывшие по цели переезда",
                             "Көшу мақсаты бойынша келгендер"),
    "ind_arrivals_age15plus_purpose": ("Arrivals aged 15+ by purpose of the move",
                                       "Прибывшие в возрасте 15+ по цели переезда",
                                       "Көшу мақсаты бойынша 15 жастан асқан келгендер"),
    "ind_departures_to": ("Departures by destination", "Выбывшие по месту назначения",
                          "Баратын жері бойынша кеткендер"),
    "ind_immigrants_from_abroad": ("Immigrants from abroad", "Иммигранты из-за рубежа", "Шетелден келген иммигранттар"),
    "ind_migration_growth_total (as labelled by source)": ("Total migration growth (as labelled by the source)",
                                                           "Общий миграционный прирост (так в источнике)",
                                                           "Жалпы көші-қон өсімі (дереккөздегі атауы)"),
    "ind_share_of_Kazakhs_among_arrivals": ("Share of Kazakhs among arrivals", "Доля казахов среди прибывших",
                                            "Келгендер арасындағы қазақтар үлесі"),
    "ind_share_of_Kazakhs_among_departures": ("Share of Kazakhs among departures", "Доля казахов среди выбывших",
                                              "Кеткендер арасындағы қазақтар үлесі"),
    "ind_area_added_by_boundary_expansion": ("Area added by boundary expansion",
                                             "Площадь, присоединённая при расширении границ",
                                             "Шекараны кеңейту арқылы қосылған аумақ"),
    "ind_river_bank": ("River bank", "Берег реки", "Өзен жағалауы"),
    "ind_creation_date": ("Date of creation", "Дата создания", "Құрылған күні"),
    "ind_creation_note": ("Note on the district's creation", "Примечание о создании района",
                          "Ауданның құрылуы туралы ескерту"),
    "ind_avg_asking_price": ("Average asking price of housing", "Средняя цена предложения жилья",
                             "Тұрғын үйдің орташа ұсыныс бағасы"),
    "ind_avg_asking_price_resale": ("Average asking price, resale housing", "Средняя цена предложения, вторичное жильё",
                                    "Қайталама тұрғын үйдің орташа ұсыныс бағасы"),
    "ind_avg_price_new_housing": ("Average price, new housing", "Средняя цена, новое жильё",
                                  "Жаңа тұрғын үйдің орташа бағасы"),
    "ind_avg_price_resale_housing": ("Average price, resale housing", "Средняя цена, вторичное жильё",
                                     "Қайталама тұрғын үйдің орташа бағасы"),
    "ind_share_of_resale_offers": ("Share of resale offers", "Доля предложений вторичного жилья",
                                   "Қайталама тұрғын үй ұсыныстарының үлесі"),
    "ind_avg_rent": ("Average rent", "Средняя арендная плата", "Орташа жалдау ақысы"),
    "ind_avg_asking_rent_1-room": ("Average asking rent, 1-room flat", "Средняя запрашиваемая аренда, 1-комнатная квартира",
                                   "Бір бөлмелі пәтердің орташа сұралатын жалдау ақысы"),
    "ind_avg_asking_rent_2-room": ("Average asking rent, 2-room flat", "Средняя запрашиваемая аренда, 2-комнатная квартира",
                                   "Екі бөлмелі пәтердің орташа сұралатын жалдау ақысы"),
    "ind_avg_asking_rent_3-room": ("Average asking rent, 3-room flat", "Средняя запрашиваемая аренда, 3-комнатная квартира",
                                   "Үш бөлмелі пәтердің орташа сұралатын жалдау ақысы"),
    "ind_housing_stock": ("Housing stock", "Жилищный фонд", "Тұрғын үй қоры"),
    "ind_housing_per_resident": ("Housing per resident", "Жильё на одного жителя", "Бір тұрғынға шаққандағы тұрғын үй"),
    "ind_housing_commissioned_floor_area": ("Housing commissioned (floor area)", "Ввод жилья (площадь)",
                                            "Пайдалануға берілген тұрғын үй (аумағы)"),
    "ind_housing_commissioned_flats": ("Housing commissioned (flats)", "Ввод жилья (квартиры)",
                                       "Пайдалануға берілген тұрғын үй (пәтерлер)"),
    "ind_social_housing_flats_built": ("Social housing flats built", "Построено социальных квартир",
                                       "Салынған әлеуметтік пәтерлер"),
    "ind_residents_on_housing_waiting_list": ("Residents on the housing waiting list", "Очередники на жильё",
                                              "Тұрғын үй кезегіндегі тұрғындар"),
    "ind_residents_on_social_housing_waiting_list": ("Residents on the social housing waiting list",
                                                     "Очередники на социальное жильё",
                                                     "Әлеуметтік тұрғын үй кезегіндегі тұрғындар"),
    "ind_price_ratio_most_to_least_expensive_district": ("Price ratio, most to least expensive district",
                                                         "Соотношение цен самого дорогого и самого дешёвого района",
                                                         "Ең қымбат пен ең арзан аудан бағаларының арақатынасы"),
    "ind_cost_of_living_above_national_average": ("Cost of living above the national average",
                                                  "Превышение стоимости жизни над средней по стране",
                                                  "Өмір сүру құнының ел орташасынан асуы"),
    "ind_avg_monthly_nominal_wage": ("Average monthly nominal wage", "Среднемесячная номинальная зарплата",
                                     "Орташа айлық номиналды жалақы"),
    "ind_youth_share_of_civil_servants": ("Share of young people among civil servants",
                                          "Доля молодёжи среди госслужащих",
                                          "Мемлекеттік қызметшілер арасындағы жастар үлесі"),
    "ind_civil_servants_staff_positions": ("Civil-service staff positions", "Штатная численность госслужащих",
                                           "Мемлекеттік қызметшілердің штат саны"),
    "ind_civil_servants_actual": ("Civil servants in post", "Фактическая численность госслужащих",
                                  "Мемлекеттік қызметшілердің нақты саны"),
    "ind_staffing_limits_classified": ("Staffing limits (classified)", "Лимиты штатной численности (засекречены)",
                                       "Штат лимиттері (құпия)"),
    "ind_political_civil_servants_before_reform": ("Political civil servants before the reform",
                                                   "Политические госслужащие до реформы",
                                                   "Реформаға дейінгі саяси мемлекеттік қызметшілер"),
    "ind_share_feel_many_newcomers_from_other_KZ_regions": (
        "Share who feel there are many newcomers from other regions of Kazakhstan",
        "Доля считающих, что приезжих из других регионов Казахстана много",
        "Қазақстанның басқа өңірлерінен келушілер көп деп санайтындар үлесі"),
    "ind_share_feel_many_foreign_migrants": ("Share who feel there are many foreign migrants",
                                             "Доля считающих, что иностранных мигрантов много",
                                             "Шетелдік мигранттар көп деп санайтындар үлесі"),
    "ind_share_do_not_feel_many_foreign_migrants": ("Share who do not feel there are many foreign migrants",
                                                    "Доля не считающих, что иностранных мигрантов много",
                                                    "Шетелдік мигранттар көп деп санамайтындар үлесі"),
    "ind_share_feel_many_oralman_repatriates": ("Share who feel there are many oralman repatriates",
                                                "Доля считающих, что оралманов (репатриантов) много",
                                                "Оралмандар (репатрианттар) көп деп санайтындар үлесі"),
    "ind_share_do_not_feel_many_oralman_repatriates": ("Share who do not feel there are many oralman repatriates",
                                                       "Доля не считающих, что оралманов (репатриантов) много",
                                                       "Оралмандар (репатрианттар) көп деп санамайтындар үлесі"),
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
                        "Пересказы, сделанные проектом, а не цитаты.",
                        "Жобаның мазмұндауы, дәйексөз емес."),
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
    "layer1_all_residents": ("Shown: population (total residents), not migrants only.",
                             "Показано население (все жители), а не только мигранты.",
                             "Көрсетілгені — халық (барлық тұрғындар), тек көшіп-қонушылар емес."),
    "layer1_migrant_counts": (("Migrant counts by district exist only for Astana, January–July 2015 (arrivals and "
                               "departures): choose that indicator and period. Your own survey can be added under "
                               "“{upload}”."),
                              ("Число мигрантов по районам опубликовано только для Астаны за январь–июль 2015 года "
                               "(прибывшие и выбывшие): выберите этот показатель и период. Свой опрос можно добавить "
                               "в разделе «{upload}»."),
                              ("Аудандар бойынша көшіп-қонушылар саны тек Астана үшін, 2015 жылғы қаңтар–шілдеге "
                               "жарияланған (келгендер мен кеткендер): сол көрсеткіш пен кезеңді таңдаңыз. Өз "
                               "сауалнамаңызды «{upload}» бөлімінде қоса аласыз.")),
    "translation_note": ("Translation of the project's own texts: Qala Atlas. Quotations and source titles as published.",
                         "Перевод текстов проекта: Qala Atlas. Цитаты и названия источников — как в оригинале.",
                         "Жоба мәтіндерінің аудармасы: Qala Atlas. Дәйексөздер мен дереккөз атаулары — түпнұсқадағыдай."),
    "untranslated": ("Not translated yet: shown as published in English", "Перевода пока нет: показан английский оригинал",
                     "Әзірге аудармасы жоқ: ағылшынша түпнұсқасы көрсетілді"),
    "period_derived": ("derived", "расчётные значения", "есептелген мәндер"),
    "method_density": ("population / district area computed in UTM from the boundaries of the figure's vintage",
                       "население / площадь района, вычисленная в UTM по границам того же набора",
                       "халық саны / ауданның UTM-де сол шекаралар жиыны бойынша есептелген аумағы"),
    "method_growth": ("(population at end − at start) / at start, {years} years apart, same boundaries ({vintage})",
                      "(население на конец − на начало) / на начало, интервал {years} г., те же границы ({vintage})",
                      "(соңындағы халық − басындағы) / басындағы, аралығы {years} жыл, шекаралар бірдей ({vintage})"),
    "method_sum": ("sum of the successor districts ({districts}) of {vintage} on the same date",
                   "сумма районов-преемников ({districts}) набора {vintage} на ту же дату",
                   "{vintage} жиынындағы мұрагер аудандардың ({districts}) сол күнгі қосындысы"),
    "origin_South Kazakhstan region": ("South Kazakhstan region", "Южно-Казахстанская область",
                                       "Оңтүстік Қазақстан облысы"),
    "origin_Almaty (city or region - ambiguous)": ("Almaty (city or region: ambiguous)",
                                                   "Алматы (город или область: неоднозначно)",
                                                   "Алматы (қала не облыс: анық емес)"),
    "origin_other regions": ("other regions", "другие регионы", "басқа өңірлер"),
    "kind_former_village_annexed": ("former village, annexed", "бывшее село, присоединённое к городу",
                                    "қалаға қосылған бұрынғы ауыл"),
    "kind_peripheral_microdistrict": ("peripheral microdistrict", "окраинный микрорайон", "шеткі шағын аудан"),
    "kind_peripheral_settlement": ("peripheral settlement", "окраинный посёлок", "шеткі кент"),
    "kind_self_built_settlement": ("self-built settlement", "самострой", "өздігінен салынған кент"),
    "kind_informal_peripheral_settlement": ("informal peripheral settlement", "стихийный окраинный посёлок",
                                            "стихиялы шеткі кент"),
    "kind_dacha_cooperatives": ("dacha cooperatives", "дачные кооперативы", "саяжай кооперативтері"),
    "kind_market_workplace": ("market (workplace)", "рынок (место работы)", "базар (жұмыс орны)"),
    "kind_resettlement_housing": ("resettlement housing", "жильё для переселения", "қоныс аударушыларға арналған үй"),
    "kind_village_dacha_area": ("village and dacha area", "сёла и дачные массивы", "ауыл және саяжай аумағы"),
    "kind_ministry_building": ("ministry building", "здание министерства", "министрлік ғимараты"),
    "kind_state_company_hq": ("state company headquarters", "штаб-квартира госкомпании",
                              "мемлекеттік компанияның бас кеңсесі"),
    "kind_parliament": ("parliament", "парламент", "парламент"),
    "kind_judiciary": ("court", "суд", "сот"),
    "kind_district_akimat": ("district akimat", "акимат района", "аудан әкімдігі"),
    "kind_presidential_administration": ("presidential administration", "администрация президента",
                                         "президент әкімшілігі"),
    "kind_landmark": ("landmark", "достопримечательность", "көрікті жер"),
    "kind_landmark_state_venue": ("landmark, state venue", "достопримечательность, площадка госмероприятий",
                                  "көрікті жер, мемлекеттік іс-шаралар орны"),
    "kind_ministries_complex": ("ministries complex", "комплекс министерств", "министрліктер кешені"),
    "kind_government": ("government", "правительство", "үкімет"),
    "kind_university": ("university", "университет", "университет"),
    "kind_old_government_right_bank": ("former government seat (right bank)", "прежнее здание правительства (правый берег)",
                                       "үкіметтің бұрынғы ғимараты (оң жағалау)"),
    "kind_residential_highrise": ("residential high-rise", "жилая высотка", "көпқабатты тұрғын үй"),
    "kind_locality (former village)": ("locality (former village)", "населённый пункт (бывшее село)",
                                       "елді мекен (бұрынғы ауыл)"),
    "unit_% change": ("% change", "% изменения", "% өзгеріс"),
    "unit_KZT": ("KZT", "тг", "тг"),
    "unit_KZT/m2": ("KZT/m²", "тг/м²", "тг/м²"),
    "unit_KZT/month": ("KZT/month", "тг/мес.", "тг/ай"),
    "unit_KZT/m2/month": ("KZT/m² per month", "тг/м² в мес.", "тг/м²/ай"),
    "unit_USD/m2": ("USD/m²", "долл./м²", "АҚШ долл./м²"),
    "unit_ha": ("ha", "га", "га"),
    "unit_km2": ("km²", "км²", "км²"),
    "unit_m2": ("m²", "м²", "м²"),
    "unit_mln m2": ("mln m²", "млн м²", "млн м²"),
    "unit_flats": ("flats", "кв.", "пәтер"),
    "unit_houses": ("houses", "домов", "үй"),
    "unit_positions": ("positions", "шт. ед.", "штат бірлігі"),
    "unit_respondents": ("respondents", "респондентов", "респондент"),
    "unit_ratio": ("times", "раз", "есе"),
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
    "what_breaks": ("own breaks (at most {n} values, {chars} characters)",
                    "свои границы (не более {n} значений, {chars} символов)",
                    "өз шекаралар ({n} мәннен, {chars} таңбадан аспайды)"),
    "upload_expired": ("The upload expired; drop the file again.",
                       "Загруженный файл больше не хранится; перетащите его снова.",
                       "Жүктелген файл енді сақталмайды; оны қайта тастаңыз."),
    "upload_busy": ("The server is busy with other uploads; try again in a moment.",
                    "Сервер занят другими загрузками; попробуйте через минуту.",
                    "Сервер басқа жүктеулермен бос емес; сәлден соң қайталаңыз."),
    # --- brief ---
    "brief_title": ("Qala Atlas brief", "Справка Qala Atlas", "Qala Atlas анықтамасы"),
    "brief_pdf": ("Brief (PDF)", "Справка (PDF)", "Анықтама (PDF)"),
    "brief_png": ("Brief (PNG)", "Справка (PNG)", "Анықтама (PNG)"),
    "brief_values": ("Values, each with its source", "Значения, каждое со своим источником",
                     "Мәндер, әрқайсысы өз дереккөзімен"),
    "brief_unit": ("Unit", "Единица", "Өлшем бірлігі"),
    "brief_reopen": ("Reopen this view", "Открыть этот вид снова", "Осы көріністі қайта ашу"),
    "brief_build": ("Build {version} of {date}", "Сборка {version} от {date}", "{date} жинағы, нұсқасы {version}"),
    "brief_made": ("Brief made {date}", "Справка составлена {date}", "Анықтама жасалған күн: {date}"),
    "brief_hatched": ("Hatched: the value carries a confidence flag (secondary source, uncertain, lower bound, "
                      "interpolated or few respondents).",
                      "Штриховка: у значения есть отметка надёжности (вторичный источник, неточное, нижняя "
                      "граница, интерполировано или мало респондентов).",
                      "Штрихталған: мәннің сенімділік белгісі бар (екінші дереккөз, анық емес, төменгі шек, "
                      "интерполяцияланған немесе респонденттер аз)."),
    "brief_no_source": ("not shown: no source", "не показано: нет источника", "көрсетілмеді: дереккөзі жоқ"),
    "brief_map_note": ("Map drawn from the build's boundaries ({layer}); no basemap.",
                       "Карта построена по границам сборки ({layer}); без подложки.",
                       "Карта жинақтағы шекаралар бойынша салынған ({layer}); негізгі картасыз."),
    "brief_busy": ("Another brief is being made; try again in a moment.",
                   "Сейчас составляется другая справка; попробуйте через минуту.",
                   "Қазір басқа анықтама жасалып жатыр; сәлден соң қайталаңыз."),
    "brief_no_browser": ("Briefs cannot be made here: Chromium is not installed on the server (`make browser`).",
                         "Справки здесь недоступны: на сервере не установлен Chromium (`make browser`).",
                         "Анықтама жасау мүмкін емес: серверде Chromium орнатылмаған (`make browser`)."),
    "brief_failed": ("The brief could not be made: {why}", "Не удалось составить справку: {why}",
                     "Анықтама жасалмады: {why}"),
    # --- screens, labels, hatching ---
    "drawer_controls": ("Map settings", "Настройки карты", "Карта баптаулары"),
    "drawer_details": ("Details", "Подробности", "Толығырақ"),
    "drawer_close": ("Close", "Закрыть", "Жабу"),
    "drawer_bar": ("Panels", "Панели", "Панельдер"),
    "controls_region": ("Map settings", "Настройки карты", "Карта баптаулары"),
    "details_region": ("Figures and sources", "Цифры и источники", "Сандар мен дереккөздер"),
    "map_region": ("Map", "Карта", "Карта"),
    "hatch_legend": ("Hatched: secondary source, uncertain, lower bound, interpolated or few respondents",
                     "Штриховка: вторичный источник, неточно, нижняя граница, интерполировано или мало "
                     "респондентов",
                     "Штрихталған: қосалқы дереккөз, күмәнді, төменгі шек, интерполяцияланған немесе "
                     "респонденттер аз"),
    "hatch_few": ("fewer than {n} statements", "меньше {n} высказываний", "{n} пікірден аз"),
    "flag_interpolated": ("interpolated", "интерполировано", "интерполяцияланған"),
    # --- published datasets ---
    "pub_dataset": ("Published survey", "Опубликованный опрос", "Жарияланған сауалнама"),
    "pub_item": ("Survey item", "Вопрос опроса", "Сауалнама сұрағы"),
    "pub_none": ("None: the layer's own figures", "Нет: собственные данные слоя", "Жоқ: қабаттың өз деректері"),
    "what_dataset": ("published dataset", "опубликованный набор данных", "жарияланған деректер жиынтығы"),
    "what_item": ("survey item", "вопрос опроса", "сауалнама сұрағы"),
    "pub_scale": ("scale {scale}", "шкала {scale}", "шкала {scale}"),
    "pub_kind_score": ("mean answer per district", "средний ответ по районам", "аудандар бойынша орташа жауап"),
    "pub_kind_count": ("respondents per district", "респонденты по районам", "аудандар бойынша респонденттер"),
    "pub_measure_count": ("Respondents (count)", "Респонденты (число)", "Респонденттер (саны)"),
    "pub_measure_share_of_city": ("Share of the city's respondents", "Доля респондентов города",
                                  "Қала респонденттеріндегі үлесі"),
    "pub_measure_per_1000": ("Respondents per 1,000 residents", "Респондентов на 1000 жителей",
                             "1000 тұрғынға шаққандағы респонденттер"),
    "pub_measure_lq": ("Location quotient: {group}", "Коэффициент локализации: {group}",
                       "Шоғырлану коэффициенті: {group}"),
    "pub_measure_share_group": ("Share of the district's respondents: {group}",
                                "Доля среди респондентов района: {group}",
                                "Аудан респонденттеріндегі үлесі: {group}"),
    "pub_method": ("Method", "Метод", "Әдіс"),
    "pub_licence": ("Licence", "Лицензия", "Лицензия"),
    "pub_respondents": ("Respondents", "Респонденты", "Респонденттер"),
    "pub_cities": ("Cities", "Города", "Қалалар"),
    "pub_version": ("Version", "Версия", "Нұсқа"),
    "pub_checksum": ("Checksum", "Контрольная сумма", "Бақылау сомасы"),
    "pub_aggregates_only": ("District estimates only: no respondent's answers are published. Fewer than {n} respondents: suppressed.",
                            "Только оценки по районам: ответы отдельных респондентов не публикуются. Меньше {n} респондентов: скрыто.",
                            "Тек аудандық бағалаулар: жеке респонденттердің жауаптары жарияланбайды. {n} респонденттен аз: жасырылған."),
    "pub_suppressed_legend": ("Suppressed: fewer than {n} respondents, or suppressed so that such a value cannot be worked back",
                              "Скрыто: меньше {n} респондентов или скрыто, чтобы такое значение нельзя было вычислить обратно",
                              "Жасырылған: {n} респонденттен аз немесе мұндай мәнді кері есептеп шығармау үшін жасырылған"),
    "pub_suppressed_short": ("suppressed (fewer than {n} respondents, or to protect such a value)",
                             "скрыто (меньше {n} респондентов или для защиты такого значения)",
                             "жасырылған ({n} респонденттен аз немесе мұндай мәнді қорғау үшін)"),
    "pub_suppressed_cell": ("suppressed", "скрыто", "жасырылған"),
    "pub_poor_legend": ("Hatched: poor reliability (wide interval)", "Штриховка: низкая надёжность (широкий интервал)",
                        "Штрихталған: сенімділігі төмен (кең аралық)"),
    "pub_reliability_note": ("Reliability as flagged in the dataset (good, fair, poor): by the width of the 95 % interval or the coefficient of variation.",
                             "Надёжность по отметке в наборе (хорошая, средняя, низкая): по ширине 95 % интервала или коэффициенту вариации.",
                             "Сенімділік деректер жиынтығындағы белгі бойынша (жоғары, орташа, төмен): 95 % аралықтың енімен немесе вариация коэффициентімен."),
    "pub_not_stated": ("not stated", "не указано", "көрсетілмеген"),
    "pub_mean": ("Mean", "Среднее", "Орташа"),
    "pub_ci": ("95 % CI", "95 % ДИ", "95 % СА"),
    "pub_ci_full": ("95 % interval", "95 % доверительный интервал", "95 % сенімділік аралығы"),
    "pub_n_eff": ("Effective n (weights)", "Эффективный n (с весами)", "Тиімді n (салмақпен)"),
    "pub_top": ("Top-box share", "Доля высших ответов", "Ең жоғары жауаптар үлесі"),
    "pub_shrunk": ("Shrunk toward the city mean (beside the raw mean)", "Сглажено к среднему по городу (рядом с исходным)",
                   "Қала орташасына қарай тегістелген (бастапқы мәннің қасында)"),
    "pub_reliability": ("Reliability", "Надёжность", "Сенімділік"),
    "pub_rel_good": ("good", "хорошая", "жоғары"),
    "pub_rel_fair": ("fair", "средняя", "орташа"),
    "pub_rel_poor": ("poor", "низкая", "төмен"),
    "pub_rel_suppressed": ("suppressed", "скрыто", "жасырылған"),
    "pub_city_whole": ("{city} as a whole", "{city} в целом", "{city} тұтастай"),
    # --- time, change, comparison ---
    "what_change": ("change map", "карта изменений", "өзгеріс картасы"),
    "what_change_from": ("change from", "изменение с", "өзгеріс басы"),
    "what_change_to": ("change to", "изменение по", "өзгеріс соңы"),
    "what_compare": ("district compared", "район для сравнения", "салыстырылатын аудан"),
    "what_compare_date": ("date compared", "дата для сравнения", "салыстырылатын күн"),
    "time_label": ("Dates of this indicator", "Даты этого показателя", "Осы көрсеткіштің күндері"),
    "play": ("▶ Play", "▶ Воспроизвести", "▶ Ойнату"),
    "pause": ("❚❚ Pause", "❚❚ Пауза", "❚❚ Кідірту"),
    "change_map": ("Change between two dates", "Изменение между двумя датами", "Екі күн арасындағы өзгеріс"),
    "change_none": ("One date", "Одна дата", "Бір күн"),
    "change_abs": ("Absolute change", "Абсолютное изменение", "Абсолюттік өзгеріс"),
    "change_rel": ("Relative change, %", "Относительное изменение, %", "Салыстырмалы өзгеріс, %"),
    "change_from": ("From", "С", "Басы"),
    "change_to": ("To", "По", "Соңы"),
    "change_only_comparable": ("Only pairs of dates whose districts are comparable are offered.",
                               "Предлагаются только пары дат, для которых районы сопоставимы.",
                               "Тек аудандары салыстырмалы күндер жұптары ұсынылады."),
    "change_title": ("Change", "Изменение", "Өзгеріс"),
    "change_method": ("Method", "Метод", "Әдіс"),
    "change_method_same_boundaries": ("same boundaries at both dates", "одни и те же границы на обе даты",
                                      "екі күнде де бірдей шекаралар"),
    "change_method_lineage_sums": ("sums of districts through the lineage table",
                                   "суммы районов по таблице преемственности",
                                   "сабақтастық кестесі бойынша аудандар қосындысы"),
    "change_legend_unit": ("Change, {unit}; orange: fall, purple: rise", "Изменение, {unit}; оранжевый: "
                           "снижение, фиолетовый: рост", "Өзгеріс, {unit}; қызғылт сары: кему, күлгін: өсу"),
    "change_sources_note": ("Each end keeps its own source and flags; a change is as reliable as its weaker end.",
                            "У каждой даты свой источник и свои отметки; изменение надёжно настолько, "
                            "насколько надёжна более слабая из дат.",
                            "Әр күннің өз дереккөзі мен белгілері бар; өзгеріс әлсіз күні қаншалықты "
                            "сенімді болса, соншалықты сенімді."),
    "change_unmapped": ("Pairs of dates not mapped (not comparable): {n}",
                        "Пары дат без карты (несопоставимы): {n}",
                        "Картаға түспеген күндер жұптары (салыстыруға келмейді): {n}"),
    "change_more_pairs": ("… and {n} more", "… и ещё {n}", "… тағы {n}"),
    "compare_with": ("Compare with district", "Сравнить с районом", "Ауданмен салыстыру"),
    "compare_date": ("Compare with date", "Сравнить с датой", "Күнмен салыстыру"),
    "compare_title": ("Comparison", "Сравнение", "Салыстыру"),
    "compare_what": ("Figure", "Показатель", "Көрсеткіш"),
    "compare_unit": ("Unit", "Единица", "Өлшем бірлігі"),
    "compare_latest": ("{name} has no figure for that date: its latest figure is shown.",
                       "Для района {name} нет значения на эту дату: показано последнее.",
                       "{name} үшін бұл күнге мән жоқ: соңғы мәні көрсетілді."),
    "compare_units_differ": ("The two values have different units: no common chart.",
                             "У двух значений разные единицы: общего графика нет.",
                             "Екі мәннің өлшем бірліктері әртүрлі: ортақ график жоқ."),
    "flows_title": ("Arrivals by region of origin", "Прибывшие по регионам выбытия",
                    "Келгендер шыққан өңірлері бойынша"),
    "flows_hint": ("Lines run from each region of origin into the city; their width follows the share "
                   "(or the number) of arrivals.",
                   "Линии идут из каждого региона выбытия в город; толщина линии соответствует доле "
                   "(или числу) прибывших.",
                   "Сызықтар әр шыққан өңірден қалаға барады; жуандығы келгендер үлесіне (немесе санына) сай."),
    "flows_origin": ("Region of origin", "Регион выбытия", "Шыққан өңір"),
    "flows_share": ("share of arrivals", "доля прибывших", "келгендер үлесі"),
    # --- flows ---
    "flows_width_share": ("Line width: the region's share of the city's arrivals.",
                          "Толщина линии: доля региона среди прибывших в город.",
                          "Сызық жуандығы: өңірдің қалаға келгендер ішіндегі үлесі."),
    "flows_width_value": ("Line width: the number of arrivals (the city's total for the period is not known, "
                          "so no share).",
                          "Толщина линии: число прибывших (общее число прибывших в город за период неизвестно, "
                          "поэтому доли нет).",
                          "Сызық жуандығы: келгендер саны (қалаға кезеңде келгендердің жалпы саны белгісіз, "
                          "сондықтан үлес жоқ)."),
    "flows_lines_note": ("Straight lines from a point inside each region of origin to a point inside the city; "
                         "the regions they start in are shaded.",
                         "Прямые линии от точки внутри каждого региона выбытия до точки внутри города; "
                         "регионы, откуда они идут, закрашены.",
                         "Түзу сызықтар әр шыққан өңірдің ішіндегі нүктеден қала ішіндегі нүктеге дейін; "
                         "олар басталатын өңірлер боялған."),
    "flows_none": ("No arrivals by region of origin for this period.",
                   "Нет данных о прибывших по регионам выбытия за этот период.",
                   "Бұл кезеңге шыққан өңірлер бойынша келгендер туралы дерек жоқ."),
    # --- survey details ---
    "upload_score_mean": ("{item}: mean", "{item}: среднее", "{item}: орташа"),
    "upload_score_head": ("{item}: mean (n, 95 % CI)", "{item}: среднее (n, 95 % ДИ)",
                          "{item}: орташа (n, 95 % СА)"),
    "upload_suppressed": ("suppressed (fewer than {n} respondents, or to protect such a value)",
                          "скрыто (меньше {n} респондентов или для защиты такого значения)",
                          "жасырылған ({n} респонденттен аз немесе осындай мәнді қорғау үшін)"),
    "upload_no_answers": ("no answers", "нет ответов", "жауап жоқ"),
    "pub_diff_title": ("Difference between groups", "Разница между группами", "Топтар арасындағы айырмашылық"),
    "pub_diff_pair": ("{a} minus {b}", "{a} минус {b}", "{a} минус {b}"),
    "pub_diff": ("Difference", "Разница", "Айырмашылық"),
    "pub_diff_groups": ("Groups", "Группы", "Топтар"),
    "pub_diff_n": ("n of each group", "n каждой группы", "әр топтың n"),
    "pub_diff_city": ("{city} as a whole: {a} minus {b}", "{city} в целом: {a} минус {b}",
                      "{city} тұтастай: {a} минус {b}"),
    "pub_diff_meaning": ("The difference is the mean answer of «{a}» minus the mean answer of «{b}»: above 0, respondents of «{a}» answer higher on the scale, below 0 lower; when its 95 % interval includes 0, the survey cannot tell the two groups apart.",
                         "Разница: средний ответ группы «{a}» минус средний ответ группы «{b}». Больше 0 — «{a}» отвечают выше по шкале, меньше 0 — ниже; если 95 % интервал включает 0, опрос не различает эти группы.",
                         "Айырмашылық: «{a}» тобының орташа жауабы минус «{b}» тобының орташа жауабы. 0-ден жоғары болса, «{a}» шкала бойынша жоғары жауап береді, 0-ден төмен болса — төмен; 95 % аралығы 0-ді қамтыса, сауалнама бұл топтарды ажырата алмайды."),
    "pub_dist_title": ("Answers by scale point (weighted shares)", "Ответы по баллам шкалы (взвешенные доли)",
                       "Шкала балдары бойынша жауаптар (салмақталған үлестер)"),
    "pub_dist_point": ("point {p}", "балл {p}", "{p} балл"),
    # --- two maps ---
    "twomaps_toggle": ("Two dates side by side", "Две даты рядом", "Екі күн қатар"),
    "twomaps_pick": ("Choose a date…", "Выберите дату…", "Күнді таңдаңыз…"),
    "twomaps_hint": ("The second map shows the compare date on the boundaries valid then. Press the button "
                     "again, or clear the date, to return to one map.",
                     "Вторая карта показывает дату сравнения в границах, действовавших тогда. Нажмите кнопку "
                     "ещё раз или очистите дату, чтобы вернуться к одной карте.",
                     "Екінші карта салыстырылатын күнді сол кездегі шекаралармен көрсетеді. Бір картаға оралу "
                     "үшін батырманы қайта басыңыз немесе күнді тазалаңыз."),
    "twomaps_shared": ("Classes shared by both dates: the same colour means the same value on both maps (the "
                       "counts cover both dates).",
                       "Классы общие для обеих дат: один и тот же цвет означает одно и то же значение на обеих "
                       "картах (число районов дано по обеим датам).",
                       "Сыныптар екі күнге ортақ: бірдей түс екі картада бірдей мәнді білдіреді (аудандар саны "
                       "екі күн бойынша берілген)."),
    "twomaps_no_boundaries": ("boundaries not available: outlines only", "границ нет: только контуры",
                              "шекаралар жоқ: тек контурлар"),
    "twomaps_map": ("Map of the compare date", "Карта даты сравнения", "Салыстырылатын күннің картасы"),
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
    if key:
        return t(key, lang)
    return t(f"unit_{unit}", lang) if has(f"unit_{unit}") else unit


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
