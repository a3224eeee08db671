"""Diagnostics: `FILE:LINE:COL: KMnnn message`, with stable codes documented in docs/diagnostics.md."""

from __future__ import annotations

from dataclasses import dataclass

# Every code the persona tools can report, with a one-line title (the guide has a page per code).
CODES = {
    "KM001": "YAML-syntaxfout",
    "KM002": "bestand te groot",
    "KM003": "te veel aliassen of te diep genest",
    "KM004": "dubbele sleutel",
    "KM005": "bestand is leeg of geen mapping",
    "KM006": "bestand niet leesbaar of geen UTF-8",
    "KM010": "onbekende sleutel",
    "KM011": "verplicht veld ontbreekt",
    "KM012": "verkeerd type",
    "KM013": "waarde buiten bereik",
    "KM014": "ongeldige waarde",
    "KM015": "lijst of tekst te kort of te lang",
    "KM016": "id past niet bij bestandsnaam",
    "KM017": "stuurteken in tekst",
    "KM020": "dubbel id",
    "KM021": "verwijzing naar onbekende node of afloop",
    "KM022": "verwijzing naar onbekende cue",
    "KM023": "onbekende fase",
    "KM024": "onbekende uitkomst",
    "KM025": "onbekende gevoeligheidscategorie",
    "KM026": "onbekende MI-code",
    "KM030": "voorwaarde klopt niet",
    "KM031": "onbekende variabele of functie in voorwaarde",
    "KM032": "visited() noemt een onbekende node",
    "KM033": "vergelijking met een onbekende fase",
    "KM101": "onbereikbare node",
    "KM102": "doodlopende node",
    "KM103": "lus zonder uitweg",
    "KM104": "onbereikbare afloop",
    "KM105": "voorwaarde kan nooit waar zijn",
    "KM106": "cue wordt door geen keuze opgepakt",
    "KM107": "controlerende taal in een keuze zonder controlling: true",
    "KM108": "keuze zonder voorbeeldzinnen",
    "KM109": "cue wordt nergens aangeboden",
    "KM110": "node zonder open keuze in een bereikbare toestand",
    "KM111": "fasevariant die nooit getoond wordt",
    "KM112": "node volgt op meerdere keuzes",
    "KM113": "reactie wordt nooit gebruikt",
    "KM114": "reactiezin dubbel of maar één zin",
    "KM115": "soort zin zonder reactie",
    "KM116": "reactie met `next` geldt voor elke node",
}


@dataclass(frozen=True, order=True)
class Diagnostic:
    file: str
    line: int
    col: int
    code: str
    message: str
    severity: str = "error"  # "error", "warning" or "info" (info never fails a check, see trainer lint)

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}: {self.code} {self.message}"

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


class PersonaError(Exception):
    """Raised when a persona cannot be loaded; carries all its diagnostics."""

    def __init__(self, diagnostics: list[Diagnostic]):
        self.diagnostics = diagnostics
        super().__init__("\n".join(str(d) for d in diagnostics))
