"""Yuki sessions and master data: access keys, session lapse, domains, administrations, the GL scheme."""

from __future__ import annotations

import re

from tests.sandbox.test_yuki_support import TNS, Soap, fault, soap_fixture, yuki_fixture, yuki_module_fixture  # noqa: F401

GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def administrations(soap: Soap) -> list:
    return list(soap.result("Accounting", "Administrations", [("sessionID", soap.session)]).iter("Administration"))


def test_authenticate_answers_a_session_guid_on_every_service(soap):
    assert GUID.fullmatch(soap.session)
    for service in ("AccountingInfo", "Sales", "Purchase", "Contact"):
        assert GUID.fullmatch(soap.text(service, "Authenticate", [("accessKey", soap.key)]))


def test_an_invalid_access_key_is_a_server_fault_not_counted(yuki, soap):
    response = soap.post("Sales", "Authenticate", [("accessKey", "00000000-0000-0000-0000-000000000000")])
    assert response.status_code == 500
    assert fault(response) == ("soap:Server", "Invalid access key")
    assert fault(soap.post("Sales", "Authenticate", []))[1] == "Invalid access key"
    assert sum(row["used"] for row in yuki.admin("GET", "quotas").json()["data"]) == 1  # soap's own Authenticate


def test_a_session_lapses_after_the_idle_time_and_each_call_renews_it(yuki, soap):
    params = [("sessionID", soap.session)]
    yuki.advance_clock(1190)
    assert soap.post("Accounting", "Domains", params).status_code == 200
    yuki.advance_clock(1190)  # 1190 s after the last call: still alive
    assert soap.post("Accounting", "Domains", params).status_code == 200
    yuki.advance_clock(1201)
    response = soap.post("Accounting", "Domains", params)
    assert response.status_code == 500
    code, message = fault(response)
    assert code == "soap:Server" and message.startswith("Invalid session")


def test_the_idle_time_is_configurable(yuki, soap):
    yuki.configure(session_idle_seconds=60)
    yuki.advance_clock(61)
    assert fault(soap.post("Accounting", "Domains", [("sessionID", soap.session)]))[1].startswith("Invalid session")


def test_expiring_tokens_lapses_every_session(yuki, soap):
    yuki.expire_tokens()
    assert fault(soap.post("Accounting", "Domains", [("sessionID", soap.session)]))[1].startswith("Invalid session")
    assert GUID.fullmatch(soap.text("Accounting", "Authenticate", [("accessKey", soap.key)]))


def test_administrations_is_raw_xml_without_a_namespace(yuki, soap):
    result = soap.result("Accounting", "Administrations", [("sessionID", soap.session)])
    root = result[0]
    assert root.tag == "Administrations"  # xmlns="": not in the service namespace
    rows = [(node.get("ID"), node.findtext("Name"), node.findtext("DomainID")) for node in root]
    assert [name for _, name, _ in rows] == ["Yuki Demo BV", "Yuki Tweede BV"]
    assert all(GUID.fullmatch(ident) and domain == soap.keys["domainID"] for ident, _, domain in rows)
    assert rows[0][0] != soap.keys["domainID"]


def test_administration_id_finds_an_administration_by_name(soap):
    ids = [node.get("ID") for node in administrations(soap)]
    assert soap.administration("yuki tweede bv") == ids[1]
    response = soap.post("Accounting", "AdministrationID", [("sessionID", soap.session),
                                                            ("administrationName", "Nope BV")])
    assert fault(response) == ("soap:Server", "Administration not found: Nope BV")


def test_a_key_limited_to_one_administration_sees_only_that_one(yuki, soap):
    second = soap.administration("Yuki Tweede BV")
    limited = Soap(yuki, administration="Yuki Tweede BV")
    assert [node.get("ID") for node in administrations(limited)] == [second]
    response = limited.post("AccountingInfo", "GetGLAccountScheme", [("sessionID", limited.session),
                                                                     ("administrationID", soap.administration())])
    assert fault(response)[1].startswith("Administration not found or not accessible")
    limited.close()


def test_another_domain_s_administration_is_refused(yuki, soap):
    dutch = Soap(yuki, domain="Yuki Nederland")
    response = soap.post("AccountingInfo", "GetGLAccountScheme", [("sessionID", soap.session),
                                                                  ("administrationID", dutch.administration(
                                                                      "Yuki Demo Nederland B.V."))])
    assert fault(response)[1].startswith("Administration not found or not accessible")
    dutch.close()


def test_domains_and_the_current_domain_are_the_key_s_domain(soap):
    domains = soap.result("Accounting", "Domains", [("sessionID", soap.session)])[0]
    assert [(d.get("ID"), d.findtext("Name")) for d in domains] == [(soap.keys["domainID"], "Yuki Demo")]
    current = soap.result("Contact", "GetCurrentDomain", [("sessionID", soap.session)])[0]
    assert (current.tag, current.get("ID")) == ("Domain", soap.keys["domainID"])


def test_the_gl_scheme_is_typed_and_follows_the_belgian_pcmn(soap):
    result = soap.result("AccountingInfo", "GetGLAccountScheme", [("sessionID", soap.session),
                                                                  ("administrationID", soap.administration())])
    accounts = {node.findtext(f"{{{TNS}}}code"): node for node in result.iterfind(f"{{{TNS}}}GlAccount")}
    assert {"400000", "440000", "411000", "451000", "700000", "604000"} <= set(accounts)
    revenue = accounts["700000"]
    assert [child.tag.split("}")[1] for child in revenue] == [
        "code", "type", "subtype", "isEnabled", "descripton", "descriptionNL", "descriptionFR", "descriptionEN",
        "isVATApplicable", "deductableVATPercentage", "professionalPercentage"]
    assert (revenue.findtext(f"{{{TNS}}}type"), revenue.findtext(f"{{{TNS}}}subtype"),
            revenue.findtext(f"{{{TNS}}}descriptionFR")) == ("2", "6", "Ventes")
    assert accounts["709000"].findtext(f"{{{TNS}}}isEnabled") == "false"


def test_a_dutch_administration_has_the_dutch_scheme(yuki):
    dutch = Soap(yuki, domain="Yuki Nederland")
    result = dutch.result("AccountingInfo", "GetGLAccountScheme", [
        ("sessionID", dutch.session), ("administrationID", dutch.administration("Yuki Demo Nederland B.V."))])
    codes = [node.findtext(f"{{{TNS}}}code") for node in result]
    assert {"1300", "1600", "1500", "8000"} <= set(codes)
    dutch.close()


def test_authenticate_client_needs_the_api_client_credentials(soap):
    good = [("clientID", soap.keys["clientID"]), ("clientSecret", soap.keys["clientSecret"]), ("accessKey", soap.key)]
    assert GUID.fullmatch(soap.text("Purchase", "AuthenticateClient", good))
    wrong = [("clientID", "sandbox"), ("clientSecret", "wrong"), ("accessKey", soap.key)]
    assert fault(soap.post("Purchase", "AuthenticateClient", wrong)) == (
        "soap:Server", "Invalid client ID or client secret")
    bad_key = [*good[:2], ("accessKey", "nope")]
    assert fault(soap.post("Purchase", "AuthenticateClient", bad_key))[1] == "Invalid access key"
