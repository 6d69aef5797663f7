"""People and quote speakers by rules: invented sentences, one per principle (issue 11, rules round 4)."""

from __future__ import annotations

from service.highlights.lexicon import is_speech_participle, is_speech_verb, tokenize
from service.highlights.quotes import find_quotes
from service.text.segment import Sentence
from tests.unit.rules import LEXICON, entities, people


def speakers(*sentences: str) -> list[str | None]:
    found = entities(*sentences)
    sents = [Sentence(n, s, n, None) for n, s in enumerate(sentences)]
    return [q.speaker for q in find_quotes(sents, found.people, found.organizations, LEXICON)]


# -- the frequency data ------------------------------------------------------------------------------


def test_the_generated_list_holds_inflecting_words_not_repeated_foreign_names() -> None:
    names = LEXICON.names
    assert all(names.is_word(w) for w in ("عدم", "ينفي", "حكومي", "نجح"))
    assert not any(names.is_mostly_word(w) for w in ("ترامب", "ماكرون", "نتنياهو", "محمد", "سعيد"))


# -- a title and what follows it ---------------------------------------------------------------------


def test_a_verb_or_a_word_after_a_title_is_no_person() -> None:
    assert people("وزير المالية ينفي فرض ضرائب جديدة على الوقود.") == []
    assert people("وقال مسؤول حكومي إن المفاوضات ستستأنف الأسبوع المقبل.") == []
    assert people("وأكد المدرب أن الفريق نجح في تجاوز الأزمة رغم الغيابات.") == []


def test_an_indefinite_title_and_its_nisba_adjective_are_no_person() -> None:
    assert people("وقال نائب برلماني إن الجلسة تأجلت.") == []


def test_prepositions_in_noun_form_are_no_name_after_a_title() -> None:
    assert people("وقف اللاعب أمام الجماهير بعد المباراة.") == []


def test_a_foreign_family_name_that_news_repeats_stays_a_name() -> None:
    assert people("قال الرئيس ترامب إن الاتفاق قريب.") == ["ترامب"]
    assert "دونالد ترامب" in people("دعا مستشار الرئيس الأمريكي دونالد ترامب إلى وقف القتال.")


def test_a_title_in_construct_drops_the_article() -> None:
    assert "سامي رزق" in people("وأكد قاضي المحكمة العليا سامي رزق أن الجلسة علنية.")


def test_idafa_and_prepositional_complements_before_the_apposition() -> None:
    got = people("وقال مدير مكتب الزراعة في المحافظة، هشام نصار، إن الموسم جيد.")
    assert got == ["هشام نصار"]


def test_a_ta_marbuta_is_no_pronoun_on_a_title() -> None:
    # محافظة is a governorate, not محافظ + "his": no name is read after it.
    assert people("وصل الوفد إلى محافظة الجبل الأخضر صباح اليوم.") == []


def test_a_time_of_day_after_a_title_is_no_woman() -> None:
    assert people("وأصدر قاضي المحكمة الجزائية صباح اليوم حكمه.") == []


# -- where a name ends ---------------------------------------------------------------------------------


def test_tanween_and_a_future_verb_end_a_name() -> None:
    assert "سامر خليل" in people("عقد الوزير سامر خليل لقاءً موسعاً مع التجار.")
    assert "نبيل فارس" in people("الرئيس نبيل فارس سيستقبل الوفد غدا.")


def test_a_word_glued_to_wa_coordinates_and_ends_the_name() -> None:
    got = people("حضر الجلسة القاضي ماهر عزت وبحضور ممثل النيابة.")
    assert "ماهر عزت" in got and not any("وبحضور" in p for p in got)


def test_a_nasab_chain_is_one_name() -> None:
    got = people("استقبل الأمير فهد بن سلطان بن عبد العزيز آل سعود الوفد الزائر.")
    assert len(got) == 1 and got[0].startswith("فهد بن سلطان بن عبد العزيز")


def test_abd_and_its_definite_word_are_one_given_name() -> None:
    assert "عبد الرحيم عبد المجيد" in people("وقال المحامي عبد الرحيم عبد المجيد إن موكله بريء.")


