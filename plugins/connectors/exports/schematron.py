"""Run ISO Schematron rules (``queryBinding="xslt2"``) from Python: compile to XSLT once, run with Saxon.

Why: the official Peppol BIS Billing 3.0 rules are XSLT 2 Schematron (``xsl:function``, XPath 2 tests), which
lxml (XSLT 1) cannot run, and no maintained Python Schematron package exists. So this module compiles a
``.sch`` file into an XSLT stylesheet itself (lxml builds it) and executes it with Saxon-HE (``saxonche``).

How a schema is compiled (ISO/IEC 19757-3 semantics, for the subset the Peppol files use):

* ``ns`` → namespace declarations on the stylesheet; top-level ``xsl:*`` elements (functions) → copied as-is.
* schema-level and pattern-level ``let`` → global ``xsl:variable`` (ISO evaluates both against the document
  root, and the Peppol rule contexts use pattern variables, which XSLT match patterns can only see when
  global). A name declared twice is refused rather than silently mis-scoped.
* each ``pattern`` → its own XSLT mode that walks every node (document, elements, attributes, text);
  its ``rule``s → templates with descending priorities, so a node is handled only by the FIRST rule (in
  document order) whose ``context`` matches it, while other patterns still see the node.
* rule-level ``let`` → ``xsl:variable`` in that template (evaluated in the rule context); ``assert`` fires
  when its ``test`` is false, ``report`` when true; the message expands ``value-of`` and ``name``.

Anything else (abstract patterns, ``include``, ``diagnostics``, phases other than the default, ...) is
refused at compile time with :class:`SchematronError`; nothing is ignored silently.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from lxml import etree
from saxonche import PySaxonApiError, PySaxonProcessor

SCH = "http://purl.oclc.org/dsdl/schematron"
XSL = "http://www.w3.org/1999/XSL/Transform"
_RUN = "urn:x-connectors:schematron-runner"  # namespace of this module's own helper function
RULES_DIR = Path(__file__).parent / "peppol_rules"

# Saxon's Python binding does not promise thread safety for a shared processor or executable (the executable
# even holds per-run state: the global context item), so every Saxon call runs under this one lock.
_SAXON_LOCK = threading.RLock()
_saxon: PySaxonProcessor | None = None

# Where a failing node is: an XPath with the document's own prefixes and 1-based positions.
_LOCATION_FUNCTION = f"""
<xsl:function xmlns:xsl="{XSL}" xmlns:run="{_RUN}" name="run:location">
  <xsl:param name="node" as="node()"/>
  <xsl:sequence select="if ($node instance of document-node()) then '/' else string-join(
    for $n in $node/ancestor-or-self::node()[not(. instance of document-node())] return concat('/',
      if ($n instance of element()) then
        concat(name($n), '[', count($n/preceding-sibling::*[node-name(.) eq node-name($n)]) + 1, ']')
      else if ($n instance of attribute()) then concat('@', name($n))
      else if ($n instance of text()) then concat('text()[', count($n/preceding-sibling::text()) + 1, ']')
      else if ($n instance of comment()) then
        concat('comment()[', count($n/preceding-sibling::comment()) + 1, ']')
      else concat('processing-instruction(', name($n), ')[',
        count($n/preceding-sibling::processing-instruction()[name() eq name($n)]) + 1, ']')), '')"/>
