"""Yuki ``Contact.UpdateContact`` (create-or-update) and ``Contact.SearchContacts``."""

from __future__ import annotations

from lxml import etree

from tests.sandbox.test_yuki_support import (  # noqa: F401
    CONTACT_NS,
    Raw,
    Soap,
    fault,
    fresh_soap_fixture,
    soap_fixture,
    yuki_fixture,
    yuki_module_fixture,
)


def contact_doc(**fields: str) -> Raw:
    """A Contact document; fields in the order given (the layout's order)."""
    inner = "".join(f"<{name}>{value}</{name}>" for name, value in fields.items())
    return Raw(f'<Contact xmlns="{CONTACT_NS}">{inner}</Contact>')


def update(soap: Soap, document: Raw):
    return soap.post("Contact", "UpdateContact", [("sessionID", soap.session), ("domainID", soap.keys["domainID"]),
                                                  ("xmlDoc", document)])


def updated(soap: Soap, document: Raw) -> etree._Element:
    """UpdateContact, then the contact as SearchContacts (by ID) shows it."""
    response = update(soap, document)
    assert response.status_code == 200, response.text
    contact_id = etree.fromstring(response.content).find(".//Contact").get("ID")
    return soap.result("Contact", "SearchContacts", search(soap, "ID", contact_id))[0][0]


def search(soap: Soap, option: str, value: str, *, sort: str = "Name", active: str = "Both", page: str = "1",
           modified_after: str | None = None, domain: str | None = None) -> list:
    return [("sessionID", soap.session), ("domainID", domain or soap.keys["domainID"]), ("searchOption", option),
            ("searchValue", value), ("sortOrder", sort), ("modifiedAfter", modified_after), ("active", active),
            ("pageNumber", page)]


def found(soap: Soap, option: str, value: str, **kwargs: str) -> list[tuple[str, str]]:
    contacts = soap.result("Contact", "SearchContacts", search(soap, option, value, **kwargs))[0]
    return [(node.findtext("Code"), node.findtext("FullName")) for node in contacts]


def test_update_contact_creates_then_updates_by_code(fresh_soap):
    created = updated(fresh_soap, contact_doc(Type="Company", Code="C-77", FullName="Brouwerij Nieuw BV",
                                              City="Gent", VATNumber="BE0477472701", IsCustomer="true"))
    assert (created.findtext("Code"), created.findtext("City"), created.findtext("IsCustomer")) == (
        "C-77", "Gent", "true")
    again = updated(fresh_soap, contact_doc(Code="c-77", City="Brugge"))
    assert again.get("ID") == created.get("ID")
    assert (again.findtext("FullName"), again.findtext("City"), again.findtext("VATNumber")) == (
        "Brouwerij Nieuw BV", "Brugge", "BE0477472701")
    assert found(fresh_soap, "Code", "C-77") == [("C-77", "Brouwerij Nieuw BV")]


def test_the_update_answer_says_created_or_updated(fresh_soap):
    first = update(fresh_soap, contact_doc(Code="C-78", FullName="Eerste BV"))
    second = update(fresh_soap, contact_doc(Code="C-78", Website="www.eerste.be"))
    assert ('Action="Created"' in first.text, 'Action="Updated"' in second.text) == (True, True)


def test_update_contact_matches_by_id_and_refuses_an_unknown_id(fresh_soap):
    existing = fresh_soap.result("Contact", "SearchContacts", search(fresh_soap, "Code", "1001"))[0][0]
    renamed = updated(fresh_soap, contact_doc(ID=existing.get("ID"), FullName="Hernoemd BV"))
    assert (renamed.get("ID"), renamed.findtext("Code"), renamed.findtext("FullName")) == (
        existing.get("ID"), "1001", "Hernoemd BV")
    response = update(fresh_soap, contact_doc(ID="00000000-0000-0000-0000-000000000001", FullName="X"))
    assert fault(response) == ("soap:Server", "Contact not found: 00000000-0000-0000-0000-000000000001")