def test_a_given_name_glued_to_wa_starts_a_second_person() -> None:
    got = people("قضت المحكمة بسجن رامي الصالح، المدير السابق، وعمرو عبد الغفار حسين، رئيس القطاع السابق.")
    assert "عمرو عبد الغفار حسين" in got and not any(p.startswith("و") for p in got)


def test_a_person_re_mentioned_by_given_and_fathers_name_is_one_person() -> None:
    got = people(
        "أدانت المحكمة خالد عبد الكريم منصور بتهمة الرشوة.",
        "وأوضح المصدر أن خالد عبد الكريم يحاكم محبوسا.",
    )
    assert got == ["خالد عبد الكريم منصور"]


def test_a_place_named_after_a_person_is_no_person() -> None:
    assert people("وقع الانفجار في محافظة صلاح الدين شمال بغداد.") == []


def test_a_foreign_name_in_apposition_before_a_title() -> None:
    assert "خوان ميرادو" in people("عبر خوان ميرادو، مدرب فريق الوحدة، عن رضاه بالأداء.")


def test_without_a_title_a_frequent_word_is_no_family_name() -> None:
    assert people("وقدم الفريق أداء جيدا في الجولة العاشرة من عمر الدوري.") == []


# -- quote speakers ------------------------------------------------------------------------------------


def test_the_class_of_speech_words() -> None:
    for verb in ("أبان", "تساءل", "ويقول", "وأردف", "جدد"):
        assert is_speech_verb(tokenize(verb)[0]), verb
    for participle in ("مبرزاً", "متسائلا", "مضيفةً", "مشددة"):
        assert is_speech_participle(tokenize(participle)[0]), participle


def test_a_speakers_name_in_quote_marks_after_the_verb() -> None:
    got = speakers(
        "أرجع سمير حداد، المدير الفني للفريق، الخسارة إلى الإرهاق.",
        "وقال «حداد»، في المؤتمر الصحفي: «المباراة كانت صعبة على الجميع».",
    )
    assert got == ["سمير حداد"]


def test_relayed_words_belong_to_an_anonymous_source() -> None:
    got = speakers("ونقلت وكالة الأنباء الرسمية عن مصدر أمني قوله «إن المسلحين فروا إلى الجبال القريبة».")
    assert got == [None]


def test_a_definite_nisba_refers_back_to_the_last_speaker() -> None:
    got = speakers(
        'وقال المدرب الإسباني خوان ميرادو: "كانت مواجهة صعبة للغاية علينا".',
        'وأكمل الإسباني قائلا: "سنعود أقوى في المباراة المقبلة".',
    )
    assert got == ["خوان ميرادو", "خوان ميرادو"]


def test_a_participle_shares_the_subject_of_its_sentence_not_a_nearer_noun() -> None:
    got = speakers(
        'وأضاف المصدر أن "عناصر الأمن أحبطت هجوما على نقطة التفتيش فجر اليوم"، مشيرا إلى أن "القوات الأمنية'
        ' قتلت المهاجمين جميعا قبل وصولهم إلى الهدف".'
    )
    assert got == [None, None]


def test_an_anonymous_source_gives_no_speaker() -> None:
    assert speakers("وقال مصدر أمني إن «الهجوم استهدف نقطة تفتيش قرب المدينة».") == [None]


def test_a_body_or_place_named_after_a_person_is_no_person() -> None:
    assert people("وافتتح المحافظ مستشفى الملك فهد الجديد في المدينة.") == []
    assert "محمد أبو سلمية" in people("وقال مدير مستشفى الشفاء محمد أبو سلمية إن الوضع صعب.")


def test_a_kunya_takes_its_second_word_whatever_its_form() -> None:
    assert people("وقال أبو عبيدة إن المعركة مستمرة.") == ["أبو عبيدة"]


def test_an_alias_in_brackets_is_the_same_person() -> None:
    assert people("وحضر القائد سالم الحارثي (أبو علي) الاجتماع.") == ["سالم الحارثي"]


def test_abd_and_its_definite_word_take_a_foreign_family_name() -> None:
    assert "عبد المجيد تبون" in people("وتوجه الرئيس عبد المجيد تبون بكلمة إلى الشعب.")


