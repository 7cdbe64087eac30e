"""Every verb rejects unknown options (exit 2, pointing at its --help) and accepts
every option its --help shows: the parser and the help share one declaration."""
import re
import subprocess

import pytest

UNKNOWN = "--no-such-option-zz"


def run(cli, *args):
    return subprocess.run([str(cli), *args], capture_output=True, text=True, timeout=30)


def verbs(cli):
    out = run(cli, "--help").stdout
    listing = out.split("commands:\n", 1)[1].split("\n\n", 1)[0]
    found = [re.split(r"\s{2,}", line.strip())[0] for line in listing.splitlines() if line.strip()]
    assert len(found) >= 10, out
    return found


def unknown_message(verb, option):
    return f"unknown option {option} for `verinfer {verb}`; see `verinfer {verb} --help`"


def test_every_verb_rejects_unknown_options(cli):
    for verb in verbs(cli):
        for args in ([UNKNOWN], [UNKNOWN + "=1"], ["positional", UNKNOWN, "value"]):
            r = run(cli, *verb.split(), *args)
            assert r.returncode == 2, (verb, args, r.stdout, r.stderr)
            assert unknown_message(verb, UNKNOWN) in r.stderr, (verb, args, r.stderr)
            assert r.stdout == "", (verb, args, r.stdout)


def test_every_option_in_help_is_accepted(cli):
    for verb in verbs(cli):
        help_run = run(cli, *verb.split(), "--help")
        assert help_run.returncode == 0, (verb, help_run.stderr)
        shown = set(re.findall(r"(?<![\w-])--[a-z][a-z0-9-]*", help_run.stdout)) - {"--help"}
        assert "--json" in shown, verb
        examples = help_run.stdout.split("example", 1)
        assert len(examples) == 2 and f"verinfer {verb}" in examples[1], f"{verb}: no example"
        for option in sorted(shown):
            # Parsing stops at nothing: the trailing unknown option is the first (and
            # only) problem exactly when `option` (with or without a value) was accepted.
            r = run(cli, *verb.split(), option, "v", UNKNOWN)
            assert r.returncode == 2, (verb, option, r.stderr)
            assert r.stderr.strip() == "verinfer: " + unknown_message(verb, UNKNOWN), (verb, option, r.stderr)


@pytest.mark.parametrize(
    "argv, message",
    [
        (["keccak256", "--hex"], "option --hex needs a value for `verinfer keccak256`"),
        (["attestation", "verify", "doc.b64", "--at"], "option --at needs a value for `verinfer attestation verify`"),
        (["recover", "--allow-high-s=1"], "option --allow-high-s takes no value for `verinfer recover`"),
        (["x402", "decode", "--json=yes"], "option --json takes no value for `verinfer x402 decode`"),
    ],
)
def test_malformed_options_are_unusable(cli, argv, message):
    r = run(cli, *argv)
    assert r.returncode == 2, r.stderr
    assert message in r.stderr
    assert "--help`" in r.stderr


def test_declared_options_still_work(cli):
    assert run(cli, "keccak256", "--text=abc").stdout.strip() == (
        "0x4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45")
    r = run(cli, "keccak256", "--text", "abc", "--json")
    assert r.returncode == 0 and '"0x4e03657a' in r.stdout
