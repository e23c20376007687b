#!/usr/bin/env python3
# Writes cases.json (run from this folder with /usr/bin/python3): (schema, string) pairs for
# tests/unit/engine/grammar_cases_test.cpp and tests/scripts/grammar_ajv.sh.
import json
# Each case: schema, optional options, valid (full matches), invalid [text, first rejected byte index
# or -1 = every byte accepted but the text cannot end there], noncanonical [text, at]: valid JSON for the
# schema that the matcher rejects on purpose (compact whitespace, property order, escapes in keys).
C = []
def case(schema, valid=(), invalid=(), noncanonical=(), options=None):
    d = {"schema": schema, "valid": list(valid), "invalid": [list(x) for x in invalid], "noncanonical": [list(x) for x in noncanonical]}
    if options: d["options"] = options
    C.append(d)

case({"type": "object", "properties": {"name": {"type": "string"}, "age": {"type": "integer"}}, "required": ["name", "age"]},
     valid=['{"age":30,"name":"Bob"}', '{"age":-1,"name":""}', '{"age":0,"name":"a\\"b\\\\c\\n\\u00e9"}', '{"age":12,"name":"日本😀"}'],
     invalid=[['{"age":01', 8], ['{"age":1.5', 8], ['{"age":30}', 9], ['{"age":30,"name":"x"', -1], ['{"name', 2], ['{"age":30,"name":"\\x"', 19],
              ['{"age":30,"name":"a\x01"', 19], ['{"age":3e2', 8], ['{"age":', -1], ['[', 0], ['{"age":30,"name":"x"}}', 21]],
     noncanonical=[['{"age":30,"name":"\\ud800"}', 21], ['{"name":"Bob","age":30}', 2], ['{ "age":30,"name":"Bob"}', 1], ['{"age": 30,"name":"Bob"}', 7]])
