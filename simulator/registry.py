"""The demo registry: the 486 structures of 2007 (420 missions locales, 66 PAIO).

The structures are spread over the 26 regions in proportion to their 2007
population and named after real towns of the region (the largest towns host the
missions locales, the smaller ones the PAIO). Everything is derived from the
tables below, so the registry is identical on every run.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from collections.abc import Iterable
from pathlib import Path

from shared.regions import REGIONS
from shared.registry import Kind, StructureFields

MISSIONS_LOCALES = 420
PAIO = 66
CSV_COLUMNS: tuple[str, ...] = (
    "structure_id", "name", "kind", "region", "opened_on", "closed_on", "email",
)  # fmt: skip
# The demo's contact addresses, in a domain reserved for examples (RFC 2606): the demo writes
# its mails to a folder (docs/operations.md). One structure in NO_ADDRESS_EVERY has none, as
# in life.
DEMO_MAIL_DOMAIN = "missions-locales.example"
NO_ADDRESS_EVERY = 20

# INSEE population estimates at 1 January 2007, in thousands.
POPULATION_2007: dict[str, int] = {
    "11": 11_598,
    "21": 1_339,
    "22": 1_900,
    "23": 1_817,
    "24": 2_520,
    "25": 1_461,
    "26": 1_628,
    "31": 4_022,
    "41": 2_339,
    "42": 1_827,
    "43": 1_163,
    "52": 3_482,
    "53": 3_120,
    "54": 1_752,
    "72": 3_150,
    "73": 2_811,
    "74": 737,
    "82": 6_021,
    "83": 1_339,
    "91": 2_534,
    "93": 4_864,
    "94": 299,
    "01": 400,
    "02": 398,
    "03": 213,
    "04": 802,
}

# Towns of each region, largest first; a region needs as many as it has structures.
# fmt: off
TOWNS: dict[str, tuple[str, ...]] = {
    "11": (
        "Paris Centre", "Paris Nord", "Paris Est", "Paris Sud", "Paris Ouest", "Saint-Denis",
        "Montreuil", "Argenteuil", "Boulogne-Billancourt", "Créteil", "Nanterre", "Versailles",
        "Vitry-sur-Seine", "Colombes", "Aulnay-sous-Bois", "Asnières-sur-Seine", "Aubervilliers",
        "Rueil-Malmaison", "Champigny-sur-Marne", "Saint-Maur-des-Fossés", "Drancy",
        "Issy-les-Moulineaux", "Noisy-le-Grand", "Levallois-Perret", "Cergy", "Antony",
        "Neuilly-sur-Seine", "Ivry-sur-Seine", "Clichy", "Villejuif", "Sarcelles",
        "Épinay-sur-Seine", "Pantin", "Bondy", "Évry", "Fontenay-sous-Bois", "Clamart", "Chelles",
        "Sevran", "Meaux", "Le Blanc-Mesnil", "Maisons-Alfort", "Montrouge", "Bobigny",
        "Saint-Ouen", "Vincennes", "Suresnes", "Sartrouville", "Meudon", "Massy",
        "Corbeil-Essonnes", "Alfortville", "Livry-Gargan", "Rosny-sous-Bois", "Noisy-le-Sec",
        "Gennevilliers", "Puteaux", "Choisy-le-Roi", "Garges-lès-Gonesse", "Mantes-la-Jolie",
        "Bagneux", "Savigny-sur-Orge", "Melun", "Stains", "Pontoise", "Poissy",
        "Conflans-Sainte-Honorine", "Les Mureaux", "Trappes", "Plaisir",
        "Sainte-Geneviève-des-Bois", "Athis-Mons", "Palaiseau", "Grigny", "Les Ulis",
        "Villeneuve-Saint-Georges", "Torcy", "Pontault-Combault", "Gonesse", "Villiers-le-Bel",
        "Franconville", "Bezons", "Orly", "Villepinte", "Tremblay-en-France", "Clichy-sous-Bois",
        "La Courneuve", "Étampes", "Montereau-Fault-Yonne", "Fontainebleau", "Nemours",
        "Provins", "Coulommiers", "Lagny-sur-Marne", "Rambouillet", "Houilles", "Guyancourt",
        "Brétigny-sur-Orge", "Goussainville", "Ermont",
    ),
    "21": (
        "Reims", "Troyes", "Charleville-Mézières", "Châlons-en-Champagne", "Saint-Dizier",
        "Épernay", "Chaumont", "Sedan", "Vitry-le-François", "Langres", "Romilly-sur-Seine",
        "Rethel",
    ),
    "22": (
        "Amiens", "Saint-Quentin", "Beauvais", "Compiègne", "Soissons", "Creil", "Laon",
        "Abbeville", "Chauny", "Château-Thierry", "Noyon", "Clermont", "Péronne", "Hirson",
        "Montdidier", "Nogent-sur-Oise", "Méru",
    ),
    "23": (
        "Rouen", "Le Havre", "Évreux", "Dieppe", "Sotteville-lès-Rouen", "Elbeuf", "Vernon",
        "Fécamp", "Louviers", "Bernay", "Lillebonne", "Yvetot", "Les Andelys", "Gisors", "Eu",
        "Pont-Audemer",
    ),
    "24": (
        "Tours", "Orléans", "Bourges", "Blois", "Chartres", "Châteauroux", "Dreux",
        "Joué-lès-Tours", "Vierzon", "Montargis", "Vendôme", "Romorantin-Lanthenay", "Issoudun",
        "Amboise", "Gien", "Pithiviers", "Châteaudun", "Loches", "Chinon", "Nogent-le-Rotrou",
        "Saint-Amand-Montrond",
    ),
    "25": (
        "Caen", "Cherbourg-Octeville", "Alençon", "Saint-Lô", "Lisieux", "Flers", "Argentan",
        "Bayeux", "Vire", "Granville", "Avranches", "Coutances", "L'Aigle",
    ),
    "26": (
        "Dijon", "Chalon-sur-Saône", "Nevers", "Auxerre", "Mâcon", "Sens", "Le Creusot",
        "Beaune", "Montceau-les-Mines", "Autun", "Cosne-Cours-sur-Loire", "Avallon", "Decize",
        "Joigny",
    ),
    "31": (
        "Lille", "Roubaix", "Tourcoing", "Dunkerque", "Calais", "Villeneuve-d'Ascq",
        "Valenciennes", "Boulogne-sur-Mer", "Douai", "Arras", "Wattrelos", "Lens", "Maubeuge",
        "Cambrai", "Liévin", "Marcq-en-Barœul", "Béthune", "Armentières", "Saint-Omer", "Denain",
        "Hénin-Beaumont", "Bruay-la-Buissière", "Hazebrouck", "Avesnes-sur-Helpe", "Fourmies",
        "Montreuil-sur-Mer", "Grande-Synthe", "Seclin", "Caudry", "Le Cateau-Cambrésis",
        "Saint-Pol-sur-Ternoise", "Carvin", "Anzin",
    ),
    "41": (
        "Metz", "Nancy", "Thionville", "Épinal", "Vandœuvre-lès-Nancy", "Montigny-lès-Metz",
        "Forbach", "Sarreguemines", "Lunéville", "Saint-Dié-des-Vosges", "Bar-le-Duc", "Verdun",
        "Toul", "Longwy", "Sarrebourg", "Saint-Avold", "Hayange", "Pont-à-Mousson", "Remiremont",
        "Briey",
    ),
    "42": (
        "Strasbourg", "Mulhouse", "Colmar", "Haguenau", "Schiltigheim", "Illkirch-Graffenstaden",
        "Saint-Louis", "Sélestat", "Guebwiller", "Saverne", "Thann", "Molsheim", "Wissembourg",
        "Obernai", "Altkirch",
    ),
    "43": (
        "Besançon", "Belfort", "Montbéliard", "Dole", "Pontarlier", "Vesoul", "Lons-le-Saunier",
        "Audincourt", "Héricourt", "Saint-Claude", "Lure",
    ),
    "52": (
        "Nantes", "Angers", "Le Mans", "Saint-Nazaire", "Cholet", "La Roche-sur-Yon", "Laval",
        "Saint-Herblain", "Rezé", "Saumur", "Les Sables-d'Olonne", "La Flèche",
        "Sablé-sur-Sarthe", "Château-Gontier", "Mayenne", "Fontenay-le-Comte", "Challans",
        "Ancenis", "Châteaubriant", "Segré", "Les Herbiers", "Luçon", "Mamers",
        "La Ferté-Bernard", "Clisson", "Pornic", "Guérande", "Orvault",
    ),
    "53": (
        "Rennes", "Brest", "Quimper", "Lorient", "Vannes", "Saint-Malo", "Saint-Brieuc",
        "Lanester", "Fougères", "Lannion", "Concarneau", "Vitré", "Morlaix", "Pontivy",
        "Guingamp", "Dinan", "Redon", "Landerneau", "Quimperlé", "Douarnenez", "Ploërmel",
        "Carhaix-Plouguer", "Auray", "Loudéac", "Paimpol",
    ),
    "54": (
        "Poitiers", "La Rochelle", "Niort", "Angoulême", "Châtellerault", "Rochefort", "Saintes",
        "Cognac", "Royan", "Bressuire", "Parthenay", "Jonzac", "Loudun", "Montmorillon",
        "Confolens",
    ),
    "72": (
        "Bordeaux", "Pau", "Mérignac", "Pessac", "Bayonne", "Talence", "Périgueux", "Agen",
        "Mont-de-Marsan", "Villenave-d'Ornon", "Bergerac", "Anglet", "Biarritz", "Dax",
        "Libourne", "Villeneuve-sur-Lot", "Marmande", "Arcachon", "Sarlat-la-Canéda",
        "Oloron-Sainte-Marie", "Orthez", "Blaye", "Langon", "Lormont", "Cenon", "Hendaye",
    ),
    "73": (
        "Toulouse", "Montauban", "Albi", "Tarbes", "Castres", "Rodez", "Colomiers",
        "Tournefeuille", "Muret", "Millau", "Cahors", "Auch", "Foix", "Pamiers", "Figeac",
        "Lourdes", "Villefranche-de-Rouergue", "Saint-Gaudens", "Castelsarrasin", "Lavaur",
        "Moissac", "Decazeville", "Blagnac", "Condom",
    ),
    "74": ("Limoges", "Brive-la-Gaillarde", "Tulle", "Guéret", "Saint-Junien", "Ussel", "Aubusson"),
    "82": (
        "Lyon", "Saint-Étienne", "Grenoble", "Villeurbanne", "Valence", "Chambéry", "Annecy",
        "Vénissieux", "Vaulx-en-Velin", "Roanne", "Bourg-en-Bresse", "Saint-Priest", "Échirolles",
        "Villefranche-sur-Saône", "Montélimar", "Annemasse", "Vienne", "Saint-Martin-d'Hères",
        "Romans-sur-Isère", "Bron", "Rillieux-la-Pape", "Thonon-les-Bains", "Saint-Chamond",
        "Oyonnax", "Aix-les-Bains", "Firminy", "Bourgoin-Jallieu", "Givors", "Oullins",
        "Décines-Charpieu", "Meyzieu", "Annonay", "Cluses", "Voiron", "Rive-de-Gier", "Privas",
        "Aubenas", "Albertville", "Saint-Jean-de-Maurienne", "Tarare", "Montbrison", "Sallanches",
        "Pierrelatte", "Ambérieu-en-Bugey", "Belley", "Villefontaine", "Tournon-sur-Rhône",
        "Gex",
    ),
    "83": (
        "Clermont-Ferrand", "Montluçon", "Aurillac", "Vichy", "Le Puy-en-Velay", "Moulins",
        "Issoire", "Thiers", "Riom", "Yssingeaux", "Saint-Flour", "Ambert",
    ),
    "91": (
        "Montpellier", "Nîmes", "Perpignan", "Béziers", "Narbonne", "Carcassonne", "Sète",
        "Alès", "Lunel", "Agde", "Castelnau-le-Lez", "Lodève", "Bagnols-sur-Cèze", "Limoux",
        "Mende", "Castelnaudary", "Céret", "Prades", "Ganges", "Beaucaire", "Quillan",
    ),
    "93": (
        "Marseille", "Nice", "Toulon", "Aix-en-Provence", "Avignon", "Antibes", "Cannes",
        "La Seyne-sur-Mer", "Hyères", "Arles", "Fréjus", "Grasse", "Cagnes-sur-Mer", "Martigues",
        "Aubagne", "Salon-de-Provence", "Istres", "Vitrolles", "Carpentras", "Draguignan",
        "Manosque", "Gap", "Orange", "Cavaillon", "Menton", "Marignane", "La Ciotat",
        "Digne-les-Bains", "Brignoles", "Saint-Raphaël", "Miramas", "Briançon", "Apt",
        "Sisteron", "Vallauris", "Six-Fours-les-Plages", "Pertuis", "Tarascon", "Gardanne",
    ),
    "94": ("Ajaccio", "Bastia", "Porto-Vecchio"),
    "01": ("Pointe-à-Pitre", "Basse-Terre", "Les Abymes", "Le Moule"),
    "02": ("Fort-de-France", "Le Lamentin", "Le Robert", "Schœlcher"),
    "03": ("Cayenne", "Saint-Laurent-du-Maroni", "Kourou"),
    "04": (
        "Saint-Denis de La Réunion", "Saint-Paul", "Saint-Pierre", "Le Tampon", "Saint-André",
        "Saint-Louis de La Réunion", "Saint-Benoît", "Le Port",
    ),
}
# fmt: on


def _largest_remainder(
    total: int, weights: dict[str, int], floor: dict[str, int], ceiling: dict[str, int]
) -> dict[str, int]:
    """Split ``total`` in proportion to ``weights``, within [floor, ceiling] per key.

    Ties are broken by key so that the split never depends on dict order.
    """
    weight_sum = sum(weights.values())
    shares = {k: total * w / weight_sum for k, w in weights.items()}
    counts = {k: min(ceiling[k], max(floor[k], int(s))) for k, s in shares.items()}
    by_remainder = sorted(shares, key=lambda k: (-(shares[k] - int(shares[k])), k))
    while sum(counts.values()) < total:
        for k in by_remainder:
            if counts[k] < ceiling[k] and sum(counts.values()) < total:
                counts[k] += 1
    while sum(counts.values()) > total:
        for k in reversed(by_remainder):
            if counts[k] > floor[k] and sum(counts.values()) > total:
                counts[k] -= 1
    return counts


def structures_per_region() -> dict[str, tuple[int, int]]:
    """(missions locales, PAIO) per region code."""
    regions = list(REGIONS)
    totals = _largest_remainder(
        MISSIONS_LOCALES + PAIO,
        POPULATION_2007,
        dict.fromkeys(regions, 1),
        {code: len(TOWNS[code]) for code in regions},
    )
    # Every region keeps at least one mission locale; PAIO follow the same proportions.
    paio = _largest_remainder(
        PAIO, totals, dict.fromkeys(regions, 0), {code: totals[code] - 1 for code in regions}
    )
    return {code: (totals[code] - paio[code], paio[code]) for code in regions}


# Most town names in H- have a silent h ("d'Hazebrouck"); these do not.
_ASPIRATED_H = frozenset({"Haguenau", "Houilles"})


def _structure_name(kind: str, town: str) -> str:
    head = "Mission locale" if kind == "mission_locale" else "PAIO"
    if town.startswith("Le "):
        return f"{head} du {town[3:]}"
    if town.startswith("Les "):
        return f"{head} des {town[4:]}"
    if town[0] in "AEIOUYÂÉÈÊÎÔŒ" or (town[0] == "H" and town not in _ASPIRATED_H):
        return f"{head} d'{town}"
    return f"{head} de {town}"


def _opened_on(structure_id: str, kind: str) -> dt.date:
    # Missions locales date from the 1982 Schwartz report onwards, PAIO from 1983.
    draw = random.Random(structure_id)
    first = 1982 if kind == "mission_locale" else 1983
    return dt.date(draw.randint(first, 2002), draw.randint(1, 12), draw.randint(1, 28))


def demo_structures() -> list[tuple[str, StructureFields]]:
    """The 486 structures of 2007, in region order then missions locales before PAIO."""
    structures: list[tuple[str, StructureFields]] = []
    for code, (missions, paio) in structures_per_region().items():
        towns = TOWNS[code]
        for number in range(1, missions + paio + 1):
            kind: Kind = "mission_locale" if number <= missions else "paio"
            prefix = "ML" if kind == "mission_locale" else "PAIO"
            local = number if kind == "mission_locale" else number - missions
            structure_id = f"{prefix}-{code}-{local:03d}"
            fields = StructureFields(
                name=_structure_name(kind, towns[number - 1]),
                kind=kind,
                region=code,
                opened_on=_opened_on(structure_id, kind),
                email=None
                if (len(structures) + 1) % NO_ADDRESS_EVERY == 0
                else f"contact@{structure_id.lower()}.{DEMO_MAIL_DOMAIN}",
            )
            structures.append((structure_id, fields))
    return structures


def write_registry_csv(path: Path, structures: Iterable[tuple[str, StructureFields]]) -> int:
    """Write the CSV of ``bilan structures import``; the number of rows written."""
    count = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(CSV_COLUMNS)
        for structure_id, fields in structures:
            writer.writerow(
                (
                    structure_id,
                    fields.name,
                    fields.kind,
                    fields.region,
                    fields.opened_on.isoformat() if fields.opened_on else "",
                    fields.closed_on.isoformat() if fields.closed_on else "",
                    fields.email if isinstance(fields.email, str) else "",
                )
            )
            count += 1
    return count
