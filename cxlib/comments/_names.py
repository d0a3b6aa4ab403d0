"""Names in free text, found after the words that introduce them (private to :mod:`cxlib.comments`).

Best effort, by cue: a name is one to four capitalised words (any script, with apostrophes, hyphens,
initials and particles such as "van der" or "de la") that follow

- a self-introduction: "my name is", "name:", "I'm", "I am", "this is", "it's" (and "je m'appelle",
  "ich heiße", "me llamo", "mi chiamo", "mijn naam is", "je suis", "ich bin");
- a role or a request: "agent", "rep", "advisor", "technician", "manager", "ask for", "spoke to",
  "thanks to", "thank you", "kudos to";
- "helped by", "served by", "assisted by", "handled by", "dealt with by", "someone called", "named";
- a title: Mr, Mrs, Ms, Miss, Mx, Dr, Prof, Sir, Herr, Frau, Mme, Mlle, Sr, Sra, Sig., Shri, Smt;
- a sign-off: "regards,", "kind regards", "best,", "cheers,", "thanks,", "sincerely", "yours", "—";

or that precede "from support" (billing, sales, customer service, the help desk, ...). Every
capitalised word of the name is replaced, so no surname is left beside the placeholder; after "my name
is" the name may be lower-case. A name with no cue ("Sarah was great") survives: redacted text is less
risky, not anonymous.
"""

from __future__ import annotations

import re

__all__ = ["CUE_HINT", "FROM_HINT", "NOT_NAMES", "names"]

_WORD = re.compile(r"[^\W\d_](?:[^\W\d_]|['’\-](?=[^\W\d_])){0,30}+\.?")
_GAP = re.compile(r"[ \t]{1,2}")
_STRONG = (r"my[ \t]{1,3}name[ \t]{1,3}is|my[ \t]{1,3}name['’]s|name[ \t]{0,2}:|signed[,:]?|je[ \t]m['’]appelle|"
           r"mein[ \t]{1,3}name[ \t]{1,3}ist|ich[ \t]{1,3}hei(?:ß|ss)e|me[ \t]{1,3}llamo|mi[ \t]{1,3}chiamo|"
           r"mijn[ \t]{1,3}naam[ \t]{1,3}is|mi[ \t]{1,3}nombre[ \t]{1,3}es|meu[ \t]{1,3}nome[ \t]{1,3}[ée]|"
           r"me[ \t]{1,3}chamo|mon[ \t]{1,3}nom[ \t]{1,3}est|il[ \t]{1,3}mio[ \t]{1,3}nome[ \t]{1,3}[èe]|"
           r"ik[ \t]{1,3}heet|nombre[ \t]{0,2}:|nome[ \t]{0,2}:|nom[ \t]{0,2}:|naam[ \t]{0,2}:")
_WEAK = (r"name[ \t]{1,3}is|name['’]s|i[ \t]{1,3}am|i['’]m|this[ \t]{1,3}is|it['’]s|it[ \t]{1,3}is|"
         r"je[ \t]{1,3}suis|ich[ \t]{1,3}bin|soy|sono")
