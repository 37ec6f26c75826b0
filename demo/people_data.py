"""The raw material of the demo community, people side: the team, topics, places, names, channels, tiers and consent.

Plain data, no database: the seed (demo) draws from it with a seeded random generator. Every address is on
an example domain (example.com, example.fr, example.org): the demo must never e-mail a real person.
"""

# The team beyond the three logins (manager, marketer, viewer): marketers who share the ownership.
# username, first name, last name
MORE_MARKETERS = [
    ("sophie", "Sophie", "Lambert"),
    ("karim", "Karim", "Haddad"),
    ("lea", "Léa", "Fournier"),
]

# Topics are named in French, the team's working language, as a French marketer tags people: many of them are
# the word used in English too (lifestyle, food, sport, running, tech, gaming), the others read easily for an
# English speaker (mode, beauté, voyage, musique, cinéma). They are data, not interface text: not translated.
# key (used below) → name
TOPICS = {
    "lifestyle": "Lifestyle",
    "fashion": "Mode",
    "beauty": "Beauté",
    "food": "Food",
    "travel": "Voyage",
    "sport": "Sport",
    "running": "Running",
    "sustainability": "Développement durable",
    "tech": "Tech",
    "gaming": "Gaming",
    "music": "Musique",
    "parenting": "Parentalité",
    "home": "Maison & déco",
    "wellness": "Bien-être",
    "cinema": "Cinéma",
}

# Topics that go together in one person's life, to draw believable sets (a runner who also writes on wellness).
TOPIC_AFFINITY = {
    "lifestyle": ["fashion", "beauty", "home", "travel", "food"],
    "fashion": ["lifestyle", "beauty", "sustainability"],
    "beauty": ["wellness", "fashion", "sustainability", "lifestyle"],
    "food": ["home", "parenting", "travel", "sustainability"],
    "travel": ["food", "sport", "lifestyle", "cinema"],
    "sport": ["running", "wellness", "travel"],
    "running": ["sport", "wellness", "travel"],
    "sustainability": ["home", "beauty", "food", "parenting"],
    "tech": ["gaming", "cinema", "music"],
    "gaming": ["tech", "cinema", "music"],
    "music": ["cinema", "lifestyle", "tech"],
    "parenting": ["food", "home", "wellness"],
    "home": ["sustainability", "food", "lifestyle"],
    "wellness": ["beauty", "running", "food"],
    "cinema": ["music", "gaming", "travel"],
}

# How many people of the directory have each topic as their main one (out of 300).
MAIN_TOPIC_WEIGHTS = {
    "lifestyle": 26,
    "fashion": 20,
    "beauty": 24,
    "food": 30,
    "travel": 22,
    "sport": 18,
    "running": 18,
    "sustainability": 20,
    "tech": 16,
    "gaming": 14,
    "music": 24,
    "parenting": 18,
    "home": 16,
    "wellness": 18,
    "cinema": 16,
}

