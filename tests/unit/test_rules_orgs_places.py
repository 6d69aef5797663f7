"""Organisations and places by rules (round 4): one invented sentence per principle, none from the corpus."""

from __future__ import annotations

from service.highlights.types import Entity
from tests.unit.rules import entities, orgs, places


def org(name: str, found: list[Entity]) -> Entity:
    return next(e for e in found if e.ar == name)


def test_the_head_class_is_broad() -> None:
    assert orgs("أصدرت النيابة العامة أمرا بضبط المتهم.") == ["النيابة العامة"]
    assert orgs("قالت دائرة الأراضي إن الطلبات زادت.") == ["دائرة الأراضي"]
    assert orgs("وأعلن تيار الإصلاح انسحابه من الحكومة.") == ["تيار الإصلاح"]


def test_general_is_an_adjective_unless_time_follows() -> None:
    assert orgs("وقالت مديرية الأمن العام إن الدوريات انتشرت.") == ["مديرية الأمن العام"]
    assert orgs("وأعلن الاتحاد العام التونسي للشغل إضرابا.") == ["الاتحاد العام التونسي للشغل"]
    assert orgs("ورفعت هيئة الرقابة العام الماضي الرسوم.") == ["هيئة الرقابة"]


def test_a_construct_chain_runs_to_its_definite_word() -> None:
    assert orgs("وقررت هيئة تنظيم قطاع الاتصالات خفض الأسعار.") == ["هيئة تنظيم قطاع الاتصالات"]
    assert orgs("ودعت لجنة حماية الصحفيين إلى الإفراج عنه.") == ["لجنة حماية الصحفيين"]
    # An adjective or a common word left open is no name: a group of young people, a terrorist group.
    assert orgs("وقالت مجموعة شباب إنهم غاضبون.") == []
    assert orgs("واتهمت جماعة إرهابية بالهجوم.") == []


def test_a_coordinated_complement_belongs_to_the_name() -> None:
    assert orgs("وفاز حزب النهضة والبناء بالمقعد.") == ["حزب النهضة والبناء"]
    # After a definite head the next words are adjectives: و + a noun starts a new phrase.
    assert orgs("وأشاد بالجبهة الوطنية والشباب.") == ["الجبهة الوطنية"]


def test_relative_adjectives_and_a_complement_follow_a_proper_noun() -> None:
    assert orgs("وأعلن مصرف سوريا المركزي سعرا جديدا.") == ["مصرف سوريا المركزي"]
    assert orgs("ووقعت شركة قطر للطاقة العقد.") == ["شركة قطر للطاقة"]
    assert orgs("ورفع بنك الكويت الفائدة.") == ["بنك الكويت"]


def test_a_head_before_a_known_body_names_it_and_a_body_of_it_stays_apart() -> None:
    found = entities("وقالت منظمة أطباء بلا حدود إن العيادة أغلقت.").organizations
    assert [e.ar for e in found] == ["أطباء بلا حدود"] and found[0].en == "Médecins Sans Frontières"
    assert "منظمة أطباء بلا حدود" in found[0].surface_forms
    assert orgs("وأشاد صندوق الأمم المتحدة للطفولة بالخطة.") == ["صندوق الأمم المتحدة للطفولة"]


def test_a_name_in_apposition_is_a_form_of_the_same_body() -> None:
    found = entities(
        'وأطلقت وكالة الفضاء الأوروبية "إيسا" مسبارا.', "وقالت إيسا في بيان إن المهمة نجحت.", 'ونشرت وكالة "إيسا" صورا.'
    ).organizations
    assert [e.ar for e in found] == ["وكالة الفضاء الأوروبية"]
    assert "إيسا" in found[0].surface_forms
    both = entities("وقالت شبكة BBC إن التقرير دقيق، وأضاف موقع BBC أن المصدر موثوق.").organizations
    assert len(both) == 1 and "BBC" in both[0].surface_forms


def test_names_are_written_as_the_text_spells_them() -> None:
    found = entities('ووقعت شركة "نور للطاقة" العقد.').organizations
    assert found[0].ar == 'شركة "نور للطاقة"' and "نور للطاقة" in found[0].surface_forms


