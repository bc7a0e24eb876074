"""The Schematron runner: the official Peppol BIS Billing 3.0 rules, and ISO Schematron semantics on tiny schemas.

Expected rule ids, flags and messages are read from the official rule files by hand (see the comments), never
taken from the runner's output. Fixtures in ``fixtures/peppol/`` are unmodified copies of the official examples.
"""

from __future__ import annotations

import hashlib
import re
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from lxml import etree

from connectors.exports.schematron import (
    RULES_DIR,
    Failure,
    RuleSet,
    SchematronError,
    peppol_rule_sets,
    validate_peppol,
)

EXAMPLES = Path(__file__).parent / "fixtures" / "peppol"
NS = {
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
}
OFFICIAL_EXAMPLES = [
    "Allowance-example.xml",
    "Vat-category-S.xml",
    "base-creditnote-correction.xml",
    "base-example.xml",
    "base-negative-inv-correction.xml",
    "sales-order-example.xml",
    "vat-category-E.xml",
    "vat-category-O.xml",
    "vat-category-Z.xml",
]


def edited_base_example(xpath: str, text: str | None = None, **attributes: str) -> bytes:
    """base-example.xml with the element at ``xpath`` removed (no text given) or its text/attributes changed."""
    tree = etree.parse(str(EXAMPLES / "base-example.xml"))
    (element,) = tree.xpath(xpath, namespaces=NS)
    if text is None and not attributes:
        element.getparent().remove(element)
    else:
        element.text = text
        for name, value in attributes.items():
            element.set(name, value)
    return etree.tostring(tree, xml_declaration=True, encoding="UTF-8")


def with_ids(failures: list[Failure], rule_id: str) -> list[Failure]:
    return [failure for failure in failures if failure.rule_id == rule_id]


def schema(body: str, tmp_path: Path, name: str = "tiny") -> RuleSet:
    """Compile a hand-written Schematron schema (namespace prefix ``t`` → ``urn:t``)."""
    path = tmp_path / f"{name}.sch"
    path.write_text(
        '<schema xmlns="http://purl.oclc.org/dsdl/schematron" queryBinding="xslt2">'
        f'<ns prefix="t" uri="urn:t"/>{body}</schema>'
    )
    return RuleSet.from_file(path)


# --- the official rule files --------------------------------------------------------------------------------


def test_shipped_rule_files_have_the_checksums_recorded_in_the_readme():
    readme = (RULES_DIR / "README.md").read_text()
    for name in ("CEN-EN16931-UBL.sch", "PEPPOL-EN16931-UBL.sch"):
        digest = hashlib.sha256((RULES_DIR / name).read_bytes()).hexdigest()
        assert f"{digest}  {name}" in readme


def test_rule_sets_are_cen_then_peppol_and_compiled_once_per_process():
    cen, peppol = peppol_rule_sets()
    assert (cen.name, peppol.name) == ("CEN-EN16931-UBL", "PEPPOL-EN16931-UBL")
    assert peppol_rule_sets()[0] is cen and peppol_rule_sets()[1] is peppol


@pytest.mark.parametrize("example", OFFICIAL_EXAMPLES)
def test_official_example_passes_both_rule_sets_without_fatal_failure(example):
    failures = validate_peppol((EXAMPLES / example).read_bytes())
    assert [failure for failure in failures if failure.fatal] == []


def test_missing_customization_id_fails_the_specification_identifier_rules_as_fatal():
    # PEPPOL-EN16931-R004 checks cbc:CustomizationID (R001 is the ProfileID rule); CEN's BR-01 requires it too.
    failures = validate_peppol(edited_base_example("/*/cbc:CustomizationID"))
    (peppol,) = with_ids(failures, "PEPPOL-EN16931-R004")
    (cen,) = with_ids(failures, "BR-01")
    assert (peppol.rule_set, peppol.flag, peppol.fatal) == ("PEPPOL-EN16931-UBL", "fatal", True)
    assert (cen.rule_set, cen.flag, cen.fatal) == ("CEN-EN16931-UBL", "fatal", True)
    assert peppol.location == "/Invoice[1]"


def test_missing_profile_id_fails_peppol_r001_as_fatal():
    (failure,) = with_ids(validate_peppol(edited_base_example("/*/cbc:ProfileID")), "PEPPOL-EN16931-R001")
    assert failure.fatal
    assert failure.message == "Business process MUST be provided."