# city, region, country (ISO), time zone, number of people. The count is deliberate: Île-de-France is the biggest
# group but well under half (the article asks to look beyond Parisian bloggers), and small towns are there too.
PLACES = [
    ("Paris", "Île-de-France", "FR", "Europe/Paris", 40),
    ("Montreuil", "Île-de-France", "FR", "Europe/Paris", 6),
    ("Saint-Denis", "Île-de-France", "FR", "Europe/Paris", 3),
    ("Versailles", "Île-de-France", "FR", "Europe/Paris", 3),
    ("Vincennes", "Île-de-France", "FR", "Europe/Paris", 2),
    ("Lyon", "Auvergne-Rhône-Alpes", "FR", "Europe/Paris", 20),
    ("Grenoble", "Auvergne-Rhône-Alpes", "FR", "Europe/Paris", 6),
    ("Annecy", "Auvergne-Rhône-Alpes", "FR", "Europe/Paris", 5),
    ("Clermont-Ferrand", "Auvergne-Rhône-Alpes", "FR", "Europe/Paris", 4),
    ("Aurillac", "Auvergne-Rhône-Alpes", "FR", "Europe/Paris", 1),
    ("Marseille", "Provence-Alpes-Côte d'Azur", "FR", "Europe/Paris", 16),
    ("Nice", "Provence-Alpes-Côte d'Azur", "FR", "Europe/Paris", 6),
    ("Aix-en-Provence", "Provence-Alpes-Côte d'Azur", "FR", "Europe/Paris", 4),
    ("Forcalquier", "Provence-Alpes-Côte d'Azur", "FR", "Europe/Paris", 1),
    ("Lille", "Hauts-de-France", "FR", "Europe/Paris", 13),
    ("Amiens", "Hauts-de-France", "FR", "Europe/Paris", 3),
    ("Roubaix", "Hauts-de-France", "FR", "Europe/Paris", 2),
    ("Bordeaux", "Nouvelle-Aquitaine", "FR", "Europe/Paris", 14),
    ("La Rochelle", "Nouvelle-Aquitaine", "FR", "Europe/Paris", 4),
    ("Biarritz", "Nouvelle-Aquitaine", "FR", "Europe/Paris", 3),
    ("Sarlat-la-Canéda", "Nouvelle-Aquitaine", "FR", "Europe/Paris", 2),
    ("Nantes", "Pays de la Loire", "FR", "Europe/Paris", 13),
    ("Angers", "Pays de la Loire", "FR", "Europe/Paris", 4),
    ("Toulouse", "Occitanie", "FR", "Europe/Paris", 14),
    ("Montpellier", "Occitanie", "FR", "Europe/Paris", 11),
    ("Perpignan", "Occitanie", "FR", "Europe/Paris", 2),
    ("Millau", "Occitanie", "FR", "Europe/Paris", 1),
    ("Strasbourg", "Grand Est", "FR", "Europe/Paris", 9),
    ("Nancy", "Grand Est", "FR", "Europe/Paris", 4),
    ("Reims", "Grand Est", "FR", "Europe/Paris", 3),
    ("Colmar", "Grand Est", "FR", "Europe/Paris", 2),
    ("Rennes", "Bretagne", "FR", "Europe/Paris", 10),
    ("Brest", "Bretagne", "FR", "Europe/Paris", 4),
    ("Vannes", "Bretagne", "FR", "Europe/Paris", 3),
    ("Saint-Malo", "Bretagne", "FR", "Europe/Paris", 2),
    ("Rouen", "Normandie", "FR", "Europe/Paris", 5),
    ("Caen", "Normandie", "FR", "Europe/Paris", 4),
    ("Dijon", "Bourgogne-Franche-Comté", "FR", "Europe/Paris", 5),
    ("Besançon", "Bourgogne-Franche-Comté", "FR", "Europe/Paris", 3),
    ("Tours", "Centre-Val de Loire", "FR", "Europe/Paris", 4),
    ("Orléans", "Centre-Val de Loire", "FR", "Europe/Paris", 2),
    ("Ajaccio", "Corse", "FR", "Europe/Paris", 2),
    ("Bruxelles", "Bruxelles-Capitale", "BE", "Europe/Brussels", 7),
    ("Liège", "Wallonie", "BE", "Europe/Brussels", 2),
    ("Genève", "Genève", "CH", "Europe/Zurich", 5),
    ("Lausanne", "Vaud", "CH", "Europe/Zurich", 3),
    ("Montréal", "Québec", "CA", "America/Toronto", 7),
    ("Québec", "Québec", "CA", "America/Toronto", 2),
    ("London", "England", "GB", "Europe/London", 6),
    ("Dublin", "Leinster", "IE", "Europe/Dublin", 1),
    ("Luxembourg", "Luxembourg", "LU", "Europe/Luxembourg", 2),
]

# Where people write in English: everyone there, or this share of them (English-speaking expats in France).
ENGLISH_SHARE = {"GB": 1.0, "IE": 1.0, "CA": 0.25, "FR": 0.05, "BE": 0.1, "CH": 0.1, "LU": 0.3}


def _names(text: str) -> list[str]:
    """Names kept as comma-separated text: a list literal would take one line per name."""
    return text.split(", ")


FRENCH_FIRST_NAMES = _names(
    "Camille, Léa, Manon, Chloé, Emma, Inès, Julie, Clara, Sarah, Pauline, Mathilde, Lucie, Anaïs, Margaux, "
    "Juliette, Elsa, Noémie, Marion, Laura, Charlotte, Zoé, Agathe, Salomé, Louise, Alice, Jeanne, Nina, Yasmine, "
    "Amina, Leïla, Fatou, Aurélie, Sandrine, Nathalie, Céline, Élodie, Hélène, Sophie, Audrey, Morgane, Maëlle, "
    "Soizic, Gaëlle, Lina, Maya, Thomas, Lucas, Hugo, Louis, Nathan, Théo, Antoine, Maxime, Julien, Nicolas, "
    "Romain, Baptiste, Clément, Guillaume, Quentin, Alexandre, Benjamin, Arthur, Paul, Victor, Mehdi, Karim, "
    "Yanis, Samir, Rayan, Moussa, Mamadou, Kevin, Florian, Damien, Olivier, Sébastien, Jérôme, Pierre, Yann, "
    "Erwan, Loïc, Gaël, Matthieu, Étienne, Raphaël, Jules, Adrien"
)

