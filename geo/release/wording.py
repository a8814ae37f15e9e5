"""The disclosure report page's words, key -> (en, ru, kk): the catalogue ``geo.release.page`` fills in.

Kept apart from the page's layout so that a translator reads one table and the layout stays short. The Russian
and Kazakh are the project's own; every key has all three, with the same placeholders (tests say so).
"""

from __future__ import annotations

from geo.settings import CITY_FACTS

CATALOGUE: dict[str, tuple[str, str, str]] = {
    "title": ("Disclosure control report", "Отчёт о контроле раскрытия данных", "Деректерді ашуды бақылау есебі"),
    "synthetic": ("SYNTHETIC DATA", "СИНТЕТИЧЕСКИЕ ДАННЫЕ", "СИНТЕТИКАЛЫҚ ДЕРЕКТЕР"),
    "dataset": ("Dataset: {name}", "Набор данных: {name}", "Деректер жинағы: {name}"),
    "dataset_version": ("Dataset: {name}, version {version}", "Набор данных: {name}, версия {version}",
                        "Деректер жинағы: {name}, {version} нұсқасы"),
    "min_n": ("Fewest respondents a published cell may have: {n}",
              "Минимальное число респондентов в публикуемой ячейке: {n}",
              "Жарияланатын ұяшықтағы респонденттердің ең аз саны: {n}"),
    "private": (
        "Steward's private copy. It gives the reason each cell was hidden, and the reasons tell which cells are "
        "small: do not publish or forward this page.",
        "Служебный экземпляр ответственного за данные. Здесь указано, почему скрыта каждая ячейка, а по причинам "
        "видно, какие ячейки малы: эту страницу нельзя публиковать или пересылать.",
        "Деректерге жауапты маманның жеке данасы. Мұнда әр ұяшықтың неге жасырылғаны көрсетілген, ал себептерден "
        "қай ұяшықтардың шағын екені білінеді: бұл бетті жариялауға да, басқаға жіберуге де болмайды."),
    "rules": ("Rules", "Правила", "Ережелер"), "summary": ("Summary", "Сводка", "Жиынтық"),
    "rules_intro": (
        "A cell is one district, a group within a district, a city, a group within a city, or all cities "
        "together. A cell is hidden when:",
        "Ячейка — это район, группа внутри района, город, группа внутри города или все города вместе. Ячейка "
        "скрывается, если:",
        "Ұяшық — бұл аудан, аудан ішіндегі топ, қала, қала ішіндегі топ немесе барлық қалалар бірге. Ұяшық мына "
        "жағдайлардың бірінде жасырылады:"),
    "rule_threshold": ("fewer than {n} respondents are behind it", "число респондентов в ней меньше {n}",
                       "ұяшықтағы респонденттер саны {n} мәнінен аз болса"),
    "rule_n_eff": ("its Kish effective sample size is below {n}",
                   "её эффективный размер выборки по Кишу меньше {n}",
                   "оның Киш бойынша тиімді іріктеме көлемі {n} мәнінен кіші болса"),
    "rule_dominance": (
        "one respondent carries more than {top1} of its weight, or the two largest together more than {top2}",
        "на одного респондента приходится больше {top1} её веса или на двух самых крупных вместе — больше {top2}",
        "ұяшық салмағындағы бір респонденттің үлесі {top1} шегінен асса немесе ең ірі екі респонденттің "
        "бірлескен үлесі {top2} шегінен асса"),
    "rule_linked": (
        "Further cells are hidden so that no hidden cell can be worked back from the published ones. All tables "
        "of the dataset (districts, groups, scores of every item, answer distributions, group differences, city "
        "totals) are treated as one system of linked cells, together with every version already served.",
        "Дополнительно скрываются и другие ячейки, чтобы ни одну скрытую нельзя было восстановить по "
        "опубликованным. Все таблицы набора (районы, группы, баллы по каждому вопросу, распределения ответов, "
        "разности между группами, итоги по городам) рассматриваются как единая система связанных ячеек — вместе "
        "со всеми уже выпущенными версиями.",
        "Жарияланғандар арқылы ешбір жасырын ұяшықты қайта есептеп шығаруға болмайтындай етіп, басқа ұяшықтар да "
        "жасырылады. Жинақтың барлық кестелері (аудандар, топтар, әр сұрақ бойынша балдар, жауаптардың таралуы, "
        "топтар арасындағы айырмалар, қалалар бойынша жиынтықтар) бұрын жарияланған барлық нұсқалармен бірге "
        "өзара байланысқан ұяшықтардың бір жүйесі ретінде қаралады."),
    "rule_protection": (
        "After suppression a linear-programming solver computes, for every hidden cell, the narrowest interval "
        "that everything published still allows. Suppression is extended until each cell hidden for being small "
        "keeps a margin of at least ±{hw} respondents around its true value and an upper end of at least {up}; "
        "weighted sums keep the same margin, measured in average respondents' weight (±{whw}).",
        "После скрытия решатель задач линейного программирования вычисляет для каждой скрытой ячейки самый узкий "
        "интервал, который ещё допускают все опубликованные данные. Скрытие расширяется до тех пор, пока у каждой "
        "ячейки, скрытой из-за малочисленности, запас вокруг истинного значения не достигнет ±{hw} по числу "
        "респондентов, а верхняя граница — {up}; для взвешенных сумм запас тот же, в пересчёте на вес среднего "
        "респондента (±{whw}).",
        "Ұяшықтар жасырылғаннан кейін сызықтық бағдарламалау шешушісі әр жасырын ұяшық үшін жарияланған "
        "деректердің бәрі әлі де мүмкін ететін ең тар аралықты есептейді. Шағын болғандықтан жасырылған әр "
        "ұяшықтың нақты мәні айналасындағы қоры кемінде ±{hw} респондентке жетпейінше және жоғарғы шегі {up} "
        "мәнінен кем болмайынша, жасыру кеңейтіле береді; салмақталған қосындыларда да қор сондай, тек орташа "
        "респонденттің салмағымен өлшенеді (±{whw})."),
    "cells": ("Cells published: {published}; hidden: {hidden}.", "Опубликовано ячеек: {published}; скрыто: "
              "{hidden}.", "Жарияланған ұяшықтар: {published}; жасырылғаны: {hidden}."),
    "col_table": ("Table", "Таблица", "Кесте"), "col_rows": ("Rows", "Строк", "Жолдар"),
    "col_hidden_rows": ("Hidden rows", "Скрыто строк", "Жасырын жолдар"),
    "table_districts": ("districts", "районы", "аудандар"), "table_groups": ("groups", "группы", "топтар"),
    "table_scores": ("item scores", "баллы по вопросам", "сұрақтар бойынша балдар"),
    "table_score_differences": ("differences between groups", "разности между группами",
                                "топтар арасындағы айырмалар"),
    "table_banks": ("banks of the Esil", "берега Есиля", "Есіл жағалаулары"),
    "hidden": ("Hidden cells", "Скрытые ячейки", "Жасырын ұяшықтар"),
    "hidden_intro": (
        "For each hidden cell: the range in which its number of respondents and its total weight can lie, given "
        "everything published.",
        "Для каждой скрытой ячейки указаны пределы, в которых могут лежать число респондентов и суммарный вес с "
        "учётом всего опубликованного.",
        "Әр жасырын ұяшық үшін жарияланғанның бәрін ескергенде респонденттер саны мен жалпы салмақ жата алатын "
        "шектер көрсетілген."),
    "none_hidden": ("No cell is hidden.", "Ни одна ячейка не скрыта.", "Бірде-бір ұяшық жасырылмаған."),
    "col_city": ("City", "Город", "Қала"), "col_district": ("District", "Район", "Аудан"),
    "col_group": ("Group", "Группа", "Топ"), "col_n": ("Respondents", "Респонденты", "Респонденттер"),
    "col_weight": ("Weight", "Вес", "Салмақ"), "col_reason": ("Reason", "Причина", "Себеп"),
    "group_all": ("all respondents", "все респонденты", "барлық респонденттер"),
    "all_cities": ("all cities", "все города", "барлық қалалар"),
    **{f"city_{city}": (facts.names["en"], facts.names["ru"], facts.names["kk"]) for city, facts in CITY_FACTS.items()},
    "reason_threshold": ("too few respondents", "слишком мало респондентов", "респонденттер тым аз"),
    "reason_n_eff": ("effective sample size too small", "слишком мал эффективный размер выборки",
                     "тиімді іріктеме көлемі тым шағын"),
    "reason_dominance": ("one or two respondents dominate its weight", "вес определяют один-два респондента",
                         "салмағының басым бөлігі бір-екі респондентке тиесілі"),
    "reason_complement": ("hidden so that a small cell cannot be worked back",
                          "скрыта, чтобы малую ячейку нельзя было восстановить",
                          "шағын ұяшықты қайта есептеп шығаруға жол бермеу үшін жасырылды"),
    "reason_audit": ("hidden further after the audit", "скрыта дополнительно по итогам проверки",
                     "тексеру нәтижесінде қосымша жасырылды"),
    "left_out_line": ("{what}: left out, because {why}.", "{what}: не опубликовано, так как {why}.",
                      "{what}: жарияланбады, себебі {why}."),
    "out_indices": ("Segregation indices", "Индексы сегрегации", "Сегрегация индекстері"),
    "out_hexagons": ("H3 hexagons", "Шестиугольники H3", "H3 алтыбұрыштары"),
    "item_named": ("Score item {item}", "Вопрос {item}", "{item} сұрағы"),
    "why_too_few_answers": ("too few answered it for any of its figures to be published",
                            "на него ответило слишком мало людей, чтобы опубликовать хоть одну его цифру",
                            "оған жауап бергендер тым аз, сондықтан оның бірде-бір көрсеткішін жариялауға болмайды"),
    "hexagons_at": ("H3 hexagons, resolution {r}", "Шестиугольники H3, разрешение {r}",
                         "H3 алтыбұрыштары, ажыратымдылығы {r}"),
    "why_hidden_cells": ("they would narrow hidden cells", "это сузило бы интервалы скрытых ячеек",
                         "бұл жасырын ұяшықтардың аралықтарын тарылтар еді"),
    "why_small_hexagons": ("some hexagons have fewer than {n} respondents",
                           "в некоторых шестиугольниках число респондентов меньше {n}",
                           "кейбір алтыбұрыштарда респонденттер саны {n} мәнінен аз"),
    "versions": ("Versions", "Версии", "Нұсқалар"), "left_out": ("Left out", "Не опубликовано", "Жарияланбағандар"),
    "audited_with": ("Audited together with the earlier versions: {versions}.",
                     "Проверено вместе с предыдущими версиями: {versions}.",
                     "Бұрынғы нұсқалармен бірге тексерілді: {versions}."),
    "version_rule": ("Rule between versions: {rule}", "Правило для версий: {rule}",
                     "Нұсқалар арасындағы ереже: {rule}"),
    "version_rule_difference": (
        "Between any two versions served, the difference must hold either no respondent or at least {n} in "
        "every cell both versions show.",
        "Разность любых двух выпущенных версий в каждой ячейке, которую показывают обе, должна охватывать либо "
        "ни одного респондента, либо не меньше {n}.",
        "Кез келген екі жарияланған нұсқаның айырмасы екеуі де көрсететін әр ұяшықта не бірде-бір респондентті "
        "қамтымауы, не кемінде {n} респондентті қамтуы тиіс."),
    "audit": ("Audit", "Проверка", "Тексеру"), "solver": ("Solver", "Решатель", "Шешуші"),
    "programs": ("Linear programs solved", "Решено задач линейного программирования",
                 "Шешілген сызықтық бағдарламалау есептері"),
    "seconds": ("Time", "Время", "Уақыт"), "seconds_value": ("{s} s", "{s} с", "{s} сек"),
    "passes": ("Passes", "Число проходов", "Өту саны"),
    "all_protected": ("Every hidden cell keeps the required margin.",
                      "Каждая скрытая ячейка сохраняет требуемый запас.",
                      "Әр жасырын ұяшық талап етілген қорын сақтайды."),
    "not_protected": ("Not every hidden cell keeps the required margin: this release must not go out as it is.",
                      "Не все скрытые ячейки сохраняют требуемый запас: в таком виде выпуск публиковать нельзя.",
                      "Кейбір жасырын ұяшықтар талап етілген қорын сақтамайды: бұл шығарылымды осы күйінде "
                      "жариялауға болмайды."),
    "limits": ("What this check does not cover", "Чего эта проверка не учитывает",
               "Бұл тексеру ескермейтін жайттар"),
    "limit_known_answers": (
        "The audit assumes the attacker knows nothing about individual respondents' answers; someone who knows "
        "the answers of a few respondents can narrow the intervals.",
        "Проверка исходит из того, что злоумышленник ничего не знает об ответах отдельных респондентов; тот, "
        "кому известны ответы хотя бы нескольких из них, может сузить интервалы.",
        "Тексеру шабуылдаушы жекелеген респонденттердің жауаптары туралы ештеңе білмейді деп есептейді; "
        "бірнеше респонденттің жауабын білетін адам аралықтарды тарылта алады."),
    "limit_second_moments": (
        "Standard errors carry second-moment information, which the audit does not model.",
        "Стандартные ошибки несут сведения о вторых моментах, а проверка их не моделирует.",
        "Стандартты қателерде екінші моменттер туралы мәлімет бар, ал тексеру оны есепке алмайды."),
    "limit_zero_cells": (
        "A published zero tells that nobody in that cell gave that answer.",
        "Опубликованный ноль означает, что в этой ячейке никто не дал такого ответа.",
        "Жарияланған нөл бұл ұяшықта ешкім мұндай жауап бермегенін білдіреді."),
}