_CUES = (
    r"ask(?:ed)?(?:[ \t]{1,3}for)?|agent|rep|representative|advisor|adviser|associate|operator|consultant|"
    r"colleague|technician|engineer|driver|manager|supervisor|specialist|assistant|employee|courier|nurse|"
    r"doctor|teller|cashier|receptionist|waiter|waitress|clerk|postman|officer|pharmacist|hostess|steward|"
    r"stewardess|installer|fitter|plumber|electrician|attendant|concierge|therapist|trainer|instructor|"
    r"caseworker|staff[ \t]{1,3}member|team[ \t]{1,3}member|se[ñn]ora|se[ñn]or|senhora|senhor|signora|"
    r"agente|asesora?|operadora?|t[ée]cnic[oa]|repartidor|emplead[oa]|dependienta?|cajer[oa]|enfermer[oa]|"
    r"conseill[eè]re?|technicienne?|livreur|employ[ée]e?|vendeuse|vendeur|infirmi[eè]re?|"
    r"berater(?:in)?|kundenberater(?:in)?|mitarbeiter(?:in)?|sachbearbeiter(?:in)?|techniker(?:in)?|"
    r"fahrer(?:in)?|kolleg(?:e|in)|zusteller(?:in)?|operat(?:ore|rice)|consulente|tecnico|corriere|"
    r"impiegat[oa]|commess[oa]|atendente|consultora?|entregador|funcion[aá]ri[oa]|medewerk(?:er|ster)|"
    r"adviseur|monteur|bezorger|collega|chauffeur|"
    r"(?:atendid[oa]|servi(?:e)?|aid[ée]e?|conseill[ée]e?|betreut|beraten|bedient|seguit[oa]|aiutat[oa]|"
    r"servit[oa]|geholpen|bediend)[ \t]{1,3}(?:por|pel[oa]|par|von|da|door)|"
    r"gracias[ \t]{1,3}a|merci[ \t]{1,3}(?:à|a)|danke[ \t]{1,3}an|grazie[ \t]{1,3}a|obrigad[oa][ \t]{1,3}(?:a|ao|à)|"
    r"dank[ \t]{1,3}aan|(?:habl[éeó]|convers[ée])[ \t]{1,3}con|parl[ée][ \t]{1,3}avec|parlato[ \t]{1,3}con|"
    r"falei[ \t]{1,3}com|gesproken[ \t]{1,3}met|pregunten[ \t]{1,3}por|preguntar[ \t]{1,3}por|"
    r"saludos[,]?|un[ \t]{1,3}saludo[,]?|atentamente[,]?|cordialmente[,]?|cordialement[,]?|"
    r"bien[ \t]{1,3}à[ \t]{1,3}vous[,]?|amicalement[,]?|(?:mit[ \t]{1,3})?freundlichen[ \t]{1,3}gr[üu](?:ß|ss)en[,]?|"
    r"(?:viele|liebe|beste|freundliche)[ \t]{1,3}gr[üu](?:ß|ss)e[,]?|gr[üu](?:ß|ss)e[,]|lg[,]|mfg[,]?|"
    r"cordiali[ \t]{1,3}saluti[,]?|distinti[ \t]{1,3}saluti[,]?|saluti[,]|atenciosamente[,]?|abra[çc]os[,]?|"
    r"cumprimentos[,]?|met[ \t]{1,3}vriendelijke[ \t]{1,3}groet(?:en)?[,]?|groet(?:en|jes)?[,]|mvg[,]?|"
    r"thanks(?:[ \t]{1,3}(?:so[ \t]{1,3}much|a[ \t]{1,3}lot|again))?(?:[ \t]{1,3}to)?[,]?|"
    r"thank[ \t]{1,3}you(?:[ \t]{1,3}to)?[,]?|thx[,]?|cheers[,]?|kudos[ \t]{1,3}to|shout[ \t]?out[ \t]{1,3}to|"
    r"(?:spoke|speak|talked|talking|chatted|spoken)[ \t]{1,3}(?:to|with)|dealt[ \t]{1,3}with(?:[ \t]{1,3}by)?|"
    r"(?:helped|served|assisted|supported|handled|contacted|visited|seen|attended|advised|called|phoned|"
    r"greeted|looked[ \t]{1,3}after)[ \t]{1,3}by|"
    r"(?:guy|lady|woman|man|person|girl|gentleman|someone|somebody|chap|bloke|rep|agent)[ \t]{1,3}(?:called|named)|"
    r"named|regards[,]?|kind[ \t]{1,3}regards[,]?|best[ \t]{1,3}regards[,]?|warm[ \t]{1,3}regards[,]?|"
    r"best[ \t]{1,3}wishes[,]?|best,|sincerely[,]?|yours(?:[ \t]{1,3}(?:truly|faithfully|sincerely))?,|"
    r"many[ \t]{1,3}thanks[,]?|br,|—|–|--"
)
_TITLES = (r"Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Sir|Herr|Frau|Mme|Mlle|Monsieur|Madame|Sr|Sra|Srta|Sig|Signor|Signora|"
           r"Shri|Smt|Dhr|Mevr|Nurse|Doctor|Professor|Officer|Sister|Father|Señor|Señora|Señorita|Doña|"
           r"Dott|Dott\.ssa|Dottoressa|Ing|Avv|Sig\.ra|Meneer|Mevrouw|Mw|Senhor|Senhora|Dona|Hr|Fr")