FRENCH_LAST_NAMES = _names(
    "Martin, Bernard, Thomas, Petit, Robert, Richard, Durand, Dubois, Moreau, Laurent, Simon, Michel, Lefebvre, "
    "Leroy, Roux, David, Bertrand, Morel, Fournier, Girard, Bonnet, Dupont, Lambert, Fontaine, Rousseau, Vincent, "
    "Muller, Lefèvre, Faure, André, Mercier, Blanc, Guérin, Boyer, Garnier, Chevalier, François, Legrand, "
    "Gauthier, Garcia, Perrin, Robin, Clément, Morin, Nicolas, Henry, Roussel, Mathieu, Gautier, Masson, Marchand, "
    "Duval, Denis, Dumont, Marie, Lemaire, Noël, Meyer, Dufour, Meunier, Brun, Blanchard, Giraud, Joly, Rivière, "
    "Lucas, Brunet, Gaillard, Barbier, Arnaud, Martinez, Gérard, Roche, Renard, Schmitt, Roy, Leroux, Colin, "
    "Vidal, Caron, Picard, Roger, Fabre, Aubert, Lemoine, Renaud, Dumas, Lacroix, Olivier, Philippe, Bourgeois, "
    "Pierre, Benoît, Rey, Leclerc, Payet, Rolland, Le Gall, Le Goff, Kerbrat, Tanguy, Ferrari, Benali, Haddad, "
    "Diallo, Traoré, Nguyen, Tran, Ben Salah, Mansouri, Da Silva, Ferreira, Oliveira, Etcheverry, Casanova, "
    "Schneider, Weber, Peeters, Janssens, Tremblay, Gagnon, Bouchard, Côté"
)

ENGLISH_FIRST_NAMES = _names(
    "Olivia, Amelia, Isla, Grace, Freya, Chloe, Hannah, Ruby, Sophie, Emily, Megan, Niamh, Oliver, Jack, Harry, "
    "George, Noah, Charlie, James, Alfie, Liam, Conor, Sean, Ethan"
)

ENGLISH_LAST_NAMES = _names(
    "Smith, Jones, Taylor, Brown, Williams, Wilson, Evans, Walker, Wright, Robinson, Thompson, Hughes, Edwards, "
    "Green, Hall, Wood, Harris, Clarke, Murphy, Kelly, O'Brien, Byrne, Campbell, Stewart, MacDonald, Patel, Khan, "
    "Ahmed"
)

# Email domains: example domains only (RFC 2606), never a real mailbox.
EMAIL_DOMAINS = ["example.com", "example.fr", "example.org"]

# Words for handles and blog names, by topic: (French, English).
HANDLE_WORDS = {
    "lifestyle": (["aucoindelarue", "jolisjours", "petitsbonheurs", "carnet"], ["everyday", "littlejoys", "notes"]),
    "fashion": (["dressing", "stylee", "friperie", "garderobe"], ["wardrobe", "styled", "thrifted"]),
    "beauty": (["beaute", "routine", "pinceaux", "peaudouce"], ["glow", "skincare", "beautynotes"]),
    "food": (["cuisine", "mijote", "recettes", "gourmand", "papilles"], ["kitchen", "cooks", "eats", "bakes"]),
    "travel": (["voyage", "carnetdevoyage", "baroude", "escapades"], ["wanders", "travels", "roams"]),
    "sport": (["sport", "sueur", "entrainement", "vestiaire"], ["trains", "fit", "workout"]),
    "running": (["court", "trail", "foulees", "bitume"], ["runs", "trailruns", "miles"]),
    "sustainability": (["zerodechet", "sobriete", "durable", "vracetcie"], ["lowwaste", "greenliving", "ecohome"]),
    "tech": (["tech", "geek", "octets", "pixel"], ["tech", "gadgets", "bytes"]),
    "gaming": (["joue", "manette", "speedrun", "pixelart"], ["plays", "gaming", "controller"]),
    "music": (["musique", "vinyles", "concerts", "playlist"], ["records", "gigs", "tunes"]),
    "parenting": (["mamanpoule", "papaenmode", "marmaille", "tribu"], ["mumlife", "dadnotes", "family"]),
    "home": (["deco", "chezmoi", "renovation", "atelier"], ["home", "interiors", "renovates"]),
    "wellness": (["zen", "souffle", "yoga", "equilibre"], ["wellbeing", "yoga", "breathe"]),
    "cinema": (["cine", "bobine", "seances", "cinephile"], ["films", "reels", "screenings"]),
}

