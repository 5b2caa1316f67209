"""Checks records against a JSON Schema with Python's jsonschema, an
engine independent of clickstream, for tests/integration/schema.rs.

usage: schema_check.py SCHEMA MODE:FILE...   (MODE is jsonl or document)

Prints one JSON line per record: {"file", "line", "status", "errors"}, where
status is "unparsed" (not UTF-8 or not JSON), "valid" or "invalid". Objects
keep the first value of a repeated key, as clickstream does. Exits 3 when
the jsonschema package is missing, 4 when the schema itself is invalid.
"""

import json
import sys

try:
    import jsonschema
except ImportError:
    print("the jsonschema package is missing: python3 -m pip install jsonschema", file=sys.stderr)
    sys.exit(3)


def first_wins(pairs):
    obj = {}
    for key, value in pairs:
        obj.setdefault(key, value)
    return obj


def refuse_constant(name):
    raise ValueError(f"{name} is not JSON")


def parse(raw):
    try:
        text = raw.decode("utf-8")
        return json.loads(text, object_pairs_hook=first_wins, parse_constant=refuse_constant), True
    except (UnicodeDecodeError, ValueError):
        return None, False


def records(mode, path):
    with open(path, "rb") as f:
        data = f.read()
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if mode == "document":
        yield 1, data
        return
    for number, raw in enumerate(data.split(b"\n"), start=1):
        raw = raw.rstrip(b"\r")
        if raw.strip():
            yield number, raw


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        schema = json.load(f)
    try:
        jsonschema.Draft202012Validator.check_schema(schema)
    except jsonschema.SchemaError as err:
        print(f"the schema is not a valid draft 2020-12 schema: {err}", file=sys.stderr)
        sys.exit(4)
    validator = jsonschema.Draft202012Validator(schema)
    for spec in sys.argv[2:]:
        mode, path = spec.split(":", 1)
        for line, raw in records(mode, path):
            value, ok = parse(raw)
            if not ok:
                status, errors = "unparsed", []
            else:
                errors = [
                    "/".join(str(p) for p in e.absolute_path) + ": " + e.message[:200]
                    for e in validator.iter_errors(value)
                ]
                status = "invalid" if errors else "valid"
            print(json.dumps({"file": path, "line": line, "status": status, "errors": errors}))


main()