def test_the_accusative_of_a_frequent_word_is_an_adverb() -> None:
    assert people("وأعلن النادي التعاقد مع اللاعب البرازيلي رسميا.") == []
    assert people("وندد الرئيس التونسي تنديدا شديدا بالهجوم.") == []


def test_an_abbreviated_title_and_a_definite_plural_after_the_name() -> None:
    assert people("تلا وزير الإعلام المحامي د. سمير نادر المقررات الرسمية للجلسة.") == ["سمير نادر"]


def test_after_abd_and_its_word_a_definite_word_is_the_family_name() -> None:
    assert people("أثار البرلماني عبد النبي الشرقاوي موضوع الأسعار.") == ["عبد النبي الشرقاوي"]


def test_a_first_participle_belongs_to_the_sentences_first_person() -> None:
    got = speakers(
        "أثار النائب عبد النبي الشرقاوي، عن حزب الحركة، موضوع تضارب المصالح في المناصب العليا، متسائلا"
        " “هل تضارب المصالح حلال على البعض وحرام على الآخرين”."
    )
    assert got == ["عبد النبي الشرقاوي"]


def test_a_second_verb_without_subject_keeps_the_sentences_speaker() -> None:
    got = speakers(
        "صرح سامي نادر، رئيس الحكومة، أن موقع الأسرة في صلب أولويات الحكومة كما أكد أن “الأزمات ستمر وما سيبقى"
        " هو ما سيتم إنجازه للأسر”."
    )
    assert got == ["سامي نادر"]


def test_a_definite_participle_after_a_title_is_no_family_name() -> None:
    assert people("وقال الطبيب المعالج إن حالة المريض مستقرة.") == []
    assert people("وقال الوزير المقداد إن الحكومة ترحب بالمبادرة.") == ["المقداد"]


def test_a_preposition_and_a_noun_with_its_pronoun_is_no_name() -> None:
    assert people("وهنأ الأمير الرئيس المنتخب بفوزه في الانتخابات.") == []


def test_a_coordinated_given_name_needs_an_attested_family_name() -> None:
    assert people("وأكد على حسن النية بين الطرفين وحسن الجوار.") == []


def test_facilities_prizes_and_institutions_named_after_people_are_no_people() -> None:
    assert people("وأقيمت الصلاة في مسجد عمر بن الخطاب وسط المدينة.") == []
    assert people("وأقيم الحفل في قصر الأمير سلطان بن عبد العزيز.") == []
    assert people("وفاز الفريق بكأس محمد السادس للأندية.") == []
    assert people("وقال مدير مدرسة خالد بن الوليد إن الدوام طبيعي.") == []
    # «عن طريق» is "by way of": the name after it is a person's.
    assert people("وتقدم الفريق عن طريق محمد صلاح في الدقيقة العاشرة.") == ["محمد صلاح"]


def test_a_name_after_an_office_s_body_is_still_read() -> None:
    assert "مجد سمير جرجس" in people("وحضر الجلسة القاضي ماهر عزت وأمانة سر مجد سمير جرجس.")


def test_role_nouns_of_the_whole_class_introduce_names() -> None:
    assert people("وقال القيادي في الحركة سامي الطريقي إن المؤتمر تأجل.") == ["سامي الطريقي"]
    assert people("وأكد عضو مجلس النواب حسن سالم أن الجلسة علنية.") == ["حسن سالم"]
    assert speakers("وأورد المراسل فادي نصار أن “الاشتباكات تجددت في الأحياء الشرقية للمدينة”.") == ["فادي نصار"]


def test_a_frequent_given_name_and_a_word_no_frequency_list_knows() -> None:
    assert people("وتمكن حميد أزرقان من تسجيل هدف الفوز.") == ["حميد أزرقان"]
    assert people("وكتب يوسف رسالة إلى أصدقائه.") == []


def test_compound_given_names_with_al_din_are_no_construct_title() -> None:
    assert "نجم الدين عبدالله" in people("ودعا دكتور نجم الدين عبدالله إلى وقف القتال.")