def test_a_unit_named_by_its_place_is_a_place_and_a_generic_complement_no_body() -> None:
    e = entities("وأغلقت السلطات مركز مغاغة، وقال مدير مركز المدينة إن الشرطة تحقق.")
    assert [o.ar for o in e.organizations] == []
    assert [p.ar for p in e.places] == ["مغاغة"]
    assert orgs("وقالت قيادة شرطة المحافظة إنها تحقق.") == []
    assert orgs("وانعقد مجلس إدارة الشركة أمس.") == []
    assert orgs("وأكدت دائرة الاستخبارات وقيادة الجيش الخبر.") == ["دائرة الاستخبارات", "قيادة الجيش"]


def test_a_common_noun_after_a_cue_is_no_place() -> None:
    assert places("وخرجت المنطقة من دائرة التغطية.") == []
    assert places("ووصلت القافلة إلى منطقة البريقة.") == ["البريقة"]


def test_the_strip_is_one_place_with_its_city() -> None:
    found = entities("وانسحبت القوات من قطاع غزة، وعاد السكان إلى غزة.").places
    assert [p.ar for p in found] == ["قطاع غزة"]
    assert {"قطاع غزة", "غزة"} <= set(found[0].surface_forms)
    assert places("وقال إن قطاع التعليم تضرر.") == []


def test_the_definite_head_alone_refers_back_to_the_body() -> None:
    found = entities("وأعلن الائتلاف الوطني الديمقراطي مقاطعته.", "وقال الائتلاف إن قراره نهائي.").organizations
    assert len(found) == 1 and "الائتلاف" in found[0].surface_forms and found[0].mentions == 2


def test_an_outlet_is_the_quoted_name_a_statement_is_given_to() -> None:
    assert orgs('وقال مصدر أمني لـ"صوت الشعب" إن الهجوم فشل.') == ["صوت الشعب"]
    assert orgs('وقالت مراسلة "المشهد اليوم" إن الوضع هادئ.') == ["المشهد اليوم"]
    assert orgs('ودعا لـ"وقف الحرب" فورا.') == []


def test_after_a_definite_word_only_adjectives_continue_a_name() -> None:
    assert orgs("ورفع بنك الكويت الفائدة.") == ["بنك الكويت"]
    assert orgs("وأصدرت وزارة الصحة القرار.") == ["وزارة الصحة"]
    assert orgs("وأعلنت قوات الدفاع السريع الخبر.") == ["قوات الدفاع السريع"]
    assert orgs("وقالت الهيئة الوطنية العليا للانتخابات إن النتائج جاهزة.") == ["الهيئة الوطنية العليا للانتخابات"]
    assert orgs("وشهدت بورصة الدار البيضاء ارتفاعا.") == ["بورصة الدار البيضاء"]


def test_a_descriptor_of_standing_is_not_part_of_the_name() -> None:
    assert orgs("وسيطر المجلس العسكري المنحل على المقر.") == ["المجلس العسكري"]


def test_a_frequent_name_with_one_form_is_a_town_after_a_preposition() -> None:
    # مراكش is frequent in news but never takes the article: a town's name, not a common noun.
    assert places("وصل الوفد إلى مراكش مساء.") == ["مراكش"]
    # صور ("pictures", الصور) is a common noun too: only a cue makes it the town.
    assert places("ونشر الموقع صور الحادث.") == []
    # A frequent word with a clitic glued on (بأنه "that it") is no town.
    assert places("وأفاد بانه سيحضر.") == []


def test_public_spaces_and_landforms_after_their_cue() -> None:
    got = places("وتجمع المحتجون في ساحة الشهداء وميدان التحرير، وعبرت السفن مضيق باب المندب وبحر العرب.")
    assert {"ساحة الشهداء", "ميدان التحرير", "مضيق باب المندب", "بحر العرب"} <= set(got)
    assert not any(p.startswith("و") for p in got)  # the cue without its conjunction


def test_a_cue_that_is_an_everyday_noun_needs_a_proper_name() -> None:
    assert places("وأضاف السجلات إلى قاعدة البيانات.") == []
    assert places("وانطلقت الطائرات من قاعدة حميميم.") == ["قاعدة حميميم"]
    assert places("وقضت المحكمة بسجن خالد الراشد عاما.") == []


def test_a_name_joined_by_and_to_a_place_is_read_as_one() -> None:
    assert places("وزار الوفد القاهرة وحيفا.") == ["القاهرة", "حيفا"]
    # ب or ل glued on is no such evidence: a name of a person is not ب + a small town.
    assert places("وقال الرئيس بايدن إن الوضع صعب.") == []


