"""The raw material of the demo community, work side: brands, campaign briefs, what is given and got, and the words
of the contact log.

Plain data, no database: the seed draws from it with a seeded random generator.
"""

# Brands, fictional. name → (description for the record, topics keys)
BRANDS = [
    "Herbier de Lou",  # organic cosmetics, Drôme
    "Cimes & Sentiers",  # outdoor and running gear, Annecy
    "Maison Mijot",  # kitchen appliances, Burgundy
    "Disques Traboule",  # independent music label, Lyon
]

# Campaigns. Dates are days relative to today (the seed never hard-codes a date). `status` is the state at the
# end of the seed; `people` how many are put on it; `ambassadors` True when the brand's ambassadors come first.
CAMPAIGNS = [
    {
        "key": "winter_routine",
        "brand": "Herbier de Lou",
        "name": "Routine d'hiver zéro déchet",
        "topics": ["beauty", "sustainability", "wellness"],
        "objective": "Faire connaître la gamme hiver (baume, savon surgras, huile sèche) hors des grandes villes.",
        "ask": "Tester la gamme trois semaines et raconter honnêtement sa routine d'hiver.",
        "deliverables": "Un article de blog ou un post, et deux stories pendant l'opération.",
        "offer": "La gamme complète en format voyage et un code de 15 % pour la communauté.",
        "sponsored": False,
        "disclosure": "",
        "starts": -300,
        "ends": -250,
        "status": "finished",
        "people": 28,
    },
    {
        "key": "trail_season",
        "brand": "Cimes & Sentiers",
        "name": "Saison trail — ambassadeurs",
        "topics": ["running", "sport", "travel"],
        "objective": "Lancer la chaussure de trail Crête 2 auprès des coureurs de montagne et de leurs clubs.",
        "ask": "Courir avec la Crête 2 pendant la saison et partager deux sorties avec leur communauté.",
        "deliverables": "Une vidéo ou un reel d'une sortie, un post de bilan, des stories le jour de la course.",
        "offer": "La paire, un dossard sur le trail des Aravis et une rémunération selon l'audience.",
        "sponsored": True,
        "disclosure": "#sponsorisé · Partenariat rémunéré avec Cimes & Sentiers",
        "starts": -210,
        "ends": -130,
        "status": "finished",
        "people": 30,
        "ambassadors": True,
    },
    {
        "key": "sunday_stews",
        "brand": "Maison Mijot",
        "name": "Les dimanches mijotés",
        "topics": ["food", "home", "parenting"],
        "objective": "Montrer la cocotte électrique Mijot dans de vraies cuisines, avec de vraies familles.",
        "ask": "Cuisiner un plat de famille avec la cocotte et partager la recette.",
        "deliverables": "Une recette publiée (blog ou post) avec photos, et une story le jour J.",
        "offer": "La cocotte offerte et un forfait de 150 à 900 € selon le format.",
        "sponsored": True,
        "disclosure": "#publicité · Collaboration commerciale avec Maison Mijot",
        "starts": -160,
        "ends": -95,
        "status": "finished",
        "people": 30,
    },
    {
        "key": "album_release",
        "brand": "Disques Traboule",
        "name": "Sortie de l'album de Lumen Vert",
        "topics": ["music", "cinema", "lifestyle"],
        "objective": "Faire écouter le premier album de Lumen Vert avant sa sortie, au-delà de Lyon.",
        "ask": "Écouter l'album en avant-première et, si vous l'aimez, en parler à votre façon.",
        "deliverables": "Rien d'imposé : une chronique, une playlist ou une story si l'album vous plaît.",
        "offer": "L'album en écoute privée, le vinyle dédicacé et deux places pour le concert de sortie.",
        "sponsored": False,
        "disclosure": "",
        "starts": -105,
        "ends": -50,
        "status": "finished",
        "people": 26,
    },
    {
        "key": "solid_balm",
        "brand": "Herbier de Lou",
        "name": "Lancement du baume solide",
        "topics": ["beauty", "sustainability", "travel"],
        "objective": "Lancer le baume solide sans emballage plastique, pensé pour le voyage.",
        "ask": "Emporter le baume en voyage ou au quotidien un mois et en faire un retour sincère.",
        "deliverables": "Un post ou une vidéo et trois stories avant la fin de l'opération.",
        "offer": "Le coffret de lancement et une rémunération de 200 à 1 200 € selon le format.",
        "sponsored": True,
        "disclosure": "#sponsorisé · Partenariat rémunéré avec Herbier de Lou",
        "starts": -22,
        "ends": 40,
        "status": "running",
        "people": 34,
    },
    {
        "key": "family_hike",
        "brand": "Cimes & Sentiers",
        "name": "Rando en famille",
        # No topic in common with the balm launch running at the same time: pitching one person on both is
        # exactly the "lifestyle one day, sport the next" the consistency check (M3) flags.
        "topics": ["sport", "parenting", "wellness"],
        "objective": "Montrer que la randonnée se vit aussi avec des enfants, près de chez soi.",
        "ask": "Partir une journée en randonnée en famille avec le sac porte-bébé Cordée et raconter.",
        "deliverables": "Un récit (article, post ou vidéo) avec l'itinéraire, quand vous voulez pendant l'opération.",
        "offer": "Le prêt du porte-bébé et des gourdes pour toute la famille, à garder.",
        "sponsored": False,
        "disclosure": "",
        "starts": -48,
        "ends": 25,
        "status": "running",
        "people": 34,
    },
    {
        "key": "batch_cooking",
        "brand": "Maison Mijot",
        "name": "Batch cooking de rentrée",
        "topics": ["food", "parenting", "wellness"],
        "objective": "Installer le robot Mijot comme l'allié du batch cooking du dimanche.",
        "ask": "",
        "deliverables": "",
        "offer": "",
        "sponsored": True,
        "disclosure": "",
        "starts": 35,
        "ends": None,
        "status": "draft",
        "people": 12,
    },
    {
        "key": "small_venues",
        "brand": "Disques Traboule",
        "name": "Tournée des petites salles",
        "topics": ["music", "lifestyle", "travel"],
        "objective": "Remplir les petites salles de la tournée de Lumen Vert en passant par les relais locaux.",
        "ask": "Annoncer la date de votre ville et venir au concert si vous le pouvez.",
        "deliverables": "Une story d'annonce et, si vous venez, un retour après le concert.",
        "offer": "Deux places par date, et l'accès aux balances pour rencontrer le groupe.",
        "sponsored": False,
        "disclosure": "",
        "starts": 25,
        "ends": 85,
        "status": "draft",
        "people": 14,
    },
]

