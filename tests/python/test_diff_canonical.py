"""verinfer's Python-compatible json.dumps and canonical request bytes against
Python's own json module, on random objects and random chat/completion
requests (unicode incl. astral text, control characters, floats of every
magnitude, big integers, nested tool definitions and JSON schemas)."""
import json
import math
import struct

SPECIAL_FLOATS = [0.0, -0.0, 0.1, 0.7, 1.0, 100.0, 1e-05, 0.0001, 1e-4 * 1.5, 1e+16, 1e15, 9999999999999998.0,
                  1234567890123456.0, 5e-324, 2.2250738585072014e-308, 1.7976931348623157e+308, 1.5e+300,
                  0.30000000000000004, 1e22, 1e21, 123456789.125, -2.5e-05]
SPECIAL_CHARS = ['"', "\\", "/", "\n", "\r", "\t", "\b", "\f", "\x00", "\x1f", "\x7f", "\x80", "\u2028",
                 "\u2029", "\ufeff", "\uffff", "\U0001F600", "\U0001F680", "\U0010FFFF", "\U00010000",
                 "\u00e9", "\uff5e", "\u65e5"]


def random_code_point(rng):
    kind = rng.random()
    if kind < 0.45:
        return chr(rng.randrange(0x20, 0x7F))
    if kind < 0.55:
        return chr(rng.choice([rng.randrange(0, 0x20), 0x7F]))
    if kind < 0.7:
        return chr(rng.randrange(0x80, 0x800))
    if kind < 0.8:  # rest of the BMP, never a surrogate
        cp = rng.randrange(0x800, 0x10000 - 0x800)
        return chr(cp + 0x800 if cp >= 0xD800 else cp)
    if kind < 0.9:  # emoji
        return chr(rng.randrange(0x1F300, 0x1FAFF))
    if kind < 0.95:
        return chr(rng.randrange(0x10000, 0x110000))
    return rng.choice(SPECIAL_CHARS)


def random_string(rng, max_len=12):
    return "".join(random_code_point(rng) for _ in range(rng.randrange(max_len + 1)))


def random_float(rng):
    kind = rng.random()
    if kind < 0.25:
        return rng.choice(SPECIAL_FLOATS) * rng.choice([1, -1])
    if kind < 0.55:  # any finite bit pattern: subnormals to huge
        while True:
            value = struct.unpack("<d", rng.randbytes(8))[0]
            if math.isfinite(value):
                return value
    if kind < 0.8:
        return rng.uniform(-1, 1) * 10.0 ** rng.randint(-30, 30)
    return round(rng.uniform(-1000, 1000), rng.randint(0, 6))


def random_int(rng):
    if rng.random() < 0.6:
        return rng.randint(-1000, 1000)
    return rng.choice([1, -1]) * rng.randrange(10 ** rng.randint(1, 60))


def random_scalar(rng):
    return rng.choice([None, True, False, random_int(rng), random_float(rng), random_string(rng)])


def random_value(rng, depth=0):
    kind = rng.random()
    if depth >= 4 or kind < 0.5:
        return random_scalar(rng)
    if kind < 0.75:
        return [random_value(rng, depth + 1) for _ in range(rng.randrange(5))]
    return {random_string(rng, 6): random_value(rng, depth + 1) for _ in range(rng.randrange(6))}


def random_schema(rng, depth=0):
    kind = rng.choice(["string", "number", "integer", "boolean", "object", "array"] if depth < 3 else ["string", "number"])
    schema = {"type": kind}
    if kind == "number":
        schema.update({"minimum": random_float(rng), "maximum": random_float(rng), "multipleOf": rng.choice([0.25, 1e-05, 1])})
    if kind == "string" and rng.random() < 0.5:
        schema["enum"] = [random_string(rng) for _ in range(rng.randrange(1, 4))]
    if kind == "object":
        schema["properties"] = {random_string(rng, 5): random_schema(rng, depth + 1) for _ in range(rng.randrange(4))}
        schema["required"] = list(schema["properties"])[:1]
        schema["additionalProperties"] = rng.random() < 0.5
    if kind == "array":
        schema["items"] = random_schema(rng, depth + 1)
    if rng.random() < 0.3:
        schema["description"] = random_string(rng, 20)
    if rng.random() < 0.2:
        schema["default"] = random_value(rng, 2)
    return schema


def random_tool_call(rng):
    call = {"id": "call_" + random_string(rng, 6), "type": "function",
            "function": {"name": random_string(rng, 8), "arguments": json.dumps(random_value(rng, 2))}}
    for key in ("id", "type", "function"):
        if rng.random() < 0.05:
            del call[key]
    return call


