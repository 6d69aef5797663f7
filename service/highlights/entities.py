"""People, places and organisations, by rules: titles, attested names, appositions, gazetteers and head nouns.

Organisations are found first: a place word or nationality adjective inside an organisation's name
(وكالة الأنباء السعودية) is part of that name, not a place. Nationality adjectives alone are not places.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field

from service.highlights.lexicon import STOP, STOP_LIGHT, TIME_WORDS, Lexicon, Token, is_speech_verb, is_verb
from service.highlights.places import AFTER_CUE, ALWAYS, Gazetteer, Place
from service.highlights.types import Entities, Entity
from service.text.arabic import clitic_variants, light_normalize, normalize, strip_clitic

# A given name followed by an ال-word (محمد الحلبوسي) is a name for these common ones; for the rest
# (جمال الطبيعة, "the beauty of nature") the article must give a title first.
_STRONG_GIVEN = frozenset({"محمد", "احمد", "علي", "حسن", "حسين", "عمر", "عثمان", "خالد", "عبد", "ابو"})
_MAX_NAME_TOKENS = 4
_MAX_COMPLEMENTS = 4
_MAX_ORG_TOKENS = 7
# Particles inside a name: عبد الله، أبو زيد، فيصل بن فرحان، آل سعود.
_NAME_PARTICLES = frozenset({"بن", "ابن", "بنت", "ابو", "ال", "عبد", "ولد", "دي", "فان", "فون", "دو", "لا"})
# Pronoun suffixes a title can carry: وزعيمها، ورئيسه، مستشارهم.
_TITLE_SUFFIXES = ("هما", "هم", "ها", "ه")
# Prepositions after which a small town's name counts as the place (في قرية …, من بلدة …).
_PLACE_PREPOSITIONS = frozenset(
    {"في", "من", "الي", "قرب", "نحو", "شمال", "جنوب", "شرق", "غرب", "وسط", "داخل", "بمدينه", "حتي", "عبر"}
)
_QUOTES = "«»“”\"'„"
# A preposition carrying a pronoun after an ال-word makes it a relative clause (الوكالة المستولى عليها).
_RELATIVE_PREPOSITIONS = frozenset({"عليها", "عليه", "عليهم", "فيها", "فيه", "منها", "منه", "بها", "به", "لها", "له"})
# Words that begin compound place names (تل أبيض، رأس العين، عين عيسى، دير الزور، السيدة زينب).
_TOPONYM_PREFIXES = frozenset(
    {"تل", "راس", "عين", "دير", "كفر", "بيت", "بير", "ام", "ابو", "جسر", "سيدي", "السيده", "ذي", "ذو", "ذات"}
)
_REGNAL = frozenset({"الاول", "الثاني", "الثالث", "الرابع", "الخامس", "السادس"})
# Conjunctions of time that no name uses (… النجم بينما حجبه: after a title, no name follows).
_CONJUNCTIONS = frozenset({"بينما", "عندما", "بعدما", "حينما", "كلما", "طالما", "ريثما"})
# Words that name a country formally with its adjective (المملكة المغربية، الجمهورية التونسية). Not الدولة: «الدولة
# السورية» is the state's government more often than the country.
_STATE_WORDS = frozenset({"المملكه", "الجمهوريه", "السلطنه", "الاماره"})
_DIRECTIONS = frozenset({"شمال", "جنوب", "شرق", "غرب", "وسط"})
# The foreign words of media brands written after their Arabic name (شفق نيوز، الجزيرة نت).
_MEDIA_SUFFIXES = frozenset({"نيوز", "برس", "نت", "تايمز", "بوست", "تي", "اف", "ام"})
# Tanween (ً ٌ ٍ) marks an indefinite noun; news text never puts it on a proper name.
_TANWEEN = "\u064b\u064c\u064d"
# Prepositions and adverbs of place and time that are nouns in form (ظروف): never a name after a title.
_ADVERBIAL = frozenset(
    normalize(w)
    for w in (
        "رغم إثر اثر عقب وسط أمام امام خلف وراء فوق تحت قرب قبالة إزاء ازاء جراء بسبب نتيجة حيال تجاه لدى"
        " قرابة حوالي نحو زهاء إبان ابان طيلة طوال خلال أثناء اثناء بعيد قبيل عند بينما حين ريثما سوى عدا"
        # and the particles compounded with ما (مما أدى، فيما قال): function words, never a name
        " مما عما بما فيما كما لما ربما إنما انما طالما حينما عندما بينما"
    ).split()
)
# Facilities, prizes and institutions that are named after people (مسجد عمر بن الخطاب، كأس محمد السادس،
# شارع الحبيب بورقيبة، جائزة الملك فيصل): the person's name after them names the thing.
_NAMED_AFTER = frozenset(
    normalize(w)
    for w in (
        # (Not طريق: «عن طريق محمد …» is "by way of"; not بطولة or دورة: a player's feat, a session.)
        "شارع مسجد جامع مدرسة قاعة جسر ساحة دوار ميدان قصر حديقة متحف استاد ملعب مستشفى مطار ميناء مكتبة"
        " مجمع جائزة كأس مؤسسة مركز صندوق قاعدة سد حي مدينة جامعة كلية معهد أكاديمية مستوصف"
    ).split()
)
# The second words of compound given names (نجم الدين، سيف الإسلام، عبد الله): نجم الدين is no star.
_THEOPHORIC = frozenset(normalize(w) for w in "الدين الإسلام الله الرحمن".split())
# Independent pronouns: a preposition never takes them glued (به not بهو), so ب/ل + a pronoun is a word (بهي).
_PRONOUNS = frozenset({"هو", "هي", "هم", "هما", "هن", "انا", "نحن", "انت"})
# Particles of a nasab or a dynasty after which a name goes on (عبد العزيز بن سعود، حمد بن عيسى آل خليفة).
_NASAB = frozenset({"بن", "ابن", "بنت", "ال"})
_NASAB_LINKS = frozenset({"بن", "ابن", "بنت", "ولد"})  # "son/daughter of": the father's name follows
_NO_QUOTES = str.maketrans("", "", _QUOTES + "()")
# Who a statement is given to (قال لـ"…"، في تصريح لـ«…»): in news the quoted name after them is an outlet.
_TOLD = frozenset(
    {"قال", "قالت", "صرح", "صرحت", "اكد", "اكدت", "اوضح", "اوضحت", "اضاف", "اضافت", "كشف", "كشفت", "افاد"}
    | {"افادت", "ذكر", "ذكرت", "تصريح", "تصريحات", "حديث", "مقابله", "حوار"}
)
_REPORTERS = frozenset({"مراسل", "مراسله", "مراسلو", "مراسلي", "موفد", "موفده"})
# Adjectives of scope, jointness, size or novelty: after a body's head they describe the body and are no part of
# its name (اللجنة المشتركة، المركز الجديد); after its genitive they describe that (قيادة العمليات المشتركة).
_SCOPE_ADJECTIVES = frozenset(
    {"المشترك", "المشتركه", "الخاص", "الخاصه", "المحلي", "المحليه", "الجديد", "الجديده", "الكبير", "الكبيره"}
    | {"الموحد", "الموحده", "المتحد", "المتحده"}
)
# Heads that are also everyday words for a place or a thing (a site, a network, a station, a section or an
# oath): with only common nouns after them they name that thing (موقع الحادث، شبكة الإنترنت), not a body.
_THING_HEADS = frozenset({"موقع", "الموقع", "شبكه", "الشبكه", "محطه", "المحطه", "قسم", "القسم"})
_CLUB_HEADS = frozenset({"نادي", "النادي", "فريق", "منتخب"})
# A state's unique institutions: as a complement they name a body (قيادة الجيش، دائرة الاستخبارات), unlike a
# generic head that points back to a body named before (مجلس إدارة الشركة).
_STATE_BODIES = frozenset({"الجيش", "الشرطه", "الاستخبارات", "المخابرات", "الحرس", "القوات", "البرلمان"})
# «العام» after a name is the adjective "general" (الأمن العام) unless a word of time follows (العام الماضي).
_GENERAL = frozenset({"العام", "العامه"})
_MUNICIPAL = frozenset({"بلديه", "امانه"})  # a town's administration (بلدية، أمانة العاصمة): a body
_RELATIVES = frozenset({"الذي", "التي", "الذين", "اللذين", "اللتين", "اللذان", "اللتان", "اللواتي", "اللاتي"})
_YEAR_WORDS = frozenset({"الماضي", "المقبل", "الجاري", "الحالي", "المنصرم", "القادم"})
# Deictic place nouns: a head whose complement is one of them means "the city's …", no particular body.
_GENERIC_PLACES = frozenset(
    {"المدينه", "المحافظه", "المنطقه", "الولايه", "البلاد", "العاصمه", "القريه", "البلده", "الاقليم", "المديريه"}
    | {"الناحيه", "القضاء", "الحي"}
)


@dataclass
class _Found:
    canonical: str
    en: str | None = None
    forms: dict[str, None] = field(default_factory=dict)  # ordered set
    mentions: int = 0
    first: tuple[int, int] = (10**9, 0)
    words: tuple[str, ...] = ()  # normalised words of the canonical name (people)

    def to_entity(self) -> Entity:
        return Entity(self.canonical, self.en, list(self.forms), self.mentions)


def _key(normalized: str) -> str:
    return normalized.removeprefix("ال")


class EntityFinder:
    """Finds the entities of one article; every rule reads the same tokens."""

    def __init__(self, lexicon: Lexicon, gazetteer: Gazetteer) -> None:
        self.lex = lexicon
        self.gaz = gazetteer
        self.names = lexicon.names
        self._org_spans: list[set[int]] = []
        self._place_spans: list[set[int]] = []  # unknown names read after a place cue (بلدة تل حلف)
        # Titles in construct drop the article (عاهل المملكة، قاضي المحكمة): the listed «ال» titles without it,
        # but not those that are mostly words without it (أمام "in front of" beside الإمام).
        self._construct_titles = frozenset(
            t[2:]
            for t in lexicon.titles
            if t.startswith("ال")
            and len(t) >= 5
            and t[2:] not in lexicon.titles
            and not self.names.is_mostly_word(t[2:])
        )

    # -- shared ------------------------------------------------------------------------------------
    def _is_title(self, tok: Token) -> bool:
        for v in tok.variants:
            if v in self.lex.titles:
                return True
            for suffix in _TITLE_SUFFIXES:
                if suffix == "ه" and tok.light.endswith("ة"):
                    continue  # محافظة (a governorate) is no محافظ + ه: a ta marbuta is no pronoun
                if v.endswith(suffix) and len(v) - len(suffix) >= 3:
                    stem = v[: -len(suffix)]
                    # رئيسه → رئيس; the ة of وزيرة turns into ت before a suffix (وزيرتها).
                    if stem in self.lex.titles or (stem.endswith("ت") and stem[:-1] + "ه" in self.lex.titles):
                        return True
        return False

    def _place_at(self, span: Sequence[Token]) -> tuple[Place, str, int] | None:
        """The place these tokens name, its surface form (clitic off) and the context it needs."""
        rest = [t.norm for t in span[1:]]
        head = span[0]
        # A cue word or a frequent word is read as written: ولاية is not و + a town called لاية. A name of several
        # words is evidence enough for a clitic (وشمال إفريقيا).
        literal = self.gaz.cue(head.norm) is not None or (
            not rest
            and (
                any(self.gaz.cue(v) is not None for v in head.variants)  # وميدان: و + a cue
                or head.norm in self.gaz.not_places
            )
        )
        if not rest and ((literal and self.gaz.cue(head.norm) is not None) or self._is_title(head)):
            return None  # منطقة ميدان حولي، وكيل: a cue word or a title alone names no place
        for first in (head.norm,) if literal else head.variants:
            if (
                not rest
                and first != head.norm
                and (
                    self.gaz.zipf(head.norm) > self.gaz.zipf(first)
                    or (head.norm in self.lex.common_words and self.gaz.zipf(first) == 0.0)
                )
            ):
                # وكيل ("agent") is more frequent as written than as و + a town كيل: read it so; وسوريا is rarer
                # than سوريا, so it is و + سوريا.
                continue
            if hit := self.gaz.lookup([first, *rest]):
                if not rest and hit[1] > ALWAYS and first in self.lex.common_words:
                    continue  # في الأشهر: a frequent word, not the small town GeoNames spells the same way
                if not rest and hit[1] > ALWAYS and first != head.norm and self.gaz.is_common_noun(head.norm):
                    continue  # بأنه، لأول: a frequent word as written, not ب + a small town
                surface = " ".join([span[0].surface_for(first), *(t.surface for t in span[1:])])
                return hit[0], surface, hit[1]
        return None

    def _adjective(self, tok: Token) -> tuple[Place, str] | None:
        """The country a nationality adjective points to, with the adjective's surface form."""
        for variant in tok.variants:
            if place := self.gaz.adjective(variant):
                return place, tok.surface_for(variant)
        return None

    def _is_given(self, tok: Token) -> bool:
        return tok.light in self.lex.given_names or (tok.norm in self.names.given and tok.light not in STOP_LIGHT)

    def _is_unit(self, tok: Token) -> bool:
        """An attested part of a name (given name or surname)."""
        return self._is_given(tok) or self.names.is_surname(tok.norm) or tok.norm in _NAME_PARTICLES

    def _name_like(self, tok: Token) -> bool:
        return (
            tok.is_word
            and len(tok.bare) >= 2
            and tok.light not in STOP_LIGHT
            # Egyptian spelling writes a final ي as ى (فى، الذى): a function word so spelled is no name either
            # (the converse does not hold: علي is a name, على a preposition).
            and not (tok.light.endswith("ى") and tok.light[:-1] + "ي" in STOP_LIGHT)
            and tok.norm not in self.lex.not_names
            and tok.norm not in _CONJUNCTIONS
            and not self._is_title(tok)
            and not is_verb(tok)
            and not self._always_place(tok)
            and self._adjective(tok) is None
            and not any(v in self.lex.organization_heads for v in tok.variants)
            and self.gaz.cue(tok.norm) is None
            and not tok.surface.isdigit()
            and not tok.surface[0].isascii()
        )

    def _glued_word(self, tok: Token) -> bool:
        """Whether a word starting with ل or ب reads as that preposition glued to a known word or place."""
        rest = tok.norm[1:]
        return (
            len(rest) < 3
            or rest in self.lex.common_words
            or rest.startswith("ال")
            or self.gaz.lookup([rest]) is not None
            or self.names.is_unit(rest)
            or rest in STOP
        )

    def _speaking_name(self, toks: Sequence[Token], k: int) -> bool:
        """A ل/ب-word at k, before what is said, that reads as a preposition only through a place that is one only
        after a preposition: the subject's foreign name (الرئيس بايدن إن), not «in Eden»."""
        nxt = toks[k + 1] if k + 1 < len(toks) else None
        speaks = nxt is not None and (nxt.surface in ':«“"' or nxt.norm in _THAT)
        return speaks and toks[k].norm[:1] in "لب" and self._place_glued_only(toks[k])

    def _place_glued_only(self, tok: Token) -> bool:
        """Whether a ل/ب-word reads as the preposition only through a place that is one only after a preposition
        (بايدن: ب + إيدن), no common word, function word or name part."""
        rest = tok.norm[1:]
        hit = self.gaz.lookup([rest])
        return (
            hit is not None
            and hit[1] != ALWAYS
            and len(rest) >= 3
            and rest not in self.lex.common_words
            and not rest.startswith("ال")
            and not self.names.is_unit(rest)
            and rest not in STOP
        )

    def _is_word(self, tok: Token) -> bool:
        """A word first, not a name: a frequent word that inflects and is rarely a name (عدم، ينفي، حكومي), a
        frequent word no name uses, a future verb (سيستقبل), a word with tanween (لقاءً: names take none) or
        an adverbial accusative of a frequent word (تنديدا)."""
        norm = tok.norm
        # (Not the plain frequent-word list: it holds the foreign names news repeats, ترامب، أردوغان.)
        if self.names.is_word(norm):
            return True
        if any(c in tok.surface for c in _TANWEEN):
            return True
        if norm[:1] == "س" and norm[1:2] in "يتن" and self.names.is_word(norm[1:]):
            return True  # the future prefix س on an imperfect verb
        if _masdar_accusative(norm):
            return True
        if not norm.endswith("ا") or self._is_unit(tok):
            return False
        # رسميا، نهائيا: the accusative of a frequent word (رسمي، الرسمي) is an adverb.
        base = norm[:-1]
        return any(b in self.lex.common_words or self.names.is_mostly_word(b) for b in (base, "ال" + base))

    def _coordinated(self, tok: Token) -> bool:
        """A word glued to و that coordinates (… وبحضور، وزوجته): its reading without و is a known word,
        title or name part, so it starts a new phrase or person and never continues the name before it."""
        if not tok.norm.startswith("و") or len(tok.norm) < 4 or self._is_unit(tok):
            return False
        rest = tok.norm[1:]
        readings = {rest, *clitic_variants(rest)}
        return any(
            r in STOP
            or r.startswith("ال")
            or r in self.lex.common_words
            or self.names.is_word(r)
            or r in self.names.given
            or r in self.lex.titles
            for r in readings
        )

    def _feminine_or_pronoun(self, tok: Token) -> bool:
        """A final ة (a feminine noun: جديدة) or a pronoun ه on a known word (فريقه); a final ه on nothing known
        is part of a foreign name (يايسله)."""
        if tok.light.endswith("ة") or self._is_word(tok) or tok.norm[:-1] in self.lex.common_words:
            return True
        if tok.norm.endswith(("ته", "تها", "تهم", "تهما")):
            return True  # استقالته، حكومتها: a feminine noun's ت before a pronoun
        # حكومته، قيادتها: a feminine noun (حكومة) with a pronoun, its ة written ت before the suffix.
        noun = _without_pronoun(tok.norm)
        if noun.endswith("ت") and noun != tok.norm:
            noun = noun[:-1] + "ه"
        return noun != tok.norm and (noun in self.lex.common_words or self.names.is_mostly_word(noun))

    def _ends_name(self, tok: Token, after_given: bool = False) -> bool:
        """A word that cannot continue a name: an indefinite accusative (ممثلاً، ممثلا: a participle in
        -ا after م), or a frequent word no attested name uses (دعم، الوضع) — except, right after a lone given
        name, a frequent word that does not inflect: the foreign family names news repeats (دونالد ترامب)."""
        if tok.norm in _REGNAL or tok.norm in _NAME_PARTICLES:
            return False
        if self.names.is_word(tok.norm) or any(c in tok.surface for c in _TANWEEN):
            return True
        if self._is_unit(tok):
            return False
        if tok.surface.endswith(("اً", "ًا")) or (
            tok.norm.startswith("م") and tok.norm.endswith("ا") and len(tok.norm) >= 5
        ):
            return True
        frequent = tok.norm in self.lex.common_words or tok.bare in self.lex.common_words
        return frequent and not (after_given and not tok.norm.startswith("ال"))

    def _common_noun(self, tok: Token) -> bool:
        """A word frequent in general text that is no attested name (الاستخبارات، التغطية; not محمد)."""
        return self.gaz.is_common_noun(tok.bare) and not self._is_unit(tok)

    def _always_place(self, tok: Token) -> bool:
        hit = self._place_at([tok])
        return hit is not None and hit[2] == ALWAYS

    # -- people ------------------------------------------------------------------------------------
    def _read_name(self, toks: Sequence[Token], j: int, after_title: bool) -> list[Token]:
        """A person's name starting at j: a given name and what follows, or after a title a foreign name."""
        if j >= len(toks) or not self._name_like(toks[j]) or any(c.isdigit() for c in toks[j].surface):
            return []  # و9: a number glued to و is no name
        first = toks[j]
        name = [first]
        k = j + 1
        # A nasab's particles do not count: عبد العزيز بن سعود بن نايف is one name of four names.
        while k < len(toks) and _span(name) < _MAX_NAME_TOKENS:
            tok = toks[k]
            if after_title and self._closed_family_name(toks, k, name):
                # اللواء سامي القاضي، مدير الأمن: a family name that is also a word or a title (the judge)
                name.append(tok)
                k += 1
                break
            linked = len(name) >= 2 and name[-1].norm in _NASAB_LINKS
            if linked and tok.is_word and self._is_unit(tok) and not is_verb(tok) and not tok.norm.startswith("و"):
                name.append(tok)  # ولد الشيخ، بن الأمير: after «son of» comes the father's name, even a title word
                k += 1
                continue
            if len(name) >= 3 and name[-2].norm in _NASAB_LINKS and self._family_nisba(tok):
                name.append(tok)  # فاطمة بنت سالم الهنائية: after the father's name, the family's (nisba) name
                k += 1
                break
            if not self._name_like(tok):
                break
            if len(name) >= 2 and name[-2].norm == "ال" and name[-1].norm not in _NAME_PARTICLES:
                break  # … آل سعود: the house's name closes the nasab
            after_father = (len(name) >= 3 and name[-2].norm in _NASAB_LINKS and name[-1].norm != "عبد") or (
                len(name) >= 4 and name[-3].norm in _NASAB_LINKS and name[-2].norm == "عبد"  # بن عبد العزيز
            )
            definite = tok.norm.startswith("ال") and tok.norm not in _NAME_PARTICLES | _THEOPHORIC
            if after_father and definite and not self._family_nisba(tok):
                break  # الشيخ تميم بن حمد الوفد: after the father's name a frequent word is the verb's object
            if name[-1].norm == "عبد" and tok.norm.startswith("ال") and len(tok.norm) >= 4 and tok.norm not in STOP:
                # عبد الإله، عبد الكريم: «servant of» and a divine name are one given name, a frequent word or not
                name.append(tok)
                k += 1
                if not self._name_goes_on(toks, k, tok):
                    break
                continue
            if name[-1].norm == "ابو" and not tok.norm.startswith(("و", "لل", "بال")):
                name.append(tok)  # أبو سلمية، أبو عبيدة: a kunya's second word is a name whatever its form
                k += 1
                continue
            # عبد النبي العيدودي: after a compound given name (عبد + its word) an ال-word is the family name.
            family = len(name) >= 2 and name[-2].norm == "عبد" and not self.names.is_mostly_word(tok.norm)
            if tok.norm.startswith("ال") and not (after_title or family or self._is_unit(tok)) and len(name) >= 2:
                break
            # A word glued to و starts a new phrase (… وهو، وزوجته), never a name's next part; so do a
            # preposition glued to a definite word (للتعاون) and a feminine noun that is no name (جديدة).
            if tok.norm.startswith(("لل", "بال", "كال", "فال")) and not self._is_unit(tok):
                break
            # (a foreign name may start with ل or ب: جان إيف لودريان; only a known word after the letter ends it)
            glued = self._glued_word(tok) or _masdar(tok.norm[1:]) or self.names.is_mostly_word(tok.norm[1:])
            if len(name) >= 2 and tok.norm.startswith(("ب", "ل")) and not self._is_unit(tok) and glued:
                break  # محمد ناهيري [بتسجيل] هدف
            if tok.norm.startswith("ال") and tok.norm.endswith(("ات", "ون", "ين")) and not self._is_unit(tok):
                break  # بول مرقص المقررات: a definite plural is a noun, the verb's object, not a family name
            if self._coordinated(tok) or tok.norm in TIME_WORDS:
                break  # … وبحضور: a new phrase; … صباح اليوم: an adverb of time follows the verb's arguments
            glued_stop = tok.norm[1:] in STOP and tok.norm[1:] not in _PRONOUNS  # بأي، لمن — but بهي is no ب + هي
            # (ب + a function word is the preposition even when a rare surname is spelled so: بأي، لمن)
            if tok.norm[:1] in "لب" and (glued_stop or (not self._is_unit(tok) and self._is_word(tok))):
                break  # بأي، لمزيد: a preposition glued to a word
            # (a rare definite word in ة after a name is a family's name, الطراونة, not a feminine noun)
            family_in_a = tok.norm.startswith("ال") and self._family_nisba(tok)
            if tok.norm.endswith("ه") and not self._is_unit(tok) and self._feminine_or_pronoun(tok) and not family_in_a:
                break
            if tok.norm.startswith("و") and not self._is_unit(tok) and tok.norm[1:] in self.lex.common_words:
                break  # تضامن وتنسيق: a word glued to و coordinates nouns, it does not continue a name
            stem = tok.norm[:-2] if tok.norm.endswith(("ين", "ان", "ون")) else ""
            if stem and not self._is_unit(tok) and (stem in self.lex.titles or "ال" + stem in self.lex.titles):
                break  # … يحيى وزيرين: a title in the dual or plural is the role the sentence gives them
            rest = tok.norm[1:]
            conjunct = len(rest) <= 2 or self.names.is_unit(rest)
            if len(name) >= 2 and tok.norm.startswith("و") and not self._is_unit(tok) and conjunct:
                break  # محمد ولد عثمان وبا …، أحمد علي وسعيد …: «and» a second person, not this name's part
            if tok.norm == "باسم":
                break  # … عبدالله باسم قائد القوات: "on behalf of", not the given name Basim
            if self._construct_title(toks, k):
                break  # … آل سعود عاهل المملكة: a title in construct starts the apposition
            # A foreign given name (rarely attested in the Arab world's index: دونالد، فلاديمير) may go on into a
            # frequent uninflected word, the family name news repeats (ترامب); an Arabic one may not (هشام بدء).
            after_given = len(name) == 1 and self._is_given(name[0]) and not self.names.is_frequent_given(name[0].norm)
            if self._ends_name(tok, after_given) or (self._is_word(tok) and tok.norm not in _REGNAL | _NAME_PARTICLES):
                break
            name.append(tok)
            k += 1
            ends_here = tok.norm not in _NAME_PARTICLES | _THEOPHORIC  # نجم الدين عبدالله: the name goes on
            if tok.bare.startswith("ال") and ends_here and not self._name_goes_on(toks, k, tok):
                break  # a family name with the article ends the name
        # (أم without its word is the conjunction "or" written without hamza, not a kunya: البشير ام …)
        while name and (name[-1].norm in _NAME_PARTICLES or name[-1].norm == "ام"):
            name.pop()
        if not name:
            return []
        if after_title:
            head = name[0]
            if len(name) == 1 and head.norm in TIME_WORDS:
                return []  # قاضي المحكمة صباح اليوم: the time of day, not a woman named Sabah
            # A frequent word with a plural or feminine ending (شاركوا، مشاركين) is a word; without one it may be
            # a foreign name news repeats (ترامب), so the plain frequency list alone does not reject it.
            inflected = head.norm.endswith(("وا", "ون", "ين", "ات")) and head.norm in self.lex.common_words
            if head.norm in _ADVERBIAL or inflected:
                return []
            if (self._is_word(head) or self.names.is_mostly_word(head.norm)) and not self._is_given(head):
                return []  # وزير الخارجية ينفي، مسؤول حكومي، الفريق نجح: a word, not a name
            # الرئيس بايدن إن: one word between a title and what is said is the subject's name, so a place read
            # after the preposition must be a place whatever precedes it (ب + دمشق), not one only so read (ب + إيدن)
            glued = self._glued_word(head) and not (len(name) == 1 and self._speaking_name(toks, k - 1))
            if (
                not self._is_unit(head)
                and (
                    (head.norm[:1] in "لب" and glued)  # برصد وميض: a preposition and a noun
                    or (
                        head.norm.startswith("و")
                        and (
                            head.norm[1:] in self.lex.common_words
                            or head.norm[1:] in STOP
                            or self._coordinated(head)
                            or head.norm.endswith(_TITLE_SUFFIXES)  # ونجله: "and his son", a new phrase
                        )
                    )
                    or head.norm.endswith(("هم", "ها", "هما"))  # منعهم: a noun with a pronoun
                    # (a participle has no long ā right after its م: ماكرون is a name, مقاتلون a participle)
                    or (
                        head.norm.startswith("م")
                        and head.norm.endswith(("ين", "ون"))
                        and len(head.norm) >= 6
                        and head.norm[1:2] != "ا"
                    )
                )
            ):
                return []  # مستنكرين: a plural participle
            if len(name) == 1:
                tok = name[0]
                nxt = toks[k] if k < len(toks) else None
                construct = nxt is not None and nxt.is_word and nxt.norm.startswith("ال") and nxt.norm not in STOP
                if construct and not self.names.is_frequent_given(tok.norm):
                    return []  # رئيس قطاع الهندسة، سفير خادم الحرمين: a noun in construct, the office
                # A lone surname after a title: not a common noun with ة, not a preposition-glued word.
                if tok.norm.endswith("ه") and not self._is_unit(tok) and self._feminine_or_pronoun(tok):
                    return []
                if tok.norm[:1] in "لب" and not self._is_unit(tok) and glued:
                    return []  # الرئيس لبنان / بالقرار: a preposition glued to a word, not a surname
                if tok.norm.startswith("ال") and not self.names.is_surname(tok.norm):
                    return []
                if _participle(tok.norm):
                    return []  # الطبيب المعالج، المهندس المشرف: a participle describing the title
                noun = _without_pronoun(tok.norm[1:])
                if tok.norm[:1] in "لب" and (noun in self.lex.common_words or self.names.is_mostly_word(noun)):
                    return []  # الرئيس المنتخب بفوزه: a preposition, a noun and its pronoun
            return name
        if not self._is_given(first) or len(name) < 2:
            return []
        strong = first.norm in _STRONG_GIVEN or first.light in self.lex.given_names
        weak = first.norm in self.names.common_given and not strong
        # عبد الإله بنكيران: «عبد» and its word are one given name; the checks below are on the family name after it
        second = name[2] if first.norm == "عبد" and len(name) >= 3 else name[1]
        if weak and not (
            second.norm in _NAME_PARTICLES
            or (self.names.is_frequent_given(second.norm) and second.norm not in self.names.common_given)
        ):
            return []  # فتح آفاق، أمل كبير: a common word first needs a second given name (جمال عبد الناصر)
        if second.bare.startswith("ال") and not (strong or self.names.is_surname(second.norm)):
            return []
        definite_word = second.bare.startswith("ال") and self.names.is_mostly_word(second.bare)
        if definite_word or self.names.is_word(second.norm):
            # عمر الدوري، تحية العلم: without a title, a given name and a frequent definite word are a noun
            # phrase ("the league's age"); a bare word with namesakes (أشرف سلطان) stays a family name
            return []
        if not (strong or self._is_unit(second) or self._rare_family_name(first, second)):
            return []
        return name

    def _closed_family_name(self, toks: Sequence[Token], k: int, name: Sequence[Token]) -> bool:
        """After a title and an attested given name, one more word closed by a comma that opens an apposition (a
        title or «أنّ/إنّ») is the family name even when it is a frequent word: family names are often common
        nouns (القاضي، الوكيل، نادي), and title, given name and apposition are evidence enough."""
        tok = toks[k]
        if len(name) != 1 or not self._is_given(name[0]) or k + 2 >= len(toks):
            return False
        comma, nxt = toks[k + 1], toks[k + 2]
        if comma.surface not in _COMMAS or not nxt.is_word:
            return False
        apposition = self._is_title(nxt) or nxt.norm in _THAT or any(v in _THAT for v in nxt.variants)
        return (
            apposition
            and tok.is_word
            and not tok.surface[0].isascii()
            and not any(c.isdigit() for c in tok.surface)
            and tok.light not in STOP_LIGHT
            and not is_verb(tok)
            and tok.norm not in TIME_WORDS
            and not any(c in tok.surface for c in _TANWEEN)
            and not tok.norm.endswith(("ات", "ون", "ين", "ها", "هم"))  # a plural or a pronoun: a noun phrase
            and not tok.norm.startswith(("لل", "بال", "و"))
            and self._adjective(tok) is None
            and not self._always_place(tok)  # (a name that is also a rare toponym elsewhere stays a name: نادي)
        )

    def _surname_speaks(self, toks: Sequence[Token], k: int) -> bool:
        """Between a speech verb and what is said (a colon, «أنّ/إنّ», a quote mark), one word that is a surname:
        attested in the name index or, without the article, in no frequency list (a foreign surname); never a
        frequent word, a title, a body, a place or a nationality (وقال المصدر، وأضاف البيان، وقال مسؤولون)."""
        if k + 1 >= len(toks) or not toks[k].is_word:
            return False
        tok, nxt = toks[k], toks[k + 1]
        if not (nxt.surface in ':«“"' or nxt.norm in _THAT or nxt.norm in ("ان", "انه", "انها")):
            return False
        norm = tok.norm
        if (
            len(norm) < 4
            or norm in STOP
            or tok.light in STOP_LIGHT
            or norm.startswith(("لل", "بال", "وال", "فال"))
            or (norm[:1] in "بل" and self._glued_word(tok))  # لوكالة: the one spoken to
            or (norm[:1] in "وف" and (self._coordinated(tok) or norm[1:] in self.lex.common_words))
            or self._is_title(tok)
            or is_verb(tok)
            or self._is_word(tok)
            or norm in self.lex.common_words
            or tok.bare in self.lex.common_words
            or self.gaz.is_common_noun(tok.bare)
            or self.names.is_mostly_word(norm)
            or self._adjective(tok) is not None
            or self._place_at([tok]) is not None
            or any(v in self.lex.organization_heads for v in tok.variants)
            or any(tok.norm == seq[0] for seq in self.lex.organizations)
            or tok.surface[0].isascii()
            or any(c.isdigit() for c in tok.surface)
            or norm.endswith(("ون", "ين", "ات"))
        ):
            return False
        return self.names.is_surname(norm) or not norm.startswith("ال")

    def _family_nisba(self, tok: Token) -> bool:
        """A definite word that can be a family's name after a nasab (X بن Y …): one that no frequency list knows
        (a family nisba such as الهنائية is rare in general text), no nationality, place, title or plural."""
        norm = tok.norm
        if not tok.is_word or not norm.startswith("ال") or norm in STOP or len(norm) < 5:
            return False
        if self._is_title(tok) or is_verb(tok) or self._adjective(tok) is not None or self._place_at([tok]):
            return False
        if norm.endswith(("ات", "ون", "ين")) or norm in TIME_WORDS or any(c in tok.surface for c in _TANWEEN):
            return False  # a plural or a time word: the sentence goes on
        # (the object after a name, الوفد، الاجتماع, is a frequent word; a family's nisba, الهنائية, is not)
        return not (
            norm in self.lex.common_words
            or tok.bare in self.lex.common_words
            or self._is_word(tok)
            or self.gaz.is_common_noun(tok.bare)
            or self.names.is_mostly_word(norm)
        )

    def _rare_family_name(self, first: Token, second: Token) -> bool:
        """A frequent given name that is no common word (يسري، حميد) and then a word no frequency list knows
        (بوزوق، أحداد): a family name too rare for the index, not a word, since words are frequent."""
        return (
            self.names.is_frequent_given(first.norm)
            and first.norm not in self.names.common_given
            and len(second.norm) >= 3
            and not second.norm.startswith(("ال", "و", "ب", "ل", "ف", "ك"))
            and not second.norm.endswith("ه")
            and second.norm not in self.lex.common_words
            and second.norm not in self.names.words
            and not self._is_word(second)
        )

    def _name_goes_on(self, toks: Sequence[Token], k: int, tok: Token) -> bool:
        """After an ال-word, whether the name still goes on: a regnal number before ابن (عبدالله الثاني ابن
        الحسين) or a father's given name before the family's (جابر الأحمد الصباح)."""
        nxt = toks[k] if k < len(toks) else None
        if nxt is None or not nxt.is_word:
            return False
        if nxt.norm in _NASAB and k + 1 < len(toks) and toks[k + 1].is_word and self._is_unit(toks[k + 1]):
            return True  # عبد العزيز بن سعود، الثاني ابن الحسين، بن عبد العزيز آل سعود: the nasab goes on
        if k >= 2 and toks[k - 2].norm == "عبد" and not self._is_word(nxt) and nxt.norm not in self.lex.common_words:
            return True  # عبد المنعم عبد المقصود: «عبد» and its ال-word are one given name, the family name follows
        father = tok.norm.removeprefix("ال")
        return (
            father in self.names.given
            and father in _STRONG_GIVEN | self.lex.given_names
            and nxt.norm.startswith("ال")
            and self.names.is_surname(nxt.norm)
            and nxt.norm not in self.lex.not_names
        )

    def _after_title(self, toks: Sequence[Token], i: int) -> list[Token]:
        """The name a title at i introduces, its complements skipped (وزير الخارجية الفرنسي، جان نويل بارو)."""
        j, skipped = i + 1, 0
        while j < len(toks) and skipped < _MAX_COMPLEMENTS:
            tok = toks[j]
            if not tok.is_word:
                break
            if tok.norm in ("باسم", "لشوون", "للشوون"):
                j += 1
                skipped += 1
                continue
            if _abbreviated_title(toks, j):
                j += 2  # وزير الإعلام المحامي د. بول مرقص: «د.» is the title دكتور abbreviated
                skipped += 2
                continue
            if self._is_given(tok) and not tok.norm.startswith("ال"):
                break
            if self._definite_given(toks, j):
                break  # والي تونس الشاذلي بوعلاق: a Maghrebi given name with the article starts the name
            if tok.norm == "في" and j + 1 < len(toks) and toks[j + 1].bare.startswith("ال") and skipped:
                j += 2  # مدير مكتب الثقافة في المحافظة، …: a prepositional complement
                skipped += 2
                continue
            complement = (
                tok.bare.startswith("ال")
                # مدير مكتب …، مدير مدرسة …: the office's body; a name after it is the body's (checked below)
                or (skipped == 0 and any(v in self.lex.organization_heads or v in _NAMED_AFTER for v in tok.variants))
                or self.gaz.cue(tok.norm) is not None  # وكيل محافظة البيضاء، رئيس بلدية تونس
                or self._adjective(tok) is not None
                or (self._place_at([tok]) is not None and not self._speaking_name(toks, j))
                or tok.norm in ("باسم", "لشوون", "للشوون", "عام")
                or tok.norm in self.lex.not_names  # اللواء ركن، الفريق أول
                or self._is_title(tok)
            )
            if not complement:
                break
            j += 1
            skipped += 1
        comma = j < len(toks) and toks[j].surface == "،" and skipped > 0
        if comma:
            j += 1  # apposition: وزير الخارجية الفرنسي، جان نويل بارو،
        if j < len(toks) and self._glued_given(toks[j]):
            return []  # …، وزير الإعلام السابق، وعمرو …: a second person, coordinated, not this title's name
        name = self._read_name(toks, j, after_title=True)
        if comma and len(name) == 1 and not self._is_unit(name[0]):
            return []  # after a comma a name needs an attested part or two words: «المحافظة، تصدت» is a clause
        if (
            len(name) == 1
            and j == i + 1
            and not toks[i].bare.startswith("ال")
            and name[0].norm.endswith("ي")
            and not self._is_unit(name[0])
        ):
            return []  # نائب إطاري، مسؤول حكومي: an indefinite noun and its nisba adjective
        if not name and skipped:
            # الرئيس الأسد: the one word after the title was the surname, not a complement.
            tok = toks[i + 1]
            nxt = toks[i + 2] if i + 2 < len(toks) else None
            boundary = nxt is None or not nxt.is_word or nxt.norm in STOP or is_verb(nxt)
            if (
                boundary
                and tok.norm.startswith("ال")
                and not _participle(tok.norm)
                and self.names.is_surname(tok.norm)
                and tok.norm not in self.lex.not_names
                and self._adjective(tok) is None
                and self._place_at([tok]) is None
            ):
                name = [tok]
        return name

    def _construct_title(self, toks: Sequence[Token], i: int) -> bool:
        """A title without the article in construct with a definite noun (عاهل المملكة، قاضي المحكمة)."""
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        return (
            any(v in self._construct_titles for v in toks[i].variants)
            and nxt is not None
            and nxt.is_word
            and nxt.bare.startswith("ال")
            and nxt.norm not in STOP
            and nxt.norm not in _THEOPHORIC
        )

    def _definite_given(self, toks: Sequence[Token], j: int) -> bool:
        """An attested given name with the article (الشاذلي، الحبيب، الهادي) followed by an attested name part
        that is no word (بوعلاق): the name starts here, not a complement of the title."""
        tok = toks[j]
        nxt = toks[j + 1] if j + 1 < len(toks) else None
        return (
            tok.norm.startswith("ال")
            and tok.norm in self.names.given
            and not self.names.is_mostly_word(tok.norm)
            and self._name_like(tok)
            and nxt is not None
            and self._name_like(nxt)
            and not nxt.norm.startswith("ال")
            and self._is_unit(nxt)
            and not self._is_word(nxt)
        )

    def _glued_given(self, tok: Token) -> bool:
        """A given name with the conjunction و glued on (وعمرو، وأحمد): a further person starts here."""
        rest = tok.norm[1:]
        return (
            tok.norm.startswith("و")
            and not self._is_unit(tok)
            and len(rest) >= 3
            # a frequent given name only: وشكر is "and he thanked", not و + a rare name شكر
            and (self.names.is_frequent_given(rest) or light_normalize(tok.surface[1:]) in self.lex.given_names)
            and not self.names.is_mostly_word(rest)
        )

    def _after_cue(self, toks: Sequence[Token], i: int) -> bool:
        """Whether a place cue or a facility's head stands right before i, a title between allowed (ملعب محمد
        الخامس، محافظة صلاح الدين، مستشفى الملك فهد، جامعة الملك سعود): a place or body named after a person."""
        k = i - 1
        if k >= 1 and self._is_title(toks[k]):
            k -= 1
        prev = toks[k] if k >= 0 else None
        if prev is None or not prev.is_word:
            return False
        if any(self.gaz.cue(v) for v in prev.variants) or any(v in _NAMED_AFTER for v in prev.variants):
            return True
        # An indefinite head in construct (مستشفى، جامعة، مركز): the name that follows is the body's.
        return not prev.bare.startswith("ال") and any(v in self.lex.organization_heads for v in prev.variants)

    def _foreign_apposition(self, toks: Sequence[Token], k: int, i: int) -> list[Token]:
        """Two or three unknown words before «، title» (خوسيه سييرا، مدرب …): a name, when none of them is a
        word, an article-word or a preposition-glued word, and a boundary stands before them."""
        run = list(toks[k + 1 : i])
        if not 2 <= len(run) <= 3:
            return []
        before = toks[k] if k >= 0 else None
        if before is not None and before.is_word and not (before.light in STOP_LIGHT or is_verb(before)):
            return []
        for tok in run:
            if (
                self._is_word(tok)
                or self.names.is_mostly_word(tok.norm)
                or tok.norm.startswith(("ال", "و"))
                or (tok.norm[:1] in "لب" and self._glued_word(tok))
                or (tok.norm.endswith("ه") and self._feminine_or_pronoun(tok))
            ):
                return []
        return run

    def _people_in(self, toks: Sequence[Token], org: set[int]) -> list[list[Token]]:
        names: list[list[Token]] = []
        position = {t.start: n for n, t in enumerate(toks)}
        i = 0
        while i < len(toks):
            tok = toks[i]
            name: list[Token] = []
            if i in org:
                i += 1
                continue
            if (
                self._is_title(tok) or self._construct_title(toks, i) or _abbreviated_title(toks, i)
            ) and not self._after_cue(toks, i):
                name = self._after_title(toks, i)
            elif tok.surface == "،" and i + 1 < len(toks) and self._is_title(toks[i + 1]) and names:
                pass
            elif tok.surface == "،" and i + 1 < len(toks) and self._is_title(toks[i + 1]):
                # Apposition: علي أكبر أحمديان، أمين المجلس ...
                k = i - 1
                while k >= 0 and i - k <= _MAX_NAME_TOKENS and self._name_like(toks[k]):
                    k -= 1
                start = next((m for m in range(k + 1, i) if self._is_given(toks[m])), None)
                if start is not None and i - start >= 2:
                    names.append(list(toks[start:i]))
                elif start is None and (run := self._foreign_apposition(toks, k, i)):
                    names.append(run)
            elif self._after_cue(toks, i):
                # ملعب محمد الخامس، قصر الأمير سلطان بن عبد العزيز: a place named after a person; its whole
                # name is passed over, so that no part of it is read as a person either.
                if self._is_title(tok):
                    named = [tok, *self._after_title(toks, i)]
                elif self._is_given(tok):
                    named = self._read_name(toks, i, after_title=False)
                else:
                    named = []  # أمانة سر مجد …: the word after the head is no name, the next may be one
                i += max(len(named), 1)
                continue
            elif tok.norm in _NASAB and i > 0 and toks[i - 1].is_word and self._is_unit(toks[i - 1]):
                pass  # … حسين بن عبدالله: a nasab particle continues the name before it, it starts none
            elif self._is_given(tok):
                name = self._read_name(toks, i, after_title=False)
            elif (
                names
                and i > 0
                and toks[i - 1] is names[-1][-1]
                and len(names[-1]) >= 2
                and tok.norm.startswith("و")
                and not self._is_unit(tok)
                and self._is_given(_unglued(tok))
            ):
                # جمال سليمان وأمل عرفة: «and» right after a full name joins a like to a like, so a given name
                # that is also a word (أمل "hope") begins the second person; it still needs a family name
                window = [_unglued(tok), *toks[i + 1 : i + 1 + 2 * _MAX_NAME_TOKENS]]
                second = self._read_name(window, 0, after_title=True)
                family = second[1] if len(second) >= 2 else None
                frequent = family is not None and (
                    family.norm in self.lex.common_words
                    or self.gaz.is_common_noun(family.bare)
                    or self.names.is_mostly_word(family.norm)
                )
                name = second if family is not None and not frequent else []
                if not name and self._glued_given(tok):
                    name = self._read_name(window, 0, after_title=False)
            elif self._glued_given(tok):
                window = [_unglued(tok), *toks[i + 1 : i + 1 + 2 * _MAX_NAME_TOKENS]]
                name = self._read_name(window, 0, after_title=False)
                if any(t.norm.startswith("ال") and not self.names.is_surname(t.norm) for t in name[1:]):
                    name = []  # وحسن الجوار: "and good neighbourliness"; no family name is attested
            elif is_speech_verb(tok) and i + 1 < len(toks) and self._is_given(toks[i + 1]):
                name = self._read_name(toks, i + 1, after_title=False)
            elif is_speech_verb(tok) and self._surname_speaks(toks, i + 1):
                name = [toks[i + 1]]  # وتابع الكتاني: "…": a person the article names by surname alone
            at = position.get(name[0].start) if name else None
            if at is not None and at != i and self._after_cue(toks, at):
                name = []  # المحافظ مستشفى الملك فهد: the name after the complements is the hospital's
            if at is not None and at >= 2 and toks[at - 1].surface == "(" and names and names[-1][-1] is toks[at - 2]:
                name = []  # عبدالرحمن المحرمي (أبو زرعة): an alias in brackets after a name is that person
            if name:
                names.append(name)
                # (a position map, not toks.index: one name costs O(1), so a sentence stays linear)
                end = position.get(name[-1].start)
                i = max(i + 1, end + 1) if end is not None and toks[end] is name[-1] else i + 1
            else:
                i += 1
        return names

    def people(self, sentences: Sequence[Sequence[Token]]) -> list[Entity]:
        """Each person once: full names merge with surname mentions, spelling variants and patronymics."""
        by_key: dict[str, _Found] = {}
        for s, toks in enumerate(sentences):
            org = self._org_spans[s] if s < len(self._org_spans) else set()
            if s < len(self._place_spans):
                org = org | self._place_spans[s]  # منطقة السيدة زينب names a place, not a woman
            for name in self._people_in(toks, org):
                key = _key(name[-1].bare)
                full = " ".join(t.surface_bare if n == 0 else t.surface for n, t in enumerate(name))
                words = tuple(_key(t.bare) for t in name)
                found = by_key.get(key)
                if found is None:
                    # فيصل بن فرحان آل سعود and فيصل بن فرحان: the same first name and a shared word.
                    found = next(
                        (
                            f
                            for f in by_key.values()
                            if len(words) > 1
                            and (
                                (f.words[:1] == words[:1] and f.words[-1:] == words[-1:])
                                # عمرو عبد الغفار re-mentions عمرو عبد الغفار درويش: given and father's name
                                or f.words[: len(words)] == words
                                or words[: len(f.words)] == f.words
                            )
                        ),
                        None,
                    )
                if found is None:
                    found = by_key.setdefault(key, _Found(full, first=(s, name[0].start), words=words))
                by_key.setdefault(key, found)
                if len(name) > len(found.words):
                    found.canonical, found.words = full, words
                found.forms[full] = None
        people = list({id(f): f for f in by_key.values()}.values())
        # Count every mention by surname, and note the forms the article uses.
        for toks in sentences:
            for tok in toks:
                if not tok.is_word:
                    continue
                for variant in tok.variants:
                    hit = by_key.get(_key(variant))
                    if hit is not None:
                        hit.mentions += 1
                        hit.forms.setdefault(tok.surface_for(variant), None)
                        break
        for f in people:
            f.mentions = max(f.mentions, 1)
            f.en = self.names.english(f.canonical)
        return [f.to_entity() for f in sorted(people, key=lambda f: f.first)]

    # -- places ------------------------------------------------------------------------------------
    def places(self, sentences: Sequence[Sequence[Token]]) -> list[Entity]:
        """Places named: gazetteer names graded by context, and names after a cue word (محافظة الأنبار)."""
        found: dict[str, _Found] = {}

        def note(place: Place, surface: str, pos: tuple[int, int], extra: str | None = None, key: str = "") -> None:
            # قطاع غزة and غزة are one place: a kept cue word files under the bare name.
            f = found.setdefault(key or place.ar, _Found(place.ar, place.en, first=pos))
            f.mentions += 1
            f.forms.setdefault(surface, None)
            if extra:
                f.forms.setdefault(extra, None)

        for s, toks in enumerate(sentences):
            org = self._org_spans[s] if s < len(self._org_spans) else set()
            cued: set[int] = set()
            self._place_spans.append(cued)
            i = 0
            place_end = -1  # where the last place named in this sentence ends
            while i < len(toks):
                tok = toks[i]
                if not tok.is_word or i in org:
                    i += 1
                    continue
                prev = toks[i - 1] if i else None
                cue, cue_surface, proper = None, "", False
                if prev is not None and prev.is_word and (i - 1) not in org and tok.bare not in _GENERIC_PLACES:
                    # مركز المدينة: "the city centre" — a generic place noun after a cue names nothing.
                    for v in prev.variants:
                        if cue := self.gaz.cue(v):
                            # وبحر العرب: the cue without its conjunction. A cue that is also an everyday noun
                            # (قاعدة "rule", بحر "within") or a body (مركز، دائرة) needs a proper name after it.
                            cue_surface, proper = prev.surface_for(v), cue.proper or self._org_head_variant(v)
                            break
                hit_len = 0
                if (state := self._state_name_at(toks, i)) and not any(i + m in org for m in range(state[1])):
                    place, n = state
                    surface = _as_written(tok.surface_bare, tok.end, toks[i + 1 : i + n])
                    note(place, surface, (s, tok.start), None, place.ar)
                    place_end = i + n
                    i += n
                    continue
                for n in range(min(self.gaz.longest, len(toks) - i), 0, -1):
                    span = toks[i : i + n]
                    if not all(t.is_word for t in span) or any(i + m in org for m in range(n)):
                        continue
                    hit = self._place_at(span)
                    if hit is None:
                        continue
                    place, surface, grade = hit
                    if grade >= AFTER_CUE and cue is None:
                        continue
                    # في مراكش وحيفا: a name joined by و to a place stands where the place stands. (A glued ب or ل
                    # is no such evidence: بايدن is not ب + a town called إيدن.)
                    after_prep = (prev is not None and prev.norm in _PLACE_PREPOSITIONS) or (
                        i == place_end and tok.norm.startswith("و")
                    )
                    small = grade > ALWAYS and len(surface.replace(" ", "")) < 4
                    if grade > ALWAYS and cue is None and (not after_prep or small):
                        continue
                    if self._is_adjective_use(toks, i, n):
                        continue
                    if prev is not None and any(v in self.gaz.event_heads for v in prev.variants):
                        continue  # كأس أفريقيا، مؤتمر ميونيخ: the event's name, not the place
                    extra = f"{cue_surface} {surface}".strip() if cue else None
                    key = place.ar
                    if cue and cue.keep and prev is not None:
                        place = Place(f"{cue_surface} {place.ar}", f"{place.en}")
                        extra, surface = surface, extra or surface  # قطاع كسلا: كسلا is a form of it too
                    note(place, surface, (s, tok.start), extra, key)
                    hit_len = n
                    place_end = i + n
                    break
                # After such a cue the name is a proper name, rare in general text: دائرة التغطية ("coverage area")
                # and قاعدة البيانات name no place; ساحة الشهداء, after a plain cue, does.
                # A person's given name after such a cue is its object (بسجن صلاح … "by jailing Salah …").
                named = (
                    self._name_like(tok) and not (proper and (self._common_noun(tok) or self._is_given(tok)))
                ) or tok.norm in _TOPONYM_PREFIXES
                if not hit_len and cue is not None and named and not tok.norm.startswith("و"):
                    # An unknown name after a cue: ناحية الشافي، مخيم جباليا، ملعب محمد الخامس.
                    n = 1
                    # رأس العين، تل حلف، السيدة زينب: a landform or honorific word starts a two-word name.
                    if cue.keep or tok.norm in _TOPONYM_PREFIXES:
                        while (
                            n < (3 if cue.keep else 2)
                            and i + n < len(toks)
                            and self._name_like(toks[i + n])
                            and not any(self.gaz.cue(v) for v in toks[i + n].variants)
                            # ميدان حولي [بمشاركة]: a preposition glued to a word begins a new phrase
                            and not (toks[i + n].norm[:1] in "بل" and self._glued_word(toks[i + n]))
                        ):
                            n += 1
                    surface = " ".join([tok.surface_bare, *(t.surface for t in toks[i + 1 : i + n])])
                    name = f"{cue_surface} {surface}" if cue.keep else surface
                    extra = f"{cue_surface} {surface}".strip()
                    # رأس العين and راس العين: one place, keyed by its normalised words.
                    key = " ".join(t.norm for t in toks[i : i + n])
                    note(Place(name, ""), surface, (s, tok.start), extra, key)
                    hit_len = n
                    cued.update(range(i, i + n))
                i += max(hit_len, 1)
        out = [f.to_entity() for f in sorted(found.values(), key=lambda f: f.first)]
        for e in out:
            e.en = e.en or None
        return out

    def _state_name_at(self, toks: Sequence[Token], i: int) -> tuple[Place, int] | None:
        """A country's formal name, a state word and its adjectives (المملكة المغربية، الجمهورية الإسلامية
        الإيرانية, the press's way of naming a country): the country and how many tokens the name takes. The
        gazetteer's own names (المملكة المتحدة) are read by the gazetteer first."""
        if toks[i].bare not in _STATE_WORDS or self._place_at(toks[i : i + 2]) is not None:
            return None
        country, k = None, i + 1
        while k < len(toks) and k - i <= 3 and toks[k].is_word and toks[k].norm.startswith("ال"):
            if not toks[k].norm.endswith(("ي", "يه")):
                break
            if hit := self._adjective(toks[k]):
                country = hit[0]
            k += 1
        return (country, k - i) if country is not None else None

    def _is_adjective_use(self, toks: Sequence[Token], i: int, n: int) -> bool:
        """السعودية after a definite noun (الحكومة السعودية) is an adjective, not the country."""
        if n != 1 or i == 0:
            return False
        tok, prev = toks[i], toks[i - 1]
        return (
            tok.norm.startswith("ال")
            and self._adjective(tok) is not None
            and prev.is_word
            and prev.bare.startswith("ال")
            and prev.norm not in STOP
        )

    # -- organisations -----------------------------------------------------------------------------
    def organizations(self, sentences: Sequence[Sequence[Token]]) -> list[Entity]:
        """Known organisations, ministries by portfolio (الخارجية السورية) and heads with a name after."""
        found: dict[str, _Found] = {}
        self._org_spans = []
        for s, toks in enumerate(sentences):
            spans: set[int] = set()
            i = 0
            while i < len(toks):
                if outlet := self._outlet_at(toks, i):
                    inner = outlet[1:-1]
                    name = _as_written(inner[0].surface, inner[0].end, inner[1:])
                    f = found.setdefault(name, _Found(name, first=(s, inner[0].start)))
                    f.mentions += 1
                    f.forms.setdefault(name, None)
                    spans.update(range(i, i + len(outlet)))
                    i += len(outlet)
                    continue
                if place := self._long_place_at(toks, i):
                    i += place  # شبه الجزيرة العربية: a place's whole name holds no organisation (الجزيرة)
                    continue
                span, known = self._organization_at(toks, i)
                if span <= 0:
                    i += max(-span, 1)  # a generic phrase is skipped whole: no body starts inside it
                    continue
                first = toks[i]
                head_surface = next(
                    (
                        first.surface_for(v)
                        for v in _org_variants(first)
                        if self._org_head_variant(v) or v in self.lex.ministries or (known and v == known[0])
                    ),
                    first.surface_bare,
                )
                if first.norm.startswith("لل") and normalize(head_surface) == first.norm[1:]:
                    # للجنة is ل + اللجنة: before a word that starts with ل the article's alif and lam merge away
                    head_surface = "ال" + head_surface
                surface = _as_written(head_surface, first.end, toks[i + 1 : i + span])
                alias, extra = self._org_alias(toks, i, span)
                canonical = self.lex.organization_names.get(known) if known else None
                canonical = canonical or surface
                f = found.setdefault(canonical, _Found(canonical, first=(s, first.start)))
                f.en = f.en or self.lex.organization_english.get(canonical)
                f.mentions += 1
                f.forms.setdefault(surface, None)
                if alias:
                    f.forms.setdefault(alias, None)
                spans.update(range(i, i + span + extra))
                i += span + extra
            self._org_spans.append(spans)
        # A short form of a longer name found in the same article (منظمة الصحة → منظمة الصحة العالمية).
        names = sorted(found, key=len, reverse=True)
        for short in names:
            for long in names:
                if long != short and long in found and short in found and long.startswith(short + " "):
                    _merge(found[long], found.pop(short))
                    break
        # Two entries that share a form are one body: «وكالة الفضاء الأمريكية "ناسا"» and «وكالة "ناسا"».
        bodies = list({id(f): f for f in found.values()}.values())
        bodies.sort(key=lambda f: f.first)
        kept: list[_Found] = []
        owner: dict[str, _Found] = {}  # a form's key → the body that first used it
        for f in bodies:
            keys = [_org_key(form) for form in f.forms]
            same = next((owner[k] for k in keys if k in owner), None)
            if same is None:
                kept.append(f)
                same = f
            else:
                _merge(same, f)
            for k in keys:
                owner.setdefault(k, same)
        self._short_mentions(sentences, kept)
        return [f.to_entity() for f in kept]

    def _long_place_at(self, toks: Sequence[Token], i: int) -> int:
        """How many tokens a place's name of two words or more that needs no context takes from i (0: none)."""
        for n in range(min(self.gaz.longest, len(toks) - i), 1, -1):
            span = toks[i : i + n]
            if all(t.is_word for t in span) and (hit := self._place_at(span)) and hit[2] == ALWAYS:
                return n
        return 0

    def _outlet_at(self, toks: Sequence[Token], i: int) -> Sequence[Token]:
        """A news outlet named in quotes as the one a statement was given to or whose reporter saw it: قال مصدر
        لـ"…"، في تصريح لـ«…»، مراسلة "…" (the quote marks and the name; empty when none starts at i)."""
        if i < 1 or toks[i].surface not in _QUOTES:
            return ()
        close = next((m for m in range(i + 1, min(len(toks), i + 6)) if toks[m].surface in _QUOTES), None)
        if close is None or close == i + 1 or not all(t.is_word for t in toks[i + 1 : close]):
            return ()
        if toks[i + 1].norm in STOP or any(is_verb(t) for t in toks[i + 1 : close]):
            return ()  # لـ"ما حدث": a clause, not a name (روسيا اليوم keeps its time word)
        prev = toks[i - 1]
        if prev.norm in _REPORTERS:
            return toks[i : close + 1]
        if prev.norm != "ل":
            return ()
        window = toks[max(0, i - 5) : i - 1]
        told = any(v in _TOLD for t in window for v in t.variants)
        return toks[i : close + 1] if told else ()

    def _short_mentions(self, sentences: Sequence[Sequence[Token]], bodies: list[_Found]) -> None:
        """The definite head alone (الائتلاف، المرصد، الجبهة) refers back to the last body named with that head:
        a form and a mention of it, not a new organisation."""
        by_head: dict[str, list[_Found]] = {}
        for f in bodies:
            head = normalize(f.canonical.split()[0]) if f.canonical else ""
            if head and self._org_head_variant(head) and len(f.canonical.split()) > 1:
                by_head.setdefault("ال" + head.removeprefix("ال"), []).append(f)
        if not by_head:
            return
        firsts = {head: [f.first for f in found] for head, found in by_head.items()}  # bodies are in text order
        for s, toks in enumerate(sentences):
            spans = self._org_spans[s] if s < len(self._org_spans) else set()
            for k, tok in enumerate(toks):
                if k in spans or not tok.is_word or tok.bare not in by_head:
                    continue
                nxt = toks[k + 1] if k + 1 < len(toks) else None
                if nxt is not None and nxt.is_word and nxt.norm.startswith("ال") and nxt.norm not in STOP:
                    continue  # الجبهة الداخلية: a phrase of its own, not the short form
                candidates = by_head[tok.bare]  # in order of first mention
                at = bisect_right(firsts[tok.bare], (s, tok.start))
                if at:
                    target = candidates[at - 1]
                    target.mentions += 1
                    target.forms.setdefault(tok.surface_bare, None)

    def _org_alias(self, toks: Sequence[Token], i: int, span: int) -> tuple[str | None, int]:
        """Another name the text gives the body at i: a quoted or Latin name inside it (شركة "سبايس أكس",
        شبكة CNN), or one in quotes or brackets right after it (وكالة الفضاء الأمريكية "ناسا"); and how many
        tokens after the span that second name takes."""
        inner = toks[i + 1 : i + span]
        quoted = [t for t in inner if t.is_word]
        if inner and inner[0].surface in _QUOTES and inner[-1].surface in _QUOTES and quoted:
            return _as_written(quoted[0].surface, quoted[0].end, quoted[1:]), 0
        latin = [t for t in inner if t.surface[0].isascii() and t.surface[0].isalpha()]
        if latin and len(latin) == len(inner):
            return _as_written(latin[0].surface, latin[0].end, latin[1:]), 0
        k = i + span
        if k < len(toks) and toks[k].surface in _QUOTES + "(":
            close = next((m for m in range(k + 1, min(len(toks), k + 6)) if toks[m].surface in _QUOTES + ")"), None)
            words = toks[k + 1 : close] if close is not None else []
            if words and all(t.is_word and len(t.norm) >= 2 for t in words) and close is not None:
                known = self._known_inside(toks, k + 1)
                if known and len(known) == len(words):
                    # كونا after وكالة الأنباء الكويتية is its short name; (رويترز) after a ministry is the
                    # agency that reported it, another body.
                    canonical = self.lex.organization_names.get(known, "")
                    english = self.lex.organization_english.get(canonical)
                    names = [n for n, e in self.lex.organization_english.items() if english and e == english]
                    written = _org_key(_as_written(toks[i].surface_bare, toks[i].end, toks[i + 1 : i + span]))
                    # One of the body's own names begins with the same head (وكالة الفضاء الأميركية "ناسا").
                    same = any(_org_key(n).split()[:1] == written.split()[:1] for n in [canonical, *names])
                    return (
                        (_as_written(words[0].surface, words[0].end, words[1:]), close - k + 1)
                        if same
                        else (
                            None,
                            0,
                        )
                    )
                rare = all(not self.gaz.is_common_noun(t.norm) and not is_verb(t) for t in words)
                if len(words) <= 3 and rare:
                    return _as_written(words[0].surface, words[0].end, words[1:]), close - k + 1
        return None, 0

    def _person_follows(self, toks: Sequence[Token], k: int) -> bool:
        """Whether a person's name (or a rank's second word: الفريق أول) starts at k."""
        return k < len(toks) and toks[k].is_word and (self._is_given(toks[k]) or toks[k].norm in self.lex.not_names)

    def _complement_at(self, toks: Sequence[Token], k: int) -> bool:
        """An indefinite ل-noun and its definite complement at k (لحقوق الإنسان), continuing a name."""
        return (
            k + 1 < len(toks)
            and toks[k].is_word
            and toks[k + 1].is_word
            and toks[k].norm.startswith("ل")
            and not toks[k].norm.startswith("لل")
            and len(toks[k].norm) >= 4
            and toks[k].norm[1:] not in STOP
            and toks[k + 1].norm.startswith("ال")
            and toks[k + 1].norm not in STOP
        )

    def _org_head_variant(self, v: str) -> bool:
        return v in self.lex.organization_heads

    def _known_inside(self, toks: Sequence[Token], k: int) -> tuple[str, ...]:
        """A known organisation's name written exactly at k (no clitic: و + a name coordinates, it does not name)."""
        if k >= len(toks) or not toks[k].is_word:
            return ()
        for seq in self.lex.organizations:
            n = len(seq)
            if k + n <= len(toks) and all(toks[k + m].norm == seq[m] for m in range(n)):
                return seq
        return ()

    def _definite_at(self, toks: Sequence[Token], k: int) -> bool:
        """A definite word that can close a construct chain (هيئة تنظيم قطاع [الاتصالات])."""
        if k >= len(toks) or not toks[k].is_word:
            return False
        t = toks[k]
        return (
            t.norm.startswith(("ال", "لل"))
            and t.norm not in STOP
            and t.norm not in self.lex.not_organization_parts
            and not self._is_title(t)
        )

    def _proper_at(self, toks: Sequence[Token], k: int) -> bool:
        """An indefinite proper name at k that closes a construct chain: a place, or a rare word that could be a
        name (قيادة عمليات [نينوى]); not a common noun, a verb, a title or a clitic-glued word."""
        if k >= len(toks) or not toks[k].is_word or toks[k].norm.startswith("ال"):
            return False
        t = toks[k]
        if self._place_at([t]) is not None:
            return True
        return (
            self._name_like(t)
            and not self._common_noun(t)
            and t.norm not in self.lex.common_words
            and not self.names.is_mostly_word(t.norm)  # دستوري: a word in the name index is mostly no name
            and not t.norm.startswith(("و", "ب", "ل", "ف"))
            and not self._is_given(t)
        )

    def _nisba_after(self, toks: Sequence[Token], i: int, n: int) -> int:
        """After a proper noun in a name, relative adjectives still belong to it (مصرف لبنان المركزي، موانئ دبي
        العالمية), and so does one ل + definite complement (شركة مصر للطيران); any other word does not (بنك
        المغرب القرار: the object of the verb)."""
        start = n
        n = self._relative_adjectives(toks, i, n)
        if n == start and self._definite_at(toks, i + n) and toks[i + n].norm.startswith("لل"):
            n = self._relative_adjectives(toks, i, n + 1)
        return n

    def _relative_adjectives(self, toks: Sequence[Token], i: int, n: int) -> int:
        """How far definite relative adjectives (-ي، -ية) run from i + n."""
        while i + n < len(toks) and n < _MAX_ORG_TOKENS:
            t = toks[i + n]
            if not (
                t.is_word
                and t.norm.startswith("ال")
                and t.norm.endswith(("ي", "يه"))
                and len(t.norm) >= 5
                and t.norm not in STOP
                and t.norm not in self.lex.not_organization_parts
            ):
                break
            n += 1
        return n

    def _chain_word(self, toks: Sequence[Token], i: int, n: int) -> bool:
        """An indefinite noun continuing an indefinite head's construct chain (هيئة تنظيم قطاع الاتصالات، لجنة
        حماية الصحفيين): no adjective (جماعة إرهابية), and from the second word on, the chain must close with a
        definite word right after."""
        t = toks[i + n]
        closes = self._definite_at(toks, i + n + 1) or self._proper_at(toks, i + n + 1)
        if (
            self._is_title(t)
            or is_verb(t)
            or len(t.norm) < 3
            or self._adjective(t) is not None
            or t.norm.startswith(("و", "ب", "ل", "ف"))
            or self._is_given(t)
            or t.norm in self.lex.not_organization_parts
            # مستثمرين، معنيون: a sound plural adjective or participle (a singular of three letters or more and
            # its ending); a shorter word is a broken plural, a noun that continues the chain (شؤون، ديون)
            or (t.norm.endswith(("ين", "ون")) and len(t.norm) >= 5)
        ):
            return False
        if "ال" + t.norm in self.lex.not_organization_parts:
            return False  # مكتب جديد للهيئة: a descriptor (الجديد) without its article is still a descriptor
        if t.norm.endswith("يه") and not t.norm.endswith("ايه"):
            return False  # محكمة مصرية: a relative adjective (حماية, with its long a, is a noun)
        if t.norm.endswith("ي") and not t.norm.endswith("اي") and self.names.is_mostly_word(t.norm):
            return False  # موقع سياحي: an indefinite relative adjective describes the head, it names nothing
        if _imperfect_verb(t.norm, self.lex.common_words):
            return False  # صحيفة تدعم المعارضة: an imperfect verb opens a clause describing the head
        if t.norm.endswith("ه") and not closes:
            return False  # a feminine word that no definite word follows is an adjective (هيئة معنية)
        if not closes and (self.gaz.is_common_noun(t.norm) or t.norm in self.lex.common_words):
            return False  # مجموعة شباب، حكومة تدير: an open construct ends in a proper name, not a common word
        return n == 1 or closes

    def _organization_at(self, toks: Sequence[Token], i: int) -> tuple[int, tuple[str, ...]]:
        """How many tokens an organisation's name starting at i takes (0: none; -n: a generic phrase of n tokens
        that names no body), and its known key."""
        tok = toks[i]
        if not tok.is_word:
            return 0, ()
        for seq in self.lex.organizations:
            n = len(seq)
            if (
                i + n <= len(toks)
                and any(v == seq[0] for v in _org_variants(tok))
                and all(toks[i + k].norm == seq[k] for k in range(1, n))
            ):
                if i and any(self.gaz.cue(v) for v in toks[i - 1].variants):
                    return 0, ()  # ولاية الجزيرة، مدينة برشلونة: after a place cue the name is the place's
                return n, seq
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        if tok.bare in self.lex.ministries:
            # الخارجية السورية (the ministry), not وزير الخارجية السوري (the minister's title).
            prev = toks[i - 1] if i else None
            if nxt and nxt.norm.endswith("يه") and self._adjective(nxt) and not (prev and self._is_title(prev)):
                return 2, ()
            return 0, ()
        if not any(self._org_head_variant(v) for v in _org_variants(tok)):
            return 0, ()
        head_definite = any(v.startswith("ال") and self._org_head_variant(v) for v in _org_variants(tok))
        n = 1
        while i + n < len(toks) and n < _MAX_ORG_TOKENS:
            t = toks[i + n]
            if t.surface in _QUOTES and n == 1:
                # A quoted name: جامعة "الملك سعود" / شركة «أرامكو».
                close = next(
                    (m for m in range(i + n + 1, min(len(toks), i + n + 7)) if toks[m].surface in _QUOTES), None
                )
                if close is None:
                    break
                known = self._known_inside(toks, i + n + 1)
                if known and i + n + 1 + len(known) == close:
                    return close - i + 1, known  # وكالة "ناسا": the head and a known body's name
                n = close - i + 1
                break
            if not t.is_word:
                break
            if t.surface[0].isascii() and t.surface[0].isalpha():
                # A name in Latin letters after the head: شبكة CNN، شركة Meta.
                while (
                    i + n < len(toks)
                    and n < _MAX_ORG_TOKENS
                    and toks[i + n].surface[0].isascii()
                    and toks[i + n].is_word
                ):
                    n += 1
                break
            if n == 1 and not head_definite and (named := self._named_after(toks, i + n)):
                # جامعة السلطان قابوس، مركز الملك سلمان للإغاثة، مؤسسة محمد بن راشد: named after a person (an
                # indefinite head in construct; after a definite one, أدانت المحكمة خالد …, the name is the object)
                n += named
                if self._complement_at(toks, i + n):
                    n += 2
                elif self._definite_at(toks, i + n) and toks[i + n].norm.startswith("لل"):
                    n += 1
                break
            if known := self._known_inside(toks, i + n):
                end = n + len(known)
                if n == 1 and not self._definite_at(toks, i + end):
                    return end, known  # منظمة أطباء بلا حدود، حركة الجهاد الإسلامي: the head names a known body
                # صندوق الأمم المتحدة للسكان، برنامج الأمم المتحدة الإنمائي: a body of the known one
                n = self._nisba_after(toks, i, end)
                break
            if t.norm in _GENERAL and not self._time_follows(toks, i + n + 1):
                n += 1  # الأمن العام، الاتحاد العام: "general", not "the year"
                continue
            if (
                toks[i + n - 1].norm.startswith("لل")
                and _adjective_shaped(t.norm)
                and t.norm not in STOP | _YEAR_WORDS | _RELATIVES
            ):
                n += 1  # للأمراض الجديدة: the complement's own adjective, not a word about the body
                continue
            if t.norm in _SCOPE_ADJECTIVES and self._genitive_before(toks, i, n):
                n += 1  # قيادة العمليات المشتركة: "joint" describes the operations, not a word about the body
                continue
            if t.norm in self.lex.not_organization_parts or t.norm in STOP:
                break
            if n >= 2 and self._is_title(t) and self._person_follows(toks, i + n + 1):
                break  # مجلس السيادة الفريق …: a rank introducing the next person, not part of the name
            # (a span cut short by the sentence's end is no long name: شرطة المدينة at the end read 3 tokens past it)
            fits = [m for m in (3, 2) if i + n + m <= len(toks)]
            if long_place := next((m for m in fits if self._place_at(toks[i + n : i + n + m])), 0):
                n = self._nisba_after(toks, i, n + long_place)  # بورصة الدار البيضاء: a place's whole name
                break
            if t.norm.startswith("ال") and (hit := self._place_at([t])) and hit[2] == ALWAYS:
                n = self._nisba_after(toks, i, n + 1)  # بنك الكويت [الفائدة]، بنك المغرب المركزي
                break
            coordinated = toks[i + n - 1]
            if n >= 2 and t.norm.startswith("ال") and coordinated.norm.startswith("وال") and not self._adjective(t):
                # والأمن الوطني، والإعلام الأمني: an adjective agreeing with the coordinated noun goes on; the
                # gender changing (الجديدة والمستجدة [الهاشمي]) shows a new phrase.
                agrees = t.norm.endswith("ي") and not coordinated.norm.endswith("ه")
                if not agrees or not _adjective_shaped(t.norm):
                    break
            if t.norm.startswith(("ال", "لل")):
                if i + n + 1 < len(toks) and toks[i + n + 1].norm in _RELATIVE_PREPOSITIONS:
                    break  # الوكالة المستولى عليها: a relative clause about the body, not its name
                closed = head_definite or any(toks[i + m].norm.startswith(("ال", "لل")) for m in range(1, n))
                if closed and t.norm.startswith("ال") and not _adjective_shaped(t.norm):
                    break  # رفع بنك الكويت الفائدة: once definite, a name goes on with adjectives, not a noun
                n += 1
                if self._adjective(t):
                    # A nationality adjective closes the name, unless a complement follows:
                    # المرصد السوري لحقوق الإنسان.
                    if self._complement_at(toks, i + n):
                        n += 2
                    elif self._definite_at(toks, i + n) and toks[i + n].norm.startswith("لل"):
                        n += 1  # الاتحاد العام التونسي للشغل: a ل + definite complement
                    break
                continue
            if self._org_coordinated(toks, i, n):
                n += 1  # حزب العدالة والتنمية: a definite word joined by و to the last complement
                continue
            last_word = toks[i + n - 1].norm
            relative = last_word.startswith("ال") and (last_word.endswith(("ي", "يه")) or last_word in _GENERAL)
            if n >= 2 and relative and self._complement_at(toks, i + n):
                # المجلس الوطني لحقوق الإنسان، الاتحاد العام لمقاولات المغرب: after the body's adjective, "for …"
                # is part of the name (after a place's name it is a purpose: شرطة الخضراء لاتخاذ الإجراءات).
                n += 2
                continue
            if self._org_head_variant(t.norm):
                n += 1  # قيادة شرطة الكرخ، مركز شرطة الخضراء: one head inside another
                continue
            if n >= 2 and t.norm in _DIRECTIONS and i + n + 1 < len(toks) and self._place_at([toks[i + n + 1]]):
                n += 2  # محكمة جنايات شمال القاهرة: a court's district is part of its name
                break
            if n >= 2 and t.norm in _MEDIA_SUFFIXES and not toks[i + n - 1].norm.startswith("ال"):
                n += 1  # وكالة شفق نيوز: the foreign word of a media brand
                break
            closed_chain = head_definite or any(toks[i + m].norm.startswith(("ال", "لل")) for m in range(1, n))
            if closed_chain and self.gaz.cue(t.norm) is not None:
                break  # ديوان الزكاة [محلية الفشقة]: a construct ends at its definite word; a new unit follows
            if (cue := self.gaz.cue(t.norm)) and not cue.keep and i + n + 1 < len(toks):
                # حكومة ولاية كسلا، مجلس محافظة البصرة: the body of a unit named by its place
                place = toks[i + n + 1]
                if place.is_word and (self._place_at([place]) is not None or self._place_unit(t, place)):
                    n = self._nisba_after(toks, i, n + 2)
                break
            # A proper noun after the head or its chain: جامعة القاهرة، مصرف لبنان المركزي.
            if self._place_at([t]) is not None:
                n = self._nisba_after(toks, i, n + 1)
                break
            chain = not head_definite and not any(toks[i + m].norm.startswith("ال") for m in range(1, n))
            if chain and n <= 3 and self._chain_word(toks, i, n):
                n += 1  # شفق نيوز، هيئة تنظيم قطاع الاتصالات: an indefinite construct chain
                if self._proper_at(toks, i + n):
                    n = self._nisba_after(toks, i, n + 1)  # قيادة عمليات نينوى: a proper name closes it
                    break
                continue
            break
        if n <= 1:
            return 0, ()
        span = toks[i : i + n]
        if not head_definite and all(t.is_word and not t.norm.startswith(("ال", "لل")) for t in span[1:]):
            # تنظيم مؤتمر، قيادة حكومة: an indefinite construct names a body only when it ends in a proper name
            closing = span[-1]
            common = self._common_noun(closing) or closing.norm in self.lex.common_words
            if common and closing.norm not in _MEDIA_SUFFIXES and self._place_at([closing]) is None:
                return -n, ()  # (the whole phrase is skipped: حكومة in قيادة حكومة starts no body either)
        if (
            head_definite
            and _participle(toks[i + 1].norm.removesuffix("ه"))
            and not any(v in _STATE_BODIES for v in _org_variants(tok))
            and not any(t.norm.startswith("لل") or self._complement_at(toks, i + m) for m, t in enumerate(span))
        ):
            # الشركة المنفذة، اللجنة المشكلة: a definite head described by what it does or how it was made is a
            # back-reference, not a name (armed and security forces are named so: القوات المسلحة)
            return -n, ()
        last = toks[i + n - 1]
        kept_last = last.norm in _GENERAL or (last.norm in _SCOPE_ADJECTIVES and self._genitive_before(toks, i, n - 1))
        if (last.norm in self.lex.not_organization_parts and not kept_last) or last.bare in _GENERIC_PLACES:
            return -n, ()  # مركز المدينة، شرطة المحافظة: "the city's", no particular body
        if (
            n >= 2
            and last.norm.startswith("ال")
            and (self._org_head_variant(last.bare) or self._org_head_variant(last.bare.removeprefix("ال")))
            and last.bare not in _STATE_BODIES
            and not self._is_unit(last)
            and not any(v in _CLUB_HEADS for v in _org_variants(tok))
        ):
            # مجلس إدارة الشركة، موقع الوزارة: "the company's board", "the ministry's site" — a part of a body
            # named before (a club, though, takes such a word as its name: نادي الاتحاد).
            return -n, ()
        prev = toks[i - 1] if i else None
        if (
            head_definite
            and prev is not None
            and self._is_title(prev)
            and len(span) >= 2
            and span[1].norm.startswith("لل")
        ):
            # نائب رئيس الجامعة للدراسات العليا: the definite head is the title's genitive (the university named
            # before) and the ل-phrase names the office's portfolio, not a body
            return -n, ()
        owner = "ال" + last.norm[2:] if last.norm.startswith("لل") else ""
        owned = owner and (self._org_head_variant(owner) or self._org_head_variant(owner.removeprefix("ال")))
        if n >= 3 and owned and owner not in _STATE_BODIES:
            return -n, ()  # الموقع الإلكتروني للوزارة، الجمعية العمومية للشركة: a part of a body named before
        if any(v in _THING_HEADS for v in _org_variants(tok)) and not any(
            self._names_something(t) for t in toks[i + 1 : i + n]
        ):
            return -n, ()  # موقع الحادث، شبكة الإنترنت، القسم الدستوري: a place or a thing, not a body
        municipal = any(v.removeprefix("ال") in _MUNICIPAL for v in _org_variants(tok))
        if n == 2 and self._place_unit(tok, toks[i + 1]) and not municipal:
            return 0, ()  # مركز مغاغة، مديرية التواهي: an administrative unit named by its place
        # (بلدية صفاقس: a municipality is the town's administration, a body that decides and owes, not the town)
        return n, ()

    def _named_after(self, toks: Sequence[Token], k: int) -> int:
        """How many tokens a person's name takes at k, right after an organisation's head: a title and the name
        it introduces (الملك سعود), or a full name (محمد بن راشد); 0 when none."""
        if self._is_title(toks[k]) and not toks[k].norm.startswith(("و", "ب", "ل")):
            name = self._read_name(toks, k + 1, after_title=True)
            return 1 + _through(toks, k + 1, name) if name else 0
        if self._is_given(toks[k]):
            name = self._read_name(toks, k, after_title=False)
            return _through(toks, k, name) if len(name) >= 2 else 0
        return 0

    def _genitive_before(self, toks: Sequence[Token], i: int, n: int) -> bool:
        """Whether the word before i + n is the definite genitive of an indefinite head (قيادة [العمليات])."""
        prev = toks[i + n - 1]
        head_definite = any(v.startswith("ال") and self._org_head_variant(v) for v in _org_variants(toks[i]))
        return n >= 2 and not head_definite and prev.norm.startswith(("ال", "لل")) and not self._adjective(prev)

    def _names_something(self, t: Token) -> bool:
        """A word that makes a phrase a name: a proper name (rare in general text, a place, Latin letters, a
        quote mark) or an institution (الشرطة، الأمم)."""
        if not t.is_word:
            return t.surface in _QUOTES
        return (
            t.surface[0].isascii()
            or self._place_at([t]) is not None
            or not self._common_noun(t)
            or self._org_head_variant(t.bare)
            or self._org_head_variant(t.bare.removeprefix("ال"))
            or t.bare in _STATE_BODIES
            or any(t.norm == seq[0] for seq in self.lex.organizations)
        )

    def _time_follows(self, toks: Sequence[Token], k: int) -> bool:
        """A word of time after العام makes it "the year" (العام الماضي، العام 2024)."""
        return k < len(toks) and (toks[k].norm in _YEAR_WORDS or toks[k].surface[:1].isdigit())

    def _org_coordinated(self, toks: Sequence[Token], i: int, n: int) -> bool:
        """A definite word glued to و after a definite complement of the name (العدالة والتنمية، التربية
        والتعليم); a title, a head or a place after و begins a new phrase instead."""
        t = toks[i + n]
        prev = toks[i + n - 1]
        if n < 2 or not t.norm.startswith("وال") or not prev.norm.startswith(("ال", "لل", "وال")):
            return False  # (a list goes on: التعمير والإسكان والنقل)
        complement = any(toks[i + m].norm.startswith("لل") for m in range(1, n))
        if not complement and any(v.startswith("ال") and self._org_head_variant(v) for v in toks[i].variants):
            # الجبهة الداخلية والرجال: after a definite head the words are adjectives and و begins anew; after
            # a ل-complement nouns are coordinated again (الجهاز المركزي للتعبئة العامة والإحصاء).
            return False
        rest = t.norm[1:]
        return (
            len(rest) >= 5
            and rest not in STOP
            and rest not in self.lex.not_organization_parts
            and not self._org_head_variant(rest)
            and rest not in self.lex.titles
            and self.gaz.lookup([rest]) is None
            and self.gaz.adjective(rest) is None
        )

    def _place_unit(self, head: Token, name: Token) -> bool:
        """Whether a head that is also a place cue (مركز، دائرة، مديرية، بلدية) is followed by a place's name
        rather than by a common noun (مركز مغاغة is a district; مركز الدراسات, دائرة الاستخبارات are bodies)."""
        if not any(self.gaz.cue(v.removeprefix("ال")) for v in head.variants):
            return False
        if self._place_at([name]) is not None:
            return True
        return (
            not self.gaz.is_common_noun(name.norm)
            and not self.gaz.is_common_noun(name.bare)
            and name.norm not in self.lex.common_words
            and not self._org_head_variant(name.bare)
            and not name.surface[0].isascii()
        )


