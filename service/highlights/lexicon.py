"""Word lists the highlight rules share, and the token type they all read."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from service.highlights.names import NameIndex
from service.text.arabic import STOPWORDS, clitic_variants, light_normalize, normalize, strip_clitic
from service.text.resources import read_bytes, read_toml

_TOKEN = re.compile(r"[\w\u0621-\u065f\u0670-\u06d3]+|[^\w\s]")

# Verbs that introduce reported speech (normalised), with their feminine and participle forms.
_SPEECH = (
    "قال اكد اضاف اوضح اعتبر شدد اشار صرح لفت نوه ذكر تابع ختم اعلن حذر دعا راي وصف كشف اكدت قالت اضافت اوضحت"
    " ابرز اعرب افاد علق رد اردف استطرد طالب نفى اقر اعترف كتب غرد نقل ابلغ اشاد ناشد حث توقع اكمل"
    # The rest of the class: verbs of saying, stating, asking, answering, warning and concluding in news Arabic.
    # (Not زاد، قدر، وعد، عقب: as often "increased", "amount", "promise", "after" as verbs of saying.)
    " ابان ابدى تساءل سأل اجاب جدد اختتم خلص استدرك استرسل ندد هدد توعد طمأن اوصى افصح ادلى"
    " نبه لاحظ استغرب انتقد تعهد اتهم رجح فسر روى حكى صاح هتف اورد"
)
# The journalistic present (ويقول الوزير إن …): the imperfect of the commonest verbs of saying, both genders.
_SPEECH_IMPERFECT = "يقول تقول يضيف تضيف يؤكد تؤكد يوضح توضح يشير تشير يرى ترى يعتبر تعتبر يتساءل تتساءل"
# «بيّن» (he explained) is written «بين» without its shadda, which is also the preposition "between": only the
# feminine and the participle (بينت، مبينا) count.
SPEECH_VERBS = (
    frozenset(normalize(w) for w in _SPEECH.split())
    | frozenset(normalize(w) + "ت" for w in _SPEECH.split())
    | frozenset(normalize(w) for w in _SPEECH_IMPERFECT.split())
    | frozenset({"بينت"})
)
SPEECH_PARTICIPLES = frozenset(
    normalize(w)
    for w in (
        "مضيفا مؤكدا مشيرا معتبرا موضحا مشددا لافتا منوها محذرا قائلا متابعا مبينا"
        " مردفا معربا مطالبا داعيا مستدركا مبرزا متسائلا منبها مذكرا مختتما معلقا مستطردا متهما مجددا"
        " منددا متوعدا مطمئنا موصيا مرجحا مشيدا مناشدا متعهدا شارحا"
    ).split()
)
# Their feminine forms (مضيفةً، مؤكدةً): normalised ة is ه, the ا of the accusative falls before it.
SPEECH_PARTICIPLES = SPEECH_PARTICIPLES | frozenset(p.removesuffix("ا") + "ه" for p in SPEECH_PARTICIPLES)
# Other verbs that end a name when they follow it (التقى، ناقش ...).
_OTHER_VERBS = frozenset(
    normalize(w)
    for w in (
        "التقى التقت ناقش ناقشا بحث بحثا زار استقبل دعا وصل غادر يقول تقول يرى ترى يؤكد تؤكد اجرى اجرت تلقى"
        " ترأس ترأست افتتح افتتحت وقع وقعت شارك شاركت اتصل اتصلت بحثت قام قامت عقد عقدت هو هي وهو وهي كان كانت"
    ).split()
)
TIME_WORDS = frozenset(
    normalize(w)
    for w in "اليوم أمس غدا الأربعاء الخميس الجمعة السبت الأحد الاثنين الثلاثاء صباح مساء ظهر الليلة".split()
)
STOP = frozenset(normalize(w) for w in STOPWORDS) | TIME_WORDS
# Stopwords with ى kept apart from ي, so the name علي is not the preposition على.
STOP_LIGHT = frozenset(light_normalize(w) for w in STOPWORDS) | frozenset(
    light_normalize(w) for w in "اليوم أمس غدا الأربعاء الخميس الجمعة السبت الأحد الاثنين الثلاثاء".split()
)


@dataclass(frozen=True)
class Token:
    """A word or punctuation mark with its normalised forms and where it stands in the sentence."""

    surface: str
    norm: str  # full normalisation, clitic kept
    bare: str  # full normalisation, a clitic glued to a definite word taken off (للأمن → الامن)
    light: str  # diacritics stripped, alef unified, ى and ة kept
    start: int
    end: int

    @property
    def is_word(self) -> bool:
        return self.surface[0].isalnum()

    @property
    def variants(self) -> tuple[str, ...]:
        """Normalised readings with and without a glued clitic, most literal first."""
        return clitic_variants(self.norm)

    @property
    def surface_bare(self) -> str:
        """The surface form without the clitic `bare` dropped."""
        if self.bare == self.norm:
            return self.surface
        if self.norm.startswith("لل") or self.norm.startswith("ولل"):
            return "ال" + self.surface[len(self.norm) - len(self.bare) + 2 :]
        return self.surface[len(self.norm) - len(self.bare) :]

    def surface_for(self, variant: str) -> str:
        """The surface form matching one of `variants`."""
        if variant == self.norm:
            return self.surface
        if variant == self.bare:
            return self.surface_bare
        return self.surface[len(self.norm) - len(variant) :]


def tokenize(text: str) -> list[Token]:
    """Words and punctuation of a sentence, each with its normal forms."""
    out = []
    for m in _TOKEN.finditer(text):
        surface = m.group()
        norm = normalize(surface)
        out.append(Token(surface, norm, strip_clitic(norm), light_normalize(surface), m.start(), m.end()))
    return out


def _any_in(tok: Token, words: frozenset[str]) -> bool:
    return any(v in words for v in tok.variants)


def is_speech_verb(tok: Token) -> bool:
    """قال، أكد، وأضاف ... (a conjunction glued on allowed)."""
    if tok.light.endswith("راي"):
        return False  # رأي "an opinion" (برنامج «رأي عام»), not رأى "he held": ى and ي tell them apart
    return _any_in(tok, SPEECH_VERBS)


def is_speech_participle(tok: Token) -> bool:
    """مضيفاً، مؤكداً ...: speech reported by the sentence's subject."""
    return _any_in(tok, SPEECH_PARTICIPLES)