def random_user_content(rng):
    kind = rng.random()
    if kind < 0.6:
        return random_string(rng, 40)
    if kind < 0.7:
        return rng.choice([None, 3, 2.5, True, -0.0, 10 ** 30])
    parts = []
    for _ in range(rng.randrange(5)):
        p = rng.random()
        if p < 0.35:
            part = {"type": "text", "text": rng.choice([random_string(rng, 20), "", None, 0, random_string(rng)])}
            if rng.random() < 0.1:
                del part["text"]
        elif p < 0.55:
            part = {"type": "image_url", "image_url": {"url": "data:image/png;base64," + random_string(rng)}}
        elif p < 0.8:
            part = {"type": "file", "file": {"filename": rng.choice([random_string(rng, 8), "", None]),
                                             "file_data": random_string(rng)}}
            if rng.random() < 0.3:
                part["filename"] = random_string(rng, 5)
        else:
            part = rng.choice([random_string(rng), random_int(rng), random_float(rng), None, False,
                               {"type": random_string(rng, 4)}])
        parts.append(part)
    return parts


def random_message(rng):
    role = rng.choice(["system", "developer", "user", "user", "assistant", "tool", "function"])
    msg = {"role": role}
    if role in ("system", "developer"):
        msg["content"] = rng.choice([random_string(rng, 30), "", None])
    elif role == "user":
        msg["content"] = random_user_content(rng)
    elif role == "assistant":
        msg["content"] = rng.choice([random_string(rng, 30), "", None])
        if rng.random() < 0.4:
            msg["tool_calls"] = rng.choice([[], None, [random_tool_call(rng) for _ in range(rng.randrange(1, 3))]])
    elif role == "tool":
        msg["content"] = json.dumps(random_value(rng, 2))
        msg["tool_call_id"] = "call_" + random_string(rng, 6)
    else:
        msg["content"] = random_string(rng, 20)
        msg["name"] = random_string(rng, 8)
    if rng.random() < 0.1:  # fields the gateway does not hash
        msg["name" if role != "function" else "extra"] = random_string(rng, 5)
    if rng.random() < 0.03:
        del msg["content"]
    return msg


def random_temperature(rng):
    return rng.choice([None, 0, 1, 2, True, False, 0.7, 1e-05, -0.0, random_float(rng) % 3.0,
                       rng.randrange(10 ** 20), rng.uniform(0, 2)])


def random_chat_body(rng):
    body = {"model": random_string(rng, 15) or "m", "messages": [random_message(rng) for _ in range(rng.randrange(1, 6))]}
    optional = {
        "temperature": lambda: random_temperature(rng),
        "max_tokens": lambda: rng.choice([None, 0, 1, 256, 4096, 10 ** 25]),
        "stop": lambda: rng.choice(["", [], "###", [random_string(rng, 4) for _ in range(rng.randrange(1, 4))], None]),
        "tools": lambda: rng.choice([[], None, [{"type": "function", "function": {
            "name": random_string(rng, 8), "description": random_string(rng, 30),
            "parameters": random_schema(rng)}} for _ in range(rng.randrange(1, 3))]]),
        "response_format": lambda: rng.choice([{}, None, {"type": "text"}, {"type": "json_object"}, {
            "type": "json_schema", "json_schema": {"name": random_string(rng, 6), "strict": rng.random() < 0.5,
                                                   "schema": random_schema(rng)}}]),
        "web_search": lambda: rng.choice([True, False, None, 0, 1, "yes", ""]),
        "tool_choice": lambda: rng.choice(["auto", "none", {"type": "function", "function": {"name": "f"}}]),
        "top_p": lambda: random_float(rng), "n": lambda: 1, "seed": lambda: random_int(rng),
        "user": lambda: random_string(rng), "stream": lambda: rng.random() < 0.5,
        "frequency_penalty": lambda: random_float(rng),
    }
    for key, make in optional.items():
        if rng.random() < 0.5:
            body[key] = make()
    return body


def random_completion_body(rng):
    body = {"model": random_string(rng, 15) or "m",
            "prompt": rng.choice([random_string(rng, 40), [random_string(rng) for _ in range(2)], ""])}
    for key, make in {"temperature": lambda: random_temperature(rng),
                      "max_tokens": lambda: rng.choice([None, 0, 32, 10 ** 20]),
                      "stop": lambda: rng.choice(["", [], "\n", ["\n", random_string(rng, 3)]]),
                      "echo": lambda: True, "n": lambda: 2}.items():
        if rng.random() < 0.5:
            body[key] = make()
    return body


# ---- reference reduction, written from tests/vectors/tee_response/README.md --

def _ref_user_content(content):
    if isinstance(content, str):
        return content
    if not isinstance(content, list):
        return str(content)
    out = []
    for part in content:
        if not isinstance(part, dict):
            out.append({"type": "text", "text": str(part)})
        elif part.get("type") == "text":
            out.append({"type": "text", "text": part.get("text") or ""})
        else:
            entry = {"type": part.get("type")}
            file = part.get("file")
            name = (file.get("filename") if isinstance(file, dict) else None) or part.get("filename")
            if name:
                entry["filename"] = name
            out.append(entry)
    return out