# kind → platforms it usually lives on, most likely first; the first one drawn is the person's main channel.
KIND_PLATFORMS = {
    "blogger": ["blog", "instagram", "x", "newsletter", "youtube"],
    "ambassador": ["instagram", "youtube", "tiktok", "blog"],
    "micro_influencer": ["instagram", "tiktok", "youtube"],
    "journalist": ["x", "newsletter", "blog", "instagram"],
    "podcaster": ["podcast", "instagram", "newsletter", "youtube"],
    "other": ["instagram", "newsletter", "blog", "x"],
}

# A channel's address on its platform, all on example domains. A blog's handle becomes a host name: "_" is not
# allowed there.
PROFILE_HOSTS = {
    "instagram": "https://instagram.example.com/{h}",
    "youtube": "https://youtube.example.com/@{h}",
    "tiktok": "https://tiktok.example.com/@{h}",
    "x": "https://x.example.com/{h}",
    "podcast": "https://podcasts.example.com/{h}",
    "newsletter": "https://newsletter.example.org/{h}",
    "blog": "https://{h}.example.org",
}


def profile_url(platform: str, handle: str) -> str:
    return PROFILE_HOSTS[platform].format(h=handle.replace("_", "-") if platform == "blog" else handle)


# How many people of each kind (out of 300): brand ambassadors are few and looked after.
KIND_COUNTS = {
    "blogger": 84,
    "micro_influencer": 90,
    "ambassador": 36,
    "journalist": 24,
    "podcaster": 30,
    "other": 36,
}

# Tier of the main channel, as the number of people in each (out of 300): mostly nano and micro.
TIER_COUNTS = {"nano": 132, "micro": 114, "mid": 38, "macro": 11, "mega": 5}
TIER_RANGES = {
    "nano": (1_200, 9_800),
    "micro": (10_500, 96_000),
    "mid": (105_000, 480_000),
    "macro": (520_000, 950_000),
    "mega": (1_050_000, 2_600_000),
}
# Engagement rate (%) by tier: small accounts engage more.
ENGAGEMENT = {"nano": (3.5, 9.0), "micro": (2.2, 6.0), "mid": (1.4, 3.8), "macro": (0.9, 2.4), "mega": (0.5, 1.6)}

CONSENT_SOURCES_IN = {
    "fr": [
        "Réponse par e-mail à la première prise de contact",
        "Formulaire « presse et créateurs » du site",
        "Carte de visite échangée au salon, accord à l'oral confirmé par e-mail",
        "Inscription au programme ambassadeurs",
        "Accord donné lors d'un appel, confirmé par écrit",
    ],
    "en": [
        "Replied to our first e-mail and agreed to hear from us",
        "Creators' contact form on the website",
        "Signed up to the ambassador programme",
        "Agreed on a call, confirmed in writing",
    ],
}
CONSENT_SOURCES_OUT = {
    "fr": [
        "Lien de désinscription d'un e-mail",
        "Demande écrite de ne plus recevoir nos messages",
        "Demande par DM Instagram",
    ],
    "en": ["Unsubscribe link in an e-mail", "Asked in writing not to be contacted again"],
}
CONSENT_SOURCES_UNKNOWN = ["Import du tableur de l'agence", "Profil repéré sur Instagram, jamais contacté", ""]

# A note may start with "topic|" or "COUNTRY|": it is only given to people with that topic, or in that country.
NOTES = {
    "fr": [
        "Préfère un DM Instagram à un e-mail.",
        "Ne travaille pas avec les marques de fast fashion : à respecter.",
        "Rencontre au salon Made in France : très sympa, public local fidèle.",
        "Tarifs indicatifs : 250 € la story, 600 € le post. Négociable pour les marques engagées.",
        "Publie surtout le dimanche soir. Ne pas relancer le week-end.",
        "Attention aux mentions de partenariat : veut toujours le brief complet avant de dire oui.",
        "running|Anime un club de course le jeudi soir, bonne porte d'entrée vers la communauté locale.",
        "A un second compte perso, ne jamais le citer.",
        "Écrit aussi pour la presse régionale.",
        "Se méfie des opérations « blogueurs parisiens » : parler de sa ville et de son public.",
        "Répond vite, mais seulement en semaine.",
        "parenting|En congé parental jusqu'à la rentrée, garder le contact léger.",
        "Aime recevoir des nouvelles des autres opérations, même hors de ses sujets.",
        "",
        "",
        "",
    ],
    "en": [
        "Prefers e-mail; replies within a day on weekdays.",
        "Only posts about products tried for a month.",
        "GB|Met at a London meet-up; loves French brands with a story.",
        "Indicative rates: £300 per reel. Open to gifting for small brands.",
        "FR|Writes in English for an expat audience in France.",
        "",
        "",
    ],
}