def test_payable_amount_disagreeing_with_totals_fails_br_co_16_as_fatal_with_its_message():
    failures = validate_peppol(edited_base_example("//cac:LegalMonetaryTotal/cbc:PayableAmount", "1.00"))
    (failure,) = with_ids(failures, "BR-CO-16")
    assert (failure.rule_set, failure.fatal) == ("CEN-EN16931-UBL", True)
    assert failure.location == "/Invoice[1]/cac:LegalMonetaryTotal[1]"
    assert failure.message == (
        "[BR-CO-16]-Amount due for payment (BT-115) = Invoice total amount with VAT (BT-112) "
        "-Paid amount (BT-113) +Rounding amount (BT-114)."
    )
    assert "xs:decimal(cbc:PayableAmount)" in failure.test


# 0876543270: the check digits 70 are 97 - (08765432 mod 97), the Belgian enterprise number mod-97 rule.
SUPPLIER_ENDPOINT = "//cac:AccountingSupplierParty/cac:Party/cbc:EndpointID"


def test_belgian_enterprise_number_endpoint_with_right_check_digits_passes_common_r043():
    failures = validate_peppol(edited_base_example(SUPPLIER_ENDPOINT, "0876543270", schemeID="0208"))
    assert with_ids(failures, "PEPPOL-COMMON-R043") == []


def test_belgian_enterprise_number_endpoint_with_wrong_check_digits_fails_common_r043_as_fatal():
    failures = validate_peppol(edited_base_example(SUPPLIER_ENDPOINT, "0876543271", schemeID="0208"))
    (failure,) = with_ids(failures, "PEPPOL-COMMON-R043")
    assert failure.fatal
    assert failure.message == "Belgian enterprise number MUST be stated in the correct format."
    assert failure.location == "/Invoice[1]/cac:AccountingSupplierParty[1]/cac:Party[1]/cbc:EndpointID[1]"


def test_warning_rule_is_reported_as_not_fatal():
    # UBL-CR-002 (flag="warning"): the UBLVersionID should be absent or 2.1.
    tree = etree.parse(str(EXAMPLES / "base-example.xml"))
    version = etree.Element(f"{{{NS['cbc']}}}UBLVersionID")
    version.text = "2.0"
    tree.getroot().insert(0, version)
    failures = validate_peppol(etree.tostring(tree))
    (failure,) = with_ids(failures, "UBL-CR-002")
    assert (failure.flag, failure.fatal) == ("warning", False)
    assert [f for f in failures if f.fatal] == []


def test_validating_one_invoice_takes_well_under_a_second():
    peppol_rule_sets()  # compiling is once per process, not part of validating
    document = (EXAMPLES / "Allowance-example.xml").read_bytes()
    started = time.perf_counter()
    validate_peppol(document)
    assert time.perf_counter() - started < 0.5


def test_validation_from_several_threads_gives_each_document_its_own_result():
    good = (EXAMPLES / "base-example.xml").read_bytes()
    bad = edited_base_example("/*/cbc:ProfileID")
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(validate_peppol, [good, bad] * 12))
    assert all(result == [] for result in results[0::2])
    assert all("PEPPOL-EN16931-R001" in {f.rule_id for f in result} for result in results[1::2])


# --- ISO Schematron semantics on tiny hand-written schemas ---------------------------------------------------


def test_only_the_first_matching_rule_of_a_pattern_fires_for_a_node(tmp_path):
    rules = schema(
        '<pattern><rule context="t:item[@kind = \'x\']"><assert id="FIRST" test="false()">first</assert></rule>'
        '<rule context="t:item"><assert id="SECOND" test="false()">second</assert></rule></pattern>',
        tmp_path,
    )
    failures = rules.validate(b'<r xmlns="urn:t"><item kind="x"/><item/></r>')
    assert [(f.rule_id, f.location) for f in failures] == [
        ("FIRST", "/r[1]/item[1]"),
        ("SECOND", "/r[1]/item[2]"),
    ]