case({"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "number"}, "c": {"type": "boolean"}}, "required": ["b"]},
     valid=['{"b":1}', '{"a":"","b":-0.5e+10}', '{"b":2,"c":true}', '{"a":"x","b":1E3,"c":false}', '{"b":0.0}', '{"b":-0}'],
     invalid=[['{}', 1], ['{"c":true}', 2], ['{"b":.5}', 5], ['{"b":1.}', 7], ['{"b":1e}', 7], ['{"b":+1}', 5], ['{"b":1,}', 7]],
     noncanonical=[['{"b":1,"a":"x"}', 8]])
case({"type": "object", "properties": {"x": {"type": "integer"}, "y": {"type": "integer"}}},
     valid=['{}', '{"x":1}', '{"y":2}', '{"x":1,"y":2}'],
     invalid=[['{,', 1]], noncanonical=[['{"z":1}', 2], ['{"y":1,"x":2}', 6]])
case({"enum": ["red", "green", "blue"]},
     valid=['"red"', '"green"', '"blue"'],
     invalid=[['"rex"', 3], ['"gre"', 4], ['red', 0], ['"redd"', 4]], noncanonical=[['"red" ', 5]])
case({"enum": ["a", 1, 2.5, True, None, {"k": [1, 2]}]},
     valid=['"a"', '1', '2.5', 'true', 'null', '{"k":[1,2]}'],
     invalid=[['2', -1], ['{"k":[1]}', 7], ['false', 0]], noncanonical=[['1.0', 1]])
case({"const": "v1"}, valid=['"v1"'], invalid=[['"v2"', 2], ['"v1', -1]])
case({"$defs": {"node": {"type": "object", "properties": {"v": {"type": "integer"}, "kids": {"type": "array", "items": {"$ref": "#/$defs/node"}}}, "required": ["v"]}}, "$ref": "#/$defs/node"},
     valid=['{"v":1}', '{"kids":[],"v":1}', '{"kids":[{"v":2},{"kids":[{"v":3}],"v":4}],"v":5}'],
     invalid=[['{"kids":[{"kids":[{}', 19], ['{"kids":[{"v":1}],"v":1,"x"', 23], ['{"kids":[1', 9]])
case({"type": "object", "properties": {"id": {"type": "integer"}}, "required": ["id"], "additionalProperties": False},
     valid=['{"id":7}'], invalid=[['{"id":7,"x":1}', 7], ['{"x":1}', 2]])
case({"type": "object", "properties": {"id": {"type": "integer"}}, "additionalProperties": {"type": "string"}},
     valid=['{}', '{"id":1}', '{"id":1,"x":"y"}', '{"x":"y","z":""}', '{"i":"a","idd":"b","":"c"}'],
     invalid=[['{"id":1,"id":', 11], ['{"x":1', 5], ['{"x":"y","id"', 12]],
     noncanonical=[['{"\\u0078":"y"}', 2], ['{"x":"y","id":1}', 12]])
case({"type": "array", "items": {"type": "integer", "minimum": -40, "maximum": 45}, "minItems": 1, "maxItems": 3},
     valid=['[0]', '[-40,45,7]', '[-9,-10,10]', '[1,2]'],
     invalid=[['[]', 1], ['[46', 2], ['[-41', 3], ['[1,2,3,4', 6], ['[-0', 2], ['[100', 3], ['[-4', -1]])
case({"type": "integer", "minimum": 1000}, valid=['1000', '9999', '10000', '123456789'], invalid=[['999', -1], ['0', 0], ['-1', 0], ['0999', 0]])
case({"type": "integer", "exclusiveMinimum": -5, "exclusiveMaximum": 12},
     valid=['-4', '0', '11', '5'], invalid=[['-5', 1], ['12', 1], ['13', 1], ['-6', 1], ['20', 1]])
case({"type": "integer", "maximum": -10}, valid=['-10', '-11', '-12345'], invalid=[['-9', -1], ['0', 0], ['10', 0]])
case({"type": "string", "minLength": 2, "maxLength": 3},
     valid=['"ab"', '"abc"', '"日本"', '"\\n\\t"', '"😀😀😀"'], invalid=[['"a"', 2], ['"abcd', 4], ['""', 1]])
case({"type": "string", "pattern": "^[A-Z]{2}-\\d{3}$"},
     valid=['"AB-123"', '"ZZ-000"'], invalid=[['"A-', 2], ['"AB-12"', 6], ['"ab', 1], ['"AB-1234', 7]])
case({"type": "string", "pattern": "b+c"},
     valid=['"bc"', '"xbbcx"', '"abc"', '"\\"bc"'], invalid=[['"b"', 2], ['"ac"', 3]])
case({"type": "string", "pattern": "^(cat|dog)s?$"},
     valid=['"cat"', '"dogs"'], invalid=[['"cow"', 2], ['"catss"', 5]])
case({"type": "string", "format": "date"},
     valid=['"2024-01-31"', '"1999-02-28"', '"2000-04-30"'], invalid=[['"2024-02-30"', 9], ['"2024-13-01"', 7], ['"2024-04-31"', 10], ['"24-01-01"', 3]],
     noncanonical=[['"2024-02-29"', 10]])
case({"type": "string", "format": "date-time"},
     valid=['"2024-01-31T23:59:59Z"', '"2024-01-31T00:00:00.123+05:30"'], invalid=[['"2024-01-31T24:00:00Z"', 13]], noncanonical=[['"2024-01-31 10:00:00Z"', 11]])
case({"type": "string", "format": "uuid"},
     valid=['"123e4567-e89b-12d3-a456-426614174000"'], invalid=[['"123e4567e', 9]])
case({"type": "string", "format": "email"},
     valid=['"a.b@example.com"', '"x_1+tag@sub.domain.org"'], invalid=[['"@', 1], ['"a..b', 3], ['"a@b"', 4]])
case({"type": ["string", "null"]}, valid=['"x"', 'null'], invalid=[['nul', -1], ['1', 0]])
case({"anyOf": [{"type": "integer"}, {"type": "object", "properties": {"k": {"type": "boolean"}}, "required": ["k"]}]},
     valid=['5', '{"k":false}'], invalid=[['{"k":1', 5], ['true', 0]])
case({"allOf": [{"type": "object", "properties": {"a": {"type": "integer"}}, "required": ["a"]}, {"properties": {"b": {"type": "string"}}, "required": ["b"]}]},
     valid=['{"a":1,"b":"x"}'], invalid=[['{"a":1}', 6], ['{"b"', 2]])
case({"type": "array", "prefixItems": [{"type": "string"}, {"type": "integer"}]},
     valid=['["a",1]', '["a"]', '[]'], invalid=[['["a",1,2', 6], ['[1', 1]])
case({"type": "array", "prefixItems": [{"type": "string"}], "items": {"type": "integer"}},
     valid=['["a",1,2,3]', '[]'], invalid=[['["a","b"', 5]])
case({"type": "object", "required": ["must"]},
     valid=['{"must":1}', '{"must":{"deep":[true,null,"s",-2.5e-3]}}'], invalid=[['{}', 1], ['{"mus"', 5]])
case({"type": "number", "minimum": 0}, valid=['0', '1.5', '12.000', '1234567890123456789.5'], invalid=[['-1', 0]],
     noncanonical=[['2e10', 1], ['1e100', 1], ['12345678901234567890', 19]])
case({"type": "number", "minimum": -1, "maximum": 1}, valid=['0', '-1', '1', '0.25', '-0.5', '1.000', '-1.0', '-0'],
     invalid=[['1.5', 2], ['-1.01', 4], ['2', 0], ['-2', 1]], noncanonical=[['1e0', 1]])
case({"type": "integer"}, valid=['-1234567890123456789', '0', '7'], invalid=[['-', -1]], noncanonical=[['12345678901234567890', 19], ['1.0', 1]])
case({"type": "object"}, valid=['{}', '{"a":1}', '{"":{"b":[]}}'], invalid=[['[]', 0]])
case({}, valid=['1', '"s"', '{"a":[1,{"b":null}]}', '[]', 'false'], invalid=[['{a', 1], ['tru', -1], ['[1,]', 3]])
case({"type": "object", "properties": {"a": {"type": "integer"}}, "required": ["a"]},
     options={"whitespace_pattern": "[ \\n]{0,2}"},
     valid=['{"a":1}', '{ "a" : 1 }', '{\n"a":\n1\n}'], invalid=[['{   ', 3], ['{\t', 1]])
json.dump(C, open('cases.json', 'w'), ensure_ascii=False, indent=1)
print(len(C), sum(len(c['valid']) + len(c['invalid']) + len(c['noncanonical']) for c in C))