def _org_variants(tok: Token) -> tuple[str, ...]:
    """A token's readings with a clitic off, and with a conjunction and a preposition both off (وبصندوق، فلوزارة)."""
    n = tok.norm
    if n[:1] in "وف" and n[1:2] in "بلك" and len(n) > 5 and not n.startswith(("ولل", "وال", "فال", "فلل")):
        return (*tok.variants, n[2:])
    return tok.variants


def _as_written(first: str, first_end: int, rest: Sequence[Token]) -> str:
    """A name as the text spells it: a space only where the text has one (شركة "سبايس أكس", not « " سبايس »)."""
    out, prev_end = first, first_end
    for t in rest:
        out += t.surface if t.start == prev_end else " " + t.surface
        prev_end = t.end
    return out


def _adjective_shaped(norm: str) -> bool:
    """Whether a definite word has the shape of an adjective, which alone may follow a definite name: relative
    (الوطني، العربية، الكبرى), participle (المسلحة، المتحدة), elative (الأحمر، الأعلى، العليا), فعيل (السريع،
    الجديدة), or a colour (البيضاء). A definite noun (الفائدة، القرار) after a definite name is a new phrase."""
    w = norm.removeprefix("ال")
    core = w.removesuffix("ه")
    return (
        norm.endswith(("ي", "يه", "يا"))
        or (w.startswith("م") and len(w) >= 4)
        or (w.startswith("ا") and len(w) == 4)
        or (len(core) == 4 and core[2] == "ي")
        or (len(w) == 5 and w.endswith("اء"))  # فعلاء: البيضاء، الحمراء
    )


