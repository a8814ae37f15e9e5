"""Confidence flags read from the curators' notes, the period and the indicator itself."""

from geo.domain.figures import confidence_flags


def test_flags_from_notes_and_source_keep_their_order_once():
    note = "[x2] [approx] seen twice; [secondary] compilation [uncertain date]; LOWER BOUND"
    assert confidence_flags(note, "", ()) == "x2;secondary;approx;uncertain;lower_bound"
    assert confidence_flags("", "github.com/Messer490/city1-kazakhstan-proxy-population", ("undated",)) == \
        "secondary;undated"


def test_asking_prices_are_flagged_as_such_whatever_the_note_says():
    assert confidence_flags("", "kn.kz weekly monitoring", (), "avg_asking_price_resale") == "asking_price"
    assert confidence_flags("[uncertain year]", "", ("undated",), "avg_asking_rent_1-room") == \
        "uncertain;asking_price;undated"
    assert confidence_flags("", "", (), "avg_price_resale_housing") == ""  # a price, not an asking price