def test_without_id_or_code_a_contact_is_matched_by_type_and_full_name(fresh_soap):
    first = updated(fresh_soap, contact_doc(Type="Person", FirstName="Els", LastName="Maes", FullName="Els Maes"))
    assert first.findtext("Code") == "2003"  # the next numeric code
    second = updated(fresh_soap, contact_doc(Type="Person", FullName="els maes", EmailAddress="els@maes.be"))
    assert second.get("ID") == first.get("ID") and second.findtext("EmailAddress") == "els@maes.be"


def test_a_contact_document_out_of_order_is_a_fault(soap):
    response = update(soap, contact_doc(FullName="Verkeerd BV", Code="C-79"))
    code, message = fault(response)
    assert code == "soap:Server" and message.startswith(
        f"The element 'Contact' in namespace '{CONTACT_NS}' has invalid child element 'Code'")


def test_a_contact_document_in_another_namespace_is_a_fault(soap):
    response = update(soap, Raw("<Contact><FullName>X</FullName></Contact>"))
    assert fault(response)[1].startswith("xmlDoc must be a Contact element in namespace")


def test_another_domain_is_refused(yuki, soap):
    other = Soap(yuki, domain="Yuki Nederland")
    response = soap.post("Contact", "SearchContacts", search(soap, "All", "", domain=other.keys["domainID"]))
    assert fault(response)[1] == f"Domain not found or not accessible: {other.keys['domainID']}"
    other.close()


def test_search_contacts_by_code_vat_number_and_name(fresh_soap):
    assert [code for code, _ in found(fresh_soap, "Code", "1002")] == ["1002"]
    vat = fresh_soap.result("Contact", "SearchContacts", search(fresh_soap, "Code", "1001"))[0][0].findtext("VATNumber")
    dotted = f"{vat[:2]} {vat[2:6]}.{vat[6:9]}.{vat[9:]}"
    assert [code for code, _ in found(fresh_soap, "VATNumber", dotted)] == ["1001"]
    assert found(fresh_soap, "Name", "zzz-none") == []
    assert len(found(fresh_soap, "All", "")) == 6


def test_search_contacts_answers_pages_of_100(fresh_soap):
    for number in range(100):
        assert update(fresh_soap, contact_doc(Code=f"P{number:03d}", FullName=f"Pagina {number:03d}")).status_code == 200
    first = fresh_soap.result("Contact", "SearchContacts", search(fresh_soap, "All", "", sort="HID"))[0]
    second = fresh_soap.result("Contact", "SearchContacts", search(fresh_soap, "All", "", sort="HID", page="2"))[0]
    assert (first.get("TotalCount"), first.get("PageSize"), len(first), len(second)) == ("106", "100", 100, 6)
    assert [node.findtext("Code") for node in second] == ["P094", "P095", "P096", "P097", "P098", "P099"]


def test_search_contacts_filters_on_modified_after_and_active(fresh_soap):
    fresh_soap.sandbox.admin("POST", "clock", {"set": "2027-03-01T10:00:00+00:00"})
    fresh_soap.reauthenticate()  # the jump lapsed the session
    updated(fresh_soap, contact_doc(Code="1002", Active="false"))
    assert found(fresh_soap, "All", "", modified_after="2027-01-01T00:00:00") == [
        ("1002", found(fresh_soap, "Code", "1002")[0][1])]
    assert "1002" not in [code for code, _ in found(fresh_soap, "All", "", active="Active")]
    assert [code for code, _ in found(fresh_soap, "All", "", active="Inactive")] == ["1002"]


def test_an_unknown_search_option_is_a_client_fault(soap):
    response = soap.post("Contact", "SearchContacts", search(soap, "Colour", "red"))
    assert fault(response) == ("soap:Client", "Server was unable to read request. ---> There is an error in XML "
                                              "document. ---> Instance validation error: 'Colour' is not a valid "
                                              "value for SearchOption.")