def test_a_foreign_name_may_start_with_lam_but_a_verbal_noun_ends_the_name() -> None:
    assert "جان إيف لودريان" in people("والتقى الموفد الفرنسي جان إيف لودريان بالرئيس.")
    assert people("كما قام وزير الخارجية، نبيل عمار باستلام نسخة من أوراق الاعتماد.") == ["نبيل عمار"]


def test_function_words_numbers_and_nouns_with_pronouns_are_no_names() -> None:
    assert people("ووصف الزعيم مقتل رئيس حكومته بالجريمة.") == []
    assert people("واستهدف القصف اجتماع زعيم الجماعة، مما أدى إلى مقتل رئيس الوزراء و9 وزراء.") == []


def test_a_person_in_the_subject_before_the_body_of_the_title() -> None:
    got = speakers("قال عضو المجلس السياسي الأعلى محمد علي سالم إن “الحكومة ذات سيادة تامة ولا تتلقى الإملاءات”.")
    assert got == ["محمد علي سالم"]


def test_a_phrase_right_after_the_verb_leaves_its_subject_implicit() -> None:
    got = speakers(
        "قال النائب محمد علي سالم إن الحكومة مستقلة.",
        "وأكد في مقابلة مع قناة الجزيرة أن “صنعاء ترحب بأي دولة تريد أن تقدم مبادرة للسلام”.",
    )
    assert got == ["محمد علي سالم"]


def test_a_circumstantial_clause_after_the_subject_names_nobody() -> None:
    got = speakers('وقال الخطيب وهو عضو المكتب السياسي للحزب الاشتراكي: "لقد انغمس بيننا أناس لا يعرفون معنى الدولة".')
    assert got == [None]


def test_an_arabic_given_name_does_not_run_into_a_frequent_word() -> None:
    assert people("وقدم وليد استقالته أمس.") == []
    assert people("وأعلن هشام بدء الحملة.") == []
    assert "فلاديمير بوتين" in people("وقال الرئيس الروسي فلاديمير بوتين إن الحرب ستنتهي.")


def test_a_preposition_glued_to_a_function_word_ends_the_name_even_if_spelled_like_a_surname() -> None:
    assert people("قال سامح شكري وزير الخارجية، نندد بأي خطوات لفرض واقع جديد.") == ["سامح شكري"]


def test_a_bare_word_with_namesakes_stays_a_family_name_and_an_opinion_is_no_verb() -> None:
    assert people("قال المتحدث باسم مجلس الوزراء، أشرف سلطان، إن الاجتماع انتهى.") == ["أشرف سلطان"]
    assert not is_speech_verb(tokenize("رأي")[0]) and is_speech_verb(tokenize("ورأى")[0])


def test_a_family_name_that_is_a_word_is_closed_by_an_apposition() -> None:
    # Family names are often common nouns or titles (the judge, the agent); after a title and a given name, a
    # comma opening an apposition (a role, or «أنّ») closes the name with that word in it.
    assert people("كلف العميد سامي القاضي، مدير الأمن، بمتابعة الملف.") == ["سامي القاضي"]
    assert people("وحضر المهندس خالد نادي، مدير القسم، الاجتماع.") == ["خالد نادي"]
    assert people("وقال للصحفي يوسف الوكيل، أنه وقع ليلا.") == ["يوسف الوكيل"]
    # Without the comma the frequent word is not taken into the name, nor a plural noun before one.
    assert people("كلف العميد سامي القاضي بمتابعة الملف.") == ["سامي"]
    assert people("وكرم العميد سامي الفائزين، مدير المدرسة حاضر.") == ["سامي"]


def test_a_nasab_takes_the_fathers_name_and_the_familys_nisba() -> None:
    # After «son/daughter of» the father's name follows even when it is a title word (الشيخ), and after the
    # father's name a rare definite word is the family's name (a nisba: الهنائية).
    assert people("وقالت الدكتورة فاطمة بنت سالم الهنائية إن البحث انتهى.") == ["فاطمة بنت سالم الهنائية"]
    assert people("وقال الرئيس أحمد ولد الشيخ الكرباوي إن الحادث وقع.") == ["أحمد ولد الشيخ الكرباوي"]
    # A frequent definite word after the nasab is the verb's object, not a family name.
    assert people("واستقبل خالد بن سلطان الوفد الزائر.") == ["خالد بن سلطان"]
    assert people("وعين سيدي ولد أحمد الحكومي رئيسا.") == ["سيدي ولد أحمد"]


