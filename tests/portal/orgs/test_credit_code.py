import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.orgs.credit_code import CHARSET, WEIGHTS, check_character, find_problem, normalise


def test_weights_are_powers_of_three_mod_31_as_in_the_standard():
    assert WEIGHTS == (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def test_standard_example_is_valid():
    # GB 32100-2015 worked example: weighted sum 1640, 1640 mod 31 = 28, 31 - 28 = 3.
    assert check_character("91350100M000100Y4") == "3"
    assert find_problem("91350100M000100Y43") is None


def test_wrong_check_character_names_the_expected_one():
    problem = find_problem("91440300MA5F000008")
    assert (problem.kind, problem.position, problem.expected) == ("check_digit", 18, "7")


@pytest.mark.parametrize("letter", ["I", "O", "Z", "S", "V"])
def test_letters_left_out_of_the_charset_are_reported_by_position(letter):
    code = "91440300MA5F00000" + letter
    problem = find_problem(code)
    assert (problem.kind, problem.position, problem.character) == ("character", 18, letter)


def test_area_code_positions_must_be_digits():
    problem = find_problem("9144030AMA5F000007")
    assert (problem.kind, problem.position) == ("character", 8)


def test_length_is_reported():
    assert find_problem("9144030").kind == "length"


def test_normalise_strips_spaces_and_uppercases():
    assert normalise(" 91440300ma5f 000007 ") == "91440300MA5F000007"


@given(st.text(alphabet=CHARSET, min_size=2, max_size=2), st.text(alphabet="0123456789", min_size=6, max_size=6),
       st.text(alphabet=CHARSET, min_size=9, max_size=9))
def test_any_code_with_its_computed_check_character_is_valid_and_one_changed_character_is_not(head, area, body):
    first17 = head + area + body
    code = first17 + check_character(first17)
    assert find_problem(code) is None
    wrong = CHARSET[(CHARSET.index(code[17]) + 1) % 31]
    assert find_problem(first17 + wrong).kind == "check_digit"
