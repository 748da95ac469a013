"""Hand-written gold cases for the sentence-splitter comparison (``bench/splitters.py``).

Each case is a list of sentences; the paragraph given to a splitter is the sentences joined
by one space, and the splitter is right when it gives back exactly these sentences.  The cases
cover what FLORES lacks: pre-1918 Russian orthography, French typography (guillemets,
non-breaking spaces before ``; : ! ?``), abbreviations, initials, ellipses, dashes, curly
quotes and Yiddish in Hebrew script.
"""

from __future__ import annotations

NBSP = "\u00a0"
NNBSP = "\u202f"

RU: list[list[str]] = [
    ["Въ 1905 г. онъ писалъ: «Всѣ рабочіе должны соединиться!»", "Это было въ Петербургѣ."],
    ["Проф. И. И. Ивановъ прочелъ докладъ.", "Всѣ слушали молча."],
    ["Что дѣлать?", "Этотъ вопросъ поставилъ Н. Г. Чернышевскій въ 1863 г. въ своемъ романѣ."],
    ["Онъ молчалъ…", "Потомъ сказалъ: «Нѣтъ»."],
    ["— Куда вы идете? — спросилъ онъ.", "— Домой."],
    ["Въ XIX в. Россія была аграрной страной.", "Фабрикъ было мало."],
    ["См. стр. 12 этой книги.", "Тамъ все сказано."],
    ["Т. е. ничего не измѣнилось.", "Рабочіе ждали..."],
    ["Партія (т. наз. «большевики») побѣдила.", "Міръ измѣнился."],
    ["Онъ родился въ 1870 г.", "Умеръ въ 1924 г."],
    ["Ленинъ писалъ въ газетѣ «Искра» № 4.", "Статья вызвала споры."],
    ["Зачѣмъ?!", "Никто не зналъ."],
]

FR: list[list[str]] = [
    ["M. Dupont est arrivé hier soir.", "Il a vu Mme Durand."],
    ["Voir p. 12 pour les détails.", "C'est clair."],
    [f"Il s'écria{NBSP}: «{NBSP}Vive la République{NBSP}!{NBSP}»", "Personne ne répondit."],
    [f"Que faire{NNBSP}?", f"Rien{NNBSP}!", "Attendre."],
    [f"Il dit{NBSP}: «{NBSP}Je viens{NBSP}; attends-moi.{NBSP}»", "Puis il partit."],
    [f"— Qui est là{NBSP}? demanda-t-il.", "— C'est moi."],
    ["Cf. le chapitre II du livre.", "Nous y reviendrons."],
    ["L'U.R.S.S. fut fondée en 1922.", "Lénine mourut en 1924."],
    ["Il hésita… puis continua.", "Personne ne le remarqua."],
    ["MM. Blum et Thorez parlèrent longtemps.", "La salle applaudit."],
    [f"Le 7 sept. 1935, il écrivit{NBSP}: «{NBSP}Tout est perdu.{NBSP}»", "Il se trompait."],
    ["Le XIXe s. fut celui de Hugo.", "Le suivant fut autre chose."],
]

EN: list[list[str]] = [
    ["See Vol. II No. 19 of the journal.", "It was printed in May."],
    ["The U.S.S.R. was founded in 1922.", "Lenin died in 1924."],
    ["Mr. Smith arrived on Jan. 5, 1936.", "He left the next day."],
    ["It was late, i.e. past midnight.", "Everyone slept."],
    ["He said, “We are ready.”", "Then he left."],
    ["Wait...", "What was that?"],
    ["The price rose by 9% in 1913.", "Output fell."],
    ["Dr. J. R. Smith wrote pp. 137-139 of the report.", "It was well received."],
    ["She hesitated… then went on.", "Nobody noticed."],
    ["Is it true?", "Yes — it is!", "Down with the trials!"],
    ["The meeting – held at 3 p.m. on Monday – was short.", "It ended early."],
    ["They spoke of wages, hours, etc., at length.", "Then they voted."],
    ["Cf. the letter of Sept. 7, 1935.", "It says the same."],
]

YI: list[list[str]] = [
    ["דאָס איז אַ זאַץ.", "און דאָס איז נאָך איינער!"],
    ["ווער ביסטו?", "איך בין אַ ייִד."],
    ["ד״ר כהן איז געקומען אין 1905.", "ער האָט לאַנג גערעדט."],
    ["ער האָט געזאָגט: „מיר וועלן קעמפן!“", "אַלע האָבן געשוויגן."],
    ["א. ליעסין האָט געשריבן אַ ליד.", "עס איז געווען שיין."],
    ["ער האָט געוואַרט…", "קיינער איז נישט געקומען."],
    ["אין יאָר 1917 איז געווען די רעוואָלוציע.", "דער צאַר איז געפֿאַלן."],
    ["װאָס איז דאָס?", "דאָס איז אַ בוך."],
    ["מע האָט געגעסן ברויט, פּוטער וכו׳.", "דערנאָך איז מען אַוועק."],
    ["די אַרבעטער — אַלע צוזאַמען — זענען געגאַנגען.", "דער שטרייק האָט אָנגעהויבן."],
    ["ש. אַנ־סקי האָט געשריבן „דער דיבוק“.", "די פּיעסע איז באַרימט."],
]

DE: list[list[str]] = [
    ["Dr. Müller kam am 5. Januar 1936 an.", "Er blieb zwei Tage."],
    ["Das ist z. B. ein Beispiel.", "Es gibt noch mehr."],
    ["Er sagte: „Wir sind bereit.“", "Dann ging er."],
    ["Die Preise stiegen um 9 % im Jahr 1913.", "Die Produktion fiel."],
    ["Was nun?", "Niemand wusste es."],
]

CASES: dict[str, list[list[str]]] = {"ru": RU, "fr": FR, "en": EN, "yi": YI, "de": DE}
