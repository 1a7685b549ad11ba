"""Numbers as the genre writes them: spelled, grouped, bracketed, scaled money."""

import pytest

from duban.extract.numbers import money_amounts, parse_number, spelled_value


@pytest.mark.parametrize(
    "word, value",
    [
        ("forty-eight", 48),
        ("Forty-Eight", 48),
        ("twelve", 12),
        ("five", 5),
        ("twenty", 20),
        ("one hundred and five", 105),
    ],
)
def test_spelled_value(word, value):
    assert spelled_value(word) == value


@pytest.mark.parametrize("word", ["", "province", "first", "twelve departments"])
def test_spelled_value_rejects_non_numbers(word):
    assert spelled_value(word) is None


@pytest.mark.parametrize(
    "text, value",
    [
        ("(twelve)", 12.0),
        ("（twelve）", 12.0),
        ("1,767,300", 1767300.0),
        ("3.2", 3.2),
        ("five", 5.0),
        (" 90 ", 90.0),
        ("(4)", 4.0),
    ],
)
def test_parse_number(text, value):
    assert parse_number(text) == value


@pytest.mark.parametrize("text", ["", "()", "Department of Justice", "90%"])
def test_parse_number_rejects_non_numbers(text):
    assert parse_number(text) is None


@pytest.mark.parametrize(
    "text, value",
    [
        ("misappropriated special funds of 13.8656 million yuan", 13865600),
        ("arrears of 2.18 billion yuan were found", 2_180_000_000),
        ("a subsidy of 1,767,300 yuan was falsely claimed", 1_767_300),
        ("469,000 yuan was recovered", 469_000),
        ("an investment of 100 million yuan", 100_000_000),
    ],
)
def test_money_amounts_single(text, value):
    found = money_amounts(text)
    assert len(found) == 1, found
    amount, start, end = found[0]
    assert amount == pytest.approx(value)
    assert "yuan" in text[start:end]


def test_money_amounts_several_in_order():
    text = ("The county overpaid 469,000 yuan of compensation and diverted "
            "13.8656 million yuan of poverty alleviation funds.")
    assert [a for a, _, _ in money_amounts(text)] == [pytest.approx(469_000), pytest.approx(13_865_600)]


def test_money_amounts_none_without_currency():
    assert money_amounts("The county built 469,000 square metres of housing.") == []