def _by_first_letter(alternatives: str) -> str:
    """The same alternation grouped by first letter ("agent|ask|best" -> "a(?:gent|sk)|b(?:est)"): Python's
    re tries every branch at every position, so 250 cues cost 250 tests per character; grouped, about 30."""
    parts, depth, start, i = [], 0, 0, 0
    while i < len(alternatives):
        ch = alternatives[i]
        if ch == "\\":
            i += 1
        elif ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        elif ch == "|" and depth == 0:
            parts.append(alternatives[start:i])
            start = i + 1
        i += 1
    parts.append(alternatives[start:])
    groups: dict[str, list[str]] = {}
    for part in parts:
        key = part[0].lower() if part[0].isalpha() and part[1:2] not in ("?", "*", "+", "{") else ""
        groups.setdefault(key, []).append(part[1:] if key else part)
    out = [f"{k}(?:{'|'.join(v)})" for k, v in groups.items() if k]
    return "|".join(out + groups.get("", []))


_CUE = re.compile(                  # the lookahead lets Python's re skip positions no cue can start at
    rf"(?=[^\W\d_]|[—–\-])(?<![^\W\d_])(?:(?P<strong>(?i:{_by_first_letter(_STRONG)}))|"
    rf"(?P<weak>(?i:{_by_first_letter(_WEAK)}))|(?P<cue>(?i:{_by_first_letter(_CUES)}))|"
    rf"(?P<title>(?:{_TITLES})\.?))"
    r"(?:[ \t]{0,2}[:,\-][ \t]{0,2}|[ \t]{1,3}|\n[ \t]{0,3})(?=[^\W\d_])"
)
_FROM = re.compile(
    r"(?i:[ \t]{1,2}(?:from|at|in|of)[ \t]{1,2}(?:the[ \t]{1,2}|your[ \t]{1,2})?(?:support|billing|sales|"
    r"customer[ \t]{1,2}(?:service|care|support)|help[ \t]?desk|tech(?:nical)?[ \t]{1,2}support|accounts|"
    r"call[ \t]{1,2}cent(?:re|er)|team|retentions?|complaints|onboarding)\b)"
)
_UPPER = r"(?:[A-Z]|[^\x00-\x7f])"
#: Cheap tests (valid for Python's re and for RE2, which pandas uses on Arrow strings) that a text may
#: hold a cued name or a name before "from support".
CUE_HINT = (rf"(?i:{_STRONG})[^\w\n]{{0,3}}\n?[ \t]{{0,3}}(?:[A-Za-z]|[^\x00-\x7f])|"
            rf"(?i:{_WEAK}|{_CUES})[^\w\n.!?]{{0,4}}\n?[ \t]{{0,3}}{_UPPER}|\b(?:{_TITLES})\.?[ \t]{{1,3}}{_UPPER}")
