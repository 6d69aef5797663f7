"""People, places and organisations, by rules: titles, attested names, appositions, gazetteers and head nouns.

Organisations are found first: a place word or nationality adjective inside an organisation's name
(وكالة الأنباء السعودية) is part of that name, not a place. Nationality adjectives alone are not places.
"""

from __future__ import annotations

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
_TOPONYM_PREFIXES = frozenset({"تل", "راس", "عين", "دير", "كفر", "بيت", "بير", "ام", "ابو", "جسر", "سيدي", "السيده"})
_REGNAL = frozenset({"الاول", "الثاني", "الثالث", "الرابع", "الخامس", "السادس"})
# Conjunctions of time that no name uses (… النجم بينما حجبه: after a title, no name follows).
_CONJUNCTIONS = frozenset({"بينما", "عندما", "بعدما", "حينما", "كلما", "طالما", "ريثما"})
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
        # A cue word or a frequent word is read as written: ولاية is not و + a town called لاية.
        literal = (
            self.gaz.cue(head.norm) is not None
            or head.norm in self.lex.common_words
            or head.norm in self.gaz.not_places
        )
        for first in (head.norm,) if literal else head.variants:
            if hit := self.gaz.lookup([first, *rest]):
                if not rest and hit[1] > ALWAYS and first in self.lex.common_words:
                    continue  # في الأشهر: a frequent word, not the small town GeoNames spells the same way
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
        while k < len(toks) and _span(name) < _MAX_NAME_TOKENS and self._name_like(toks[k]):
            tok = toks[k]
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
            if tok.norm.endswith("ه") and not self._is_unit(tok) and self._feminine_or_pronoun(tok):
                break
            if tok.norm.startswith("و") and not self._is_unit(tok) and tok.norm[1:] in self.lex.common_words:
                break  # تضامن وتنسيق: a word glued to و coordinates nouns, it does not continue a name
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
        while name and name[-1].norm in _NAME_PARTICLES:
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
            if (
                not self._is_unit(head)
                and (
                    (head.norm[:1] in "لب" and self._glued_word(head))  # برصد وميض: a preposition and a noun
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
                    or (head.norm.startswith("م") and head.norm.endswith(("ين", "ون")) and len(head.norm) >= 6)
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
                if tok.norm[:1] in "لب" and not self._is_unit(tok) and self._glued_word(tok):
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
        second = name[1]
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
                or self._place_at([tok]) is not None
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
            elif self._glued_given(tok):
                window = [_unglued(tok), *toks[i + 1 : i + 1 + 2 * _MAX_NAME_TOKENS]]
                name = self._read_name(window, 0, after_title=False)
                if any(t.norm.startswith("ال") and not self.names.is_surname(t.norm) for t in name[1:]):
                    name = []  # وحسن الجوار: "and good neighbourliness"; no family name is attested
            elif is_speech_verb(tok) and i + 1 < len(toks) and self._is_given(toks[i + 1]):
                name = self._read_name(toks, i + 1, after_title=False)
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
            while i < len(toks):
                tok = toks[i]
                if not tok.is_word or i in org:
                    i += 1
                    continue
                prev = toks[i - 1] if i else None
                cue = None
                if prev is not None and prev.is_word and (i - 1) not in org:
                    cue = next((c for v in prev.variants if (c := self.gaz.cue(v))), None)
                hit_len = 0
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
                    after_prep = prev is not None and prev.norm in _PLACE_PREPOSITIONS
                    small = grade > ALWAYS and len(surface.replace(" ", "")) < 4
                    if grade > ALWAYS and cue is None and (not after_prep or small):
                        continue
                    if self._is_adjective_use(toks, i, n):
                        continue
                    extra = f"{prev.surface_bare if prev else ''} {surface}".strip() if cue else None
                    key = place.ar
                    if cue and cue.keep and prev is not None:
                        place = Place(f"{prev.surface_bare} {place.ar}", f"{place.en}")
                        surface = extra or surface
                    note(place, surface, (s, tok.start), extra, key)
                    hit_len = n
                    break
                named = self._name_like(tok) or tok.norm in _TOPONYM_PREFIXES
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
                        ):
                            n += 1
                    surface = " ".join([tok.surface_bare, *(t.surface for t in toks[i + 1 : i + n])])
                    name = f"{prev.surface_bare} {surface}" if prev is not None and cue.keep else surface
                    extra = f"{prev.surface_bare if prev else ''} {surface}".strip()
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
                span, known = self._organization_at(toks, i)
                if not span:
                    i += 1
                    continue
                first = toks[i]
                head_surface = next(
                    (
                        first.surface_for(v)
                        for v in first.variants
                        if self._org_head_variant(v) or v in self.lex.ministries or (known and v == known[0])
                    ),
                    first.surface_bare,
                )
                words = [head_surface, *(t.surface for t in toks[i + 1 : i + span])]
                surface = " ".join(w for w in words).replace(" »", "»").replace("« ", "«")
                surface = surface.replace('" ', '"') if surface.count('"') else surface
                canonical = self.lex.organization_names.get(known) if known else None
                canonical = canonical or surface
                f = found.setdefault(canonical, _Found(canonical, first=(s, first.start)))
                f.en = self.lex.organization_english.get(canonical)
                f.mentions += 1
                f.forms.setdefault(surface, None)
                spans.update(range(i, i + span))
                i += span
            self._org_spans.append(spans)
        # A short form of a longer name found in the same article (منظمة الصحة → منظمة الصحة العالمية).
        names = sorted(found, key=len, reverse=True)
        for short in names:
            for long in names:
                if long != short and long in found and short in found and long.startswith(short + " "):
                    target = found[long]
                    src = found.pop(short)
                    target.mentions += src.mentions
                    for form in src.forms:
                        target.forms.setdefault(form, None)
                    target.first = min(target.first, src.first)
                    break
        return [f.to_entity() for f in sorted(found.values(), key=lambda f: f.first)]

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

    def _organization_at(self, toks: Sequence[Token], i: int) -> tuple[int, tuple[str, ...]]:
        """How many tokens an organisation's name starting at i takes (0: none), and its known key."""
        tok = toks[i]
        if not tok.is_word:
            return 0, ()
        for seq in self.lex.organizations:
            n = len(seq)
            if (
                i + n <= len(toks)
                and any(v == seq[0] for v in tok.variants)
                and all(toks[i + k].norm == seq[k] for k in range(1, n))
            ):
                return n, seq
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        if tok.bare in self.lex.ministries:
            # الخارجية السورية (the ministry), not وزير الخارجية السوري (the minister's title).
            prev = toks[i - 1] if i else None
            if nxt and nxt.norm.endswith("يه") and self._adjective(nxt) and not (prev and self._is_title(prev)):
                return 2, ()
            return 0, ()
        if not any(self._org_head_variant(v) for v in tok.variants):
            return 0, ()
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
                n = close - i + 1
                break
            if not t.is_word or t.norm in self.lex.not_organization_parts or t.norm in STOP:
                break
            if n >= 2 and self._is_title(t) and self._person_follows(toks, i + n + 1):
                break  # مجلس السيادة الفريق …: a rank introducing the next person, not part of the name
            if t.norm.startswith(("ال", "لل")):
                if i + n + 1 < len(toks) and toks[i + n + 1].norm in _RELATIVE_PREPOSITIONS:
                    break  # الوكالة المستولى عليها: a relative clause about the body, not its name
                n += 1
                if self._adjective(t):
                    # A nationality adjective closes the name, unless a complement follows:
                    # المرصد السوري لحقوق الإنسان.
                    if self._complement_at(toks, i + n):
                        n += 2
                    break
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
            # A proper noun after the head or its chain: جامعة القاهرة، شركة أرامكو، وكالة ... ناسا.
            if self._place_at([t]) is not None or (n >= 2 and t.norm in {s[0] for s in self.lex.organizations}):
                n += 1
                break
            head_definite = any(v.startswith("ال") and self._org_head_variant(v) for v in tok.variants)
            if (
                n == 1
                and not head_definite
                and not self._is_title(t)
                and not is_verb(t)
                and len(t.norm) >= 3
                # جماعة إرهابية، هيئة معنية، محكمة مصرية: an adjective, not a name.
                and not t.norm.endswith(("ه", "ين", "ون", "يه"))
                and self._adjective(t) is None
                and not t.norm.startswith(("و", "ب", "ل", "ف"))
                and not self._is_given(t)
            ):
                n += 1  # شفق نيوز، شرطة الكرخ: an indefinite proper noun right after the head
                continue
            break
        if n <= 1:
            return 0, ()
        last = toks[i + n - 1]
        if last.norm in self.lex.not_organization_parts:
            return 0, ()
        return n, ()


# Titles abbreviated to a letter and a full stop: د. (doctor), م. (engineer), أ. (professor).
_ABBREVIATED = frozenset({"د", "م", "ا"})


def _abbreviated_title(toks: Sequence[Token], j: int) -> bool:
    return toks[j].norm in _ABBREVIATED and j + 1 < len(toks) and toks[j + 1].surface == "."


def _participle(norm: str) -> bool:
    """A definite participle of a derived verb: مُفعِل/مُفعّل (المشرف، المكلف), مُفاعِل (المعالج), مُتفعِّل and
    مُستفعِل (المتابع، المستقبل) — not a nisba (المالكي) nor the مِفعال of family names (المقداد)."""
    if not norm.startswith("الم") or norm.endswith("ي"):
        return False
    stem = norm[3:]
    return len(stem) == 3 or (len(stem) == 4 and stem[1] == "ا") or (stem.startswith(("ت", "ست")) and len(stem) <= 6)


def _without_pronoun(norm: str) -> str:
    """The word without a pronoun suffix (فوزه → فوز، قرارها → قرار)."""
    for suffix in ("هما", "هم", "ها", "ه"):
        if norm.endswith(suffix) and len(norm) - len(suffix) >= 3:
            return norm[: -len(suffix)]
    return norm


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