</xsl:function>"""

# Allowed attributes per Schematron element; any other attribute or element is refused.
# rule/@flag is an ISO flag raised when the rule FIRES; only failures are reported, so it has no effect here.
_ATTRS = {
    "schema": {"queryBinding", "schemaVersion", "defaultPhase"}, "ns": {"prefix", "uri"},
    "let": {"name", "value"}, "phase": {"id"}, "active": {"pattern"}, "pattern": {"id"},
    "rule": {"context", "id", "flag"}, "assert": {"id", "flag", "test"}, "report": {"id", "flag", "test"},
    "value-of": {"select"}, "name": {"path"}, "title": set(), "p": set(),
}  # fmt: skip


class SchematronError(Exception):
    """The schema uses something this compiler does not support, or is not a valid Schematron schema."""


@dataclass(frozen=True)
class Failure:
    """One failed ``assert`` (or successful ``report``) on one node."""

    rule_set: str
    rule_id: str
    flag: str
    location: str
    message: str
    test: str

    @property
    def fatal(self) -> bool:
        """True for ``flag="fatal"``; an assertion without a flag also counts as fatal (nothing says otherwise)."""
        return self.flag in ("fatal", "")


class _Check(NamedTuple):
    rule_id: str
    flag: str
    test: str


def _fail(element: etree._Element, what: str) -> SchematronError:
    return SchematronError(f"line {element.sourceline}: {what}")


def _local(element: etree._Element) -> str:
    """Schematron local name of an element; refuses foreign elements (xsl:* is handled by the caller)."""
    qname = etree.QName(element)
    if qname.namespace != SCH or qname.localname not in _ATTRS:
        name = qname.localname if qname.namespace == SCH else element.tag
        raise _fail(element, f"unsupported element <{name}>")
    extra = set(element.attrib) - _ATTRS[qname.localname]
    if extra:
        raise _fail(element, f"unsupported attribute(s) {sorted(extra)} on <{qname.localname}>")
    return qname.localname


def _children(element: etree._Element) -> list[etree._Element]:
    """Child elements, skipping comments and processing instructions (documentation only)."""
    return [child for child in element if isinstance(child.tag, str)]


def _xsl(parent: etree._Element, local: str, /, **attrs: str) -> etree._Element:
    return etree.SubElement(parent, f"{{{XSL}}}{local}", attrs)


def _let(parent: etree._Element, let: etree._Element) -> etree._Element:
    """``<let name value>`` → ``<xsl:variable name select>`` under ``parent``."""
    if not let.get("name") or let.get("value") is None or len(let) or (let.text or "").strip():
        raise _fail(let, "<let> needs name and value attributes (element content is not supported)")
    return _xsl(parent, "variable", name=let.get("name"), select=let.get("value"))


class _Compiler:
    """Turns one parsed Schematron schema into an XSLT stylesheet plus a table of its checks."""

    def __init__(self, schema: etree._Element) -> None:
        if _local(schema) != "schema":
            raise _fail(schema, "the root element is not a Schematron <schema>")
        if schema.get("queryBinding", "xslt") not in ("xslt2", "xslt3"):
            raise _fail(schema, f"queryBinding {schema.get('queryBinding', 'xslt')!r} is not supported")
        if schema.get("defaultPhase", "#ALL") != "#ALL":
            raise _fail(schema, "only the default phase #ALL is supported (every pattern runs)")
        self.schema = schema
        self.checks: list[_Check] = []
        self.globals: set[str] = set()
        namespaces = {k: v for k, v in schema.nsmap.items() if k and v not in (SCH, XSL)}
        for ns in schema.iter(f"{{{SCH}}}ns"):
            prefix, uri = ns.get("prefix"), ns.get("uri")
            if not prefix or not uri or namespaces.get(prefix, uri) != uri or prefix in ("xsl", "run"):
                raise _fail(ns, f"namespace prefix {prefix!r} is missing, reserved or declared twice")
            namespaces[prefix] = uri
        self.sheet = etree.Element(
            f"{{{XSL}}}stylesheet", nsmap={"xsl": XSL, "run": _RUN, **namespaces}, version="2.0"
        )
        self.sheet.set("exclude-result-prefixes", "#all")
        _xsl(self.sheet, "output", method="xml", encoding="UTF-8")

    def compile(self) -> str:
        self.sheet.append(etree.fromstring(_LOCATION_FUNCTION))
        entry = etree.SubElement(_xsl(self.sheet, "template", match="/"), "failures")
        for child in _children(self.schema):
            if etree.QName(child).namespace == XSL:
                # A serialise/parse round trip keeps the namespace declarations its QNames (u:gln) rely on.
                self.sheet.append(etree.fromstring(etree.tostring(child, with_tail=False)))
                continue
            kind = _local(child)
            if kind == "let":
                self._global(child)
            elif kind == "pattern":
                mode = f"pattern-{len(entry)}"
                _xsl(entry, "apply-templates", select=".", mode=mode)
                self._pattern(child, mode)
            elif kind == "phase":  # a phase only selects patterns; with #ALL every pattern runs anyway
                if any(_local(active) != "active" for active in _children(child)):
                    raise _fail(child, "a <phase> may only contain <active> here")
            elif kind not in ("ns", "title", "p"):
                raise _fail(child, f"<{kind}> is not allowed at schema level")
        return etree.tostring(self.sheet, encoding="unicode")

    def _global(self, let: etree._Element) -> None:
        name = _let(self.sheet, let).get("name")
        if name in self.globals:
            raise _fail(let, f"variable ${name} is declared twice at schema/pattern level")
        self.globals.add(name)

    def _pattern(self, pattern: etree._Element, mode: str) -> None:
        walk = _xsl(self.sheet, "template", match="/|@*|node()", mode=mode, priority="-1000")
        _xsl(walk, "apply-templates", select="@*|node()", mode=mode)
        rules = []
        for child in _children(pattern):
            kind = _local(child)
            if kind == "let":
                self._global(child)
            elif kind == "rule":
                rules.append(child)
            elif kind not in ("title", "p"):
                raise _fail(child, f"<{kind}> is not allowed in a pattern")
        for index, rule in enumerate(rules):
            if not rule.get("context"):
                raise _fail(rule, "a rule needs a context (abstract rules are not supported)")
            # Descending priorities: of several rules matching a node, only the first one fires.
            template = _xsl(self.sheet, "template", match=rule.get("context"), mode=mode)
            template.set("priority", str(len(rules) - index))
            for item in _children(rule):
                kind = _local(item)
                if kind == "let":
                    _let(template, item)
                elif kind in ("assert", "report"):
                    self._check(template, item, kind)
                else:
                    raise _fail(item, f"<{kind}> is not allowed in a rule")
            _xsl(template, "apply-templates", select="@*|node()", mode=mode)

    def _check(self, template: etree._Element, check: etree._Element, kind: str) -> None:
        test = check.get("test")
        if not test:
            raise _fail(check, f"<{kind}> needs a test")
        self.checks.append(_Check(check.get("id", ""), check.get("flag", ""), test))
        fires = _xsl(template, "if", test=f"not(({test}))" if kind == "assert" else f"boolean(({test}))")
        failure = etree.SubElement(
            fires, "failure", check=str(len(self.checks) - 1), location="{run:location(.)}"
        )
        _xsl(failure, "text").text = check.text or ""
        for part in check:
            if isinstance(part.tag, str):  # comments inside a message are skipped, their tail text kept
                kind = _local(part)
                if kind == "value-of" and part.get("select"):
                    _xsl(failure, "value-of", select=part.get("select"))
                elif kind == "name":
                    _xsl(failure, "value-of", select=f"name({part.get('path', '.')})")
                else:
                    raise _fail(part, f"<{kind}> is not supported in an assertion message")
            _xsl(failure, "text").text = part.tail or ""


def _processor() -> PySaxonProcessor:
    global _saxon
    with _SAXON_LOCK:
        if _saxon is None:
            _saxon = PySaxonProcessor(license=False)
        return _saxon


def compile_to_xslt(schematron: bytes) -> tuple[str, list[_Check]]:
    """The XSLT text and check table for a Schematron schema (separate from Saxon, for inspection)."""
    try:
        schema = etree.fromstring(schematron, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as exc:
        raise SchematronError(f"the schema is not well-formed XML: {exc}") from exc
    compiler = _Compiler(schema)
    return compiler.compile(), compiler.checks


class RuleSet:
    """One compiled Schematron schema. Compile once (slow for big schemas), validate many documents."""

    def __init__(self, name: str, schematron: bytes) -> None:
        self.name = name
        xslt, self._checks = compile_to_xslt(schematron)
        with _SAXON_LOCK:
            try:
                self._executable = (
                    _processor().new_xslt30_processor().compile_stylesheet(stylesheet_text=xslt)
                )
            except PySaxonApiError as exc:
                raise SchematronError(f"{name}: the compiled rules are not valid XSLT/XPath: {exc}") from exc

    @classmethod
    def from_file(cls, path: Path) -> RuleSet:
        """Compile the schema in ``path``; the rule set is named after the file (without ``.sch``)."""
        return cls(Path(path).stem, Path(path).read_bytes())

    def validate(self, xml: bytes) -> list[Failure]:
        """All failures of one document (pattern by pattern, document order within one). Thread-safe (locked).

        Raises ValueError if ``xml`` is not well-formed, carries a DTD (refused: entity expansion), or a rule
        cannot be evaluated on it (e.g. a cast of a non-number: Saxon aborts the whole run).
        """
        try:
            tree = etree.fromstring(xml, etree.XMLParser(resolve_entities=False, no_network=True))
        except etree.XMLSyntaxError as exc:
            raise ValueError(f"not well-formed XML: {exc}") from exc
        if tree.getroottree().docinfo.doctype:
            raise ValueError("documents with a DOCTYPE are not accepted")
        text = etree.tostring(tree.getroottree(), encoding="unicode")
        with _SAXON_LOCK:
            try:
                document = _processor().parse_xml(xml_text=text, encoding="UTF-8")
                self._executable.set_global_context_item(xdm_item=document)
                result = self._executable.transform_to_string(xdm_node=document)
            except PySaxonApiError as exc:
                raise ValueError(
                    f"{self.name}: a rule could not be evaluated on this document: {exc}"
                ) from exc
        failures = []
        for found in etree.fromstring(result.encode("utf-8")):
            check = self._checks[int(found.get("check"))]
            message = " ".join("".join(found.itertext()).split())
            failures.append(
                Failure(self.name, check.rule_id, check.flag, found.get("location"), message, check.test)
            )
        return failures


_rule_sets: tuple[RuleSet, RuleSet] | None = None
_rule_sets_lock = threading.Lock()


def peppol_rule_sets() -> tuple[RuleSet, RuleSet]:
    """The official CEN EN16931 UBL rules, then the Peppol BIS Billing 3.0 rules, compiled once per process."""
    global _rule_sets
    with _rule_sets_lock:
        if _rule_sets is None:
            _rule_sets = (
                RuleSet.from_file(RULES_DIR / "CEN-EN16931-UBL.sch"),
                RuleSet.from_file(RULES_DIR / "PEPPOL-EN16931-UBL.sch"),
            )
        return _rule_sets


def validate_peppol(xml: bytes) -> list[Failure]:
    """Failures of a UBL invoice or credit note against both official rule sets (CEN first, then Peppol)."""
    return [failure for rule_set in peppol_rule_sets() for failure in rule_set.validate(xml)]