def _org_key(form: str) -> str:
    """A form compared loosely: normalised, quote marks and the article off (الناتو ~ ناتو)."""
    return " ".join(normalize(form).translate(_NO_QUOTES).split()).removeprefix("ال")


def _merge(target: _Found, src: _Found) -> None:
    """Fold a second entry for the same body into the first."""
    target.mentions += src.mentions
    for form in src.forms:
        target.forms.setdefault(form, None)
    target.first = min(target.first, src.first)
    target.en = target.en or src.en


# Titles abbreviated to a letter and a full stop: د. (doctor), م. (engineer), أ. (professor).
_ABBREVIATED = frozenset({"د", "م", "ا"})
_COMMAS = frozenset({"،", ","})
_THAT = frozenset({"ان", "انه", "انها", "بان", "بانه"})  # أنّ/إنّ and their pronoun forms: a clause follows


def _abbreviated_title(toks: Sequence[Token], j: int) -> bool:
    return toks[j].norm in _ABBREVIATED and j + 1 < len(toks) and toks[j + 1].surface == "."


def _participle(norm: str) -> bool:
    """A definite participle of a derived verb: مُفعِل/مُفعّل (المشرف، المكلف), مُفاعِل (المعالج), مُتفعِّل and
    مُستفعِل (المتابع، المستقبل) — not a nisba (المالكي) nor the مِفعال of family names (المقداد)."""
    if not norm.startswith("الم") or norm.endswith("ي"):
        return False
    stem = norm[3:]
    return len(stem) == 3 or (len(stem) == 4 and stem[1] == "ا") or (stem.startswith(("ت", "ست")) and len(stem) <= 6)