def test_an_attribution_after_the_quote_names_its_speaker() -> None:
    # «…»، وفق/بحسب X: the attribution right after the quotation, whoever spoke before it.
    got = speakers(
        "وقال الوزير سامي الخطيب إن الطريق مغلق.",
        "وأشار العميد نادر السالم إلى حادث آخر.",
        "«تم فتح الطريق أمام السيارات بعد ساعتين»، وفق الخطيب.",
    )
    assert got == ["سامي الخطيب"]
    got = speakers("«الوضع تحت السيطرة في كل المناطق»، بحسب العميد نادر السالم.")
    assert got == ["نادر السالم"]


def test_a_nasab_ends_before_the_verbs_object() -> None:
    # After the father's name a frequent definite word is the verb's object; after «آل X» the name is complete.
    assert people("واستقبل الشيخ تميم بن حمد الوفد الزائر.") == ["تميم بن حمد"]
    assert people("واستقبل الأمير فيصل بن عبد العزيز آل سعود الوفد.") == ["فيصل بن عبد العزيز آل سعود"]
    assert people("وقال الشيخ سلطان بن محمد القاسمي إن الخطة جاهزة.") == ["سلطان بن محمد القاسمي"]


def test_egyptian_spelling_and_honorifics_name_nobody() -> None:
    # فى is في in Egyptian spelling, a preposition; معالي, فخامة, سمو are forms of address before a title.
    assert people("وحضر اللواء خالد سعيد وزير التنمية فى هذا الشأن.") == ["خالد سعيد"]
    assert people("وقال وزير الصحة معالي د.أحمد بن محمد الراشدي أن الخطة جاهزة.") == ["أحمد بن محمد الراشدي"]
    assert people("وقالت معالي الوزيرة إن الخطة جاهزة.") == []


def test_nouns_for_ordinary_people_introduce_a_name() -> None:
    # News names citizens, children, the dead and the accused after such a noun, as it names officials after a title.
    assert people("وأصيب المواطن سالم الجبوري بجروح.") == ["سالم الجبوري"]
    assert people("وقال الحاج عبد الرحمن الزين إن المحصول جيد.") == ["عبد الرحمن الزين"]
    assert people("وقال المواطن العادي إن الأسعار ارتفعت.") == []
    assert people("واعتقلت الشرطة المتهم الرئيسي في القضية.") == []


def test_servant_of_and_a_divine_name_are_one_given_name() -> None:
    # عبد + a divine name is one given name even when that word is frequent on its own (الإله، الكريم).
    assert people("وقال عبد الإله الكتاني إن الحكومة مستمرة.") == ["عبد الإله الكتاني"]
    assert people("وقال رئيس الحكومة عبد الإله الكتاني إن") == ["عبد الإله الكتاني"]
    # A father's compound name ends the nasab before the verb's object.
    assert people("واستقبل فيصل بن عبد العزيز الوفد.") == ["فيصل بن عبد العزيز"]


def test_umm_without_its_word_is_the_conjunction() -> None:
    # أم written without hamza at a name's end is "or", not a kunya; أم كلثوم keeps it.
    assert people("هل يتعلق الامر بالرئيس البشير ام بالمصالح؟") == ["البشير"]
    assert people("وقالت أم كلثوم إن الحفل تأجل.") == ["أم كلثوم"]


def test_a_surname_alone_between_a_speech_verb_and_the_speech_is_a_person() -> None:
    # Speech verb + one surname (attested, or a foreign word no frequency list knows) + what is said.
    assert people("وتابع الكتاني: نحن مستعدون للحوار.") == ["الكتاني"]
    assert people("وقال لافروف إن الحوار ممكن.") == ["لافروف"]
    assert speakers("وقال الوزير نادر السالم إن الوضع صعب.", 'وتابع الكتاني: "نحن مستعدون للحوار مع الجميع".') == [
        "الكتاني"
    ]
    # Frequent words, bodies and a preposition glued to a word stand there too.
    assert people("وقال المصدر إن الحرب مستمرة.", "وقال مسؤولون إن الحرب مستمرة.", "وقال للصحفيين إن") == []
    assert people("وأضاف البيان أن الحرب مستمرة.", "وقالت مصادر إن الحرب مستمرة.") == []


