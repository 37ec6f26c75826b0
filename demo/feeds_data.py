"""The demo's feeds: what six demo channels publish, served by `demo.feeds_server` and given to the channels by the
seed (`demo.feeds`).

Plain data, no database. Each feed says who may write it (a platform, a topic, and for some an open relationship on
a demo campaign): the seed gives it to the first such channel. Each item is dated in minutes from the moment the
server started: the back catalogue (negative) is served at once, the rest appears one item a minute, so that a
newcomer sees posts arrive and, for the sponsored balm launch, one recorded with its disclosure and one flagged
without. Texts are content, not interface: not translated. Every address is on an example domain.
"""

from dataclasses import dataclass

DAY = 24 * 60
HOUR = 60


def ago(days: int, hours: int = 0) -> int:
    """An item of the back catalogue: this long before the server started, in minutes."""
    return -(days * DAY + hours * HOUR)


@dataclass(frozen=True)
class Item:
    slug: str  # stable: the item's guid or id is made from it, so a restarted server serves the same items
    minutes: int  # published this many minutes after the server started (negative: before, served at once)
    title: str
    body: str  # HTML (a YouTube description: plain text, as YouTube gives it)
    tags: tuple[str, ...] = ()
    duration: str = ""  # a podcast episode's, hh:mm:ss


@dataclass(frozen=True)
class DemoFeed:
    key: str  # the first part of its address on the server
    format: str  # wordpress (RSS 2.0), youtube (Atom), podcast (RSS 2.0 with iTunes tags), jsonfeed (JSON Feed 1.1)
    platform: str  # the channel it is given to
    title: str  # "{handle}" is the channel's handle
    description: str
    items: tuple[Item, ...]
    topic: str = ""  # a key of people_data.TOPICS the author has
    campaign: str = ""  # a key of work_data.CAMPAIGNS the author has an open relationship on…
    stages: tuple[str, ...] = ()  # …at one of these stages


# The file each format is served as, after /<key>/<handle>/, as the platforms name theirs.
FILES = {"wordpress": "feed/", "youtube": "feeds/videos.xml", "podcast": "rss.xml", "jsonfeed": "feed.json"}

