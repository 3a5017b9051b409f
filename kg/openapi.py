"""The OpenAPI 3.1 description of the canned questions, generated from their headers."""

from __future__ import annotations

from collections.abc import Iterable

from kg import __version__
from kg.params import Param
from kg.questions import Question

_CODE_OR_IRI = {
    "region": "an IRI, or a Kemendagri region code such as 35, 35.15, 35.15.18 or 35.15.18.2013",
    "kbli": "an IRI, or a 5-digit KBLI 2020 code such as 15201",
    "iri": "an absolute IRI, id:{path} or a path under the base IRI",
}


def param_schema(param: Param) -> dict[str, object]:
    """The JSON Schema of one parameter's value."""
    schema: dict[str, object]
    if param.type == "integer":
        schema = {"type": "integer"}
    elif param.type == "decimal":
        schema = {"type": "number"}
    elif param.type == "boolean":
        schema = {"type": "boolean"}
    elif param.type == "enum":
        schema = {"type": "string", "enum": list(param.enum)}
    else:
        schema = {"type": "string"}
        if param.type in ("iri", "region", "kbli"):
            schema["description"] = _CODE_OR_IRI[param.type]
        if param.type == "code":
            schema["pattern"] = "^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
    for key, target in (("minimum", "minimum"), ("maximum", "maximum"),
                        ("min_length", "minLength"), ("max_length", "maxLength")):
        value = getattr(param, key)
        if value is not None:
            schema[target] = value
    if param.default is not None:
        schema["default"] = _typed(param, param.default)
    return schema


def _typed(param: Param, value: object) -> object:
    if param.type == "integer":
        return int(value)  # type: ignore[arg-type]
    if param.type == "decimal":
        number = float(value)  # type: ignore[arg-type]
        return int(number) if number.is_integer() else number
    if param.type == "boolean":
        return bool(value)
    return str(value)


def _parameter(param: Param) -> dict[str, object]:
    description = f"{param.description} (type: {param.type})"
    out: dict[str, object] = {"name": param.name, "in": "query", "required": param.required,
                              "description": description, "schema": param_schema(param)}
    if param.example is not None:
        out["example"] = _typed(param, param.example)
    return out


def _operation(question: Question) -> dict[str, object]:
    params = [_parameter(p) for p in question.bound_params]
    params += [_parameter(p) for p in question.paging_params()]
    params.append({"name": "format", "in": "query", "required": False,
                   "description": "response format; overrides the Accept header",
                   "schema": {"type": "string", "enum": ["json", "csv"]}})
    description = f"{question.description_id}\n\n{question.description_en}"
    if question.require_one_of:
        description += f"\n\nGive one of: {', '.join(question.require_one_of)}."
    return {
        "operationId": question.name.replace("-", "_"),
        "summary": question.summary,
        "description": description,
        "tags": list(question.tags) or ["questions"],
        "parameters": params,
        "responses": {
            "200": {
                "description": "the answer: one page of rows, the parameters used and the SPARQL that ran",
                "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/QuestionResult"}},
                    "text/csv": {"schema": {"type": "string"}},
                },
            },
            "400": {"$ref": "#/components/responses/Problem"},
            "406": {"$ref": "#/components/responses/Problem"},
            "503": {"$ref": "#/components/responses/Problem"},
        },
    }


_COMPONENTS = {
    "schemas": {
        "QuestionResult": {
            "type": "object",
            "required": ["query", "params", "columns", "rows", "truncated", "sparql"],
            "properties": {
                "query": {"type": "string", "description": "the question's name"},
                "params": {"type": "object", "description": "the parameter values used, defaults included"},
                "columns": {"type": "array", "items": {"type": "string"}},
                "rows": {"type": "array", "items": {
                    "type": "object",
                    "additionalProperties": {"type": ["string", "number", "boolean", "null"]}}},
                "truncated": {"type": "boolean", "description": "true when more rows follow (see next)"},
                "offset": {"type": "integer"},
                "limit": {"type": "integer"},
                "next": {"type": ["string", "null"], "description": "the URL of the next page"},
                "sparql": {"type": "string", "description": "the SPARQL that ran"},
                "bindings": {"type": "object", "additionalProperties": {"type": "string"},
                             "description": "the RDF terms bound to the query's variables (N-Triples)"},
            },
        },
        "Problem": {
            "type": "object",
            "required": ["status", "title", "detail"],
            "properties": {
                "type": {"type": "string"}, "title": {"type": "string"},
                "status": {"type": "integer"}, "detail": {"type": "string"},
                "instance": {"type": "string"}, "parameter": {"type": "string"},
            },
        },
    },
    "responses": {
        "Problem": {
            "description": "an error (RFC 9457); for 400 the `parameter` member names the bad parameter",
            "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
        },
    },
}


def openapi_document(questions: Iterable[Question], *, server_url: str = "/",
                     prefix: str = "/api") -> dict[str, object]:
    """OpenAPI 3.1 for ``GET {prefix}/{name}`` of every question."""
    questions = list(questions)
    paths: dict[str, object] = {
        prefix: {"get": {"operationId": "catalogue", "summary": "HTML catalogue of the canned questions",
                         "responses": {"200": {"description": "the catalogue",
                                               "content": {"text/html": {"schema": {"type": "string"}}}}}}},
        f"{prefix}/openapi.json": {"get": {
            "operationId": "openapi", "summary": "this OpenAPI document",
            "responses": {"200": {"description": "OpenAPI 3.1",
                                  "content": {"application/json": {"schema": {"type": "object"}}}}}}},
    }
    for question in questions:
        paths[f"{prefix}/{question.name}"] = {"get": _operation(question)}
    tags = sorted({t for q in questions for t in q.tags})
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Klaster canned questions",
            "version": __version__,
            "description": ("Parameterised questions over the Klaster knowledge graph of Indonesia's "
                            "MSME clusters (sentra / klaster UMKM). Parameters are validated by type "
                            "and bound to the SPARQL query as RDF terms, never pasted into its text."),
        },
        "servers": [{"url": server_url}],
        "tags": [{"name": t} for t in tags],
        "paths": paths,
        "components": _COMPONENTS,
    }