# What the team gives, by campaign: (kind, value range in € or None, note FR, note EN).
GIVES = {
    "winter_routine": [("product", (38, 38), "Gamme hiver en format voyage", "Winter range, travel sizes")],
    "trail_season": [
        ("product", (149, 149), "Paire de Crête 2", "A pair of Crête 2"),
        ("invitation", (45, 45), "Dossard trail des Aravis", "Race bib, Aravis trail"),
        ("fee", (300, 1800), "Rémunération selon l'audience", "Fee based on audience"),
    ],
    "sunday_stews": [
        ("product", (189, 189), "Cocotte électrique Mijot", "Mijot electric casserole"),
        ("fee", (150, 900), "Forfait recette", "Recipe fee"),
    ],
    "album_release": [
        ("exclusive", None, "Écoute privée de l'album", "Private album stream"),
        ("product", (28, 28), "Vinyle dédicacé", "Signed vinyl"),
        ("invitation", (44, 44), "Deux places, concert de sortie", "Two tickets, release gig"),
    ],
    "solid_balm": [
        ("product", (32, 32), "Coffret de lancement", "Launch box"),
        ("fee", (200, 1200), "Rémunération selon le format", "Fee by format"),
    ],
    "family_hike": [("product", (119, 119), "Porte-bébé Cordée (prêt) et gourdes", "Cordée baby carrier (loan)")],
}