FEEDS = (
    DemoFeed(
        key="carnet-de-route",
        format="wordpress",
        platform="blog",
        topic="travel",
        campaign="solid_balm",
        stages=("active",),
        title="{handle}",
        description="Voyages lents, trains de nuit et sacs légers",
        items=(
            Item(
                "trois-semaines-avec-le-baume-voyageur",
                1,
                "Trois semaines sur la route avec le Baume Voyageur d'Herbier de Lou",
                "<p><strong>Collaboration commerciale avec Herbier de Lou.</strong> La marque m'a envoyé son "
                "nouveau baume solide et me rémunère pour cet article ; ce que j'en pense reste à moi.</p>"
                "<p>Trois semaines entre Lisbonne et Porto, du vent, du sel et des nuits en bus : mes lèvres et "
                "mes mains d'habitude en lambeaux s'en sont sorties. Une boîte en métal de 40 g, pas un gramme de "
                "plastique, et elle a survécu au fond du sac.</p>"
                '<p>Le baume est sur <a href="https://herbierdelou.example.fr/baume-voyageur?utm_source=blog">le '
                "site d'Herbier de Lou</a>, et le code <strong>LOUVOYAGE</strong> vous donne 15 % jusqu'à la "
                "fin du mois.</p>",
                tags=("Voyage", "Partenariat"),
            ),
            Item(
                "saint-malo-hors-saison",
                ago(2, 3),
                "Un week-end à Saint-Malo hors saison",
                "<p>Les remparts sous une pluie fine, une galette complète au marché de Saint-Servan et la plage "
                "du Sillon pour nous seuls à marée basse.</p><p>Venir en train depuis Rennes : 50 minutes, et "
                "tout se fait à pied une fois sur place.</p>",
                tags=("Voyage", "Bretagne"),
            ),
            Item(
                "dix-jours-dans-les-cyclades-avec-7-kg",
                ago(6, 5),
                "Dix jours dans les Cyclades avec un sac de 7 kg",
                "<p>Un sac cabine, trois t-shirts en laine et une seule paire de chaussures : la liste complète, "
                "et ce que je n'emporterai plus.</p>",
                tags=("Voyage", "Sac léger"),
            ),
            Item(
                "le-train-de-nuit-paris-briancon",
                ago(13, 2),
                "Le train de nuit Paris–Briançon, couchette par couchette",
                "<p>Départ d'Austerlitz à 20 h 52, réveil face aux sommets : mode d'emploi du train de nuit, "
                "du choix de la couchette au café de la gare.</p>",
                tags=("Train", "Montagne"),
            ),
        ),
    ),
    DemoFeed(
        key="papilles-en-famille",
        format="wordpress",
        platform="blog",
        topic="parenting",
        campaign="family_hike",
        stages=("active",),
        title="{handle}",
        description="Cuisine de tous les jours et sorties en famille",
        items=(
            Item(
                "premiere-rando-en-famille",
                2,
                "Notre première vraie rando en famille (avec un bébé de 9 mois)",
                "<p>Huit kilomètres et 350 mètres de dénivelé au-dessus de la Rhune : avec un bébé de neuf mois et "
                "une grande de six ans, on partait sans trop y croire.</p><p>Le porte-bébé Cordée de Cimes &amp; "
                "Sentiers, qu'on nous a prêté pour l'occasion, a tout changé : les bretelles se règlent d'une main "
                "et la petite a dormi la moitié de la montée.</p><p>Le pique-nique : taboulé de chou-fleur, "
                "œufs mimosa et gâteau basque. L'itinéraire complet est en bas de l'article. #randoenfamille</p>",
                tags=("Sorties", "Famille"),
            ),
            Item(
                "gouters-sans-sucre-ajoute",
                ago(3, 4),
                "Nos goûters de la semaine, sans sucre ajouté",
                "<p>Des muffins banane-avoine, un cake au yaourt sans sucre et des compotes maison : cinq goûters "
                "préparés le dimanche en une heure.</p>",
                tags=("Recettes", "Enfants"),
            ),
            Item(
                "cinq-sorties-nature-pres-de-chez-nous",
                ago(9, 1),
                "Cinq sorties nature à moins d'une heure de chez nous",
                "<p>Un lac, une forêt, une plage sauvage et deux sentiers côtiers : nos sorties préférées quand les "
                "enfants ont besoin de courir.</p>",
                tags=("Sorties",),
            ),
            Item(
                "soupe-de-poissons-du-vendredi",
                ago(16, 6),
                "La soupe de poissons du vendredi",
                "<p>La recette de ma grand-mère, avec les poissons de roche du marché et une rouille qu'on monte à "
                "la main.</p>",
                tags=("Recettes",),
            ),
        ),
    ),
    DemoFeed(
        key="cuisine-sobre",
        format="wordpress",
        platform="blog",
        topic="food",
        title="{handle}",
        description="Cuisine anti-gaspi, de saison et pas chère",
        items=(
            Item(
                "veloute-potimarron-chataignes",
                6,
                "Velouté de potimarron, châtaignes et noisettes",
                "<p>Le potimarron se cuit avec la peau, les châtaignes viennent d'un bocal et les noisettes du fond "
                "du placard : 1,20 € la part.</p><p>Astuce : les graines, rincées et grillées, font le croquant.</p>",
                tags=("Recettes", "Automne"),
            ),
            Item(
                "pain-perdu-sale",
                ago(1, 5),
                "Pain perdu salé aux restes de fromage",
                "<p>Le pain rassis, les bouts de comté et un reste de lait : le dîner du dimanche soir.</p>",
                tags=("Recettes", "Anti-gaspi"),
            ),
            Item(
                "menu-de-la-semaine-a-25-euros",
                ago(5, 2),
                "Le menu de la semaine pour deux, à 25 €",
                "<p>Cinq dîners, une seule liste de courses et presque rien à jeter le vendredi.</p>",
                tags=("Menus",),
            ),
            Item(
                "conserver-les-herbes-fraiches",
                ago(12, 3),
                "Conserver les herbes fraîches plus d'une semaine",
                "<p>Dans un verre d'eau, dans un torchon humide ou congelées dans l'huile : ce qui marche vraiment, "
                "herbe par herbe.</p>",
                tags=("Anti-gaspi",),
            ),
        ),
    ),
    DemoFeed(
        key="vrac-et-cie",
        format="youtube",
        platform="youtube",
        topic="sustainability",
        campaign="solid_balm",
        stages=("active",),
        title="{handle}",
        description="",
        items=(
            # Paid for, and not saying so: the product raises the flag.
            Item(
                "pXo3TkA9vQe",
                3,
                "Ma trousse de toilette zéro déchet pour 10 jours en sac à dos",
                "Tout tient dans une pochette en coton : savon solide, shampoing solide, brosse à dents en bambou "
                "et le Baume Voyageur d'Herbier de Lou, qui sert pour les lèvres, les mains et les talons.\n\n"
                "00:00 Intro\n01:05 Le savon et le shampoing\n04:40 Le baume\n07:15 Ce que je n'emporte plus\n\n"
                "#zerodechet #baumevoyageur #voyagerleger",
            ),
            Item(
                "Lw8cR2nYb5s",
                ago(4, 2),
                "Ma lessive au lierre : trois mois après",
                "Une poignée de feuilles, un litre d'eau et 15 minutes : le bilan honnête après trois mois, taches "
                "comprises.\n\n00:00 La recette\n03:20 Le bilan",
            ),
            Item(
                "Fz4hJ7tUe1k",
                ago(11, 5),
                "Faire ses courses en vrac avec 30 € par semaine",
                "Le marché, la biocoop et l'épicerie du quartier : ce que j'achète en vrac, où, et combien ça "
                "coûte vraiment.",
            ),
            Item(
                "Qa2mV6dXs9g",
                ago(18, 1),
                "Ma salle de bain zéro déchet, deux ans plus tard",
                "Ce qui est resté, ce que j'ai abandonné, et pourquoi je suis revenue au dentifrice en tube.",
            ),
        ),
    ),
    DemoFeed(
        key="garde-robe-sincere",
        format="podcast",
        platform="podcast",
        topic="fashion",
        campaign="solid_balm",
        stages=("active",),
        title="Garde-robe sincère",
        description="<p>Tous les quinze jours, une conversation sur la mode qui dure : réparer, choisir, garder.</p>",
        items=(
            Item(
                "episode-18",
                5,
                "#18 — La trousse minimaliste : moins de produits, mieux choisis",
                "<p>Dix produits dans la salle de bain au lieu de quarante : on en parle avec une esthéticienne "
                "qui vide les trousses de ses clientes.</p><p>Cet épisode est présenté par Herbier de Lou et son "
                "Baume Voyageur, un baume solide sans emballage plastique. Avec le code LOUVOYAGE, 15 % sur "
                '<a href="https://herbierdelou.example.fr/">herbierdelou.example.fr</a>. Publicité.</p>',
                duration="00:41:27",
            ),
            Item(
                "episode-17",
                ago(7, 4),
                "#17 — Réparer plutôt que racheter, avec une couturière de quartier",
                "<p>Un ourlet, une fermeture éclair, un coude troué : ce qu'on peut faire soi-même, et ce qu'il "
                "vaut mieux confier.</p>",
                duration="00:38:02",
            ),
            Item(
                "episode-16",
                ago(21, 4),
                "#16 — La seconde main, sans culpabilité",
                "<p>Friperies, vide-dressings et applis : acheter d'occasion sans se ruiner ni remplir ses "
                "placards.</p>",
                duration="00:44:51",
            ),
        ),
    ),
    DemoFeed(
        key="la-lettre-souffle",
        format="jsonfeed",
        platform="newsletter",
        topic="wellness",
        title="{handle} — la lettre",
        description="Une lettre courte sur le souffle, le sommeil et le temps pour soi.",
        items=(
            Item(
                "respirer-avant-de-repondre",
                4,
                "Respirer avant de répondre à un mail",
                "<p>Quatre secondes pour inspirer, six pour expirer, deux fois : l'exercice que je fais avant "
                "d'ouvrir un mail qui fâche.</p>",
                tags=("respiration",),
            ),
            Item(
                "dormir-quand-il-fait-chaud",
                ago(6, 1),
                "Dormir quand il fait chaud",
                "<p>Une chambre à 19 °C, un drap mouillé et la respiration 4-7-8 : ce qui marche, et ce qui ne "
                "marche pas.</p>",
                tags=("sommeil",),
            ),
            Item(
                "la-marche-lente",
                ago(13, 1),
                "La marche lente, vingt minutes par jour",
                "<p>Ni podomètre ni objectif : marcher deux fois plus lentement que d'habitude, et regarder.</p>",
                tags=("marche",),
            ),
        ),
    ),
)

