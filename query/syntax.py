"""The rule language: what users type to say which items they want to hear about.

Grammar (EBNF; columns in error messages are 1-based character positions)::

    query    = or_expr ;
    or_expr  = and_expr { "OR" and_expr } ;
    and_expr = unary { [ "AND" ] unary } ;            (* juxtaposition is AND *)
    unary    = ( "NOT" | "-" ) unary | primary ;       (* "-" only when glued: -НАТО *)
    primary  = [ field ":" ] ( word | phrase | "(" or_expr ")" ) ;
    field    = "title" | "lead" | "text" | "place" | "persons" | "topics" | "geography"
             | "country" | "counterpart" | "initiated_by" ;    (* the last three: calls only *)
    phrase   = '"' word { word } '"' ;                 (* also «…», “…”, „…“ *)
    word     = letters/digits, optionally ending in "*" (a prefix of at least 2 characters) ;

Precedence: NOT binds tightest, then AND (written or implied), then OR: ``a b OR c`` is
``(a AND b) OR c``. Only upper-case ``AND``, ``OR``, ``NOT`` are operators; ``and``, ``or``, ``not``
(and «и», «или», «не») are ordinary words that must occur in the text. A field scope applies to the
next word, phrase or parenthesised group; inside a group an inner scope wins. A word that contains
hyphens or other punctuation («российско-американских») is split like text is and matched as a
phrase of adjacent words. Words are compared by lemma (see `query.morphology`); ``prefix*`` compares
spelling and lemmas by prefix. The call scopes (``country:FR``, ``counterpart:Макрон``,
``initiated_by:foreign``) only look at the values the caller gives for them (`query.document.CALL_FIELDS`);
an unscoped word never does.

A rule must say what it wants, not only what it does not: ``NOT НАТО`` or ``санкции OR NOT НАТО``
would fire on almost every item, so they are rejected.

This module only parses (no dictionaries are loaded, so a UI can validate rules cheaply);
`query.evaluate.compile_query` turns a `Query` into something that matches documents.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import NamedTuple

from query.document import FIELDS, SCOPES
from query.words import fold, tokenize

#: Opening quote → closing quotes accepted for it.
_QUOTES = MappingProxyType({'"': '"', "«": "»", "“": "”", "„": "“”"})
_SPECIAL = "()" + "".join(_QUOTES)
_FIELD_PREFIX = re.compile(r"([A-Za-z_]+):")
_OPERATORS = ("AND", "OR", "NOT")
MIN_PREFIX = 2
#: Nesting of parentheses and NOTs a rule may use; deeper input would exhaust Python's stack.
MAX_DEPTH = 64


class QuerySyntaxError(ValueError):
    """A rule that cannot be parsed; ``message`` is one line for users, ``column`` 1-based."""

    def __init__(self, message: str, column: int) -> None:
        super().__init__(message)
        self.message = message
        self.column = column


class TermPart(NamedTuple):
    """One word of a term as the user wrote it; ``prefix`` when it ended in ``*`` (star removed)."""

    text: str
    prefix: bool


@dataclass(frozen=True)
class Term:
    """Words that must stand next to each other, in order (one word is a one-word term)."""

    parts: tuple[TermPart, ...]
    #: What the user typed (a word or a quoted phrase), for messages and match reports.
    source: str
    column: int
    #: The field the term is scoped to; ``None`` searches every field.
    field: str | None = None

    @property
    def fields(self) -> tuple[str, ...]:
        """Fields the term searches."""
        return FIELDS if self.field is None else (self.field,)

    def __str__(self) -> str:
        return f"{self.field}:{self.source}" if self.field else self.source


@dataclass(frozen=True)
class And:
    """All children must match."""

    children: tuple[Node, ...]

    def __str__(self) -> str:
        return "(" + " AND ".join(map(str, self.children)) + ")"


@dataclass(frozen=True)
class Or:
    """At least one child must match."""

    children: tuple[Node, ...]

    def __str__(self) -> str:
        return "(" + " OR ".join(map(str, self.children)) + ")"


@dataclass(frozen=True)
class Not:
    """The child must not match; contributes no matched words."""

    child: Node
    column: int

    def __str__(self) -> str:
        return f"NOT {self.child}"


Node = Term | And | Or | Not


@dataclass(frozen=True)
class Query:
    """A parsed rule. ``str(query)`` shows it fully parenthesised, which makes precedence visible."""

    text: str
    root: Node = field(compare=False)

    def __str__(self) -> str:
        return str(self.root)

    def terms(self) -> Iterator[Term]:
        """Every term, including those under NOT, left to right."""
        stack: list[Node] = [self.root]
        while stack:
            node = stack.pop()
            if isinstance(node, Term):
                yield node
            elif isinstance(node, Not):
                stack.append(node.child)
            else:
                stack.extend(reversed(node.children))


class _Lexeme(NamedTuple):
    kind: str  # WORD, PHRASE, AND, OR, NOT, LPAREN, RPAREN, FIELD, EOF
    value: str
    column: int
    parts: tuple[TermPart, ...] = ()


def _parts(text: str, column: int) -> tuple[TermPart, ...]:
    """Split a word or phrase body into words (``column`` is where ``text`` starts); ``*`` may only
    end a word, and a prefix needs `MIN_PREFIX` characters so it cannot match half the dictionary."""
    tokens = tokenize(text)
    ends = {token.end for token in tokens}
    for position, char in enumerate(text):
        follows = text[position + 1 : position + 2]
        if char == "*" and (position not in ends or follows.isalnum() or follows == "*"):
            raise QuerySyntaxError(
                f"* at column {column + position} must end a word (like безопасн*)", column + position
            )
    parts: list[TermPart] = []
    for token in tokens:
        prefix = text[token.end : token.end + 1] == "*"
        if prefix and len(fold(token.surface)) < MIN_PREFIX:
            raise QuerySyntaxError(
                f"prefix '{token.surface}*' at column {column + token.start} is too short: "
                f"write at least {MIN_PREFIX} letters before *",
                column + token.start,
            )
        parts.append(TermPart(token.surface, prefix))
    return tuple(parts)


def _lex(text: str) -> list[_Lexeme]:
    lexemes: list[_Lexeme] = []
    i, length = 0, len(text)
    while i < length:
        char = text[i]
        column = i + 1
        if char.isspace():
            i += 1
        elif char == "(":
            lexemes.append(_Lexeme("LPAREN", char, column))
            i += 1
        elif char == ")":
            lexemes.append(_Lexeme("RPAREN", char, column))
            i += 1
        elif char in _QUOTES:
            close = min((p for q in _QUOTES[char] if (p := text.find(q, i + 1)) >= 0), default=-1)
            if close < 0:
                raise QuerySyntaxError(f"unterminated quote {char} at column {column}", column)
            body = text[i + 1 : close]
            parts = _parts(body, column + 1)
            if not parts:
                raise QuerySyntaxError(f"empty phrase at column {column}", column)
            lexemes.append(_Lexeme("PHRASE", text[i : close + 1], column, parts))
            i = close + 1
        elif char == "-" and i + 1 < length and not text[i + 1].isspace() and text[i + 1] not in ")-":
            lexemes.append(_Lexeme("NOT", "-", column))
            i += 1
        else:
            end = i
            while end < length and not text[end].isspace() and text[end] not in _SPECIAL:
                end += 1
            word = text[i:end]
            field_prefix = _FIELD_PREFIX.match(word)
            if word in _OPERATORS:
                lexemes.append(_Lexeme(word, word, column))
            elif field_prefix:
                name = field_prefix.group(1).lower()
                if name not in SCOPES:
                    raise QuerySyntaxError(
                        f"unknown field '{field_prefix.group(1)}' (known: {', '.join(SCOPES)})", column
                    )
                lexemes.append(_Lexeme("FIELD", name, column))
                end = i + field_prefix.end()
            elif word == "-":
                raise QuerySyntaxError(
                    f"- at column {column} must be glued to the word it excludes, like -НАТО", column
                )
            else:
                parts = _parts(word, column)
                if not parts:
                    raise QuerySyntaxError(
                        f"'{word}' at column {column} is not a word (operators are AND, OR, NOT, -word)",
                        column,
                    )
                lexemes.append(_Lexeme("WORD", word, column, parts))
            i = end
    lexemes.append(_Lexeme("EOF", "", length + 1))
    return lexemes


_STARTS_UNARY = frozenset({"WORD", "PHRASE", "NOT", "LPAREN", "FIELD"})


class _Parser:
    """Recursive descent over the lexemes, one method per grammar rule."""

    def __init__(self, lexemes: list[_Lexeme]) -> None:
        self._lexemes = lexemes
        self._at = 0
        self._depth = 0

    def _peek(self) -> _Lexeme:
        return self._lexemes[self._at]

    def _take(self) -> _Lexeme:
        lexeme = self._lexemes[self._at]
        self._at += 1
        return lexeme

    def _operand_after(self, operator: _Lexeme) -> None:
        if self._peek().kind not in _STARTS_UNARY:
            name = "-" if operator.value == "-" else operator.value
            raise QuerySyntaxError(
                f"{name} at column {operator.column} needs a word after it", operator.column
            )

    def parse(self) -> Node:
        node = self.or_expr()
        rest = self._peek()
        if rest.kind == "RPAREN":
            raise QuerySyntaxError(f"unexpected ) at column {rest.column}", rest.column)
        return node

    def or_expr(self) -> Node:
        children = [self.and_expr()]
        while self._peek().kind == "OR":
            self._operand_after(self._take())
            children.append(self.and_expr())
        return children[0] if len(children) == 1 else Or(tuple(children))

    def and_expr(self) -> Node:
        children = [self.unary()]
        while True:
            kind = self._peek().kind
            if kind == "AND":
                self._operand_after(self._take())
            elif kind not in _STARTS_UNARY:
                break
            children.append(self.unary())
        return children[0] if len(children) == 1 else And(tuple(children))

    def unary(self) -> Node:
        lexeme = self._peek()
        if self._depth >= MAX_DEPTH:
            raise QuerySyntaxError(f"too deeply nested at column {lexeme.column}", lexeme.column)
        self._depth += 1
        try:
            if lexeme.kind == "NOT":
                self._take()
                self._operand_after(lexeme)
                return Not(self.unary(), lexeme.column)
            return self.primary()
        finally:
            self._depth -= 1

    def primary(self) -> Node:
        lexeme = self._take()
        if lexeme.kind == "FIELD":
            if self._peek().kind not in ("WORD", "PHRASE", "LPAREN"):
                raise QuerySyntaxError(
                    f"{lexeme.value}: at column {lexeme.column} needs a word, phrase or (group) after it",
                    lexeme.column,
                )
            return _scoped(self.primary(), lexeme.value)
        if lexeme.kind in ("WORD", "PHRASE"):
            return Term(lexeme.parts, lexeme.value, lexeme.column)
        if lexeme.kind == "LPAREN":
            if self._peek().kind == "RPAREN":
                raise QuerySyntaxError(f"empty parentheses at column {lexeme.column}", lexeme.column)
            node = self.or_expr()
            if self._take().kind != "RPAREN":
                raise QuerySyntaxError(f"unclosed ( at column {lexeme.column}", lexeme.column)
            return node
        if lexeme.kind in ("AND", "OR"):
            raise QuerySyntaxError(
                f"{lexeme.value} at column {lexeme.column} needs a word before it", lexeme.column
            )
        if lexeme.kind == "RPAREN":
            raise QuerySyntaxError(f"unexpected ) at column {lexeme.column}", lexeme.column)
        raise QuerySyntaxError(f"unexpected end of query at column {lexeme.column}", lexeme.column)


def _scoped(node: Node, name: str) -> Node:
    """Apply a field scope to every term below that has none yet (an inner scope wins)."""
    if isinstance(node, Term):
        return node if node.field is not None else replace(node, field=name)
    if isinstance(node, Not):
        return Not(_scoped(node.child, name), node.column)
    return type(node)(tuple(_scoped(child, name) for child in node.children))


def _only_excludes(node: Node) -> Not | None:
    """The NOT that leaves the query able to match without any wanted word, if there is one."""
    if isinstance(node, Term):
        return None
    if isinstance(node, Not):
        return node
    culprits = [_only_excludes(child) for child in node.children]
    if isinstance(node, And):
        return None if any(culprit is None for culprit in culprits) else culprits[0]
    return next((culprit for culprit in culprits if culprit is not None), None)


def parse_query(text: str) -> Query:
    """Parse a rule; raise `QuerySyntaxError` with a one-line message and a 1-based column."""
    if not text.strip():
        raise QuerySyntaxError("empty query", 1)
    root = _Parser(_lex(text)).parse()
    culprit = _only_excludes(root)
    if culprit is not None:
        raise QuerySyntaxError(
            f"NOT at column {culprit.column} has nothing to subtract from: "
            "a rule must also name a word it wants",
            culprit.column,
        )
    return Query(text, root)