def _ref_message(m):
    role = m["role"]
    if role in ("system", "developer"):
        return {"role": "system", "content": m.get("content")}
    if role == "user":
        return {"role": "user", "content": _ref_user_content(m.get("content"))}
    if role == "assistant":
        out = {"role": "assistant", "content": m.get("content") or ""}
        if m.get("tool_calls"):
            out["tool_calls"] = [{"id": c.get("id", ""), "type": c.get("type", "function"),
                                  "function": {"name": c.get("function", {}).get("name", ""),
                                               "arguments": c.get("function", {}).get("arguments", "")}}
                                 for c in m["tool_calls"]]
        return out
    if role == "tool":
        return {"role": "tool", "content": m.get("content"), "tool_call_id": m.get("tool_call_id")}
    return {"role": "function", "content": m.get("content"), "name": m.get("name")}


def reference_canonical(body):
    t = body.get("temperature")
    out = {"model": body["model"], "temperature": float(t) if t is not None else 0.0}
    if "messages" in body:
        out["messages"] = [_ref_message(m) for m in body["messages"]]
    else:
        out["prompt"] = body["prompt"]
    if body.get("max_tokens") is not None:
        out["max_tokens"] = body["max_tokens"]
    if body.get("stop"):
        out["stop"] = body["stop"]
    if "messages" in body:
        for key in ("tools", "response_format"):
            if body.get(key):
                out[key] = body[key]
        if body.get("web_search"):
            out["web_search"] = True
    return json.dumps(out, sort_keys=True)


def _mismatches(cases, answers, expected_of):
    bad = []
    for case, answer in zip(cases, answers):
        expected = expected_of(case)
        got = answer.get("result", answer.get("canonical")) if answer["ok"] else answer
        if got != expected:
            bad.append((case, expected, got))
    return bad


def test_python_json_dumps_matches_json_module(testkit, rng):
    objects = [random_value(rng) for _ in range(1200)] + [{random_string(rng, 4): random_value(rng, 1)
                                                           for _ in range(8)} for _ in range(300)]
    # The input text itself varies: escaped or raw UTF-8, compact or spaced.
    requests = [{"op": "python_json_dumps",
                 "json": json.dumps(o, ensure_ascii=rng.random() < 0.5,
                                    separators=rng.choice([(",", ":"), (", ", ": ")]))} for o in objects]
    answers = testkit.run(requests)
    bad = _mismatches(objects, answers, lambda o: json.dumps(o, sort_keys=True))
    assert not bad, f"{len(bad)} of {len(objects)} differ; first: {bad[0]!r}"


def test_float_repr_matches_python(testkit, rng):
    floats = SPECIAL_FLOATS + [-f for f in SPECIAL_FLOATS] + [random_float(rng) for _ in range(3000)]
    answers = testkit.run([{"op": "python_json_dumps", "json": json.dumps([f])} for f in floats])
    bad = [(f, a) for f, a in zip(floats, answers) if not a["ok"] or a["result"] != f"[{f!r}]"]
    assert not bad, f"{len(bad)} of {len(floats)} differ; first: {bad[0]!r}"


def test_canonical_chat_and_completion_requests_match_json_dumps(testkit, rng):
    bodies = [random_chat_body(rng) for _ in range(1200)] + [random_completion_body(rng) for _ in range(400)]
    answers = testkit.run([{"op": "canonical_request", "body": json.dumps(b, ensure_ascii=rng.random() < 0.5)}
                           for b in bodies])
    bad = _mismatches(bodies, answers, reference_canonical)
    assert not bad, f"{len(bad)} of {len(bodies)} differ; first: {bad[0]!r}"
    # The hash is keccak256 of exactly those bytes.
    from eth_utils import keccak
    for b, a in list(zip(bodies, answers))[:200]:
        assert a["request_hash"] == keccak(reference_canonical(b).encode()).hex()


def test_unusable_requests_are_rejected_like_python(testkit, rng):
    bad_bodies = []
    for _ in range(300):
        body = random_chat_body(rng)
        breaker = rng.randrange(6)
        if breaker == 0:
            body["messages"].append({"role": rng.choice(["robot", "", None, 5]), "content": "x"})
        elif breaker == 1:
            body["messages"].append({"role": "user", "content": {"a": random_value(rng, 2)}})
        elif breaker == 2:
            body["messages"].append({"role": "assistant", "tool_calls": [rng.choice(["x", 1, {"function": None}])]})
        elif breaker == 3:
            body["tools"] = {"type": "function"}
        elif breaker == 4:
            body["temperature"] = rng.choice(["0.5", [], {}])
        else:
            body["messages"] = rng.choice([[], None, "hi", ["hi"]])
        bad_bodies.append(body)
    answers = testkit.run([{"op": "canonical_request", "body": json.dumps(b)} for b in bad_bodies])
    accepted = [(b, a) for b, a in zip(bad_bodies, answers) if a["ok"]]
    assert not accepted, f"{len(accepted)} unusable bodies accepted; first: {accepted[0]!r}"
    assert all(a["code"] == "invalid_argument" for a in answers)