def test_a_complement_keeps_its_own_adjective_and_coordinated_nouns() -> None:
    assert orgs("وأكد الجهاز المركزي للتعبئة العامة والإحصاء ارتفاع الأسعار.") == [
        "الجهاز المركزي للتعبئة العامة والإحصاء"
    ]
    assert orgs("وقال المعهد الوطني للطاقات المتجددة والنظيفة سمير البدوي إن المشروع جاهز.") == [
        "المعهد الوطني للطاقات المتجددة والنظيفة"
    ]


def test_a_conjunction_and_a_preposition_glued_to_a_name() -> None:
    found = entities("وأشاد الوزير بمنظمة الصحة العالمية وبصندوق النقد الدولي.").organizations
    assert [o.ar for o in found] == ["منظمة الصحة العالمية", "صندوق النقد الدولي"]
    assert found[1].surface_forms == ["صندوق النقد الدولي"]


def test_a_place_and_an_organisation_of_the_same_name() -> None:
    e = entities("وتقع شبه الجزيرة العربية جنوبا، ونزح الآلاف إلى مدينة برشلونة.", "وقال مراسل الجزيرة إن القصف مستمر.")
    assert [o.ar for o in e.organizations] == ["الجزيرة"]
    assert {"شبه الجزيرة العربية", "برشلونة"} <= {p.ar for p in e.places}


def test_a_formal_state_name_and_press_spellings_name_the_country() -> None:
    found = entities("وأكدت المملكة المغربية دعمها، وقال إن المغرب لن يتراجع.", "وزار الوفد سورية وسلطنة عمان.").places
    morocco = next(p for p in found if p.ar == "المغرب")
    assert {"المملكة المغربية", "المغرب"} <= set(morocco.surface_forms) and morocco.mentions == 2
    assert {"سوريا", "عُمان"} <= {p.ar for p in found}
    # «الدولة الإسلامية» names no country, and an adjective alone is no place.
    assert places("وأعلنت الدولة الإسلامية مسؤوليتها، ورحبت الحكومة المغربية.") == []


def test_a_compass_word_and_a_continent_are_one_region() -> None:
    found = entities("وتوسع النفوذ في جنوب شرق آسيا وشمال أفريقيا.").places
    assert [p.en for p in found] == ["Southeast Asia", "North Africa"]
    assert found[0].surface_forms == ["جنوب شرق آسيا"] and found[1].surface_forms == ["شمال أفريقيا"]


def test_the_body_of_a_unit_named_by_its_place() -> None:
    e = entities("وقرر مجلس محافظة البصرة إغلاق المعبر، وانتشرت الشرطة في قطاع كسلا.")
    assert [o.ar for o in e.organizations] == ["مجلس محافظة البصرة"]
    assert [(p.ar, p.surface_forms) for p in e.places] == [("قطاع كسلا", ["قطاع كسلا", "كسلا"])]


def test_an_adjective_agreeing_with_a_coordinated_noun_goes_on() -> None:
    assert orgs("وتنوه وزارة الداخلية والأمن الوطني بأن البيانات رسمية.") == ["وزارة الداخلية والأمن الوطني"]


def test_a_part_of_a_body_named_before_is_no_body() -> None:
    found = entities("وأعلنت وزارة النقل الخطة على موقع الوزارة وفي ديوان الوزارة.").organizations
    assert [o.ar for o in found] == ["وزارة النقل"]
    assert orgs("وتعاقد نادي الاتحاد مع لاعب.") == ["نادي الاتحاد"]


def test_descriptors_of_number_and_a_persons_rank_end_a_name() -> None:
    assert orgs("ورفعت قطاعات الشرطة المختلفة درجة الاستعداد.") == []
    assert orgs("وحضر وكيل وزارة الداخلية المساعد الاجتماع.") == ["وزارة الداخلية"]


def test_a_cue_or_a_title_alone_is_no_town_and_a_clitic_is_read_off_only_when_rarer() -> None:
    assert places("وجرت حملة في منطقة ميدان حولي بمشاركة جميع القطاعات.") == ["ميدان حولي"]
    assert places("وحضر وكيل الوزارة الاجتماع.") == []  # not و + the town كيل
    assert places("وزار الوفد القاهرة وتركيا.") == ["القاهرة", "تركيا"]


def test_for_after_a_bodys_adjective_is_part_of_its_name() -> None:
    assert orgs("وقال المجلس الوطني لحقوق الإنسان إن الاحتجاجات سلمية.") == ["المجلس الوطني لحقوق الإنسان"]
    assert orgs("وأحيل المتهم إلى مركز شرطة الخضراء لاتخاذ الإجراءات.") == ["مركز شرطة الخضراء"]