def test_another_pattern_still_sees_a_node_handled_by_an_earlier_pattern(tmp_path):
    rules = schema(
        '<pattern><rule context="t:item"><assert id="ONE" test="false()">one</assert></rule></pattern>'
        '<pattern><rule context="t:item"><assert id="TWO" test="false()">two</assert></rule></pattern>',
        tmp_path,
    )
    assert [f.rule_id for f in rules.validate(b'<r xmlns="urn:t"><item/></r>')] == ["ONE", "TWO"]


def test_rules_reach_nested_elements_and_attributes(tmp_path):
    rules = schema(
        '<pattern><rule context="t:deep/@code"><assert id="A" test=". = \'ok\'">bad code</assert></rule>'
        '<rule context="t:deep"><assert id="E" test="false()">deep</assert></rule></pattern>',
        tmp_path,
    )
    failures = rules.validate(b'<r xmlns="urn:t"><a><deep code="no"/></a></r>')
    assert {(f.rule_id, f.location) for f in failures} == {
        ("E", "/r[1]/a[1]/deep[1]"),
        ("A", "/r[1]/a[1]/deep[1]/@code"),
    }


def test_rule_level_let_and_value_of_are_evaluated_in_the_rule_context(tmp_path):
    rules = schema(
        '<pattern><rule context="t:line"><let name="amount" value="number(t:amount)"/>'
        '<assert id="L" test="$amount &lt; 10">Line <value-of select="@id"/> has amount <value-of select="$amount"/>'
        ' in <name/> under <name path=".."/>.</assert></rule></pattern>',
        tmp_path,
    )
    xml = b'<doc xmlns="urn:t"><line id="a"><amount>5</amount></line><line id="b"><amount>12</amount></line></doc>'
    (failure,) = rules.validate(xml)
    assert failure.message == "Line b has amount 12 in line under doc."
    assert failure.location == "/doc[1]/line[2]"


def test_schema_and_pattern_level_lets_are_evaluated_against_the_document(tmp_path):
    rules = schema(
        '<let name="lines" value="count(//t:line)"/>'
        '<pattern><let name="first" value="string(/*/t:line[1]/@id)"/>'
        '<rule context="t:line[@id != $first]"><assert id="G" test="false()">'
        '<value-of select="@id"/> of <value-of select="$lines"/>, first <value-of select="$first"/></assert>'
        "</rule></pattern>",
        tmp_path,
    )
    failures = rules.validate(b'<doc xmlns="urn:t"><line id="a"/><line id="b"/><line id="c"/></doc>')
    assert [f.message for f in failures] == ["b of 3, first a", "c of 3, first a"]


def test_report_fires_when_its_test_is_true(tmp_path):
    rules = schema(
        '<pattern><rule context="t:item"><report id="R" flag="warning" test="@old">old item</report></rule></pattern>',
        tmp_path,
    )
    failures = rules.validate(b'<r xmlns="urn:t"><item old="1"/><item/></r>')
    assert [(f.rule_id, f.location, f.fatal) for f in failures] == [("R", "/r[1]/item[1]", False)]


def test_assertion_without_flag_counts_as_fatal_and_message_whitespace_is_collapsed(tmp_path):
    rules = schema(
        '<pattern><rule context="t:item"><assert test="false()">\n   spread   over\n  lines </assert></rule></pattern>',
        tmp_path,
    )
    (failure,) = rules.validate(b'<item xmlns="urn:t"/>')
    assert (failure.rule_id, failure.flag, failure.fatal, failure.message) == (
        "",
        "",
        True,
        "spread over lines",
    )
    assert failure.test == "false()"


def test_xsl_function_declared_in_the_schema_can_be_called_by_tests(tmp_path):
    rules = schema(
        '<function xmlns="http://www.w3.org/1999/XSL/Transform" xmlns:u="urn:u" name="u:double" as="xs:integer"'
        ' xmlns:xs="http://www.w3.org/2001/XMLSchema">'
        '<param name="n" as="xs:integer"/><sequence select="$n * 2"/></function>'
        '<ns prefix="u" uri="urn:u"/><ns prefix="xs" uri="http://www.w3.org/2001/XMLSchema"/>'
        '<pattern><rule context="t:n"><assert id="F" test="u:double(xs:integer(.)) = 4">not two</assert>'
        "</rule></pattern>",
        tmp_path,
    )
    failures = rules.validate(b'<r xmlns="urn:t"><n>2</n><n>3</n></r>')
    assert [f.location for f in failures] == ["/r[1]/n[2]"]


