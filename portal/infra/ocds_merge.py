"""Compiling OCDS releases into one compiled release and one versioned release (issue 23), with
ocdsmerge.

The merge rules come from the release schema the portal publishes against: the OCDS 1.1.5 release
schema with the techniques and lots extensions merged in (JSON Merge Patch), read from the
unchanged copies in portal/data/ocds/ (see portal/data/README.md). Given a dict, ocdsmerge resolves
only the schema's own `#/definitions/...` references; given nothing it would download the latest
release schema, so it is never called without one."""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

from ocdsmerge import Merger

SCHEMAS = Path(__file__).parent.parent / "data" / "ocds"
EXTENSIONS = ("techniques", "lots")


def _merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386 JSON Merge Patch, as OCDS applies its extensions."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = copy.deepcopy(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = _merge_patch(result.get(key), value)
    return result


def release_schema() -> dict[str, Any]:
    """The release schema with the portal's extensions merged in."""
    schema = json.loads((SCHEMAS / "release-schema.json").read_text(encoding="utf-8"))
    for extension in EXTENSIONS:
        patch = (SCHEMAS / "extensions" / extension / "release-schema.json").read_text(
            encoding="utf-8"
        )
        schema = _merge_patch(schema, json.loads(patch))
    return schema


def _without_dangling_refs(node: Any, definitions: dict[str, Any]) -> Any:
    """The schema with each `$ref` to a definition it lacks made an open schema. The lots
    extension's `Lot.submissionTerms` refers to `#/definitions/SubmissionTerms` of the submission
    terms extension, which the portal does not use; ocdsmerge resolves every reference and would
    fail on it. An open schema merges as any value without rules does (the last one wins)."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/definitions/"):
            if ref.removeprefix("#/definitions/") not in definitions:
                return {key: value for key, value in node.items() if key != "$ref"}
        return {key: _without_dangling_refs(value, definitions) for key, value in node.items()}
    if isinstance(node, list):
        return [_without_dangling_refs(item, definitions) for item in node]
    return node


@cache
def merger() -> Merger:
    """One Merger per process: the merge rules are worked out from the schema once."""
    schema = release_schema()
    return Merger(schema=_without_dangling_refs(schema, schema.get("definitions", {})))


def versioned_release(releases: list[dict[str, Any]]) -> dict[str, Any]:
    """The releases (of one ocid) as one versioned release: each field's history of values, with
    the release and date that set each one (how an end date moved with each extension)."""
    return merger().create_versioned_release(copy.deepcopy(releases))


def compiled_release(releases: list[dict[str, Any]]) -> dict[str, Any]:
    """The releases (of one ocid) compiled into the latest state of the contracting process."""
    return merger().create_compiled_release(copy.deepcopy(releases))