def test_a_list_of_coordinated_complements_goes_on() -> None:
    assert orgs("وقالت وزارة الإسكان والتعمير والنقل إن المشروع جاهز.") == ["وزارة الإسكان والتعمير والنقل"]


def test_a_unit_cue_takes_a_proper_name_only() -> None:
    assert places("ودعا إلى مقاطعة منتجات الشركة.") == []
    assert places("ووصلت القافلة إلى مقاطعة البريقة.") == ["البريقة"]


def test_a_construct_chain_closed_by_a_proper_name() -> None:
    assert orgs("ونظمت قيادة عمليات البريقة احتفالا.") == ["قيادة عمليات البريقة"]
    assert orgs("وقالت مجموعة شباب إنهم غاضبون.") == []


def test_an_adjective_of_scope_after_the_genitive_describes_it() -> None:
    assert orgs("ونفت قيادة العمليات المشتركة الخبر.") == ["قيادة العمليات المشتركة"]
    assert orgs("واجتمعت اللجنة المشتركة أمس.") == []


def test_a_frequent_place_with_a_clitic_is_the_place() -> None:
    # ومصر، بالرياض، والعراق are frequent words, but rarer than the names they carry: و/ب + the place.
    assert places("وتتابع ومصر الوضع في العراق وسوريا، واجتمع الوزراء بالرياض.") == [
        "مصر",
        "العراق",
        "سوريا",
        "الرياض",
    ]


def test_a_place_inside_an_events_name_is_no_place_mention() -> None:
    assert places("وتأهل الفريق إلى نهائي دوري أبطال أوروبا، وتحدث الوزير في مؤتمر ميونيخ للأمن.") == []
    assert places("وتحدث الوزير في مؤتمر عقد في ميونيخ.") == ["ميونيخ"]


def test_a_head_that_is_also_a_thing_needs_a_name_after_it() -> None:
    assert orgs("وقال شهود في موقع الحادث إن الصور انتشرت على شبكة الإنترنت، وأدى الوزير القسم الدستوري.") == []
    assert orgs("وقالت شبكة CNN إن قسم الشرطة فتح تحقيقا.") == ["شبكة CNN", "قسم الشرطة"]


def test_a_known_name_in_brackets_is_an_alias_only_of_the_same_body() -> None:
    found = entities("ونقلت وكالة الأنباء الكويتية (كونا) عن مسؤول قوله إن الاجتماع ناجح.").organizations
    assert [(o.ar, o.surface_forms) for o in found] == [("وكالة الأنباء الكويتية", ["وكالة الأنباء الكويتية", "كونا"])]
    # The agency that reported a ministry's statement is another body.
    assert orgs("وقالت وزارة الخارجية (رويترز) إن الوفد وصل.") == ["وزارة الخارجية", "رويترز"]


def test_an_indefinite_head_with_a_clause_or_adjective_names_nothing() -> None:
    # An imperfect verb after an indefinite head opens a relative clause; an indefinite nisba describes it.
    assert orgs("وقالت صحيفة تدعم المعارضة إن الحكومة فشلت.") == []
    assert orgs("وزار الوفد موقع سياحي في المدينة.") == []
    # An indefinite construct ends in a proper name, not in a common noun ("organising a conference").
    assert orgs("ودعا إلى تنظيم مؤتمر دستوري شامل.") == []
    assert orgs("ورفض قيادة حكومة جديدة.") == []
    # A proper name or a media brand's foreign word does close it.
    assert orgs("وقالت صحيفة تونس إن الوضع هادئ.") == ["صحيفة تونس"]


def test_a_definite_head_described_by_a_participle_is_no_name() -> None:
    assert orgs("وأكدت الشركة المنفذة أن العمل انتهى.") == []
    assert orgs("واجتمعت اللجنة المشكلة لهذا الغرض أمس.") == []
    # A complement makes it a name again, and armed forces are named by such an adjective.
    assert orgs("وقررت الهيئة المستقلة للانتخابات التأجيل.") == ["الهيئة المستقلة للانتخابات"]
    assert orgs("وقالت القوات المسلحة إنها ردت.") == ["القوات المسلحة"]


def test_a_broken_plural_continues_a_construct() -> None:
    # شؤون, ديون: -ون on a two-letter stem is a broken plural (a noun), not a sound plural adjective (معنيون).
    assert orgs("وقالت وزارة شؤون المرأة إن الخطة جاهزة.") == ["وزارة شؤون المرأة"]
    assert orgs("وقالت هيئة ديون الدولة إن العجز زاد.") == ["هيئة ديون الدولة"]
    assert orgs("وقالت لجنة معنيون بالملف إن العمل مستمر.") == []