# Content received: platform of the channel → exchange kinds it can carry.
GETS_BY_PLATFORM = {
    "blog": ["post"],
    "instagram": ["post", "story", "story"],
    "youtube": ["video"],
    "tiktok": ["video"],
    "x": ["mention"],
    "podcast": ["mention"],
    "newsletter": ["mention"],
}

# The contact log's words, "kind|summary": the kind of contact the sentence describes (a call is a call). Neutral
# phrasing on purpose: the same line must read right for any person. {c} is the campaign, {b} the brand, {t} one of
# the person's topics, {city} their city.
SAY = {
    "fr": {
        "follow_up": [
            "email|Relance : avez-vous eu le temps de lire le brief de {c} ?",
            "email|Petite relance sur {c}, sans pression : les dates vous conviennent-elles ?",
            "dm|Relance par DM après le mail sur {c}.",
        ],
        "yes": [
            "email|Dit oui pour {c} et confirme l'adresse de livraison.",
            "email|Oui pour {c} ! Demande à publier plutôt en fin de période.",
            "dm|Accepte {c} et propose une vidéo plutôt qu'un post.",
            "call|Appel : accepte {c}, deux questions sur la mention partenariat.",
        ],
        "no": [
            "email|Décline {c} poliment : planning complet jusqu'à la fin du mois.",
            "dm|Pas pour cette fois : {c} ne colle pas avec sa ligne du moment.",
            "email|Refuse {c} : ne travaille plus avec des marques de ce secteur.",
        ],
        "shipped": [
            "email|Colis {b} expédié, numéro de suivi envoyé.",
            "email|Envoi confirmé pour {c}, en point relais.",
        ],
        "check_in": [
            "call|Point téléphonique sur l'angle du contenu pour {c}.",
            "dm|Colis bien reçu, premières impressions très positives.",
            "email|Question sur la mention partenariat : renvoyé le brief avec la mention exacte.",
            "email|Demande une semaine de plus pour publier : accordé.",
            "call|Appel pour caler les dates de publication de {c}.",
            "email|Envoie un aperçu des photos avant publication.",
        ],
        "content": [
            "email|Envoie le lien de son contenu pour {c}.",
            "dm|Contenu {c} en ligne, beaux retours en commentaire.",
        ],
        "thanks": [
            "email|Merci pour le contenu {c}, repartagé sur les comptes de {b}.",
            "email|Bilan de {c} envoyé avec les chiffres de la publication.",
        ],
        "drop": [
            "email|Plus de nouvelles depuis l'envoi du colis pour {c}.",
            "call|Le calendrier de {c} ne colle plus avec ses projets : on arrête d'un commun accord.",
        ],
        "keep_in_touch_out": [
            "email|Nouvelles de l'équipe et calendrier des prochaines opérations.",
            "email|Un mot pour prendre des nouvelles après son dernier contenu {t}.",
            "email|Envoi de la lettre partenaires, avec un mot personnel.",
            "dm|Bravo pour le dernier post {t}, partagé en interne.",
            "dm|Réaction à sa story, prise de nouvelles.",
            "call|Appel pour faire le point sur ses envies de collaboration.",
            "call|Appel de courtoisie : quoi de neuf côté {t} ?",
            "meeting|Café à {city} pour faire connaissance en vrai.",
            "meeting|Déjeuner à {city}, échange sur ses projets de l'année.",
            "event|Invitation à l'apéro créateurs de {city}.",
            "event|Croisé à un salon, on a parlé {t} et des prochaines opérations.",
            "other|Carte postale et échantillons de la nouvelle gamme envoyés par courrier.",
        ],
        "keep_in_touch_in": [
            "email|Nous écrit pour partager un nouveau projet {t}.",
            "email|Demande si une opération {t} est prévue prochainement.",
            "email|Envoie son kit média mis à jour.",
            "dm|Répond à nos nouvelles, avec plaisir.",
            "dm|Nous identifie dans une story, on remercie.",
            "dm|Propose une idée de contenu {t}.",
            "call|Nous appelle pour présenter un format de contenu {t}.",
            "other|Commentaire sous un post de la marque, on répond en privé.",
        ],
        "greetings": ["email|Vœux de fin d'année et merci pour l'année passée."],
        "opt_out": ["email|Demande à ne plus recevoir d'e-mails de notre part : désinscription le jour même."],
    },
    "en": {
        "follow_up": [
            "email|Follow-up: did you get a chance to read the {c} brief?",
            "email|Gentle nudge about {c}: do the dates work for you?",
            "dm|DM follow-up after the e-mail about {c}.",
        ],
        "yes": [
            "email|Yes to {c}; shipping address confirmed.",
            "email|On board for {c}, would rather post towards the end.",
            "dm|Accepts {c} and suggests a video rather than a post.",
        ],
        "no": [
            "email|Politely declines {c}: fully booked this month.",
            "dm|Not this time: {c} doesn't fit what they post about right now.",
        ],
        "shipped": ["email|{b} parcel sent, tracking number shared.", "email|Shipment confirmed for {c}."],
        "check_in": [
            "call|Quick call about the angle for {c}.",
            "dm|Parcel arrived, first impressions are great.",
            "email|Question about the ad disclosure: re-sent the brief with the exact wording.",
            "email|Asked for an extra week to post: fine by us.",
            "call|Call to agree on posting dates for {c}.",
        ],
        "content": ["email|Sent the link to the {c} content.", "dm|{c} content is live, lovely comments."],
        "thanks": [
            "email|Thanks for the {c} content, reshared on {b}'s accounts.",
            "email|Sent the {c} wrap-up with the post's figures.",
        ],
        "drop": [
            "email|No news since the {c} parcel went out.",
            "call|{c} dates no longer work for them; we stopped by mutual agreement.",
        ],
        "keep_in_touch_out": [
            "email|News from the team and the upcoming operations calendar.",
            "email|Checking in after the latest {t} piece.",
            "dm|Loved the latest {t} post, shared it with the team.",
            "call|Call to catch up on what they'd like to do next.",
            "meeting|Coffee in {city} to meet in person.",
            "event|Invitation to the creators' drinks in {city}.",
        ],
        "keep_in_touch_in": [
            "email|Wrote to share a new {t} project.",
            "email|Asks whether a {t} operation is coming up.",
            "email|Sent an updated media kit.",
            "dm|Replied to our news, glad to hear from us.",
        ],
        "greetings": ["email|Season's greetings and thanks for the year."],
        "opt_out": ["email|Asked not to receive e-mails from us any more; unsubscribed the same day."],
    },
}

SKIP_REASONS = [
    "Merci dit de vive voix au concert de sortie, pas de mail en plus.",
    "Le partenariat s'est mal terminé (retard de paiement de notre côté) : Sophie l'appelle plutôt qu'un mail type.",
    "A demandé à ne recevoir que des messages personnels, pas de mail automatique.",
]

OFF_TOPIC_REASONS = [
    "Tient une rubrique playlists du dimanche sur son blog cuisine, très suivie : l'album y a toute sa place.",
    "Randonne tous les week-ends avec ses enfants et en parle dans ses stories, même si son compte parle de tech.",
]

# Follow-ups a marketer scheduled for the coming days, to people pitched who have not answered yet.
FOLLOW_UP = {
    "fr": (
        "« {c} » : une question sur le brief ?",
        "Bonjour {first},\n\nJe reviens vers vous au sujet de « {c} » : le brief vous parle-t-il ? "
        "Je peux vous appeler si c'est plus simple.\n\nBelle journée,",
    ),
    "en": (
        "“{c}”: any questions about the brief?",
        "Hi {first},\n\nJust following up on “{c}”: does the brief speak to you? "
        "Happy to call if that's easier.\n\nBest,",
    ),
}