UNSUPPORTED = {
    "abstract-pattern": '<pattern abstract="true" id="a"><rule context="t:x"><assert test="1">x</assert></rule></pattern>',
    "include": '<include href="other.sch"/>',
    "diagnostics-attribute": '<pattern><rule context="t:x"><assert test="1" diagnostics="d">x</assert></rule></pattern>',
    "emph-in-message": '<pattern><rule context="t:x"><assert test="1">a <emph>b</emph></assert></rule></pattern>',
    "abstract-rule": '<pattern><rule abstract="true" id="r"><assert test="1">x</assert></rule></pattern>',
    "extends": '<pattern><rule context="t:x"><extends rule="r"/></rule></pattern>',
    "diagnostics": "<diagnostics/>",
}


@pytest.mark.parametrize("construct", UNSUPPORTED)
def test_unsupported_construct_is_refused_at_compile_time(tmp_path, construct):
    with pytest.raises(SchematronError, match=construct.split("-")[0]):
        schema(UNSUPPORTED[construct], tmp_path)


def test_non_default_phase_is_refused_at_compile_time(tmp_path):
    path = tmp_path / "phased.sch"
    path.write_text(
        '<schema xmlns="http://purl.oclc.org/dsdl/schematron" queryBinding="xslt2" defaultPhase="only">'
        '<phase id="only"><active pattern="p"/></phase><pattern id="p"/></schema>'
    )
    with pytest.raises(SchematronError, match="phase"):
        RuleSet.from_file(path)


def test_xslt1_query_binding_is_refused_at_compile_time(tmp_path):
    path = tmp_path / "xslt1.sch"
    path.write_text('<schema xmlns="http://purl.oclc.org/dsdl/schematron"><pattern/></schema>')
    with pytest.raises(SchematronError, match="queryBinding"):
        RuleSet.from_file(path)


def test_invalid_xpath_test_is_refused_at_compile_time(tmp_path):
    with pytest.raises(SchematronError, match=re.escape("count(*) = = 1")):
        schema(
            '<pattern><rule context="t:x"><assert test="count(*) = = 1">x</assert></rule></pattern>', tmp_path
        )


def test_same_variable_in_two_patterns_is_refused_rather_than_mis_scoped(tmp_path):
    with pytest.raises(SchematronError, match=r"\$v"):
        schema(
            '<pattern><let name="v" value="1"/></pattern><pattern><let name="v" value="2"/></pattern>',
            tmp_path,
        )


# --- input documents ------------------------------------------------------------------------------------------


def test_not_well_formed_document_raises_value_error():
    with pytest.raises(ValueError, match="not well-formed"):
        validate_peppol(b"<Invoice><cbc:ID>1</Invoice>")


def test_document_with_a_doctype_is_refused():
    with pytest.raises(ValueError, match="DOCTYPE"):
        validate_peppol(b'<!DOCTYPE r [<!ENTITY e "x">]><r>&e;</r>')


def test_rule_that_cannot_be_evaluated_raises_value_error_naming_the_rule_set():
    broken = edited_base_example("//cac:LegalMonetaryTotal/cbc:PayableAmount", "abc")
    with pytest.raises(ValueError, match="CEN-EN16931-UBL.*abc"):
        validate_peppol(broken)


def test_non_ascii_text_reaches_the_rules_intact(tmp_path):
    rules = schema(
        '<pattern><rule context="t:name"><assert id="N" test=". = \'Müller\'"><value-of select="."/></assert>'
        "</rule></pattern>",
        tmp_path,
    )
    document = '<?xml version="1.0" encoding="ISO-8859-1"?><r xmlns="urn:t"><name>Müller</name><name>Größe</name></r>'
    assert [f.message for f in rules.validate(document.encode("iso-8859-1"))] == ["Größe"]


def test_schema_level_variables_are_recomputed_for_each_document(tmp_path):
    rules = schema(
        '<let name="kind" value="string(/*/@kind)"/><pattern><rule context="/*">'
        '<assert id="K" test="false()"><value-of select="$kind"/></assert></rule></pattern>',
        tmp_path,
    )
    first = rules.validate(b'<r xmlns="urn:t" kind="one"/>')
    second = rules.validate(b'<r xmlns="urn:t" kind="two"/>')
    assert [f.message for f in first + second] == ["one", "two"]