def is_verb(tok: Token) -> bool:
    """A verb that ends a name standing before it."""
    return is_speech_verb(tok) or is_speech_participle(tok) or _any_in(tok, _OTHER_VERBS)


@dataclass(frozen=True)
class Lexicon:
    """Given names, titles and organisation names from config/names.toml, normalised for lookup."""

    given_names: frozenset[str]  # light-normalised: علي is a name, على is not
    titles: frozenset[str]
    organizations: tuple[tuple[str, ...], ...]  # normalised token sequences, longest first
    organization_names: dict[tuple[str, ...], str]
    organization_heads: frozenset[str]
    ministries: frozenset[str]
    organization_english: dict[str, str] = field(default_factory=dict)  # canonical Arabic → English
    not_names: frozenset[str] = frozenset()  # words that follow a title but are never a name (السابق)
    not_organization_parts: frozenset[str] = frozenset()  # المركز [الأول], اللجنة [التي]: no name follows
    names: NameIndex = field(default_factory=NameIndex.empty)
    common_words: frozenset[str] = frozenset()  # normalised frequent words no attested name uses

    @classmethod
    def load(cls, path: Path) -> Lexicon:
        """Read the lexicon file (cached: it does not change while the process runs)."""
        return _load(path)


@lru_cache(maxsize=4)
def _load(path: Path) -> Lexicon:
    data = read_toml(path)
    known: dict[str, str] = dict(data.get("known_organizations", {}))
    names_list = [*data.get("organizations", []), *known]
    aliases: dict[str, str] = dict(data.get("organization_aliases", {}))
    orgs = {tuple(normalize(w) for w in name.split()): name for name in names_list}
    orgs |= {tuple(normalize(w) for w in alias.split()): canonical for alias, canonical in aliases.items()}
    common = data.get("common_given_file")
    words_file = data.get("common_words_file")
    common_words: frozenset[str] = frozenset()
    if words_file and (path.parent / words_file).exists():  # like common_given_file: optional data
        lines = read_bytes(path.parent / words_file).decode("utf-8").splitlines()
        common_words = frozenset(w for w in lines if w and not w.startswith("#"))
    return Lexicon(
        given_names=frozenset(light_normalize(w) for w in data.get("given_names", "").split()),
        titles=frozenset(normalize(w) for w in data.get("titles", "").split()),
        organizations=tuple(sorted(orgs, key=len, reverse=True)),
        organization_names=orgs,
        organization_heads=frozenset(normalize(w) for w in data.get("organization_heads", "").split()),
        ministries=frozenset(normalize(w) for w in data.get("ministries", "").split()),
        organization_english=known,
        not_names=frozenset(normalize(w) for w in data.get("not_names", "").split()),
        not_organization_parts=frozenset(normalize(w) for w in data.get("not_organization_parts", "").split()),
        names=NameIndex.load(
            path.parent / common if common else None,
            path.parent / data["words_not_names_file"] if data.get("words_not_names_file") else None,
        )
        if data.get("attested_names", True)
        else NameIndex.empty(),
        common_words=common_words,
    )
