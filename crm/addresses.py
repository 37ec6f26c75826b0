"""E-mail addresses: the one normalisation by which two of them are the same address (DOMAIN.md, "Influencer
addresses": matched case- and Unicode-insensitively through one normalisation).

`email_key` is it. The address is kept as typed, for display and for sending; its key is stored beside it
(Influencer.email_key, unique) and every comparison goes through the key: uniqueness, the import's matching, merging,
the search. Computed in Python, so that SQLite and PostgreSQL agree: SQLite's LOWER() folds ASCII only, and neither
database's own functions unify a composed "Ä" with "A" + combining diaeresis.

The whole address is folded, local part included: RFC 5321 allows a server to tell "Lea@" from "lea@", but no mail
service people use does, and two records of one person (mail to them twice, an opt-out on only one) cost more than
the rare refusal the form explains. The domain's ASCII form ("xn--…", IDNA) is read as the Unicode name it encodes,
so both spellings of one domain are one address.
"""

import unicodedata


def _unicode_label(label: str) -> str:
    if label[:4].lower() != "xn--":
        return label
    try:
        decoded = label[4:].encode("ascii").decode("punycode")
    except UnicodeError:
        return label  # not punycode: compared as written
    # An A-label always encodes some non-ASCII text; "xn--abc-" (which decodes to "abc") is not one.
    return decoded if not decoded.isascii() else label


def email_key(address: str) -> str:
    """The address's comparison key: NFKC, then Unicode case folding (NFKC_Casefold), of the whole address, with the
    domain's IDNA labels decoded; "" for no address.

    "uni@EXÄMPLE.com", "uni@exämple.com" (composed or not), "UNI@xn--exmple-cua.com" and "ｕｎｉ@exämple.com" (full
    width) all give "uni@exämple.com".
    """
    address = unicodedata.normalize("NFKC", (address or "").strip())
    local, at, domain = address.rpartition("@")
    if at:
        address = f"{local}@{'.'.join(_unicode_label(label) for label in domain.split('.'))}"
    # Case folding can produce text that is no longer in NFKC (and NFKC can produce foldable text): fold, then
    # normalise again, as Unicode's NFKC_Casefold does.
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", address).casefold())