def test_a_hospital_is_a_facility_not_an_organisation() -> None:
    # The corpus convention (ANERcorp's): a hospital, like a stadium or a bridge, is a place with its cue word.
    assert orgs("ونقل المصابون إلى مستشفى الرازي في المدينة.") == []
    assert orgs("وأعلنت وزارة الصحة افتتاح مستشفى الأمل.") == ["وزارة الصحة"]


def test_a_municipality_is_a_body() -> None:
    # بلدية X is the town's administration (it decides, it owes), unlike a district named by its place.
    assert orgs("وقررت بلدية صفاقس إغلاق السوق.") == ["بلدية صفاقس"]
    assert orgs("وقال رئيس بلدية الكرك إن الطرق مغلقة.") == ["بلدية الكرك"]


def test_a_body_named_after_a_person_takes_the_whole_name() -> None:
    # A head followed by a title and a name, or by a full name, is named after that person.
    assert orgs("وأعلنت جامعة السلطان قابوس نتائج القبول.") == ["جامعة السلطان قابوس"]
    assert orgs("وقدم مركز الملك سلمان للإغاثة مساعدات.") == ["مركز الملك سلمان للإغاثة"]
    assert orgs("وتبرعت مؤسسة محمد بن راشد للمعرفة بالكتب.") == ["مؤسسة محمد بن راشد للمعرفة"]
    # The person is no separate mention; a rank after a council still introduces the next person.
    assert entities("وقالت جامعة الملك سعود إن القبول بدأ.").people == []
    assert people_of("وقال مجلس السيادة الفريق أول ياسر حمدان إن") == ["ياسر حمدان"]


def people_of(*sentences: str) -> list[str]:
    return [e.ar for e in entities(*sentences).people]


def test_a_definite_head_takes_no_persons_name() -> None:
    assert orgs("أدانت المحكمة خالد عبد الكريم منصور بتهمة الرشوة.") == []


def test_a_name_cut_by_the_sentences_end_does_not_crash() -> None:
    # A head and a place's first word at the very end: the longer place spans must not read past the end.
    assert orgs("وقالت شرطة المدينة") == []
    assert orgs("وقالت شرطة المدينة المنورة") == ["شرطة المدينة المنورة"]


def test_a_descriptor_without_its_article_continues_no_chain() -> None:
    assert orgs("وافتتح مكتب جديد للهيئة في المدينة.") == []


def test_a_construct_ends_at_its_definite_word_before_a_new_unit() -> None:
    assert orgs("وأعلن ديوان الضرائب ولاية سنار زيادة الرسوم.") == ["ديوان الضرائب"]
    assert orgs("وقال مجلس محافظة البصرة إن الطرق مغلقة.") == ["مجلس محافظة البصرة"]


def test_a_part_of_a_body_named_before_is_no_name() -> None:
    # «X للوزارة»: the ministry's website, the company's assembly; a domain after ل still names a body.
    assert orgs("وذكر الموقع الإلكتروني للوزارة أن التسجيل بدأ.") == []
    assert orgs("وقال المجلس الأعلى للجامعة إن القبول بدأ.") == []
    assert orgs("وقالت الهيئة العامة للاستثمار إن القبول بدأ.") == ["الهيئة العامة للاستثمار"]


def test_a_titles_definite_genitive_with_a_portfolio_is_no_name() -> None:
    # رئيس الجامعة للدراسات: the university named before, and the office's portfolio after ل.
    assert orgs("وقال مدير الشركة للشؤون المالية إن الأرباح زادت.") == []
    assert orgs("وقالت نائبة رئيس الجامعة للدراسات العليا إن القبول بدأ.") == []
    # A body's own adjective before its complement keeps it a name.
    assert orgs("وقال رئيس الهيئة العامة للاستثمار إن القبول بدأ.") == ["الهيئة العامة للاستثمار"]


def test_li_before_a_definite_word_in_lam_keeps_the_article() -> None:
    # لِ + اللجنة is written للجنة: the name is «اللجنة …», not «لجنة …».
    assert orgs("وقدم الدعم للجنة الأولمبية الوطنية.") == ["اللجنة الأولمبية الوطنية"]
    assert orgs("ودعت لجنة حماية الصحفيين إلى الإفراج عنه.") == ["لجنة حماية الصحفيين"]