def _imperfect_verb(norm: str, common: frozenset[str]) -> bool:
    """An imperfect verb of a three-letter root: ي/ت/ن + a frequent word of three letters (تدعم from دعم)."""
    return len(norm) == 4 and norm[0] in "يتن" and norm[1:] in common


def _without_pronoun(norm: str) -> str:
    """The word without a pronoun suffix (فوزه → فوز، قرارها → قرار)."""
    for suffix in ("هما", "هم", "ها", "ه"):
        if norm.endswith(suffix) and len(norm) - len(suffix) >= 3:
            return norm[: -len(suffix)]
    return norm


def _through(toks: Sequence[Token], k: int, name: Sequence[Token]) -> int:
    """How many tokens from k a name read there covers (its last token found by position)."""
    last = name[-1]
    return next((m - k + 1 for m in range(k, min(len(toks), k + 2 * _MAX_NAME_TOKENS + 2)) if toks[m] is last), 0)


def _span(name: Sequence[Token]) -> int:
    """How many names a name holds, its particles (بن، عبد، آل) not counted."""
    return sum(1 for t in name if t.norm not in _NAME_PARTICLES)


def _masdar(norm: str) -> bool:
    """A verbal noun of a derived verb by its pattern: افتعال/انفعال (اجتماع، استلام)، استفعال (استقبال)،
    تفعيل (تسجيل)، مفاعلة (مشاركة) — after ب or ل it is «by/for doing», never a foreign family name."""
    n = len(norm)
    return (
        (n == 6 and norm[0] == "ا" and norm[4] == "ا")
        or (n == 7 and norm.startswith("است") and norm[5] == "ا")
        or (n == 5 and norm[0] == "ت" and norm[3] == "ي")
        or (n == 6 and norm[0] == "م" and norm[2] == "ا" and norm.endswith("ه"))
    )


def _masdar_accusative(norm: str) -> bool:
    """A تفعيل verbal noun in the accusative (تنديدا، تأكيدا، ترحيبا): an adverbial, never a name."""
    return len(norm) == 6 and norm[0] == "ت" and norm[3] == "ي" and norm[-1] == "ا"


def _unglued(tok: Token) -> Token:
    """The token without the conjunction و glued to its start (وعمرو → عمرو)."""
    norm = tok.norm[1:]
    return Token(tok.surface[1:], norm, strip_clitic(norm), tok.light[1:], tok.start + 1, tok.end)


def find_entities(sentences: Sequence[Sequence[Token]], lexicon: Lexicon, gazetteer: Gazetteer) -> Entities:
    """People, places and organisations of an article, each once, in order of first mention."""
    finder = EntityFinder(lexicon, gazetteer)
    organizations = finder.organizations(sentences)  # first: their spans are neither places nor people
    places = finder.places(sentences)  # then: a name after a place cue is no person
    return Entities(finder.people(sentences), places, organizations)
