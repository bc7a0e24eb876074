"""OAuth codes are opaque: about one in 64 starts with "-", and the command line must take it as a value."""

from connectors.cli import build_parser, join_opaque_values


def test_a_code_starting_with_a_dash_is_taken_as_the_value_of_code():
    args = build_parser().parse_args(join_opaque_values(["focus", "connect", "--code", "-AbC123"]))
    assert args.code == "-AbC123"


def test_a_code_in_equals_form_is_left_as_it_is():
    args = build_parser().parse_args(join_opaque_values(["focus", "connect", "--code=-x-y"]))
    assert args.code == "-x-y"


def test_options_after_a_dashed_code_are_still_read():
    args = build_parser().parse_args(join_opaque_values(
        ["integrations", "add", "e1", "--department", "d", "--tool", "octopus", "--code", "--AbC", "--accept-suggestions"]))
    assert args.code == "--AbC"
    assert args.accept_suggestions is True
