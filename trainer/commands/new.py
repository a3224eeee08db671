"""trainer new NAME (also: trainer nieuw) — write a commented skeleton persona that validates, to grow from."""

from __future__ import annotations


def add_parser(sub) -> None:
    p = sub.add_parser("new", aliases=["nieuw"], help="write a commented skeleton persona (NAME.yaml) that validates",
                       description="Schrijf een beginpersona met uitleg in het bestand: drie nodes, twee aflopen, "
                                   "een cue, een gevoeligheid en een voorwaarde. Het bestand is meteen geldig "
                                   "(trainer validate); de auteursgids (docs/auteursgids.md) laat zien hoe u het "
                                   "uitbouwt.")
    p.add_argument("name", help="naam van de persona, bijv. Fatima (het id en de bestandsnaam worden 'fatima')")
    p.add_argument("--dir", default=".", metavar="DIR", help="map voor het bestand (standaard: de huidige map)")
    p.set_defaults(run=run)


def persona_id(name: str) -> str:
    """'Fatima el Amrani' -> 'fatima-el-amrani': the id rules of the format (lowercase, digits, _ and -)."""
    import re
    import unicodedata

    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    ident = re.sub(r"[^a-z0-9_-]+", "-", plain).strip("-_")[:64]
    return ident or "persona"


SKELETON = '''\
# Persona {name}: een begin om uit te bouwen. Zie docs/auteursgids.md, "Van skelet naar persona".
# Controleer na elke wijziging:  trainer validate {file}   en   trainer lint {file}
# Speel het meteen:              trainer play {file} --debug   (herlaadt bij opslaan)
# Een regel die met # begint is uitleg; die mag u weghalen.
format: 1
id: {ident}                     # gelijk aan de bestandsnaam, zonder .yaml
name: {name}
age: 45                          # 16-100
difficulty: gemiddeld            # makkelijk, gemiddeld of moeilijk
situation: Een regel voor de personakaart, bijv. "Sinds twee jaar in de bijstand, wil weer iets doen".
summary: >-
  Twee of drie zinnen over wie {name} is. Schrijf in uw eigen woorden; neem niets over uit het onderzoek.
scene: >-
  Waar en waarom het gesprek plaatsvindt, bijv. een eerste gesprek met de nieuwe klantmanager.

facts:                           # achtergrond, elk feit met een bron
  - text: "Eigen uitwerking: {name} heeft jaren in de thuiszorg gewerkt."   # verzonnen? zeg het er dan bij
    sources: [eigen uitwerking]

meters: {{trust: 40, motivation: 40}}   # vertrouwen en motivatie aan het begin (0-100): de beginfase volgt hieruit

sensitivities:                   # wat de analyse in uw keuzes vindt, telt hier bovenop de eigen effects
  obligation: {{trust: -6, motivation: -3}}   # "u moet ..." (zie trainer lees {file})

cues:                            # aanknopingspunten voor eerherstel: iets wat de persona aanbiedt
  - id: werkverleden
    kind: past_work              # pride, shame, past_work, reason, feeling of plan
    label: Jaren in de thuiszorg
    why: Wie het werkverleden erkent, geeft {name} een verhaal terug waarin zij iets kon.
    source: eigen uitwerking
    pickups: ["U heeft dus jaren voor anderen gezorgd."]

start: opening                   # de eerste node

nodes:
  - id: opening
    say: Ik weet eigenlijk niet goed wat ik hier moet.
    offers: [werkverleden]       # deze zin biedt de cue aan
    choices:                     # 1 tot 9 keuzes; ze heten opening.1, opening.2 ... (tel vanaf 1)
      - id: vraag_werk           # een eigen id blijft hetzelfde als u keuzes tussenvoegt
        text: Vertelt u eens, wat deed u hiervoor?
        codes: [question]
        picks_up: [werkverleden]
        effects: {{trust: 4}}
        next: werk
        examples: ["Wat voor werk deed u?"]
      - text: U moet zich aanmelden voor een traject.
        codes: [giving_information]
        controlling: true        # bewust controlerend; de gevoeligheid obligation telt al mee
        next: weerstand
        examples: ["Aanmelden is verplicht."]

  - id: werk
    say: Twaalf jaar thuiszorg. Tot het niet meer ging.
    choices:
      - text: Wat zou u daarvan nog willen doen?
        codes: [question, emphasizing_autonomy]
        effects: {{motivation: 6}}
        next: eigen_keuze
        examples: ["Wat zou u weer willen doen?"]
      - text: Wat was daar mooi aan?
        codes: [question]
        if: "trust >= 40"          # alleen te kiezen als dit waar is
        effects: {{trust: 3, motivation: 3}}
        next: eigen_keuze
        examples: ["Wat vond u mooi aan dat werk?"]

  - id: weerstand
    say: Alweer iets wat moet.
    choices:
      - text: Dat klonk als een opdracht. Zo bedoelde ik het niet. Wat zou u zelf willen?
        codes: [complex_reflection, emphasizing_autonomy]
        effects: {{trust: 5}}
        next: werk
        examples: ["Sorry, wat wilt u zelf?"]

endings:
  - id: eigen_keuze
    outcome: own_choice          # own_choice, postponed, complied, broken_off of een eigen uitkomst
    say: Misschien kan ik eens gaan kijken bij de buurtzorg.
    summary: "{name} kiest zelf een volgende stap."
'''


def run(args) -> int:
    import sys
    from pathlib import Path

    from trainer.persona.loader import check_text

    ident = persona_id(args.name)
    folder = Path(args.dir)
    path = folder / f"{ident}.yaml"
    name = " ".join(args.name.split()) or ident
    if '"' in name or "\\" in name:
        print('trainer new: a name cannot contain " or \\', file=sys.stderr)
        return 1
    text = SKELETON.format(name=name, ident=ident, file=path)
    _persona, diags = check_text(str(path), text)
    if any(d.is_error for d in diags):  # a name that breaks YAML (e.g. starting with '#')
        for d in diags:
            print(d, file=sys.stderr)
        print("trainer new: choose a plainer name", file=sys.stderr)
        return 1
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with open(path, "x", encoding="utf-8") as fh:  # never overwrite a trainer's work
            fh.write(text)
    except FileExistsError:
        print(f"trainer new: {path} bestaat al; kies een andere naam of map", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"trainer new: cannot write {path}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    print(path)
    print(f"Volgende stap: trainer validate {path} && trainer play {path} --debug", file=sys.stderr)
    return 0