def test_a_rare_family_name_in_ta_marbuta_is_no_feminine_noun() -> None:
    # Tribal family names often end in ة (الطراونة، المعايطة); a frequent feminine word there ends the name.
    assert people("وقال محمد الطراونة إن الموسم انتهى.") == ["محمد الطراونة"]
    assert people("وقال محمد الجديدة إن الموسم انتهى.") == []


def test_a_quotation_naming_a_case_or_event_is_no_speech() -> None:
    # After a noun it names (a case, a seminar's topic, a title), a quoted span of any length is a name.
    assert speakers('وقضت المحكمة بسجن المتهمين في قضية "تهريب الآثار من المتحف الوطني خلال الأحداث".') == []
    assert speakers('وشارك الوزير سامي الخطيب في ندوة حول "دور الشباب في بناء المجتمع المدني الحديث".') == []
    # After a speech verb the same words are speech.
    assert speakers('وقال الوزير سامي الخطيب: "دور الشباب في بناء المجتمع المدني الحديث كبير".') == ["سامي الخطيب"]


def test_an_attribution_to_a_document_keeps_the_speaker() -> None:
    got = speakers(
        'وأكد الوزير سامي الخطيب على "أهمية التعاون بين البلدين في كل المجالات"، وفقا لبيان نشرته وزارة الخارجية.'
    )
    assert got == ["سامي الخطيب"]


def test_a_foreign_surname_after_a_title_before_the_speech() -> None:
    # One word between a title and what is said is the subject's name: not a participle for its م (ماكرون has
    # a long ā after it), not «ب + a place that is one only after a preposition».
    assert people("وقال الرئيس ماكرون إن الاتفاق ممكن.") == ["ماكرون"]
    assert people("وقال الرئيس بايدن إن الاتفاق ممكن.") == ["بايدن"]
    assert people("وقال الرئيس بدمشق إن الاتفاق ممكن.") == []
    assert people("وقال الرئيس مستنكرين إن") == []


def test_a_partial_quotation_inside_the_reported_clause_is_speech() -> None:
    # «اعتبر أن ما جرى "…"»: the quoted words are the speaker's, inside the clause the verb reports.
    got = speakers("واعتبر الوزير سامي الخطيب أن ما جرى في المدينة «جريمة بحق الإنسانية».")
    assert got == ["سامي الخطيب"]
    # A sentence with no speech verb keeps a short quoted span a term.
    assert speakers("ونظمت الجمعية أمس حملة «معا من أجل الوطن» في المدينة.") == []


def test_a_sentence_opening_with_a_person_gives_them_the_subjectless_verb() -> None:
    got = speakers(
        "وقال مدير المركز الوطني سامي الخطيب إن الوضع صعب.",
        "الخطيب وفي مقطع نشره المركز الوطني عبر حسابه، قال: «إن المركز تواصل مع كل الجهات المعنية».",
    )
    assert got == ["سامي الخطيب"]


def test_coordination_and_a_plural_title_end_a_name() -> None:
    # «و» + a name part starts a second person; a title in the dual or plural is the role they are given.
    assert people("وقال أحمد علي وسعيد حسن إن الاتفاق ممكن.") == ["أحمد علي", "سعيد حسن"]
    assert people("وعين المرسوم سالم ولد محمد وبا يوسف وزيرين.") == ["سالم ولد محمد"]
    assert people("وعين المرسوم أحمد سالم مستشارين.") == ["أحمد سالم"]


def test_and_after_a_full_name_joins_a_second_person() -> None:
    # «X Y وZ W»: like joined to like, so a given name that is also a word (أمل) starts a second person when a
    # rare family name follows; a frequent word after it keeps «and hope …» a phrase.
    assert people("وحضر الحفل جمال سليمان وأمل زعيتر.") == ["جمال سليمان", "أمل زعيتر"]
    assert people("وحضر الحفل جمال سليمان وأمل كبير في النجاح.") == ["جمال سليمان"]