FROM_HINT = _FROM.pattern
_PARTICLES = frozenset("van von der den de del della di da du la le dos das bin ibn al el ten ter st".split())
#: Capitalised words that follow a cue but are not names.
NOT_NAMES = frozenset("""
a an the i it its this that these those someone somebody anyone anybody everyone nobody support customer
customers service services billing sales team manager supervisor agent agents help helpdesk you your my our
we they he she him her them his for about please again and or but if so to in on at of with why what how
who when where which there here yes no not any some all every very really still also just sure only even
never always now then today tomorrow yesterday tonight morning afternoon evening week weekend month year
monday tuesday wednesday thursday friday saturday sunday january february march april may june july august
september october november december account accounts refund refunds invoice invoices app apps product
products company website site web online phone email mail chat call calls line order orders package
delivery payment card bank happy glad sorry afraid sad upset angry annoyed tired fed frustrated
disappointed unhappy satisfied pleased impressed shocked confused worried concerned done finished writing
calling contacting emailing texting trying going looking waiting leaving cancelling canceling switching
moving still new old long-time longtime loyal regular frequent existing former current first second last
great good bad poor terrible awful horrible excellent amazing fantastic brilliant wonderful perfect fine ok
okay nice lovely helpful unhelpful useless rude polite friendly quick slow fast late early ridiculous
unacceptable outrageous absurd appalling disgusting shocking annoying insane crazy pathetic joke beyond
absolutely totally completely extremely quite rather pretty fairly one two three four five six seven eight
nine ten hi hello hey dear thanks thank regards best kind warm many yours sincerely cheers everything
nothing something anything mr mrs ms miss dr not sir madam it's that's there's ask asked spoke speak talked
thank thanks cheers regards rep representative advisor adviser technician engineer driver colleague consultant
operator specialist assistant named called helped served kudos el la los las le les lo un una uno unos der die
das ein eine einen dem il gli het een o os as um uma de del ihnen sie usted ustedes vous voi lei u jij nicht
nein non nao não sí si oui ja muy très sehr molto heel muito todo tout alles tutto alle service kundendienst
servicio atención cliente clientes soporte client irrelevant irrelevante importante unimportant martens clean assistenza servizio klantenservice store shop branch office
""".split())


def names(text: str, *, cues: bool = True, departments: bool = True) -> list[tuple[int, int]]:
    """Spans of names found after a cue (``cues``) or before "from support" (``departments``).

    Examples
    --------
    >>> t = "Hi, I'm Zoë van der Berg. Helped by Mr O'Neil-Smith; regards,\\nJosé"
    >>> [t[a:b] for a, b in names(t)]
    ['Zoë van der Berg', "O'Neil-Smith", 'José']
    """
    spans = []
    pos = 0 if cues else len(text)
    while (m := _CUE.search(text, pos)) is not None:
        span = _name_at(text, m.end(), any_case=m.group("strong") is not None, weak=m.group("weak") is not None)
        pos = span[1] if span else m.end()
        if span:
            spans.append(span)
    covered = {a for a, _ in spans}
    for m in _FROM.finditer(text) if departments else ():
        span = _name_before(text, m.start())
        if span and span[0] not in covered:
            spans.append(span)
    return sorted(spans)


def _name_at(text: str, pos: int, *, any_case: bool, weak: bool) -> tuple[int, int] | None:
    """The name starting at ``pos``: up to four name words (initials allowed), particles between them."""
    taken: list[tuple[int, int, bool]] = []        # (start, end, is_particle)
    i = pos
    while (w := _WORD.match(text, i)) is not None:
        word = w.group(0)
        initial = len(word) == 2 and word.endswith(".")
        core = word[:-1] if word.endswith(".") and not initial else word
        possessive = len(core) > 2 and core.endswith(("'s", "’s"))
        core = core[:-2] if possessive else core
        if taken and core.lower() in _PARTICLES:
            taken.append((w.start(), w.start() + len(core), True))
        elif core.lower() in NOT_NAMES or (weak and core.isupper() and len(core) > 1):
            break
        elif core[:1].isupper() or any_case:
            taken.append((w.start(), w.start() + len(core), False))
        else:
            break
        if possessive or (word.endswith(".") and not initial) or sum(not p for *_, p in taken) == 4:
            break
        gap = _GAP.match(text, w.end())
        if gap is None:
            break
        i = gap.end()
    while taken and taken[-1][2]:
        taken.pop()
    return (taken[0][0], taken[-1][1]) if taken else None


_BACK_WORD = re.compile(r"[^\W\d_][\w'’\-]{0,30}")


def _name_before(text: str, end: int) -> tuple[int, int] | None:
    """One to three capitalised words ending at ``end`` ("Sarah Jones" in "Sarah Jones from billing")."""
    lo = max(0, end - 100)
    words = list(_BACK_WORD.finditer(text, lo, end))
    first = last = None
    for count, w in enumerate(reversed(words), start=1):
        stop = first[0] if first else end
        if text[w.end():stop].strip(" \t") or not w.group(0)[0].isupper() or w.group(0).lower() in NOT_NAMES:
            break
        first, last = (w.start(), w.end()), last or (w.start(), w.end())
        if count == 3:
            break
    return (first[0], last[1]) if first else None