# What identifies each demo campaign's content in a post (campaigns.Campaign's fields): the sponsored balm launch's
# are the ones the feeds above mention.
CONTENT_IDENTIFIERS = {
    "winter_routine": {
        "content_terms": "#routinehiver\nsavon surgras",
        "content_links": "herbierdelou.example.fr",
        "promo_code": "HIVER15",
    },
    "trail_season": {
        "content_terms": "Crête 2\n#saisontrail\ntrail des Aravis",
        "content_links": "https://cimes-sentiers.example.fr/crete-2\ncimes-sentiers.example.fr",
        "promo_code": "",
    },
    "sunday_stews": {
        "content_terms": "cocotte Mijot\n#dimanchesmijotes",
        "content_links": "maisonmijot.example.fr",
        "promo_code": "MIJOTDIMANCHE",
    },
    "album_release": {
        "content_terms": "Lumen Vert\n#LumenVert",
        "content_links": "https://disques-traboule.example.fr/lumen-vert",
        "promo_code": "",
    },
    "solid_balm": {
        "content_terms": "Baume Voyageur\n#baumevoyageur",
        "content_links": "https://herbierdelou.example.fr/baume-voyageur\nherbierdelou.example.fr",
        "promo_code": "LOUVOYAGE",
    },
    "family_hike": {
        "content_terms": "porte-bébé Cordée\n#randoenfamille",
        "content_links": "https://cimes-sentiers.example.fr/cordee",
        "promo_code": "",
    },
    "batch_cooking": {"content_terms": "robot Mijot\n#batchcooking", "content_links": "", "promo_code": ""},
    "small_venues": {
        "content_terms": "Lumen Vert\n#tourneepetitessalles",
        "content_links": "https://disques-traboule.example.fr/tournee",
        "promo_code": "",
    },
}
