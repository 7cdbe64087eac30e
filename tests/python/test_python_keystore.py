"""verinfer.decrypt_keystore / encrypt_keystore: the spec's test vectors, round
trips with eth-account both ways, errors mapped to the exception classes, and
the GIL released while the KDF runs; caller-chosen KDF limits."""
import json
import threading
from pathlib import Path

import pytest
from conftest import ROOT
from eth_account import Account

import verinfer

VECTORS = ROOT / "tests" / "vectors" / "keystore"
EXPECTED = json.loads((VECTORS / "expected.json").read_text())


def test_the_spec_vectors_decrypt_from_text_bytes_and_dicts():
    secret = bytes.fromhex(EXPECTED["secret"])
    text = (VECTORS / "pbkdf2_v3.json").read_text()
    assert verinfer.decrypt_keystore(text, "testpassword") == secret
    assert verinfer.decrypt_keystore(text.encode(), "testpassword") == secret
    assert verinfer.decrypt_keystore(json.loads(text), "testpassword") == secret
    assert verinfer.decrypt_keystore((VECTORS / "scrypt_v3.json").read_text(), "testpassword") == secret


@pytest.mark.parametrize("kdf, costs", [("scrypt", {"n": 1024, "r": 8, "p": 1}), ("pbkdf2", {"iterations": 1000})])
def test_round_trips_with_eth_account(kdf, costs):
    key = bytes(range(1, 33))
    passphrase = "pässwörd 🔑"
    ours = verinfer.encrypt_keystore(key, passphrase, kdf=kdf, **costs)
    parsed = json.loads(ours)
    assert parsed["crypto"]["kdf"] == kdf and parsed["version"] == 3
    assert parsed["address"] == Account.from_key(key).address[2:].lower()
    assert Account.decrypt(parsed, passphrase) == key
    assert verinfer.decrypt_keystore(ours, passphrase) == key
    theirs = Account.encrypt(key, passphrase, kdf=kdf, iterations=costs.get("n", costs.get("iterations")))
    assert verinfer.decrypt_keystore(theirs, passphrase) == key


def test_errors_map_to_the_exception_classes():
    keystore = json.loads(verinfer.encrypt_keystore(b"\x11" * 32, "pw", kdf="pbkdf2", iterations=10))
    with pytest.raises(verinfer.VerificationError, match="MAC mismatch: wrong passphrase or corrupted keystore"):
        verinfer.decrypt_keystore(keystore, "PW")
    with pytest.raises(verinfer.InvalidArgument, match='unsupported keystore kdf .*got "argon2id"'):
        verinfer.decrypt_keystore(dict(keystore, crypto=dict(keystore["crypto"], kdf="argon2id")), "pw")
    with pytest.raises(verinfer.ParseError, match="crypto.ciphertext has the wrong length"):
        verinfer.decrypt_keystore(dict(keystore, crypto=dict(keystore["crypto"], ciphertext="00")), "pw")
    with pytest.raises(verinfer.VerificationError, match="keystore address does not match its key"):
        verinfer.decrypt_keystore(dict(keystore, address="00" * 20), "pw")
    huge = dict(keystore["crypto"], kdfparams=dict(keystore["crypto"]["kdfparams"], c=10**9))
    with pytest.raises(verinfer.VerinferError, match="pbkdf2 iterations c exceed the limit") as info:
        verinfer.decrypt_keystore(dict(keystore, crypto=huge), "pw")
    assert info.value.code == "resource_exhausted"
    with pytest.raises(verinfer.InvalidArgument, match="kdf must be scrypt or pbkdf2"):
        verinfer.encrypt_keystore(b"\x11" * 32, "pw", kdf="argon2id")
    with pytest.raises(verinfer.InvalidArgument, match="private key must be 32 bytes"):
        verinfer.encrypt_keystore(b"\x11" * 31, "pw", kdf="pbkdf2", iterations=1)
    with pytest.raises(verinfer.InvalidArgument, match="scrypt n must be a power of two"):
        verinfer.encrypt_keystore(b"\x11" * 32, "pw", n=1000)


def test_the_gil_is_released_while_the_kdf_runs():
    keystore = verinfer.encrypt_keystore(b"\x22" * 32, "pw", kdf="pbkdf2", iterations=500_000)
    done = threading.Event()
    result = {}

    def decrypt():
        result["key"] = verinfer.decrypt_keystore(keystore, "pw")
        done.set()

    worker = threading.Thread(target=decrypt)
    worker.start()
    # Python code keeps running during the half million iterations only if the
    # binding let go of the GIL; holding it, this loop would barely start.
    spins = 0
    while not done.is_set():
        spins += 1
    worker.join()
    assert result["key"] == b"\x22" * 32
    assert spins > 10_000, spins


def test_caller_chosen_kdf_limits_refuse_before_any_work():
    small = json.loads((VECTORS / "small_kdf.json").read_text())
    secret = bytes.fromhex(small["secret"])
    scrypt = small["keystores"]["scrypt_n16"]  # n=16 r=8 p=1: 16 KiB of memory and work
    pbkdf2 = small["keystores"]["pbkdf2_c3"]
    assert verinfer.decrypt_keystore(scrypt, "fuzz", max_scrypt_memory=16384, max_scrypt_work=16384) == secret
    assert verinfer.decrypt_keystore(pbkdf2, "fuzz", max_pbkdf2_iterations=3) == secret
    for keystore, limits, message in [
            (scrypt, {"max_scrypt_memory": 16383}, r"scrypt memory 128\*n\*r exceeds the limit"),
            (scrypt, {"max_scrypt_work": 16383}, r"scrypt work 128\*n\*r\*p exceeds the limit"),
            (pbkdf2, {"max_pbkdf2_iterations": 2}, r"pbkdf2 iterations c exceed the limit \(got 3, limit 2\)")]:
        for passphrase in ("fuzz", "wrong"):  # refused before the KDF: no MAC mismatch
            with pytest.raises(verinfer.VerinferError, match=message) as info:
                verinfer.decrypt_keystore(keystore, passphrase, **limits)
            assert info.value.code == "resource_exhausted"
    with pytest.raises(TypeError):
        verinfer.decrypt_keystore(pbkdf2, "fuzz", max_pbkdf2_iterations=-1)


def test_default_limits_are_the_librarys_in_the_package_and_the_stub():
    import ast
    import inspect
    expected = {"max_scrypt_memory": 2**30, "max_scrypt_work": 2**32, "max_pbkdf2_iterations": 10_000_000}
    runtime = inspect.signature(verinfer.decrypt_keystore).parameters
    assert {name: runtime[name].default for name in expected} == expected
    stub = ast.parse((Path(verinfer.__file__).parent / "__init__.pyi").read_text())
    function = next(node for node in stub.body if isinstance(node, ast.FunctionDef) and node.name == "decrypt_keystore")
    defaults = {arg.arg: ast.literal_eval(value) for arg, value in zip(function.args.kwonlyargs, function.args.kw_defaults)}
    assert defaults == expected
