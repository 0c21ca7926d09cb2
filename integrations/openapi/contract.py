#!/usr/bin/env python3
"""Helpers for the decision service's contract test, run in the schemathesis virtualenv
(integrations/openapi/run-schemathesis.sh calls them).

  contract.py exercised DOCUMENT HAR
      One line per operation the document names: how many calls schemathesis made to it (from
      its HAR report) and the statuses they got; then the calls to methods the document does not
      name. Always exits 0: the caller decides what is enough.

  contract.py validate DOCUMENT CASES
      Checks that every schema under components/schemas is a JSON Schema 2020-12 schema, then
      validates each case of CASES (a JSON array of {"name": ..., "operation": "POST /v1/decisions",
      "status": "request" or a status such as "200", "body": ...}) against the schema the document
      gives that request body or response. Prints `valid NAME` or `INVALID NAME: why` per case,
      then `validate: N valid, M invalid`; exits 1 when any is invalid or names something the
      document does not have.
"""
import json
import sys
from collections import Counter, defaultdict
from urllib.parse import urlparse

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
BASE = "urn:ssa-toolkit:openapi"


def pointer(*parts):
    return "#/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def resolve(document, ref):
    node = document
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def schema_pointer(document, operation, status):
    """The JSON pointer of the schema of OPERATION's request body (status "request") or response."""
    method, path = operation.split(" ", 1)
    method = method.lower()
    item = document["paths"][path][method]
    if status == "request":
        base, node = pointer("paths", path, method, "requestBody"), item["requestBody"]
    else:
        base, node = pointer("paths", path, method, "responses", status), item["responses"][status]
    if "$ref" in node:
        base, node = node["$ref"], resolve(document, node["$ref"])
    if "application/json" not in node.get("content", {}):
        raise KeyError(f"{operation} {status} has no application/json content")
    return base + "/content/application~1json/schema"


def exercised(document, har_path):
    with open(har_path, encoding="utf-8") as file:
        entries = json.load(file)["log"]["entries"]
    documented = {(method.upper(), path) for path, item in document["paths"].items() for method in item if method in METHODS}
    counts = defaultdict(Counter)
    other = 0
    for entry in entries:
        key = (entry["request"]["method"].upper(), urlparse(entry["request"]["url"]).path)
        if key in documented:
            counts[key][entry["response"]["status"]] += 1
        else:
            other += 1
    for method, path in sorted(documented, key=lambda key: (key[1], key[0])):
        statuses = counts[(method, path)]
        detail = ", ".join(f"{status}: {n}" for status, n in sorted(statuses.items()))
        print(f"exercised {method} {path}: {sum(statuses.values())} calls ({detail})")
    print(f"exercised undocumented methods: {other} calls")
    return 0


def validate(document, cases_path):
    from jsonschema import Draft202012Validator
    from referencing import Registry
    from referencing.jsonschema import DRAFT202012

    failures = 0
    for name, schema in document.get("components", {}).get("schemas", {}).items():
        try:
            Draft202012Validator.check_schema(schema)
        except Exception as error:  # SchemaError: say which and go on
            print(f"INVALID components/schemas/{name}: not a JSON Schema 2020-12 schema: {error}")
            failures += 1
    registry = Registry().with_resource(BASE, DRAFT202012.create_resource(document))
    with open(cases_path, encoding="utf-8") as file:
        cases = json.load(file)
    valid = 0
    for case in cases:
        name = case["name"]
        try:
            ref = schema_pointer(document, case["operation"], str(case["status"]))
        except KeyError as error:
            print(f"INVALID {name}: the document has no schema for {case['operation']} {case['status']} ({error})")
            failures += 1
            continue
        validator = Draft202012Validator({"$ref": BASE + ref}, registry=registry)
        errors = sorted(validator.iter_errors(case["body"]), key=lambda e: list(e.absolute_path))
        if errors:
            reasons = "; ".join(f"at /{'/'.join(map(str, e.absolute_path))}: {e.message[:200]}" for e in errors[:3])
            print(f"INVALID {name}: {reasons}")
            failures += 1
        else:
            print(f"valid {name}")
            valid += 1
    print(f"validate: {valid} valid, {failures} invalid")
    return 1 if failures else 0


def main(argv):
    if len(argv) != 4 or argv[1] not in ("exercised", "validate"):
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[2], encoding="utf-8") as file:
        document = json.load(file)
    return exercised(document, argv[3]) if argv[1] == "exercised" else validate(document, argv[3])


if __name__ == "__main__":
    sys.exit(main(sys.argv))
